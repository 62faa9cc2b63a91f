//! Boundary-dispute cases, their logs, and notifications to member enterprises.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Disputes {
    Table,
    Id,
    Title,
    Kind,
    Description,
    MemberIds,
    OtherParties,
    Finding,
    DueOn,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DisputeEvents {
    Table,
    Id,
    DisputeId,
    Kind,
    Text,
    NewStatus,
    Actor,
    At,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    MemberId,
    Message,
    Args,
    Link,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Disputes::Table)
                .col(pk_uuid(Disputes::Id))
                .col(string(Disputes::Title))
                .col(string(Disputes::Kind))
                .col(text(Disputes::Description))
                .col(text(Disputes::MemberIds))
                .col(text(Disputes::OtherParties))
                .col(text_null(Disputes::Finding))
                .col(date(Disputes::DueOn))
                .col(string(Disputes::Status))
                .col(integer(Disputes::Version))
                .col(timestamp_with_time_zone(Disputes::CreatedAt))
                .col(timestamp_with_time_zone(Disputes::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DisputeEvents::Table)
                .col(pk_uuid(DisputeEvents::Id))
                .col(uuid(DisputeEvents::DisputeId))
                .col(string(DisputeEvents::Kind))
                .col(text(DisputeEvents::Text))
                .col(string_null(DisputeEvents::NewStatus))
                .col(string(DisputeEvents::Actor))
                .col(timestamp_with_time_zone(DisputeEvents::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(DisputeEvents::Table, DisputeEvents::DisputeId)
                        .to(Disputes::Table, Disputes::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dispute_events_dispute")
                .table(DisputeEvents::Table)
                .col(DisputeEvents::DisputeId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(pk_uuid(Notifications::Id))
                .col(uuid(Notifications::MemberId))
                .col(string(Notifications::Message))
                .col(text(Notifications::Args))
                .col(string(Notifications::Link))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_member")
                .table(Notifications::Table)
                .col(Notifications::MemberId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("dispute records are kept; this migration is not reverted".into()))
    }
}
