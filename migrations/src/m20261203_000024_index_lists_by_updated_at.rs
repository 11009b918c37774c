//! Incremental export: every list of records takes `updated_at_from`/`updated_at_to` and the
//! `updated_at` sort, so an integration reads only what changed since its last run, walking
//! `sort=updated_at` with the cursor. Each such list gets a partial `(updated_at, id) WHERE
//! deleted_at IS NULL` index like migration 009's, serving both the range and the order (read
//! backwards for `-updated_at`); customers, opportunities, knowledge-base articles and
//! requirements have had one since 009/012.
//!
//! The new list of every contact (`GET /contacts`) gets its sorts the same way; its
//! `customer_id` filter is served by `ix_contacts_customer`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000024_index_lists_by_updated_at"
    }
}

/// (index, table, columns) of the partial indexes over live rows.
const LIVE: &[(&str, &str, &str)] = &[
    ("ix_contacts_live_updated", "contacts", "updated_at, id"),
    ("ix_contacts_live_created", "contacts", "created_at, id"),
    ("ix_contacts_live_name", "contacts", "name, id"),
    ("ix_interactions_live_updated", "interactions", "updated_at, id"),
    ("ix_tasks_live_updated", "tasks", "updated_at, id"),
    ("ix_products_live_updated", "products", "updated_at, id"),
    ("ix_orders_live_updated", "orders", "updated_at, id"),
    ("ix_tickets_live_updated", "tickets", "updated_at, id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Partial, which sea-query's index builder cannot express; the same text on both databases.
        for (name, table, columns) in LIVE {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns}) WHERE deleted_at IS NULL")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, _) in LIVE {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
