use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An inspector's decision on a laboratory batch flagged by quality control. Never changed: a
/// later decision on the same batch is a new row, and the latest counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "qc_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lab: String,
    pub batch: String,
    pub decision: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub decided_by: String,
    pub decided_at: DateTimeUtc,
    /// The batch's outcome when it was decided (`warning` or `fail`); `None` for decisions made
    /// before it was kept.
    pub decided_outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
