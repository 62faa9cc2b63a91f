use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A mine's recurring inspection: every `every` `unit`s (days, weeks, months) from
/// `first_due`, on the current version of a template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "inspection_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mine_id: Uuid,
    pub template_id: Uuid,
    pub every: i32,
    pub unit: String,
    pub first_due: Date,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
