//! Accounts, sessions, audit chain and the register of members, mines and people.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    NameZh,
    NameEn,
    LegalRepresentative,
    Uscc,
    ContactPhone,
    Address,
    JoinedOn,
    LeftOn,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Mines {
    Table,
    Id,
    MemberId,
    NameZh,
    NameEn,
    LatMicro,
    LonMicro,
    Minerals,
    MiningMethod,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    Name,
    Phone,
    CoopRole,
    MemberId,
    Notes,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    MemberId,
    MineId,
    Language,
    Disabled,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    UserId,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Username,
    At,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorId,
    Actor,
    Action,
    Entity,
    EntityId,
    Before,
    After,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Members::Table)
                .col(pk_uuid(Members::Id))
                .col(string(Members::NameZh))
                .col(string(Members::NameEn))
                .col(string(Members::LegalRepresentative))
                .col(string_uniq(Members::Uscc))
                .col(string_null(Members::ContactPhone))
                .col(string_null(Members::Address))
                .col(date(Members::JoinedOn))
                .col(date_null(Members::LeftOn))
                .col(string(Members::Status))
                .col(integer(Members::Version))
                .col(timestamp_with_time_zone(Members::CreatedAt))
                .col(timestamp_with_time_zone(Members::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Mines::Table)
                .col(pk_uuid(Mines::Id))
                .col(uuid(Mines::MemberId))
                .col(string(Mines::NameZh))
                .col(string(Mines::NameEn))
                .col(big_integer(Mines::LatMicro))
                .col(big_integer(Mines::LonMicro))
                .col(string(Mines::Minerals))
                .col(string(Mines::MiningMethod))
                .col(string(Mines::Status))
                .col(integer(Mines::Version))
                .col(timestamp_with_time_zone(Mines::CreatedAt))
                .col(timestamp_with_time_zone(Mines::UpdatedAt))
                .foreign_key(&mut fk(Mines::Table, Mines::MemberId, Members::Table, Members::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(index("idx_mines_member", Mines::Table, &["member_id"])).await?;
        m.create_table(
            Table::create()
                .table(People::Table)
                .col(pk_uuid(People::Id))
                .col(string(People::Name))
                .col(string_null(People::Phone))
                .col(string(People::CoopRole))
                .col(uuid_null(People::MemberId))
                .col(text_null(People::Notes))
                .col(integer(People::Version))
                .col(timestamp_with_time_zone(People::CreatedAt))
                .col(timestamp_with_time_zone(People::UpdatedAt))
                .foreign_key(&mut fk(People::Table, People::MemberId, Members::Table, Members::Id))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(string_uniq(Users::Username))
                .col(string(Users::DisplayName))
                .col(string(Users::PasswordHash))
                .col(string(Users::Role))
                .col(uuid_null(Users::MemberId))
                .col(uuid_null(Users::MineId))
                .col(string_null(Users::Language))
                .col(boolean(Users::Disabled))
                .col(integer(Users::Version))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(&mut fk(Users::Table, Users::MemberId, Members::Table, Members::Id))
                .foreign_key(&mut fk(Users::Table, Users::MineId, Mines::Table, Mines::Id))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::TokenHash).primary_key())
                .col(uuid(Sessions::UserId))
                .col(string(Sessions::CsrfToken))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(&mut fk(Sessions::Table, Sessions::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_uuid(ApiTokens::Id))
                .col(uuid(ApiTokens::UserId))
                .col(string(ApiTokens::Name))
                .col(string_uniq(ApiTokens::TokenHash))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .foreign_key(&mut fk(ApiTokens::Table, ApiTokens::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(pk_uuid(LoginFailures::Id))
                .col(string(LoginFailures::Username))
                .col(timestamp_with_time_zone(LoginFailures::At))
                .to_owned(),
        )
        .await?;
        m.create_index(index("idx_login_failures_user", LoginFailures::Table, &["username", "at"])).await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_integer(AuditLog::Seq).primary_key())
                .col(string(AuditLog::At))
                .col(uuid_null(AuditLog::ActorId))
                .col(string(AuditLog::Actor))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::Entity))
                .col(string(AuditLog::EntityId))
                .col(text(AuditLog::Before))
                .col(text(AuditLog::After))
                .col(string(AuditLog::PrevHash))
                .col(string(AuditLog::Hash))
                .to_owned(),
        )
        .await?;
        m.create_index(index("idx_audit_entity", AuditLog::Table, &["entity", "entity_id"])).await?;
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::Hash))
                .to_owned(),
        )
        .await?;
        let genesis = Query::insert()
            .into_table(AuditHead::Table)
            .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
            .values_panic([1.into(), 0i64.into(), minecoop_domain::audit::GENESIS_HASH.into()])
            .to_owned();
        m.exec_stmt(genesis).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // The foundation is never rolled back: records that matter are not deleted.
        Err(DbErr::Migration("the foundation migration cannot be reverted".into()))
    }
}
