//! Licences (versioned) and surveyed workings.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LicenceVersions {
    Table,
    Id,
    LicenceId,
    Version,
    MineId,
    LicenceNo,
    Holder,
    MineName,
    Minerals,
    MiningMethod,
    ScaleCenti,
    StatedAreaE4,
    ValidFrom,
    ValidTo,
    TopCm,
    BottomCm,
    IssuingOffice,
    IssuedOn,
    SourceCrs,
    Boundary,
    ComputedAreaCenti,
    Reason,
    OverlapAck,
    Warnings,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Workings {
    Table,
    Id,
    LicenceId,
    Label,
    IsLine,
    Coords,
    SurveyedOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Mines {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LicenceVersions::Table)
                .col(pk_uuid(LicenceVersions::Id))
                .col(uuid(LicenceVersions::LicenceId))
                .col(integer(LicenceVersions::Version))
                .col(uuid(LicenceVersions::MineId))
                .col(string(LicenceVersions::LicenceNo))
                .col(string(LicenceVersions::Holder))
                .col(string(LicenceVersions::MineName))
                .col(string(LicenceVersions::Minerals))
                .col(string(LicenceVersions::MiningMethod))
                .col(big_integer(LicenceVersions::ScaleCenti))
                .col(big_integer(LicenceVersions::StatedAreaE4))
                .col(date(LicenceVersions::ValidFrom))
                .col(date(LicenceVersions::ValidTo))
                .col(big_integer(LicenceVersions::TopCm))
                .col(big_integer(LicenceVersions::BottomCm))
                .col(string(LicenceVersions::IssuingOffice))
                .col(date_null(LicenceVersions::IssuedOn))
                .col(string(LicenceVersions::SourceCrs))
                .col(text(LicenceVersions::Boundary))
                .col(big_integer(LicenceVersions::ComputedAreaCenti))
                .col(string(LicenceVersions::Reason))
                .col(text_null(LicenceVersions::OverlapAck))
                .col(string(LicenceVersions::Warnings))
                .col(timestamp_with_time_zone(LicenceVersions::CreatedAt))
                .col(string(LicenceVersions::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(LicenceVersions::Table, LicenceVersions::MineId)
                        .to(Mines::Table, Mines::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_licence_versions_licence_version")
                .table(LicenceVersions::Table)
                .col(LicenceVersions::LicenceId)
                .col(LicenceVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_licence_versions_no")
                .table(LicenceVersions::Table)
                .col(LicenceVersions::LicenceNo)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Workings::Table)
                .col(pk_uuid(Workings::Id))
                .col(uuid(Workings::LicenceId))
                .col(string(Workings::Label))
                .col(boolean(Workings::IsLine))
                .col(text(Workings::Coords))
                .col(date_null(Workings::SurveyedOn))
                .col(timestamp_with_time_zone(Workings::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_workings_licence").table(Workings::Table).col(Workings::LicenceId).to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("licences are records that matter; this migration is not reverted".into()))
    }
}
