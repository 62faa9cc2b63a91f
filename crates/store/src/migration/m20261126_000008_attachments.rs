//! Documents attached to records (a dispute's minutes, a signed settlement, ...): kept in the
//! database with their SHA-256, never replaced.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    Entity,
    EntityId,
    FileName,
    ContentType,
    Size,
    Sha256,
    Content,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(pk_uuid(Attachments::Id))
                .col(string(Attachments::Entity))
                .col(uuid(Attachments::EntityId))
                .col(string(Attachments::FileName))
                .col(string(Attachments::ContentType))
                .col(big_integer(Attachments::Size))
                .col(string(Attachments::Sha256))
                .col(blob(Attachments::Content))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .col(string(Attachments::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attachments_entity")
                .table(Attachments::Table)
                .col(Attachments::Entity)
                .col(Attachments::EntityId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("attached documents are records that matter; this migration is not reverted".into()))
    }
}
