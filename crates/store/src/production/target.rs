use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A target the co-op set for a year (for every mine when `mine_id` is empty): `figure` names
/// it (`recovery_pct.zn`), the value is in 10^-4. Never changed; the latest row counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub year: i32,
    pub mine_id: Option<Uuid>,
    pub figure: String,
    pub value_e4: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
