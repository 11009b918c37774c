//! One counter row per throttled sign-in key (an account, an account from one address, an
//! address), so that claiming an attempt is a single conditional `UPDATE` that the database
//! serialises: before, each request counted earlier failures and then hashed the password, and
//! 120 concurrent wrong passwords all passed the count before any was recorded.
//!
//! `window_start` is in Unix seconds, so the comparison is the same integer arithmetic on SQLite
//! and PostgreSQL. Rows are small and replaced in place; old ones are deleted by the application.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000016_create_login_throttles"
    }
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    WindowStart,
    Attempts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottles::Table)
                    .col(ColumnDef::new(LoginThrottles::Key).string().not_null().primary_key())
                    .col(ColumnDef::new(LoginThrottles::WindowStart).big_integer().not_null())
                    .col(ColumnDef::new(LoginThrottles::Attempts).integer().not_null())
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LoginThrottles::Table).take()).await
    }
}
