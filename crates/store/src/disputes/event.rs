use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One entry of a case's log: a meeting, hearing, note, proposal, agreement or status change.
/// Entries are only ever added.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "dispute_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dispute_id: Uuid,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub new_status: Option<String>,
    pub actor: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
