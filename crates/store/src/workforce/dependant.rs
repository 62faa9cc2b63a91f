use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A family member covered with one version of a worker (copied to each new version).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "worker_dependants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub worker_version_id: Uuid,
    pub worker_id: Uuid,
    pub position: i32,
    pub name: String,
    pub relation: String,
    pub birth_date: Date,
    #[serde(skip)]
    pub id_cipher: Option<String>,
    pub id_masked: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
