//! Connecting, migrating and probing the database.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use crm_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::Result;

/// The application's handle on its database: a pool, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) conn: DatabaseConnection,
    /// Callers' computed permissions, shared by the clones of this handle.
    pub(crate) actors: std::sync::Arc<crate::identity::auth::ActorCache>,
    /// Users' and teams' display names, shared by the clones of this handle.
    pub(crate) names: std::sync::Arc<crate::identity::names::NameCache>,
}

/// The current time at the precision both backends store (microseconds), so that a value read
/// back compares equal to the one written (ETags, cursors, audit diffs).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). SQLite gets WAL, foreign keys and a
    /// busy timeout so that concurrent requests wait instead of failing.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if url.starts_with("sqlite:") {
            options.map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            });
        }
        let conn = Database::connect(options).await?;
        Ok(Self { conn, actors: Default::default(), names: Default::default() })
    }

    /// Opens a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting for the busy timeout if another writer holds it; a deferred
    /// transaction that reads first and writes later would instead fail with "database is
    /// locked" when two of them try to upgrade at the same time.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
        Ok(self.conn.begin_with_options(options).await?)
    }

    /// Opens a read transaction for a report's queries, in which PostgreSQL plans each statement
    /// for the values it is run with. Statements are prepared, and after five runs PostgreSQL may
    /// switch to a generic plan made without the values: for the rollup sums of a sales report
    /// that plan walks every group's rows of all three windows and filters the caller's scope
    /// afterwards (20 ms instead of 5 at 1 M customers), since it cannot estimate a team list it
    /// does not see. Planning afresh costs a fraction of a millisecond per report query. The one
    /// transaction also gives the report's queries one snapshot.
    pub async fn begin_report(&self) -> Result<DatabaseTransaction> {
        let txn = self.conn.begin().await?;
        if self.backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan").await?;
        }
        Ok(txn)
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.conn.execute_unprepared("SELECT 1").await.is_ok()
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}
