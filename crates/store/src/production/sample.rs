use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A sample. `code` is what its label carries (`S2005-00001`); `taken_at` is local time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "samples")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub mine_id: Uuid,
    pub kind: String,
    pub point: String,
    pub taken_at: DateTime,
    pub taken_by: String,
    pub qc_role: String,
    pub duplicate_of: Option<String>,
    pub reference: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
