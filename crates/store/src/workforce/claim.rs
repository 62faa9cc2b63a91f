use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An injury claim: the incident, the worker hurt and the mine, which never change, and the
/// days its determination deadline was alerted (close, passed: once each). What the claim says
/// is in its versions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "injury_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mine_id: Uuid,
    pub incident_id: Uuid,
    pub worker_id: Uuid,
    pub near_alerted_on: Option<Date>,
    pub overdue_alerted_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
