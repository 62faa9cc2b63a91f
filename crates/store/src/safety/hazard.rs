use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a hazard of a mine's register. `hazard_id` is the hazard across its
/// versions; a change adds a version with its reason, and none is ever deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hazards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub hazard_id: Uuid,
    pub version: i32,
    pub mine_id: Uuid,
    pub title: String,
    pub category: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub likelihood: i16,
    pub severity: i16,
    #[sea_orm(column_type = "Text")]
    pub controls: String,
    pub owner_id: Uuid,
    pub review_on: Date,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
