use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a worker. `worker_id` names the worker across versions. The identity number
/// is only here encrypted (`id_cipher`), as a keyed blind index and masked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "workers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub worker_id: Uuid,
    pub version: i32,
    pub mine_id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub id_cipher: String,
    #[serde(skip)]
    pub id_index: String,
    pub id_masked: String,
    pub sex: String,
    pub birth_date: Date,
    pub home_village: Option<String>,
    pub phone: Option<String>,
    pub job: String,
    pub employment_form: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
