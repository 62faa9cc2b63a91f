use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A webhook post: the event's JSON `body` and its `signature` (hex HMAC-SHA256 with the
/// hook's secret, computed when queued, so the secret itself is never stored). Same statuses
/// as the e-mail outbox; `last_status` is the receiver's HTTP status. Never deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    pub event: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub signature: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_status: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
