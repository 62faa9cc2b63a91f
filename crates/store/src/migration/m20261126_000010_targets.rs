//! The co-op's targets for ore-grade supervision: for a year, for every mine (no mine) or one
//! mine, a figure (`recovery_pct.zn`) and its value in 10^-4. Rows are never changed: a new
//! target for the same figure is a new row, and the latest one counts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Targets {
    Table,
    Id,
    Year,
    MineId,
    Figure,
    ValueE4,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Targets::Table)
                .col(pk_uuid(Targets::Id))
                .col(integer(Targets::Year))
                .col(uuid_null(Targets::MineId))
                .col(string(Targets::Figure))
                .col(big_integer(Targets::ValueE4))
                .col(text_null(Targets::Reason))
                .col(timestamp_with_time_zone(Targets::CreatedAt))
                .col(string(Targets::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_targets_year").table(Targets::Table).col(Targets::Year).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("targets are kept with their history; this migration is not reverted".into()))
    }
}
