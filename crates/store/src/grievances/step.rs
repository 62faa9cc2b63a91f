use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An entry of a case, never changed: a step of the workflow (`kind` is the new status, kept in
/// `status` too), or a note, reply, question or the complainant's information (`status` empty).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "grievance_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub grievance_id: Uuid,
    pub kind: String,
    pub status: Option<String>,
    pub escalated_to: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// Shown on the tracking page.
    pub public: bool,
    pub at: DateTimeUtc,
    pub by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
