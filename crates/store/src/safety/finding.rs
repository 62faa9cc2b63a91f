use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A finding: a failed checklist item (with its inspection and question) or one raised by
/// hand. Its id is stable: corrective actions refer to it as `source_kind = "finding"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mine_id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub question_key: Option<String>,
    pub severity: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// `open` or `closed`.
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub close_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
