//! Connecting, migrating and probing the database.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use crm_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
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
    /// The organisation's time zone: its calendar days are the ones dates mean (a birthday not
    /// after today, the day an order date begins). UTC until [`Db::in_time_zone`] says otherwise.
    time_zone: chrono_tz::Tz,
    /// The keys that seal personal data at rest (see [`crm_domain::privacy::keys`]); `None`
    /// on a handle opened without them (tools that touch no sealed column), where sealing or
    /// opening is refused rather than done with some default.
    keys: Option<std::sync::Arc<crm_domain::privacy::keys::Keyring>>,
    /// The lengths each blind index has had under each key, as read from `blind_index_lengths`
    /// and when: read again once older than [`crate::personal_data::LENGTHS_FRESH_FOR`], since
    /// another instance may add a longer one (see [`crate::personal_data::Sealer`]).
    pub(crate) blind_index_lengths: std::sync::Arc<std::sync::RwLock<crate::personal_data::CachedLengths>>,
    /// The custom field definitions of each kind of record, as last read (see
    /// [`crate::platform::custom_fields::rules`]).
    pub(crate) custom_field_rules: std::sync::Arc<crate::platform::custom_fields::RuleCache>,
}

/// The current time at the precision both backends store (microseconds), so that a value read
/// back compares equal to the one written (ETags, cursors, audit diffs).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// How long a request waits for the database before it answers 503. When the database is down,
/// the pool keeps retrying to connect until the acquire timeout, so this bounds how long every
/// request takes during an outage; once the database is back the pool reconnects by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Longest wait for a pooled connection, including opening a new one.
    pub acquire_timeout: Duration,
    /// Longest wait for a new connection to be established (the driver has no separate socket
    /// timeout, so it bounds the same wait: the shorter of the two applies).
    pub connect_timeout: Duration,
}

impl Default for PoolSettings {
    /// 1 s. While the database is down the pool retries refused connections until this
    /// deadline, so every request waits about this long before its 503: half the 2 s bound of an
    /// outage answer, leaving room for a loaded machine. A request that waits longer than this
    /// for a connection of a healthy but saturated pool is better refused (503, retry) than
    /// queued.
    fn default() -> Self {
        Self { acquire_timeout: Duration::from_secs(1), connect_timeout: Duration::from_secs(1) }
    }
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) with the default pool settings.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, PoolSettings::default()).await
    }

    /// Connects to `url` (`sqlite://…` or `postgres://…`). SQLite gets WAL, foreign keys and a
    /// busy timeout so that concurrent requests wait instead of failing.
    pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        // sea-orm hands both timeouts to the pool's acquire timeout (the later one wins), so
        // the shorter of the two is the one that bounds a request.
        let acquire = pool.acquire_timeout.min(pool.connect_timeout);
        options
            .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
            .min_connections(1)
            .connect_timeout(pool.connect_timeout)
            .acquire_timeout(acquire)
            .sqlx_logging(false);

        if url.starts_with("sqlite:") {
            options.map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    // A deleted or overwritten value is zeroed in the file, not left in a free
                    // page for a copy of the file to show (personal data replaced by its sealed
                    // form, an erased person).
                    .pragma("secure_delete", "ON")
            });
        }
        let conn = Database::connect(options).await?;
        Ok(Self {
            conn,
            actors: Default::default(),
            names: Default::default(),
            time_zone: chrono_tz::UTC,
            keys: None,
            blind_index_lengths: Default::default(),
            custom_field_rules: Default::default(),
        })
    }

    /// Opens a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting for the busy timeout if another writer holds it; a deferred
    /// transaction that reads first and writes later would instead fail with "database is
    /// locked" when two of them try to upgrade at the same time.
    ///
    /// Inside [`HeldWrites::run`] (a request sent with an `Idempotency-Key`) the first write
    /// transaction is not committed by [`WriteTxn::commit`] but held open, so that the key and
    /// the response are stored in it and commit with the write; later write transactions of the
    /// same request become savepoints of the held one (a second top-level write transaction
    /// would wait for the held one's lock on SQLite for ever).
    pub async fn begin_write(&self) -> Result<WriteTxn> {
        let held = HELD_WRITES.try_with(Clone::clone).ok();
        if let Some(held) = held {
            let slot = held.slot.lock().await;
            if let Some(outer) = slot.as_ref() {
                return Ok(WriteTxn { inner: outer.begin().await?, hold: None });
            }
            drop(slot);
            return Ok(WriteTxn { inner: self.begin_immediate().await?, hold: Some(held) });
        }
        Ok(WriteTxn { inner: self.begin_immediate().await?, hold: None })
    }

    /// Runs `work` with every write transaction it opens nested, as a savepoint, in one
    /// transaction that commits only when `work` succeeds: a batch that is all or nothing while
    /// each of its items writes through the same functions a single request does. An item that
    /// fails rolls back to its savepoint (so PostgreSQL lets the next statement run), and the
    /// caller decides from the item results whether to go on. Inside an idempotent request the
    /// transaction is itself a savepoint of the request's held one, committing with its response.
    pub async fn all_or_nothing<T, E: From<crate::Error>>(&self, work: impl AsyncFnOnce() -> Result<T, E>) -> Result<T, E> {
        let outer = self.begin_write().await?;
        let batch = outer.inner.begin().await.map_err(crate::Error::from)?;
        let held = HeldWrites { slot: Arc::new(tokio::sync::Mutex::new(Some(batch))) };
        let result = held.run(work()).await;
        let batch = held.take().await;
        match result {
            Ok(value) => {
                if let Some(batch) = batch {
                    batch.commit().await.map_err(crate::Error::from)?;
                }
                outer.commit().await.map_err(crate::Error::from)?;
                Ok(value)
            }
            // Dropping both rolls the whole batch back.
            Err(error) => Err(error),
        }
    }

    /// A savepoint of the write transaction this request holds open, if it holds one: what a
    /// lookup inside a batch reads through to see the batch's own writes (another connection
    /// would not see them until the batch commits).
    pub(crate) async fn held_savepoint(&self) -> Result<Option<DatabaseTransaction>> {
        let Ok(held) = HELD_WRITES.try_with(Clone::clone) else { return Ok(None) };
        let slot = held.slot.lock().await;
        match slot.as_ref() {
            Some(outer) => Ok(Some(outer.begin().await?)),
            None => Ok(None),
        }
    }

    async fn begin_immediate(&self) -> Result<DatabaseTransaction> {
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

    /// This handle with the organisation's days counted in `time_zone`.
    pub fn in_time_zone(self, time_zone: chrono_tz::Tz) -> Self {
        Self { time_zone, ..self }
    }

    /// The handle sealing and opening personal data with `keys`.
    pub fn with_keys(self, keys: crm_domain::privacy::keys::Keyring) -> Self {
        Self { keys: Some(std::sync::Arc::new(keys)), ..self }
    }

    /// The data keys, shared, or an unexpected error for a handle opened without them.
    pub(crate) fn keys_arc(&self) -> crate::Result<std::sync::Arc<crm_domain::privacy::keys::Keyring>> {
        self.keys.clone().ok_or_else(|| crate::Error::unexpected(sea_orm::DbErr::Custom("this database handle has no data key".into())))
    }

    /// The data keys, or an unexpected error for a handle opened without them.
    pub(crate) fn keys(&self) -> crate::Result<&crm_domain::privacy::keys::Keyring> {
        self.keys.as_deref().ok_or_else(|| crate::Error::unexpected(sea_orm::DbErr::Custom("this database handle has no data key".into())))
    }

    /// The organisation's time zone (see [`Db::in_time_zone`]).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.time_zone
    }

    /// The organisation's calendar day now.
    pub fn today(&self) -> chrono::NaiveDate {
        crm_domain::dates::organisation_today(Utc::now(), self.time_zone)
    }

    /// Applies every pending migration, and makes the sales rollups and the customers' order
    /// times count days in the organisation's time zone (working them out again when they were
    /// counted in another zone).
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await?;
        crate::analytics::organisation_days::count_days_in(self, self.time_zone).await?;
        if self.keys.is_some() {
            // Chosen now, outside any request: a request holding SQLite's write lock (an
            // idempotent one) could not write them.
            self.sealer().await?;
        }
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

tokio::task_local! {
    /// The held write transaction of the request being served, when it carries an
    /// `Idempotency-Key`.
    static HELD_WRITES: HeldWrites;
}

/// Where a request sent with an `Idempotency-Key` keeps its write transaction open until the key
/// and the response are stored in it (see [`Db::begin_write`]).
#[derive(Clone, Debug, Default)]
pub struct HeldWrites {
    slot: Arc<tokio::sync::Mutex<Option<DatabaseTransaction>>>,
}

impl HeldWrites {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `future` (the request's handler) with its writes held here.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        HELD_WRITES.scope(self.clone(), future).await
    }

    /// The held transaction, if the request wrote anything: commit it or drop it (rollback).
    pub async fn take(&self) -> Option<DatabaseTransaction> {
        self.slot.lock().await.take()
    }
}

/// A write transaction from [`Db::begin_write`]: a `DatabaseTransaction` that an idempotent
/// request holds open on `commit` instead of committing.
#[derive(Debug)]
pub struct WriteTxn {
    inner: DatabaseTransaction,
    /// Set on the request's first write transaction: `commit` parks it here.
    hold: Option<HeldWrites>,
}

impl WriteTxn {
    /// Commits, or, in an idempotent request, hands the transaction to the request so that it
    /// commits together with the stored response.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.hold {
            Some(held) => {
                let mut slot = held.slot.lock().await;
                if slot.is_none() {
                    *slot = Some(self.inner);
                    return Ok(());
                }
                drop(slot);
                self.inner.commit().await
            }
            None => self.inner.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.inner.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.inner.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.inner.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sea_orm::{ConnectionTrait, Statement};

    use super::{Db, HeldWrites};

    /// A throwaway SQLite database file with one table of numbers.
    async fn scratch() -> (Db, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("crm-held-{}.sqlite", uuid::Uuid::now_v7()));
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
        db.conn.execute_unprepared("CREATE TABLE numbers (n INTEGER NOT NULL)").await.unwrap();
        (db, path)
    }

    fn remove(path: &std::path::Path) {
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
        }
    }

    async fn numbers(db: &Db) -> Vec<i64> {
        let rows = db.conn.query_all_raw(Statement::from_string(db.backend(), "SELECT n FROM numbers ORDER BY n")).await.unwrap();
        rows.iter().map(|row| row.try_get::<i64>("", "n").unwrap()).collect()
    }

    async fn write(db: &Db, n: i64, commit: bool) {
        let txn = db.begin_write().await.unwrap();
        txn.execute_unprepared(&format!("INSERT INTO numbers (n) VALUES ({n})")).await.unwrap();
        if commit {
            txn.commit().await.unwrap();
        }
    }

    #[tokio::test]
    async fn held_writes_commit_together_when_the_request_commits_them_and_not_before() {
        let (db, path) = scratch().await;
        let held = HeldWrites::new();
        held.run(async {
            write(&db, 1, true).await;
            // A second write transaction of the same request joins the held one (a savepoint)
            // instead of waiting for its lock; one that fails rolls back alone.
            write(&db, 2, true).await;
            write(&db, 3, false).await;
            assert_eq!(numbers(&db).await, Vec::<i64>::new(), "nothing is visible before the request commits");
        })
        .await;
        held.take().await.unwrap().commit().await.unwrap();
        assert_eq!(numbers(&db).await, vec![1, 2]);
        remove(&path);
    }

    #[tokio::test]
    async fn held_writes_dropped_by_the_request_leave_nothing() {
        let (db, path) = scratch().await;
        let held = HeldWrites::new();
        held.run(write(&db, 1, true)).await;
        drop(held.take().await);
        assert_eq!(numbers(&db).await, Vec::<i64>::new());
        // Outside a request with a key, a commit is a commit.
        write(&db, 2, true).await;
        assert_eq!(numbers(&db).await, vec![2]);
        remove(&path);
    }
}
