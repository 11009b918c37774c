//! Partial indexes for the lists of live rows. The earlier indexes lead with `deleted_at`, but a
//! `deleted_at IS NULL` condition does not make that column a constant for ordering (only `=`
//! does), so PostgreSQL could not read them in sort order: it fetched every matching row and
//! sorted it (a board column: 556 ms for 21 cards at 1 M customers; with the partial index below,
//! 0.3 ms). `WHERE deleted_at IS NULL` indexes are read in order and hold only live rows; SQLite
//! uses them the same way.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000009_add_live_row_sort_indexes"
    }
}

/// (index, table, columns): the default sorts of the customer and opportunity lists and the
/// board's per-stage cards.
const LIVE_INDEXES: &[(&str, &str, &str)] = &[
    ("ix_customers_live_created", "customers", "created_at, id"),
    ("ix_customers_live_updated", "customers", "updated_at, id"),
    ("ix_customers_live_name", "customers", "name, id"),
    ("ix_opportunities_live_stage_updated", "opportunities", "stage_id, updated_at, id"),
    ("ix_opportunities_live_updated", "opportunities", "updated_at, id"),
    ("ix_opportunities_live_created", "opportunities", "created_at, id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, columns) in LIVE_INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns}) WHERE deleted_at IS NULL")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, _) in LIVE_INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
