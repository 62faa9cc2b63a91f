use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a certified reference material's accepted value for one element, in 10^-4 of
/// the element's unit, with its standard deviation. A new certificate is a new version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reference_materials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub element: String,
    pub version: i32,
    pub unit: String,
    pub accepted_e4: i64,
    pub sd_e4: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub certificate: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
