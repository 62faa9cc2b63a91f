//! A quality-control decision keeps the outcome it decided (warning or fail), so that a batch
//! accepted on a warning comes back to the dashboard when a later result makes it fail.
//! Decisions made before this column existed decided whatever the batch was then: `NULL`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QcDecisions {
    Table,
    DecidedOutcome,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(QcDecisions::Table)
                .add_column(ColumnDef::new(QcDecisions::DecidedOutcome).string().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(QcDecisions::Table).drop_column(QcDecisions::DecidedOutcome).to_owned())
            .await
    }
}
