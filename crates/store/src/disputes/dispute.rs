use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A boundary-dispute case. Parties are JSON: member enterprise ids and others by name.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "disputes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub member_ids: String,
    #[sea_orm(column_type = "Text")]
    pub other_parties: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub finding: Option<String>,
    pub due_on: Date,
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
