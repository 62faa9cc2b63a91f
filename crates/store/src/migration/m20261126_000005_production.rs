//! Daily production records, versioned: a correction adds a version with its reason and never
//! edits an old one. One row per (mine, day, shift, version); the unique index makes two
//! clerks saving the same day at once a conflict rather than a duplicate.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductionRecords {
    Table,
    Id,
    MineId,
    Day,
    Shift,
    Version,
    OreHoistedKg,
    OreMilledKg,
    FeedGrades,
    Concentrates,
    TailingsKg,
    TailingsGrades,
    TailingsFacility,
    WasteKg,
    WasteGrades,
    HoursWorkedD,
    WorkerShifts,
    ElectricityKwhD,
    #[sea_orm(iden = "water_m3_d")]
    WaterM3D,
    #[sea_orm(iden = "diesel_l_d")]
    DieselLD,
    ExplosivesKgD,
    Costs,
    Warnings,
    Reason,
    Source,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Mines {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ProductionRecords as P;
        m.create_table(
            Table::create()
                .table(P::Table)
                .col(pk_uuid(P::Id))
                .col(uuid(P::MineId))
                .col(date(P::Day))
                .col(string(P::Shift))
                .col(integer(P::Version))
                .col(big_integer_null(P::OreHoistedKg))
                .col(big_integer_null(P::OreMilledKg))
                .col(text(P::FeedGrades))
                .col(text(P::Concentrates))
                .col(big_integer_null(P::TailingsKg))
                .col(text(P::TailingsGrades))
                .col(string_null(P::TailingsFacility))
                .col(big_integer_null(P::WasteKg))
                .col(text(P::WasteGrades))
                .col(big_integer_null(P::HoursWorkedD))
                .col(big_integer_null(P::WorkerShifts))
                .col(big_integer_null(P::ElectricityKwhD))
                .col(big_integer_null(P::WaterM3D))
                .col(big_integer_null(P::DieselLD))
                .col(big_integer_null(P::ExplosivesKgD))
                .col(text(P::Costs))
                .col(string(P::Warnings))
                .col(text_null(P::Reason))
                .col(string(P::Source))
                .col(timestamp_with_time_zone(P::CreatedAt))
                .col(string(P::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(P::Table, P::MineId)
                        .to(Mines::Table, Mines::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_production_key_version")
                .table(P::Table)
                .col(P::MineId)
                .col(P::Day)
                .col(P::Shift)
                .col(P::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_production_day").table(P::Table).col(P::Day).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("production records are records that matter; this migration is not reverted".into()))
    }
}
