//! A customer's first and last order times begin the order's day in the organisation's zone.
//!
//! They were stored at UTC midnight of the order date, eight hours late in Shanghai: an order
//! dated 3 December read as placed at 08:00 that day. The zone is configuration the migration
//! cannot read, so it marks the stored offsets as of no known zone instead (the rollup views go
//! on reading them): the server, when it starts after migrating, finds no offsets for its zone and
//! works out the rollups and the customers' order times again in that zone
//! (`crm_persistence::analytics::organisation_days`).

use sea_orm_migration::prelude::*;

use crate::organisation_days::{DEFAULT_TIME_ZONE, OFFSETS_TABLE, replace_statements};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000019_date_customers_orders_in_the_organisations_zone"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(&format!("UPDATE {OFFSETS_TABLE} SET time_zone = ''")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Migration 017's offsets again; the next start replaces them if the zone differs.
        let db = manager.get_connection();
        for statement in replace_statements(DEFAULT_TIME_ZONE) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}
