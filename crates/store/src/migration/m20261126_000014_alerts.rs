//! Alerts (issue 5 item 9): per-user in-app alerts, the e-mail outbox and the webhook
//! deliveries they queue (kept after delivery as the record of what was sent), the escalations
//! of overdue actions already raised (so none is raised twice), and an optional e-mail address
//! for every user.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Email,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    UserId,
    Kind,
    MineId,
    Message,
    Args,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum AlertEmails {
    Table,
    Id,
    AlertId,
    UserId,
    Recipient,
    Language,
    Subject,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    Url,
    Event,
    Body,
    Signature,
    Status,
    Attempts,
    NextAttemptAt,
    LastStatus,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum ActionEscalations {
    Table,
    Id,
    ActionId,
    Level,
    RaisedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).add_column(string_null(Users::Email)).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(Alerts::Table)
                .col(pk_uuid(Alerts::Id))
                .col(uuid(Alerts::UserId))
                .col(string(Alerts::Kind))
                .col(uuid_null(Alerts::MineId))
                .col(string(Alerts::Message))
                .col(text(Alerts::Args))
                .col(string(Alerts::Link))
                .col(timestamp_with_time_zone(Alerts::CreatedAt))
                .col(timestamp_with_time_zone_null(Alerts::ReadAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_alerts_user_read")
                .table(Alerts::Table)
                .col(Alerts::UserId)
                .col(Alerts::ReadAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AlertEmails::Table)
                .col(pk_uuid(AlertEmails::Id))
                .col(uuid(AlertEmails::AlertId))
                .col(uuid(AlertEmails::UserId))
                .col(string(AlertEmails::Recipient))
                .col(string(AlertEmails::Language))
                .col(string(AlertEmails::Subject))
                .col(text(AlertEmails::Body))
                .col(string(AlertEmails::Status))
                .col(integer(AlertEmails::Attempts))
                .col(timestamp_with_time_zone(AlertEmails::NextAttemptAt))
                .col(text_null(AlertEmails::LastError))
                .col(timestamp_with_time_zone(AlertEmails::CreatedAt))
                .col(timestamp_with_time_zone_null(AlertEmails::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_alert_emails_due")
                .table(AlertEmails::Table)
                .col(AlertEmails::Status)
                .col(AlertEmails::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(pk_uuid(WebhookDeliveries::Id))
                .col(string(WebhookDeliveries::Url))
                .col(string(WebhookDeliveries::Event))
                .col(text(WebhookDeliveries::Body))
                .col(string(WebhookDeliveries::Signature))
                .col(string(WebhookDeliveries::Status))
                .col(integer(WebhookDeliveries::Attempts))
                .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                .col(integer_null(WebhookDeliveries::LastStatus))
                .col(text_null(WebhookDeliveries::LastError))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_due")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::Status)
                .col(WebhookDeliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ActionEscalations::Table)
                .col(pk_uuid(ActionEscalations::Id))
                .col(uuid(ActionEscalations::ActionId))
                .col(string(ActionEscalations::Level))
                .col(timestamp_with_time_zone(ActionEscalations::RaisedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_action_escalations_level")
                .table(ActionEscalations::Table)
                .col(ActionEscalations::ActionId)
                .col(ActionEscalations::Level)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ActionEscalations::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            AlertEmails::Table.into_iden(),
            Alerts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::Email).to_owned()).await
    }
}
