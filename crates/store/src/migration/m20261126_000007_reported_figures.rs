//! Figures the co-op or a mine reported (e.g. the 91.25 % recovery of 2005), kept so that the
//! reports can set them against what the records show.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportedFigures {
    Table,
    Id,
    Year,
    MineId,
    Figure,
    ValueE4,
    Source,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReportedFigures::Table)
                .col(pk_uuid(ReportedFigures::Id))
                .col(integer(ReportedFigures::Year))
                .col(uuid_null(ReportedFigures::MineId))
                .col(string(ReportedFigures::Figure))
                .col(big_integer(ReportedFigures::ValueE4))
                .col(string(ReportedFigures::Source))
                .col(timestamp_with_time_zone(ReportedFigures::CreatedAt))
                .col(string(ReportedFigures::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_reported_figures_year")
                .table(ReportedFigures::Table)
                .col(ReportedFigures::Year)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("reported figures are records that matter; this migration is not reverted".into()))
    }
}
