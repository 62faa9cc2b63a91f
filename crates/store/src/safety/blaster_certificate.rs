use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A blaster's certificate, held by a user: only a holder of a valid one receives explosives.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "blaster_certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub username: String,
    pub number: String,
    pub issued_by: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
