//! Workers of the mines (issue 6): each worker's versions (corrected by new versions, never
//! changed in place; leaving is an end date), the family members each version covers, and the
//! check value of the key that encrypts identity numbers, the special-operation certificates
//! and the training records, the insurance policies (versioned) and the workers they cover. Identity numbers are stored only
//! encrypted (`id_cipher`), as a keyed blind index (`id_index`, to find the same person) and
//! masked (`id_masked`, for display).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WorkforceKey {
    Table,
    Id,
    CheckValue,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Workers {
    Table,
    Id,
    WorkerId,
    Version,
    MineId,
    Name,
    IdCipher,
    IdIndex,
    IdMasked,
    Sex,
    BirthDate,
    HomeVillage,
    Phone,
    Job,
    EmploymentForm,
    StartDate,
    EndDate,
    EmergencyName,
    EmergencyPhone,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum WorkerDependants {
    Table,
    Id,
    WorkerVersionId,
    WorkerId,
    Position,
    Name,
    Relation,
    BirthDate,
    IdCipher,
    IdMasked,
}

#[derive(DeriveIden)]
enum WorkerCertificates {
    Table,
    Id,
    WorkerId,
    CertType,
    Number,
    IssuedBy,
    IssuedOn,
    ExpiresOn,
    AlertedOn,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum WorkerTraining {
    Table,
    Id,
    WorkerId,
    Course,
    OnDate,
    HoursTenths,
    Trainer,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum InsurancePolicies {
    Table,
    Id,
    PolicyId,
    Version,
    MineId,
    Kind,
    Insurer,
    Number,
    StartsOn,
    EndsOn,
    PremiumFen,
    CoverFen,
    Reason,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum PolicyMembers {
    Table,
    Id,
    PolicyId,
    WorkerId,
    FromOn,
    ToOn,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WorkforceKey::Table)
                .col(integer(WorkforceKey::Id).primary_key())
                .col(string(WorkforceKey::CheckValue))
                .col(timestamp_with_time_zone(WorkforceKey::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Workers::Table)
                .col(pk_uuid(Workers::Id))
                .col(uuid(Workers::WorkerId))
                .col(integer(Workers::Version))
                .col(uuid(Workers::MineId))
                .col(string(Workers::Name))
                .col(string(Workers::IdCipher))
                .col(string(Workers::IdIndex))
                .col(string(Workers::IdMasked))
                .col(string(Workers::Sex))
                .col(date(Workers::BirthDate))
                .col(string_null(Workers::HomeVillage))
                .col(string_null(Workers::Phone))
                .col(string(Workers::Job))
                .col(string(Workers::EmploymentForm))
                .col(date(Workers::StartDate))
                .col(date_null(Workers::EndDate))
                .col(string_null(Workers::EmergencyName))
                .col(string_null(Workers::EmergencyPhone))
                .col(text_null(Workers::Reason))
                .col(timestamp_with_time_zone(Workers::CreatedAt))
                .col(string(Workers::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_workers_version")
                .table(Workers::Table)
                .col(Workers::WorkerId)
                .col(Workers::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_workers_mine").table(Workers::Table).col(Workers::MineId).to_owned())
            .await?;
        m.create_index(
            Index::create().name("idx_workers_id_index").table(Workers::Table).col(Workers::IdIndex).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkerDependants::Table)
                .col(pk_uuid(WorkerDependants::Id))
                .col(uuid(WorkerDependants::WorkerVersionId))
                .col(uuid(WorkerDependants::WorkerId))
                .col(integer(WorkerDependants::Position))
                .col(string(WorkerDependants::Name))
                .col(string(WorkerDependants::Relation))
                .col(date(WorkerDependants::BirthDate))
                .col(string_null(WorkerDependants::IdCipher))
                .col(string_null(WorkerDependants::IdMasked))
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkerDependants::Table, WorkerDependants::WorkerVersionId)
                        .to(Workers::Table, Workers::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_worker_dependants_version")
                .table(WorkerDependants::Table)
                .col(WorkerDependants::WorkerVersionId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkerCertificates::Table)
                .col(pk_uuid(WorkerCertificates::Id))
                .col(uuid(WorkerCertificates::WorkerId))
                .col(string(WorkerCertificates::CertType))
                .col(string(WorkerCertificates::Number))
                .col(string(WorkerCertificates::IssuedBy))
                .col(date(WorkerCertificates::IssuedOn))
                .col(date(WorkerCertificates::ExpiresOn))
                .col(date_null(WorkerCertificates::AlertedOn))
                .col(timestamp_with_time_zone(WorkerCertificates::CreatedAt))
                .col(string(WorkerCertificates::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_worker_certificates_worker")
                .table(WorkerCertificates::Table)
                .col(WorkerCertificates::WorkerId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_worker_certificates_expiry")
                .table(WorkerCertificates::Table)
                .col(WorkerCertificates::ExpiresOn)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkerTraining::Table)
                .col(pk_uuid(WorkerTraining::Id))
                .col(uuid(WorkerTraining::WorkerId))
                .col(string(WorkerTraining::Course))
                .col(date(WorkerTraining::OnDate))
                .col(integer(WorkerTraining::HoursTenths))
                .col(string(WorkerTraining::Trainer))
                .col(timestamp_with_time_zone(WorkerTraining::CreatedAt))
                .col(string(WorkerTraining::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_worker_training_worker")
                .table(WorkerTraining::Table)
                .col(WorkerTraining::WorkerId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(InsurancePolicies::Table)
                .col(pk_uuid(InsurancePolicies::Id))
                .col(uuid(InsurancePolicies::PolicyId))
                .col(integer(InsurancePolicies::Version))
                .col(uuid(InsurancePolicies::MineId))
                .col(string(InsurancePolicies::Kind))
                .col(string(InsurancePolicies::Insurer))
                .col(string(InsurancePolicies::Number))
                .col(date(InsurancePolicies::StartsOn))
                .col(date(InsurancePolicies::EndsOn))
                .col(big_integer(InsurancePolicies::PremiumFen))
                .col(big_integer_null(InsurancePolicies::CoverFen))
                .col(text_null(InsurancePolicies::Reason))
                .col(timestamp_with_time_zone(InsurancePolicies::CreatedAt))
                .col(string(InsurancePolicies::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_insurance_policies_version")
                .table(InsurancePolicies::Table)
                .col(InsurancePolicies::PolicyId)
                .col(InsurancePolicies::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_insurance_policies_mine")
                .table(InsurancePolicies::Table)
                .col(InsurancePolicies::MineId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PolicyMembers::Table)
                .col(pk_uuid(PolicyMembers::Id))
                .col(uuid(PolicyMembers::PolicyId))
                .col(uuid(PolicyMembers::WorkerId))
                .col(date(PolicyMembers::FromOn))
                .col(date_null(PolicyMembers::ToOn))
                .col(timestamp_with_time_zone(PolicyMembers::CreatedAt))
                .col(string(PolicyMembers::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_policy_members_policy")
                .table(PolicyMembers::Table)
                .col(PolicyMembers::PolicyId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the workers' records are kept; this migration is not reverted".into()))
    }
}
