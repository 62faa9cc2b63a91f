use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Coordinates in micro-degrees (see `minecoop_domain::units`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "mines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub lat_micro: i64,
    pub lon_micro: i64,
    /// Comma-separated mineral codes, e.g. `zn,pb`.
    pub minerals: String,
    pub mining_method: String,
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
