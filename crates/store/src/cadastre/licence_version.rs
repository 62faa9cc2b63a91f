use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a mining licence. `licence_id` is the licence across its versions; a renewal
/// or a boundary change adds a version and never edits an old one. Quantities are scaled
/// integers: scale in 10^4 t/a x 100, stated area in km2 x 10^4, elevations in cm, computed
/// area in m2 x 100. The boundary is GeoJSON MultiPolygon coordinates in CGCS2000 degrees.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "licence_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub licence_id: Uuid,
    pub version: i32,
    pub mine_id: Uuid,
    pub licence_no: String,
    pub holder: String,
    pub mine_name: String,
    pub minerals: String,
    pub mining_method: String,
    pub scale_centi: i64,
    pub stated_area_e4: i64,
    pub valid_from: Date,
    pub valid_to: Date,
    pub top_cm: i64,
    pub bottom_cm: i64,
    pub issuing_office: String,
    pub issued_on: Option<Date>,
    pub source_crs: String,
    #[sea_orm(column_type = "Text")]
    pub boundary: String,
    pub computed_area_centi: i64,
    pub reason: String,
    /// Overlaps that were shown and acknowledged when this version was saved (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub overlap_ack: Option<String>,
    pub warnings: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
