use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a mine's production record for a day (and shift). Tonnages in kg, grades in
/// 10^-4 of their unit (JSON maps by element), money in fen (JSON map by category), the other
/// amounts in tenths (`_d`). `source` says where it came from (`form`, `api`, `import:<sha256>`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "production_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mine_id: Uuid,
    pub day: Date,
    pub shift: String,
    pub version: i32,
    pub ore_hoisted_kg: Option<i64>,
    pub ore_milled_kg: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub feed_grades: String,
    #[sea_orm(column_type = "Text")]
    pub concentrates: String,
    pub tailings_kg: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub tailings_grades: String,
    pub tailings_facility: Option<String>,
    pub waste_kg: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub waste_grades: String,
    pub hours_worked_d: Option<i64>,
    pub worker_shifts: Option<i64>,
    pub electricity_kwh_d: Option<i64>,
    pub water_m3_d: Option<i64>,
    pub diesel_l_d: Option<i64>,
    pub explosives_kg_d: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub costs: String,
    pub warnings: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub source: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
