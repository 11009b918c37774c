//! The audit log screen filters entries by action and by kind of record alone, newest first, and
//! the sessions screen lists a user's sessions newest first: each gets an index that serves both
//! the filter and the order (`created_at, id`, read backwards), as the other lists have.

use sea_orm_migration::prelude::*;

use crate::columns::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000027_index_audit_and_sessions_screens"
    }
}

/// (table, index, columns).
const INDEXES: &[(&str, &str, &[&str])] = &[
    ("audit_log", "ix_audit_action", &["action", "created_at", "id"]),
    ("audit_log", "ix_audit_entity_type", &["entity_type", "created_at", "id"]),
    ("sessions", "ix_sessions_user_created", &["user_id", "created_at", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, columns) in INDEXES {
            manager.create_index(index(Alias::new(*table), name, columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in INDEXES {
            manager.drop_index(Index::drop().name(*name).table(Alias::new(*table)).to_owned()).await?;
        }
        Ok(())
    }
}
