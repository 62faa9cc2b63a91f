use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One mine's coverage on one day, written once by the daily job (or a backfill): the active
/// workers, those fully covered and the ratio in basis points, and the same for the family
/// members of the active workers. The co-op's figures are the sums over its mines.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "coverage_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub day: Date,
    pub mine_id: Uuid,
    pub active: i32,
    pub covered: i32,
    pub ratio_bp: i32,
    pub dependants: i32,
    pub dependants_covered: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
