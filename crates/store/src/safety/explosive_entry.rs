use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A line of a mine's magazine ledger. Quantities in thousandths of the item's unit; a count
/// keeps the book balance it was set against, the difference, and the security incident a
/// difference opened.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "explosive_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mine_id: Uuid,
    pub kind: String,
    pub item: String,
    pub qty_milli: i64,
    pub at: DateTime,
    pub permit_no: Option<String>,
    pub blaster: Option<String>,
    pub shift: Option<String>,
    pub blast_location: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub book_milli: Option<i64>,
    pub difference_milli: Option<i64>,
    pub incident_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
