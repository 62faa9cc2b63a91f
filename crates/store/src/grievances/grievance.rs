use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A grievance as received, never changed. An anonymous one has no name or phone; no address
/// or device of the sender is kept for any. The tracking code is kept only as its hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "grievances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ref_no: String,
    #[serde(skip)]
    pub code_hash: String,
    pub category: String,
    pub complainant_type: String,
    pub channel: String,
    pub anonymous: bool,
    pub complainant_name: Option<String>,
    pub complainant_phone: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub occurred: Option<String>,
    pub place: Option<String>,
    pub received_on: Date,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
