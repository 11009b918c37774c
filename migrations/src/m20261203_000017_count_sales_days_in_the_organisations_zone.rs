//! Won and lost opportunities count on the organisation's day they closed, not UTC's.
//!
//! Migration 010 put an opportunity closed at 01:14 in Shanghai (17:14 UTC) on the UTC date, the
//! day before, while reports mean the organisation's days by `from` and `to`: a deal won after
//! midnight was missing from today's figures, and one won on the 1st before 08:00 counted in the
//! month before. This migration stores the offsets of the organisation's zone (the server's
//! default, Asia/Shanghai; a server configured with another zone replaces them when it starts),
//! replaces the view of closed opportunities with one that takes the closing day in that zone,
//! and sums every rollup again from the facts, so that rows stored with UTC days are gone.

use sea_orm_migration::prelude::*;

use crate::organisation_days::{self, DEFAULT_TIME_ZONE, OFFSETS_TABLE};
use crate::sales_rollups::{self, Days, Dialect};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000017_count_sales_days_in_the_organisations_zone"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let dialect = Dialect::of(manager.get_database_backend());
        let mut statements = vec![organisation_days::create_table_statement()];
        statements.extend(organisation_days::replace_statements(DEFAULT_TIME_ZONE));
        statements.extend(sales_rollups::replace_opportunity_facts_view(dialect, Days::Organisation));
        statements.extend(sales_rollups::rebuild_statements(dialect));
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let dialect = Dialect::of(manager.get_database_backend());
        let mut statements = sales_rollups::replace_opportunity_facts_view(dialect, Days::Utc);
        statements.push(format!("DROP TABLE {OFFSETS_TABLE}"));
        statements.extend(sales_rollups::rebuild_statements(dialect));
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}
