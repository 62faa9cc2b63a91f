use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of an insurance policy of a mine. `policy_id` names it across versions; money
/// in fen.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "insurance_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub policy_id: Uuid,
    pub version: i32,
    pub mine_id: Uuid,
    pub kind: String,
    pub insurer: String,
    pub number: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub premium_fen: i64,
    pub cover_fen: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
