//! Serves every list of live rows from a partial `WHERE deleted_at IS NULL` index, and drops the
//! `(deleted_at, <sort>, id)` indexes that could not serve them on PostgreSQL.
//!
//! Migration 009 found that a `deleted_at IS NULL` condition does not fix that column for
//! ordering (only `=` does), so PostgreSQL cannot read `(deleted_at, <sort>, id)` in sort order
//! and instead fetches every live row and sorts it; it replaced the indexes of the customer and
//! opportunity lists. The other lists had the same indexes: at 3 M interactions the first page of
//! the interaction list took 1.7 s (a parallel scan of every interaction, joined to the caller's
//! customers and sorted); on `(occurred_at, id) WHERE deleted_at IS NULL` it walks the newest
//! rows and stops at the page. This migration gives the remaining lists their partial indexes,
//! the opportunity list's `name` sort the index it lacked, and drops the superseded indexes,
//! which every insert paid to maintain (3 of the 22 indexes written for each new customer).
//!
//! Kept: the `(deleted_at, id)` indexes, which the recycle bins read (deleted rows, newest
//! deletion first); `ix_orders_date`, a range filter on `order_date`; and
//! `ix_opportunities_stage`, since deleting a pipeline stage counts all its opportunities,
//! deleted ones included. `ix_customers_last_interaction` goes without a successor: nothing
//! sorts customers by their last interaction, and the follow-up rules compare
//! `COALESCE(last_interaction_at, created_at)`, which it cannot serve; without it, recording an
//! interaction updates its customer's row without touching an index of that column.

use sea_orm_migration::prelude::*;

use crate::columns::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000012_replace_deleted_at_list_indexes"
    }
}

/// (index, table, columns) as the earlier migrations created them, for `down`.
const DROPPED: &[(&str, &str, &[&str])] = &[
    ("ix_customers_created", "customers", &["deleted_at", "created_at", "id"]),
    ("ix_customers_updated", "customers", &["deleted_at", "updated_at", "id"]),
    ("ix_customers_name", "customers", &["deleted_at", "name", "id"]),
    ("ix_customers_last_interaction", "customers", &["deleted_at", "last_interaction_at", "id"]),
    ("ix_opportunities_created", "opportunities", &["deleted_at", "created_at", "id"]),
    ("ix_opportunities_updated", "opportunities", &["deleted_at", "updated_at", "id"]),
    ("ix_interactions_occurred", "interactions", &["deleted_at", "occurred_at", "id"]),
    ("ix_tasks_due", "tasks", &["deleted_at", "due_sort", "id"]),
    ("ix_products_name", "products", &["deleted_at", "name", "id"]),
    ("ix_products_created", "products", &["deleted_at", "created_at", "id"]),
    ("ix_orders_created", "orders", &["deleted_at", "created_at", "id"]),
    ("ix_tickets_created", "tickets", &["deleted_at", "created_at", "id"]),
    ("ix_kb_articles_updated", "kb_articles", &["deleted_at", "updated_at", "id"]),
    ("ix_kb_articles_views", "kb_articles", &["deleted_at", "view_count", "id"]),
    ("ix_kb_articles_helpful", "kb_articles", &["deleted_at", "helpful_count", "id"]),
    ("ix_requirements_score", "requirements", &["deleted_at", "score_milli", "id"]),
    ("ix_requirements_created", "requirements", &["deleted_at", "created_at", "id"]),
    ("ix_requirements_updated", "requirements", &["deleted_at", "updated_at", "id"]),
    ("ix_requirements_demand", "requirements", &["deleted_at", "requester_count", "id"]),
];

/// (index, table, columns) of the partial indexes over live rows: the sorts of each list.
const LIVE: &[(&str, &str, &str)] = &[
    ("ix_opportunities_live_name", "opportunities", "name, id"),
    ("ix_interactions_live_occurred", "interactions", "occurred_at, id"),
    ("ix_tasks_live_due", "tasks", "due_sort, id"),
    ("ix_products_live_name", "products", "name, id"),
    ("ix_products_live_created", "products", "created_at, id"),
    ("ix_orders_live_created", "orders", "created_at, id"),
    ("ix_tickets_live_created", "tickets", "created_at, id"),
    ("ix_kb_articles_live_updated", "kb_articles", "updated_at, id"),
    ("ix_kb_articles_live_views", "kb_articles", "view_count, id"),
    ("ix_kb_articles_live_helpful", "kb_articles", "helpful_count, id"),
    ("ix_requirements_live_score", "requirements", "score_milli, id"),
    ("ix_requirements_live_created", "requirements", "created_at, id"),
    ("ix_requirements_live_updated", "requirements", "updated_at, id"),
    ("ix_requirements_live_demand", "requirements", "requester_count, id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Partial like migration 009's, which sea-query's index builder cannot express.
        for (name, table, columns) in LIVE {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns}) WHERE deleted_at IS NULL")).await?;
        }
        for (name, table, _) in DROPPED {
            manager.drop_index(Index::drop().name(*name).table(Alias::new(*table)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in DROPPED {
            manager.create_index(index(Alias::new(*table), name, columns)).await?;
        }
        let db = manager.get_connection();
        for (name, _, _) in LIVE {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
