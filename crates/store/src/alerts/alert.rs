use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An alert to one user. `message` is a Fluent id, `args` its arguments as JSON pairs; `link`
/// the record it is about. Unread while `read_at` is empty.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub mine_id: Option<Uuid>,
    pub message: String,
    #[sea_orm(column_type = "Text")]
    pub args: String,
    pub link: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
