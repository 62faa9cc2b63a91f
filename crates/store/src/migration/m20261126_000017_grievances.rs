//! Grievances (issue 6 item 4): the case as received (never changed: its steps, notes, replies
//! and the complainant's additions are rows of `grievance_steps`, only ever added), the mines
//! it concerns, the incidents it is linked to, and the escalations of its overdue steps already
//! alerted. The tracking code is kept only as its SHA-256 hash.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Grievances {
    Table,
    Id,
    RefNo,
    CodeHash,
    Category,
    ComplainantType,
    Channel,
    Anonymous,
    ComplainantName,
    ComplainantPhone,
    Description,
    Occurred,
    Place,
    ReceivedOn,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum GrievanceMines {
    Table,
    Id,
    GrievanceId,
    MineId,
}

#[derive(DeriveIden)]
enum GrievanceSteps {
    Table,
    Id,
    GrievanceId,
    Kind,
    Status,
    EscalatedTo,
    Note,
    Public,
    At,
    By,
}

#[derive(DeriveIden)]
enum GrievanceLinks {
    Table,
    Id,
    GrievanceId,
    IncidentId,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum GrievanceEscalations {
    Table,
    Id,
    GrievanceId,
    Status,
    Level,
    RaisedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Grievances::Table)
                .col(pk_uuid(Grievances::Id))
                .col(string_uniq(Grievances::RefNo))
                .col(string_uniq(Grievances::CodeHash))
                .col(string(Grievances::Category))
                .col(string(Grievances::ComplainantType))
                .col(string(Grievances::Channel))
                .col(boolean(Grievances::Anonymous))
                .col(string_null(Grievances::ComplainantName))
                .col(string_null(Grievances::ComplainantPhone))
                .col(text(Grievances::Description))
                .col(string_null(Grievances::Occurred))
                .col(string_null(Grievances::Place))
                .col(date(Grievances::ReceivedOn))
                .col(timestamp_with_time_zone(Grievances::CreatedAt))
                .col(string(Grievances::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GrievanceMines::Table)
                .col(pk_uuid(GrievanceMines::Id))
                .col(uuid(GrievanceMines::GrievanceId))
                .col(uuid(GrievanceMines::MineId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_grievance_mines_pair")
                .table(GrievanceMines::Table)
                .col(GrievanceMines::GrievanceId)
                .col(GrievanceMines::MineId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_grievance_mines_mine")
                .table(GrievanceMines::Table)
                .col(GrievanceMines::MineId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GrievanceSteps::Table)
                .col(pk_uuid(GrievanceSteps::Id))
                .col(uuid(GrievanceSteps::GrievanceId))
                .col(string(GrievanceSteps::Kind))
                .col(string_null(GrievanceSteps::Status))
                .col(string_null(GrievanceSteps::EscalatedTo))
                .col(text_null(GrievanceSteps::Note))
                .col(boolean(GrievanceSteps::Public))
                .col(timestamp_with_time_zone(GrievanceSteps::At))
                .col(string(GrievanceSteps::By))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_grievance_steps_case")
                .table(GrievanceSteps::Table)
                .col(GrievanceSteps::GrievanceId)
                .col(GrievanceSteps::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GrievanceLinks::Table)
                .col(pk_uuid(GrievanceLinks::Id))
                .col(uuid(GrievanceLinks::GrievanceId))
                .col(uuid(GrievanceLinks::IncidentId))
                .col(timestamp_with_time_zone(GrievanceLinks::CreatedAt))
                .col(string(GrievanceLinks::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_grievance_links_pair")
                .table(GrievanceLinks::Table)
                .col(GrievanceLinks::GrievanceId)
                .col(GrievanceLinks::IncidentId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GrievanceEscalations::Table)
                .col(pk_uuid(GrievanceEscalations::Id))
                .col(uuid(GrievanceEscalations::GrievanceId))
                .col(string(GrievanceEscalations::Status))
                .col(string(GrievanceEscalations::Level))
                .col(timestamp_with_time_zone(GrievanceEscalations::RaisedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_grievance_escalations_level")
                .table(GrievanceEscalations::Table)
                .col(GrievanceEscalations::GrievanceId)
                .col(GrievanceEscalations::Status)
                .col(GrievanceEscalations::Level)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            GrievanceEscalations::Table.into_iden(),
            GrievanceLinks::Table.into_iden(),
            GrievanceSteps::Table.into_iden(),
            GrievanceMines::Table.into_iden(),
            Grievances::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
