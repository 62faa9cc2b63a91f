use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A notice to a member enterprise (its owners read it) about something that concerns it.
/// `message` is a Fluent id, `args` its arguments as JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub message: String,
    #[sea_orm(column_type = "Text")]
    pub args: String,
    pub link: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
