use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of an incident. `incident_id` names the incident across its versions; `code`
/// is what people quote (`INC-2026-0001`). Local times; money in fen; `class` as the figures of
/// this version gave it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub version: i32,
    pub code: String,
    pub mine_id: Uuid,
    pub kind: String,
    pub occurrence: Option<String>,
    pub occurred_at: DateTime,
    pub unit_head_notified_at: DateTime,
    pub location: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub deaths: i32,
    pub serious_injuries: i32,
    pub minor_injuries: i32,
    pub loss_fen: i64,
    pub class: String,
    pub reported_at: Option<DateTime>,
    pub reported_to: Option<String>,
    pub reported_how: Option<String>,
    pub extension_days: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub extension_reason: Option<String>,
    pub investigation_report_at: Option<DateTime>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// Set on the version that closed the incident.
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
