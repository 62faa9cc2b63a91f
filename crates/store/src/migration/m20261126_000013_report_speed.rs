//! Indexes for the yearly grade report (issue 4's speed target): the report counts a period's
//! ore samples by type and month, and this index holds everything that count reads, so the
//! database answers it from the index alone instead of visiting every sample's row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Samples {
    Table,
    TakenAt,
    QcRole,
    Kind,
    MineId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_samples_taken_role_kind")
                .table(Samples::Table)
                .col(Samples::TakenAt)
                .col(Samples::QcRole)
                .col(Samples::Kind)
                .col(Samples::MineId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_samples_taken_role_kind").table(Samples::Table).to_owned()).await
    }
}
