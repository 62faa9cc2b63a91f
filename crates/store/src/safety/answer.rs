use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One answer of an inspection, in the template's order, with its outcome (`pass`, `fail`,
/// `na`, `recorded`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "inspection_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub inspection_id: Uuid,
    pub position: i32,
    pub question_key: String,
    pub kind: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub value: Option<String>,
    pub outcome: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
