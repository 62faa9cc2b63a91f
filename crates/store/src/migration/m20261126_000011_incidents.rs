//! Incidents and corrective actions (issue 5). An incident is never changed in place: a
//! correction is a new version (same `incident_id`, `version` + 1) with its reason, and the class
//! is stored with each version as the figures gave it. Actions change state (open, done,
//! closed) and keep every step in `action_events`, which are never changed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    IncidentId,
    Version,
    Code,
    MineId,
    Kind,
    Occurrence,
    OccurredAt,
    UnitHeadNotifiedAt,
    Location,
    Description,
    Deaths,
    SeriousInjuries,
    MinorInjuries,
    LossFen,
    Class,
    ReportedAt,
    ReportedTo,
    ReportedHow,
    ExtensionDays,
    ExtensionReason,
    InvestigationReportAt,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum SafetyActions {
    Table,
    Id,
    Code,
    MineId,
    SourceKind,
    SourceId,
    Kind,
    Description,
    Owner,
    DueOn,
    Status,
    Evidence,
    DoneBy,
    DoneAt,
    VerifiedBy,
    ClosedAt,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum ActionEvents {
    Table,
    Id,
    ActionId,
    Step,
    Note,
    At,
    By,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Incidents::Table)
                .col(pk_uuid(Incidents::Id))
                .col(uuid(Incidents::IncidentId))
                .col(integer(Incidents::Version))
                .col(string(Incidents::Code))
                .col(uuid(Incidents::MineId))
                .col(string(Incidents::Kind))
                .col(string_null(Incidents::Occurrence))
                .col(date_time(Incidents::OccurredAt))
                .col(date_time(Incidents::UnitHeadNotifiedAt))
                .col(string(Incidents::Location))
                .col(text(Incidents::Description))
                .col(integer(Incidents::Deaths))
                .col(integer(Incidents::SeriousInjuries))
                .col(integer(Incidents::MinorInjuries))
                .col(big_integer(Incidents::LossFen))
                .col(string(Incidents::Class))
                .col(date_time_null(Incidents::ReportedAt))
                .col(string_null(Incidents::ReportedTo))
                .col(string_null(Incidents::ReportedHow))
                .col(integer_null(Incidents::ExtensionDays))
                .col(text_null(Incidents::ExtensionReason))
                .col(date_time_null(Incidents::InvestigationReportAt))
                .col(text_null(Incidents::Reason))
                .col(timestamp_with_time_zone(Incidents::CreatedAt))
                .col(string(Incidents::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_incidents_version")
                .table(Incidents::Table)
                .col(Incidents::IncidentId)
                .col(Incidents::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_incidents_code_version")
                .table(Incidents::Table)
                .col(Incidents::Code)
                .col(Incidents::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_incidents_mine_occurred")
                .table(Incidents::Table)
                .col(Incidents::MineId)
                .col(Incidents::OccurredAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SafetyActions::Table)
                .col(pk_uuid(SafetyActions::Id))
                .col(string_uniq(SafetyActions::Code))
                .col(uuid(SafetyActions::MineId))
                .col(string(SafetyActions::SourceKind))
                .col(uuid(SafetyActions::SourceId))
                .col(string(SafetyActions::Kind))
                .col(text(SafetyActions::Description))
                .col(string(SafetyActions::Owner))
                .col(date(SafetyActions::DueOn))
                .col(string(SafetyActions::Status))
                .col(text_null(SafetyActions::Evidence))
                .col(string_null(SafetyActions::DoneBy))
                .col(timestamp_with_time_zone_null(SafetyActions::DoneAt))
                .col(string_null(SafetyActions::VerifiedBy))
                .col(timestamp_with_time_zone_null(SafetyActions::ClosedAt))
                .col(timestamp_with_time_zone(SafetyActions::CreatedAt))
                .col(string(SafetyActions::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_safety_actions_source")
                .table(SafetyActions::Table)
                .col(SafetyActions::SourceKind)
                .col(SafetyActions::SourceId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_safety_actions_status_due")
                .table(SafetyActions::Table)
                .col(SafetyActions::Status)
                .col(SafetyActions::DueOn)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ActionEvents::Table)
                .col(pk_uuid(ActionEvents::Id))
                .col(uuid(ActionEvents::ActionId))
                .col(string(ActionEvents::Step))
                .col(text_null(ActionEvents::Note))
                .col(timestamp_with_time_zone(ActionEvents::At))
                .col(string(ActionEvents::By))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_action_events_action")
                .table(ActionEvents::Table)
                .col(ActionEvents::ActionId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "incidents and actions are kept with their history; this migration is not reverted".into(),
        ))
    }
}
