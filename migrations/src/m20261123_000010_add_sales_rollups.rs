//! Sales rollups: the sums the sales report reads, kept exact by triggers in the same transaction
//! as every change to an order, an opportunity or a customer's province or industry.
//!
//! A report over a year used to add up every order and closed opportunity of two years (the
//! report's year, the one before and the year before that one); at a million orders that took
//! over a second. The rollups hold the same sums per day and owner/team (for owner, team, period
//! and total figures) and per month and owner/team and province or industry (for the region
//! and industry groupings). Owner and team stay in the grain so a caller's own/team scope still
//! applies. The pipeline board's stage totals (count, amount, weighted amount) are kept the same
//! way per stage, currency, owner and team. What the views count is the one definition of a
//! counted fact; triggers, [`crate::sales_rollups::rebuild_statements`] and this migration all
//! read them.

use sea_orm_migration::prelude::*;

use crate::sales_rollups::{self, Dialect};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000010_add_sales_rollups"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let dialect = Dialect::of(manager.get_database_backend());
        for statement in sales_rollups::create_statements(dialect) {
            db.execute_unprepared(&statement).await?;
        }
        for statement in sales_rollups::rebuild_statements(dialect) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in sales_rollups::drop_statements(Dialect::of(manager.get_database_backend())) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}
