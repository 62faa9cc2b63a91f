//! Samples, their chain of custody (append-only) and assay results (a correction is a new
//! version of one element's result).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Samples {
    Table,
    Id,
    Code,
    MineId,
    Kind,
    Point,
    TakenAt,
    TakenBy,
    QcRole,
    DuplicateOf,
    Reference,
    Notes,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum SampleEvents {
    Table,
    Id,
    SampleId,
    Step,
    At,
    ByName,
    SignedBy,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AssayResults {
    Table,
    Id,
    SampleId,
    Element,
    Version,
    ValueE4,
    BelowDl,
    DetectionLimitE4,
    Method,
    Lab,
    Batch,
    Reason,
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
        m.create_table(
            Table::create()
                .table(Samples::Table)
                .col(pk_uuid(Samples::Id))
                .col(string_uniq(Samples::Code))
                .col(uuid(Samples::MineId))
                .col(string(Samples::Kind))
                .col(string(Samples::Point))
                .col(date_time(Samples::TakenAt))
                .col(string(Samples::TakenBy))
                .col(string(Samples::QcRole))
                .col(string_null(Samples::DuplicateOf))
                .col(string_null(Samples::Reference))
                .col(text_null(Samples::Notes))
                .col(timestamp_with_time_zone(Samples::CreatedAt))
                .col(string(Samples::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(Samples::Table, Samples::MineId)
                        .to(Mines::Table, Mines::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_samples_taken").table(Samples::Table).col(Samples::TakenAt).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SampleEvents::Table)
                .col(pk_uuid(SampleEvents::Id))
                .col(uuid(SampleEvents::SampleId))
                .col(string(SampleEvents::Step))
                .col(date_time(SampleEvents::At))
                .col(string(SampleEvents::ByName))
                .col(string(SampleEvents::SignedBy))
                .col(text_null(SampleEvents::Note))
                .col(timestamp_with_time_zone(SampleEvents::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SampleEvents::Table, SampleEvents::SampleId)
                        .to(Samples::Table, Samples::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sample_events_step")
                .table(SampleEvents::Table)
                .col(SampleEvents::SampleId)
                .col(SampleEvents::Step)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AssayResults::Table)
                .col(pk_uuid(AssayResults::Id))
                .col(uuid(AssayResults::SampleId))
                .col(string(AssayResults::Element))
                .col(integer(AssayResults::Version))
                .col(big_integer_null(AssayResults::ValueE4))
                .col(boolean(AssayResults::BelowDl))
                .col(big_integer_null(AssayResults::DetectionLimitE4))
                .col(string(AssayResults::Method))
                .col(string(AssayResults::Lab))
                .col(string(AssayResults::Batch))
                .col(text_null(AssayResults::Reason))
                .col(timestamp_with_time_zone(AssayResults::CreatedAt))
                .col(string(AssayResults::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(AssayResults::Table, AssayResults::SampleId)
                        .to(Samples::Table, Samples::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_assay_results_version")
                .table(AssayResults::Table)
                .col(AssayResults::SampleId)
                .col(AssayResults::Element)
                .col(AssayResults::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("samples and assays are records that matter; this migration is not reverted".into()))
    }
}
