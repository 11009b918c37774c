//! External references (issue 20): how customers, contacts, products and orders are known in
//! other systems (`erp:C-1001`, `finance:88-17`), so an integration finds, creates or updates a
//! record by the id it already holds. One table for every kind of record, since a reference is
//! the same thing whatever it names and one record may have several.
//!
//! `record_deleted_at` mirrors the record's recycle bin: a reference names at most one live
//! record of its kind per system (a partial unique index, so two integrations racing to create
//! `erp:C-1001` end with one record), while a binned record keeps its references to take back
//! on restore. A record has at most one id per system, by a second partial unique index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000023_create_external_refs"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ExternalRefs {
    Table,
    Id,
    EntityType,
    EntityId,
    System,
    ExternalId,
    CreatedAt,
    RecordDeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExternalRefs::Table)
                    .col(id(ExternalRefs::Id))
                    .col(text(ExternalRefs::EntityType))
                    .col(uuid(ExternalRefs::EntityId))
                    .col(text(ExternalRefs::System))
                    .col(text(ExternalRefs::ExternalId))
                    .col(time(ExternalRefs::CreatedAt))
                    .col(time_null(ExternalRefs::RecordDeletedAt))
                    .take(),
            )
            .await?;
        let conn = manager.get_connection();
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_external_refs_live ON external_refs (entity_type, system, external_id) \
             WHERE record_deleted_at IS NULL",
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_external_refs_record_system ON external_refs (entity_type, entity_id, system) \
             WHERE record_deleted_at IS NULL",
        )
        .await?;
        manager.create_index(index(ExternalRefs::Table, "ix_external_refs_record", &["entity_id", "entity_type"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExternalRefs::Table).take()).await?;
        Ok(())
    }
}
