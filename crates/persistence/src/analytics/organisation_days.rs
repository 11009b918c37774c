//! The organisation's time zone the sales rollups count days in (migration 017 stores its UTC
//! offsets; the rollup views read them).
//!
//! The zone is configuration (`CRM_TIME_ZONE`), so it can differ from the one the stored rollups
//! were summed in: migration 017 used the default, and an operator may move the organisation to
//! another zone. Rollups bucketed in the old zone would then put deals on other days than the
//! reports' `from` and `to` mean, so whenever the server is migrated (at every start) the stored
//! offsets are compared with the configured zone's, and if they differ they are replaced and
//! every rollup is summed again, in one transaction: readers see the old sums or the new ones.
//! The customers' first and last order times, the starts of order days, are dated again with them.

use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crm_migrations::organisation_days::{OFFSETS_TABLE, UtcOffset, replace_statements, utc_offsets};
use crm_migrations::sales_rollups::{Dialect, rebuild_statements};

use crate::{Db, Result};

/// Makes the rollups count days in `time_zone`. Answers whether they had to be summed again
/// (the zone, or chrono-tz's rules for it, changed since they were last summed).
#[tracing::instrument(skip_all)]
pub async fn count_days_in(db: &Db, time_zone: Tz) -> Result<bool> {
    let backend = db.backend();
    let wanted = utc_offsets(time_zone);
    let txn = db.begin_write().await?;
    if backend == DatabaseBackend::Postgres {
        // two servers starting at once: the second waits and then finds the offsets in place
        txn.execute_unprepared(&format!("LOCK TABLE {OFFSETS_TABLE} IN SHARE ROW EXCLUSIVE MODE")).await?;
    }
    let rows = txn
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT time_zone, starts_at, offset_seconds FROM {OFFSETS_TABLE} ORDER BY starts_at"),
        ))
        .await?;
    let mut stored = Vec::with_capacity(rows.len());
    let mut same_zone = true;
    for row in rows {
        same_zone &= row.try_get::<String>("", "time_zone")? == time_zone.name();
        stored.push(UtcOffset { starts_at: row.try_get("", "starts_at")?, offset_seconds: row.try_get("", "offset_seconds")? });
    }
    if same_zone && stored == wanted {
        txn.commit().await?;
        return Ok(false);
    }
    if backend == DatabaseBackend::Postgres {
        // No change may reach the rollups while they are summed again (SQLite's write lock,
        // taken when the transaction began, already keeps every other writer out).
        txn.execute_unprepared("LOCK TABLE orders, opportunities, customers IN SHARE MODE").await?;
    }
    for statement in replace_statements(time_zone).into_iter().chain(rebuild_statements(Dialect::of(backend))) {
        txn.execute_unprepared(&statement).await?;
    }
    let customers = crate::sales::orders::date_customers_orders_in(&txn, time_zone).await?;
    txn.commit().await?;
    tracing::info!(
        time_zone = time_zone.name(),
        customers,
        "summed the sales rollups and dated the customers' orders again in the organisation's time zone"
    );
    Ok(true)
}
