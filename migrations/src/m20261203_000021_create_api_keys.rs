//! API keys for unattended integrations (ERP and finance jobs): a key acts as a user of its own
//! (`users.kind = 'api_key'`), so that what it creates has an owner and its rights are a role's,
//! like anyone's; the secrets are rows of `api_keys` under that user. A rotated key is a new row
//! under the same user, so the records, the audit trail and the role stay with the integration
//! while both secrets work during the overlap. Secrets are stored as their SHA-256: they are 256
//! random bits, so a slow hash would add nothing but latency to every request.
//!
//! The built-in integration role may now read users, so a job can look an owner up by email.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;
use crate::tables::{RecordColumns, create_indexes, references};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000021_create_api_keys"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Kind,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeys {
    Table,
    Id,
    UserId,
    Name,
    Prefix,
    SecretHash,
    ExpiresAt,
    AllowedAddresses,
    LastUsedAt,
    LastUsedIp,
    RevokedAt,
    ReplacedById,
    CreatedBy,
}

const INTEGRATION_MAY_NOT_READ_USERS: &str = r#""users":{"read":"none""#;
const INTEGRATION_READS_USERS: &str = r#""users":{"read":"all""#;

/// A built-in role's permissions as stored by the foundation migration, after this migration's
/// change (for the test that keeps the stored roles in step with the domain).
pub fn builtin_permissions_after(key: &str, stored: &str) -> String {
    if key == "integration" { stored.replace(INTEGRATION_MAY_NOT_READ_USERS, INTEGRATION_READS_USERS) } else { stored.to_owned() }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::Kind).string().not_null().default("person").take())
                    .take(),
            )
            .await?;
        manager.create_index(index(Users::Table, "ix_users_kind_display_name", &["kind", "display_name", "id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(id(ApiKeys::Id))
                    .col(uuid(ApiKeys::UserId))
                    .col(text(ApiKeys::Name))
                    .col(text(ApiKeys::Prefix))
                    .col(text(ApiKeys::SecretHash).unique_key().take())
                    .col(time_null(ApiKeys::ExpiresAt))
                    .col(long_text(ApiKeys::AllowedAddresses))
                    .col(time_null(ApiKeys::LastUsedAt))
                    .col(text_null(ApiKeys::LastUsedIp))
                    .col(time_null(ApiKeys::RevokedAt))
                    .col(uuid_null(ApiKeys::ReplacedById))
                    .col(uuid_null(ApiKeys::CreatedBy))
                    .timestamps_and_version()
                    .foreign_key(&mut references(ApiKeys::Table, ApiKeys::UserId, Users::Table))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            ApiKeys::Table,
            &[("ix_api_keys_created", &["created_at", "id"]), ("ix_api_keys_user", &["user_id", "id"])],
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE roles SET permissions = REPLACE(permissions, '{INTEGRATION_MAY_NOT_READ_USERS}', '{INTEGRATION_READS_USERS}') \
                 WHERE key = 'integration'"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE roles SET permissions = REPLACE(permissions, '{INTEGRATION_READS_USERS}', '{INTEGRATION_MAY_NOT_READ_USERS}') \
                 WHERE key = 'integration'"
            ))
            .await?;
        manager.drop_table(Table::drop().table(ApiKeys::Table).take()).await?;
        manager.drop_index(Index::drop().name("ix_users_kind_display_name").table(Users::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::Kind).take()).await?;
        Ok(())
    }
}
