use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A surveyed working: a point (shaft, face) or a drift, in CGCS2000 degrees with elevation
/// in metres: JSON `[[lon, lat, z], ...]`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "workings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub licence_id: Uuid,
    pub label: String,
    pub is_line: bool,
    #[sea_orm(column_type = "Text")]
    pub coords: String,
    pub surveyed_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
