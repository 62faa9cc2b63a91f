//! Explosives control: each mine's magazine ledger (only ever added to: a mistake is put right
//! by a later line) and the blasters' certificates.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExplosiveEntries {
    Table,
    Id,
    MineId,
    Kind,
    Item,
    QtyMilli,
    At,
    PermitNo,
    Blaster,
    Shift,
    BlastLocation,
    Note,
    BookMilli,
    DifferenceMilli,
    IncidentId,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum BlasterCertificates {
    Table,
    Id,
    Username,
    Number,
    IssuedBy,
    ValidFrom,
    ValidTo,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ExplosiveEntries::Table)
                .col(pk_uuid(ExplosiveEntries::Id))
                .col(uuid(ExplosiveEntries::MineId))
                .col(string(ExplosiveEntries::Kind))
                .col(string(ExplosiveEntries::Item))
                .col(big_integer(ExplosiveEntries::QtyMilli))
                .col(date_time(ExplosiveEntries::At))
                .col(string_null(ExplosiveEntries::PermitNo))
                .col(string_null(ExplosiveEntries::Blaster))
                .col(string_null(ExplosiveEntries::Shift))
                .col(string_null(ExplosiveEntries::BlastLocation))
                .col(text_null(ExplosiveEntries::Note))
                .col(big_integer_null(ExplosiveEntries::BookMilli))
                .col(big_integer_null(ExplosiveEntries::DifferenceMilli))
                .col(uuid_null(ExplosiveEntries::IncidentId))
                .col(timestamp_with_time_zone(ExplosiveEntries::CreatedAt))
                .col(string(ExplosiveEntries::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_explosive_entries_mine_at")
                .table(ExplosiveEntries::Table)
                .col(ExplosiveEntries::MineId)
                .col(ExplosiveEntries::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BlasterCertificates::Table)
                .col(pk_uuid(BlasterCertificates::Id))
                .col(string(BlasterCertificates::Username))
                .col(string(BlasterCertificates::Number))
                .col(string(BlasterCertificates::IssuedBy))
                .col(date(BlasterCertificates::ValidFrom))
                .col(date(BlasterCertificates::ValidTo))
                .col(timestamp_with_time_zone(BlasterCertificates::CreatedAt))
                .col(string(BlasterCertificates::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_blaster_certificates_user")
                .table(BlasterCertificates::Table)
                .col(BlasterCertificates::Username)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the explosives ledger is kept; this migration is not reverted".into()))
    }
}
