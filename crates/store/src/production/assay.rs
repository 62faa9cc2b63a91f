use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of one element's result for a sample, in 10^-4 of the element's unit. Below the
/// detection limit: no value, `below_dl`, and the limit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "assay_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sample_id: Uuid,
    pub element: String,
    pub version: i32,
    pub value_e4: Option<i64>,
    pub below_dl: bool,
    pub detection_limit_e4: Option<i64>,
    pub method: String,
    pub lab: String,
    pub batch: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
