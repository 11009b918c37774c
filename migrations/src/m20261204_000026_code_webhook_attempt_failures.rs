//! Failed webhook attempts carry a code (`timeout`, `connection`, `forbidden_address`,
//! `invalid_url`, `request`) beside the transport's English words, so the attempts list speaks
//! the reader's language. Attempts made before are coded from their stored words.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000026_code_webhook_attempt_failures"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookAttempts {
    Table,
    ErrorCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(WebhookAttempts::Table).add_column(text_null(WebhookAttempts::ErrorCode)).take()).await?;
        // The words the sender wrote before this migration (see `delivery.rs`).
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE webhook_attempts SET error_code = CASE \
                   WHEN LOWER(error) LIKE 'timed out%' THEN 'timeout' \
                   WHEN LOWER(error) LIKE 'invalid url%' THEN 'invalid_url' \
                   WHEN LOWER(error) LIKE '%loopback, private, link-local or metadata address%' THEN 'forbidden_address' \
                   WHEN LOWER(error) LIKE '%tcp connect error%' OR LOWER(error) LIKE '%dns error%' THEN 'connection' \
                   ELSE 'request' END \
                 WHERE error IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(WebhookAttempts::Table).drop_column(WebhookAttempts::ErrorCode).take()).await?;
        Ok(())
    }
}
