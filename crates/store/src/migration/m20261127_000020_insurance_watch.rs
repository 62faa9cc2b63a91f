//! Insurance watch (issue 6): the alerts sent when a policy nears its end (one per policy), the
//! daily coverage snapshots per mine (the trend of the coverage ratio, and of the family cover),
//! and policy memberships of workers' family members and their ends (a membership is ended
//! with a reason, never deleted).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PolicyMembers {
    Table,
    DependantName,
    EndReason,
    EndedAt,
    EndedBy,
}

#[derive(DeriveIden)]
enum PolicyExpiryAlerts {
    Table,
    Id,
    PolicyId,
    EndsOn,
    RaisedAt,
}

#[derive(DeriveIden)]
enum CoverageSnapshots {
    Table,
    Id,
    Day,
    MineId,
    Active,
    Covered,
    RatioBp,
    Dependants,
    DependantsCovered,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for col in [
            string_null(PolicyMembers::DependantName),
            text_null(PolicyMembers::EndReason),
            timestamp_with_time_zone_null(PolicyMembers::EndedAt),
            string_null(PolicyMembers::EndedBy),
        ] {
            let mut col = col;
            m.alter_table(Table::alter().table(PolicyMembers::Table).add_column(&mut col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(PolicyExpiryAlerts::Table)
                .col(pk_uuid(PolicyExpiryAlerts::Id))
                .col(uuid(PolicyExpiryAlerts::PolicyId))
                .col(date(PolicyExpiryAlerts::EndsOn))
                .col(timestamp_with_time_zone(PolicyExpiryAlerts::RaisedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_policy_expiry_alerts_policy")
                .table(PolicyExpiryAlerts::Table)
                .col(PolicyExpiryAlerts::PolicyId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CoverageSnapshots::Table)
                .col(pk_uuid(CoverageSnapshots::Id))
                .col(date(CoverageSnapshots::Day))
                .col(uuid(CoverageSnapshots::MineId))
                .col(integer(CoverageSnapshots::Active))
                .col(integer(CoverageSnapshots::Covered))
                .col(integer(CoverageSnapshots::RatioBp))
                .col(integer(CoverageSnapshots::Dependants))
                .col(integer(CoverageSnapshots::DependantsCovered))
                .col(timestamp_with_time_zone(CoverageSnapshots::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_coverage_snapshots_day_mine")
                .table(CoverageSnapshots::Table)
                .col(CoverageSnapshots::Day)
                .col(CoverageSnapshots::MineId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the alerts sent and the snapshots are kept; this migration is not reverted".into()))
    }
}
