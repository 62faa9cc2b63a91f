use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A worker covered by a policy from `from_on` (to `to_on`, or to the policy's end).
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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
