//! Two-factor sign-in: a user's TOTP secret (one column, read and written by exactly two
//! functions of persistence, so that encrypting it later changes one place), when it was
//! enabled and the last time step accepted (a code works once); one-time recovery codes, stored
//! as SHA-256; the short-lived challenges between password and code; and a flag on roles that
//! requires their holders to enrol.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::references_cascade;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000029_add_two_factor"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    TotpSecret,
    TwoFactorEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    RequiresTwoFactor,
}

#[derive(DeriveIden, Clone, Copy)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TwoFactorChallenges {
    Table,
    Id,
    UserId,
    TokenHash,
    Purpose,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            text_null(Users::TotpSecret),
            time_null(Users::TwoFactorEnabledAt),
            ColumnDef::new(Users::TotpLastStep).big_integer().null().take(),
        ] {
            manager.alter_table(Table::alter().table(Users::Table).add_column(column).take()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .add_column(ColumnDef::new(Roles::RequiresTwoFactor).boolean().not_null().default(false).take())
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(id(RecoveryCodes::Id))
                    .col(uuid(RecoveryCodes::UserId))
                    .col(text(RecoveryCodes::CodeHash))
                    .col(time(RecoveryCodes::CreatedAt))
                    .col(time_null(RecoveryCodes::UsedAt))
                    .foreign_key(&mut references_cascade(RecoveryCodes::Table, RecoveryCodes::UserId, Users::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(RecoveryCodes::Table, "ix_recovery_codes_user_code", &["user_id", "code_hash"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(TwoFactorChallenges::Table)
                    .col(id(TwoFactorChallenges::Id))
                    .col(uuid(TwoFactorChallenges::UserId))
                    .col(text(TwoFactorChallenges::TokenHash))
                    .col(text(TwoFactorChallenges::Purpose))
                    .col(time(TwoFactorChallenges::CreatedAt))
                    .col(time(TwoFactorChallenges::ExpiresAt))
                    .col(time_null(TwoFactorChallenges::UsedAt))
                    .foreign_key(&mut references_cascade(TwoFactorChallenges::Table, TwoFactorChallenges::UserId, Users::Table))
                    .take(),
            )
            .await?;
        manager.create_index(unique_index(TwoFactorChallenges::Table, "ux_two_factor_challenges_token", &["token_hash"])).await?;
        manager.create_index(index(TwoFactorChallenges::Table, "ix_two_factor_challenges_user", &["user_id", "expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TwoFactorChallenges::Table).take()).await?;
        manager.drop_table(Table::drop().table(RecoveryCodes::Table).take()).await?;
        manager.alter_table(Table::alter().table(Roles::Table).drop_column(Roles::RequiresTwoFactor).take()).await?;
        for column in [Users::TotpSecret, Users::TwoFactorEnabledAt, Users::TotpLastStep] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).take()).await?;
        }
        Ok(())
    }
}
