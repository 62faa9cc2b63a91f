use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A worker's special-operation certificate. `alerted_on` is the day its coming expiry was
/// alerted (once).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "worker_certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub worker_id: Uuid,
    pub cert_type: String,
    pub number: String,
    pub issued_by: String,
    pub issued_on: Date,
    pub expires_on: Date,
    pub alerted_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
