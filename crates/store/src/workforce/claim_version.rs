use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of an injury claim: `change` is `opened`, `advanced` (a step of the status) or
/// `corrected` (with its reason). Money in fen; `paid_fen` is the total paid to date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "injury_claim_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub claim_id: Uuid,
    pub version: i32,
    pub change: String,
    pub status: String,
    pub severity: String,
    pub applied_on: Option<Date>,
    pub determination: String,
    pub determined_on: Option<Date>,
    pub disability_grade: Option<i32>,
    pub payer: Option<String>,
    pub claimed_fen: i64,
    pub paid_fen: i64,
    pub paid_on: Option<Date>,
    pub family_name: Option<String>,
    pub family_relation: Option<String>,
    pub family_phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
