use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A worker covered by a policy from `from_on` (to `to_on`, or to the policy's end), or with
/// `dependant_name` one of his family members (by name, as his record lists them). A
/// membership ended early keeps its row: `to_on` becomes the last day, with why, who and when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "policy_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub policy_id: Uuid,
    pub worker_id: Uuid,
    pub from_on: Date,
    pub to_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub dependant_name: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub end_reason: Option<String>,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
