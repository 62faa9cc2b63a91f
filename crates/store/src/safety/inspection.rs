use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An inspection as submitted: only ever added. The score's counts are kept with it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mine_id: Uuid,
    pub schedule_id: Option<Uuid>,
    pub template_id: Uuid,
    /// The row of the template version it was filled on.
    pub template_version_id: Uuid,
    pub template_version: i32,
    pub inspected_on: Date,
    pub inspector: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub applicable: i32,
    pub passed: i32,
    pub failed: i32,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
