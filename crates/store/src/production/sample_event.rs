use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One step of a sample's chain of custody: when (local time), by whom (as they sign), and the
/// account that recorded it. Only ever added.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sample_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sample_id: Uuid,
    pub step: String,
    pub at: DateTime,
    pub by_name: String,
    pub signed_by: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
