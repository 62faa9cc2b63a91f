//! Quality control: certified reference materials (a new certificate is a new version, the old
//! rows stay) and the inspectors' decisions on flagged batches (append-only: the latest counts).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReferenceMaterials {
    Table,
    Id,
    Name,
    Element,
    Version,
    Unit,
    AcceptedE4,
    SdE4,
    Certificate,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum QcDecisions {
    Table,
    Id,
    Lab,
    Batch,
    Decision,
    Reason,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum AssayResults {
    Table,
    Lab,
    Batch,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReferenceMaterials::Table)
                .col(pk_uuid(ReferenceMaterials::Id))
                .col(string(ReferenceMaterials::Name))
                .col(string(ReferenceMaterials::Element))
                .col(integer(ReferenceMaterials::Version))
                .col(string(ReferenceMaterials::Unit))
                .col(big_integer(ReferenceMaterials::AcceptedE4))
                .col(big_integer(ReferenceMaterials::SdE4))
                .col(text_null(ReferenceMaterials::Certificate))
                .col(timestamp_with_time_zone(ReferenceMaterials::CreatedAt))
                .col(string(ReferenceMaterials::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_reference_materials_version")
                .table(ReferenceMaterials::Table)
                .col(ReferenceMaterials::Name)
                .col(ReferenceMaterials::Element)
                .col(ReferenceMaterials::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(QcDecisions::Table)
                .col(pk_uuid(QcDecisions::Id))
                .col(string(QcDecisions::Lab))
                .col(string(QcDecisions::Batch))
                .col(string(QcDecisions::Decision))
                .col(text(QcDecisions::Reason))
                .col(string(QcDecisions::DecidedBy))
                .col(timestamp_with_time_zone(QcDecisions::DecidedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_qc_decisions_batch")
                .table(QcDecisions::Table)
                .col(QcDecisions::Lab)
                .col(QcDecisions::Batch)
                .to_owned(),
        )
        .await?;
        // A batch's results are looked up by laboratory and batch.
        m.create_index(
            Index::create()
                .name("idx_assay_results_batch")
                .table(AssayResults::Table)
                .col(AssayResults::Lab)
                .col(AssayResults::Batch)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "quality-control decisions are records that matter; this migration is not reverted".into(),
        ))
    }
}
