use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An incident's investigation: its lead and team (JSON list), and the sign-off of its report.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "investigations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub incident_id: Uuid,
    pub lead: String,
    #[sea_orm(column_type = "Text")]
    pub team: String,
    pub signed_off_by: Option<String>,
    pub signed_off_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
