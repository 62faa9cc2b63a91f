use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A corrective action: raised by an incident, a finding or a grievance (`source_kind`,
/// `source_id`), for the mine concerned; `owner` is the user who must do it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "safety_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub mine_id: Uuid,
    pub source_kind: String,
    pub source_id: Uuid,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub owner: String,
    pub due_on: Date,
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub evidence: Option<String>,
    pub done_by: Option<String>,
    pub done_at: Option<DateTimeUtc>,
    pub verified_by: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
