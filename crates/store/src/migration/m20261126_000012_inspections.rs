//! Inspections and hazards (issue 5 items 1-2): checklist templates in versions (the default
//! underground metal-mine checklist seeded as version 1), schedules per mine, inspections with
//! their answers, findings (their own table: corrective actions refer to them by id), and the
//! hazard register, one row per version.

use minecoop_domain::safety::inspection::{DEFAULT_TEMPLATE_ID, DEFAULT_TEMPLATE_V1, TemplateContent};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InspectionTemplates {
    Table,
    Id,
    TemplateId,
    Version,
    NameEn,
    NameZh,
    Content,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum InspectionSchedules {
    Table,
    Id,
    MineId,
    TemplateId,
    Every,
    Unit,
    FirstDue,
    Active,
    Version,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    MineId,
    ScheduleId,
    TemplateId,
    TemplateVersionId,
    TemplateVersion,
    InspectedOn,
    Inspector,
    Notes,
    Applicable,
    Passed,
    Failed,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum InspectionAnswers {
    Table,
    Id,
    InspectionId,
    Position,
    QuestionKey,
    Kind,
    Value,
    Outcome,
    Note,
}

#[derive(DeriveIden)]
enum Findings {
    Table,
    Id,
    MineId,
    InspectionId,
    QuestionKey,
    Severity,
    Description,
    Status,
    Version,
    CreatedAt,
    CreatedBy,
    ClosedAt,
    ClosedBy,
    CloseNote,
}

#[derive(DeriveIden)]
enum Hazards {
    Table,
    Id,
    HazardId,
    Version,
    MineId,
    Title,
    Category,
    Description,
    Likelihood,
    Severity,
    Controls,
    OwnerId,
    ReviewOn,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Mines {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

fn restrict(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Restrict).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InspectionTemplates::Table)
                .col(pk_uuid(InspectionTemplates::Id))
                .col(uuid(InspectionTemplates::TemplateId))
                .col(integer(InspectionTemplates::Version))
                .col(string(InspectionTemplates::NameEn))
                .col(string(InspectionTemplates::NameZh))
                .col(text(InspectionTemplates::Content))
                .col(text_null(InspectionTemplates::Reason))
                .col(timestamp_with_time_zone(InspectionTemplates::CreatedAt))
                .col(string(InspectionTemplates::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspection_templates_version")
                .table(InspectionTemplates::Table)
                .col(InspectionTemplates::TemplateId)
                .col(InspectionTemplates::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(InspectionSchedules::Table)
                .col(pk_uuid(InspectionSchedules::Id))
                .col(uuid(InspectionSchedules::MineId))
                .col(uuid(InspectionSchedules::TemplateId))
                .col(integer(InspectionSchedules::Every))
                .col(string(InspectionSchedules::Unit))
                .col(date(InspectionSchedules::FirstDue))
                .col(boolean(InspectionSchedules::Active))
                .col(integer(InspectionSchedules::Version))
                .col(timestamp_with_time_zone(InspectionSchedules::CreatedAt))
                .col(string(InspectionSchedules::CreatedBy))
                .foreign_key(&mut restrict(
                    (InspectionSchedules::Table, InspectionSchedules::MineId),
                    (Mines::Table, Mines::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspection_schedules_mine")
                .table(InspectionSchedules::Table)
                .col(InspectionSchedules::MineId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Inspections::Table)
                .col(pk_uuid(Inspections::Id))
                .col(uuid(Inspections::MineId))
                .col(uuid_null(Inspections::ScheduleId))
                .col(uuid(Inspections::TemplateId))
                .col(uuid(Inspections::TemplateVersionId))
                .col(integer(Inspections::TemplateVersion))
                .col(date(Inspections::InspectedOn))
                .col(string(Inspections::Inspector))
                .col(text_null(Inspections::Notes))
                .col(integer(Inspections::Applicable))
                .col(integer(Inspections::Passed))
                .col(integer(Inspections::Failed))
                .col(timestamp_with_time_zone(Inspections::CreatedAt))
                .col(string(Inspections::CreatedBy))
                .foreign_key(&mut restrict((Inspections::Table, Inspections::MineId), (Mines::Table, Mines::Id)))
                .foreign_key(&mut restrict(
                    (Inspections::Table, Inspections::ScheduleId),
                    (InspectionSchedules::Table, InspectionSchedules::Id),
                ))
                .foreign_key(&mut restrict(
                    (Inspections::Table, Inspections::TemplateVersionId),
                    (InspectionTemplates::Table, InspectionTemplates::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspections_mine_day")
                .table(Inspections::Table)
                .col(Inspections::MineId)
                .col(Inspections::InspectedOn)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspections_schedule")
                .table(Inspections::Table)
                .col(Inspections::ScheduleId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(InspectionAnswers::Table)
                .col(pk_uuid(InspectionAnswers::Id))
                .col(uuid(InspectionAnswers::InspectionId))
                .col(integer(InspectionAnswers::Position))
                .col(string(InspectionAnswers::QuestionKey))
                .col(string(InspectionAnswers::Kind))
                .col(text_null(InspectionAnswers::Value))
                .col(string(InspectionAnswers::Outcome))
                .col(text_null(InspectionAnswers::Note))
                .foreign_key(&mut restrict(
                    (InspectionAnswers::Table, InspectionAnswers::InspectionId),
                    (Inspections::Table, Inspections::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspection_answers_inspection")
                .table(InspectionAnswers::Table)
                .col(InspectionAnswers::InspectionId)
                .col(InspectionAnswers::QuestionKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Findings::Table)
                .col(pk_uuid(Findings::Id))
                .col(uuid(Findings::MineId))
                .col(uuid_null(Findings::InspectionId))
                .col(string_null(Findings::QuestionKey))
                .col(string(Findings::Severity))
                .col(text(Findings::Description))
                .col(string(Findings::Status))
                .col(integer(Findings::Version))
                .col(timestamp_with_time_zone(Findings::CreatedAt))
                .col(string(Findings::CreatedBy))
                .col(timestamp_with_time_zone_null(Findings::ClosedAt))
                .col(string_null(Findings::ClosedBy))
                .col(text_null(Findings::CloseNote))
                .foreign_key(&mut restrict((Findings::Table, Findings::MineId), (Mines::Table, Mines::Id)))
                .foreign_key(&mut restrict(
                    (Findings::Table, Findings::InspectionId),
                    (Inspections::Table, Inspections::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_findings_mine_status")
                .table(Findings::Table)
                .col(Findings::MineId)
                .col(Findings::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_findings_inspection")
                .table(Findings::Table)
                .col(Findings::InspectionId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Hazards::Table)
                .col(pk_uuid(Hazards::Id))
                .col(uuid(Hazards::HazardId))
                .col(integer(Hazards::Version))
                .col(uuid(Hazards::MineId))
                .col(string(Hazards::Title))
                .col(string(Hazards::Category))
                .col(text_null(Hazards::Description))
                .col(small_integer(Hazards::Likelihood))
                .col(small_integer(Hazards::Severity))
                .col(text(Hazards::Controls))
                .col(uuid(Hazards::OwnerId))
                .col(date(Hazards::ReviewOn))
                .col(text_null(Hazards::Reason))
                .col(timestamp_with_time_zone(Hazards::CreatedAt))
                .col(string(Hazards::CreatedBy))
                .foreign_key(&mut restrict((Hazards::Table, Hazards::MineId), (Mines::Table, Mines::Id)))
                .foreign_key(&mut restrict((Hazards::Table, Hazards::OwnerId), (People::Table, People::Id)))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_hazards_version")
                .table(Hazards::Table)
                .col(Hazards::HazardId)
                .col(Hazards::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_hazards_mine").table(Hazards::Table).col(Hazards::MineId).to_owned())
            .await?;

        // The default checklist, version 1: reference data that ships with the code, as the
        // schema does. Its later versions are made through the application (and audited).
        let content = TemplateContent::from_json(DEFAULT_TEMPLATE_V1)
            .map_err(|e| DbErr::Migration(format!("default inspection template: {e}")))?;
        let seeded_at = chrono::DateTime::parse_from_rfc3339("2026-11-26T00:00:00Z")
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .with_timezone(&chrono::Utc);
        let insert = Query::insert()
            .into_table(InspectionTemplates::Table)
            .columns([
                InspectionTemplates::Id,
                InspectionTemplates::TemplateId,
                InspectionTemplates::Version,
                InspectionTemplates::NameEn,
                InspectionTemplates::NameZh,
                InspectionTemplates::Content,
                InspectionTemplates::Reason,
                InspectionTemplates::CreatedAt,
                InspectionTemplates::CreatedBy,
            ])
            .values([
                DEFAULT_TEMPLATE_ID.into(),
                DEFAULT_TEMPLATE_ID.into(),
                1.into(),
                "Underground metal mine: general safety inspection".into(),
                "地下金属矿山安全综合检查".into(),
                content.to_json().into(),
                Option::<String>::None.into(),
                seeded_at.into(),
                "system:migration".into(),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("inspections and hazards are records that matter; this migration is not reverted".into()))
    }
}
