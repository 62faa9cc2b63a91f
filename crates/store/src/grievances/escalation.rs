use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An overdue step of a case already alerted at a level (`mine_owner`, `president`): one row
/// per case, status and level, so no escalation is sent twice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "grievance_escalations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub grievance_id: Uuid,
    pub status: String,
    pub level: String,
    pub raised_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
