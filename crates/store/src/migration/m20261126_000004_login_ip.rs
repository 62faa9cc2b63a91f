//! Failed logins also record the address they came from, so guessing across many usernames
//! from one address is throttled too.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Ip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(LoginFailures::Table).add_column(string_null(LoginFailures::Ip)).to_owned())
            .await?;
        m.create_index(
            Index::create().name("idx_login_failures_ip").table(LoginFailures::Table).col(LoginFailures::Ip).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_login_failures_ip").table(LoginFailures::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(LoginFailures::Table).drop_column(LoginFailures::Ip).to_owned()).await
    }
}
