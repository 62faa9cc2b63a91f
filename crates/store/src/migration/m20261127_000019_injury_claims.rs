//! Injury claims (issue 6 item 3): one row per claim naming its incident, worker and mine, and
//! the alerts its 30-day determination deadline raised (once each); and one row per version of
//! what the claim says (a step of its status or a correction, never changed in place). Money in
//! fen. Documents are attachments (`entity = 'injury_claim'`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InjuryClaims {
    Table,
    Id,
    MineId,
    IncidentId,
    WorkerId,
    NearAlertedOn,
    OverdueAlertedOn,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum InjuryClaimVersions {
    Table,
    Id,
    ClaimId,
    Version,
    Change,
    Status,
    Severity,
    AppliedOn,
    Determination,
    DeterminedOn,
    DisabilityGrade,
    Payer,
    ClaimedFen,
    PaidFen,
    PaidOn,
    FamilyName,
    FamilyRelation,
    FamilyPhone,
    StatusReason,
    Notes,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InjuryClaims::Table)
                .col(pk_uuid(InjuryClaims::Id))
                .col(uuid(InjuryClaims::MineId))
                .col(uuid(InjuryClaims::IncidentId))
                .col(uuid(InjuryClaims::WorkerId))
                .col(date_null(InjuryClaims::NearAlertedOn))
                .col(date_null(InjuryClaims::OverdueAlertedOn))
                .col(timestamp_with_time_zone(InjuryClaims::CreatedAt))
                .col(string(InjuryClaims::CreatedBy))
                .to_owned(),
        )
        .await?;
        // One claim per worker and incident.
        m.create_index(
            Index::create()
                .name("idx_injury_claims_incident_worker")
                .table(InjuryClaims::Table)
                .col(InjuryClaims::IncidentId)
                .col(InjuryClaims::WorkerId)
                .unique()
                .to_owned(),
        )
        .await?;
        for (name, col) in
            [("idx_injury_claims_mine", InjuryClaims::MineId), ("idx_injury_claims_worker", InjuryClaims::WorkerId)]
        {
            m.create_index(Index::create().name(name).table(InjuryClaims::Table).col(col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(InjuryClaimVersions::Table)
                .col(pk_uuid(InjuryClaimVersions::Id))
                .col(uuid(InjuryClaimVersions::ClaimId))
                .col(integer(InjuryClaimVersions::Version))
                .col(string(InjuryClaimVersions::Change))
                .col(string(InjuryClaimVersions::Status))
                .col(string(InjuryClaimVersions::Severity))
                .col(date_null(InjuryClaimVersions::AppliedOn))
                .col(string(InjuryClaimVersions::Determination))
                .col(date_null(InjuryClaimVersions::DeterminedOn))
                .col(integer_null(InjuryClaimVersions::DisabilityGrade))
                .col(string_null(InjuryClaimVersions::Payer))
                .col(big_integer(InjuryClaimVersions::ClaimedFen))
                .col(big_integer(InjuryClaimVersions::PaidFen))
                .col(date_null(InjuryClaimVersions::PaidOn))
                .col(string_null(InjuryClaimVersions::FamilyName))
                .col(string_null(InjuryClaimVersions::FamilyRelation))
                .col(string_null(InjuryClaimVersions::FamilyPhone))
                .col(text_null(InjuryClaimVersions::StatusReason))
                .col(text_null(InjuryClaimVersions::Notes))
                .col(text_null(InjuryClaimVersions::Reason))
                .col(timestamp_with_time_zone(InjuryClaimVersions::CreatedAt))
                .col(string(InjuryClaimVersions::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(InjuryClaimVersions::Table, InjuryClaimVersions::ClaimId)
                        .to(InjuryClaims::Table, InjuryClaims::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_injury_claim_versions_version")
                .table(InjuryClaimVersions::Table)
                .col(InjuryClaimVersions::ClaimId)
                .col(InjuryClaimVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("injury claims are records that matter; this migration is not reverted".into()))
    }
}
