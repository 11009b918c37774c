//! The addresses an API key has been used from. Authentication audited a key's use whenever the
//! address differed from the last one, so a job behind two alternating egress addresses wrote an
//! audit entry (and `last_used_*`) on every request. Each address a key is used from is now
//! remembered once: its first use is audited, later uses from any known address are not.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;
use crate::tables::references_cascade;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000025_remember_api_key_addresses"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeys {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeyAddresses {
    Table,
    ApiKeyId,
    Address,
    FirstUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKeyAddresses::Table)
                    .col(uuid(ApiKeyAddresses::ApiKeyId))
                    .col(text(ApiKeyAddresses::Address))
                    .col(time(ApiKeyAddresses::FirstUsedAt))
                    .primary_key(Index::create().col(ApiKeyAddresses::ApiKeyId).col(ApiKeyAddresses::Address))
                    .foreign_key(&mut references_cascade(ApiKeyAddresses::Table, ApiKeyAddresses::ApiKeyId, ApiKeys::Table))
                    .take(),
            )
            .await?;
        // Keys used before this migration know their last address.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO api_key_addresses (api_key_id, address, first_used_at) \
                 SELECT id, last_used_ip, last_used_at FROM api_keys WHERE last_used_ip IS NOT NULL AND last_used_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApiKeyAddresses::Table).take()).await?;
        Ok(())
    }
}
