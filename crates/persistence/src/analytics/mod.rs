//! Analytics: sales reports, the funnel and the forecast, computed from the records the caller
//! may see.

pub mod organisation_days;
pub mod sales_reports;

use sea_orm::ConnectionTrait;

use crate::{Db, Result};

/// Sums the sales rollups again from every order and opportunity (migration 010). A bulk load
/// writes with triggers off on PostgreSQL (and may write an order before its customer on SQLite), so
/// the rollups are rebuilt once at the end, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn rebuild_sales_rollups(db: &Db) -> Result<()> {
    let txn = db.begin_write().await?;
    for statement in crm_migrations::sales_rollups::rebuild_statements(crm_migrations::sales_rollups::Dialect::of(db.backend())) {
        txn.execute_unprepared(&statement).await?;
    }
    txn.commit().await?;
    Ok(())
}
