//! Idempotency keys: a POST retried with the same key and body gets the first answer again for
//! 24 hours; the same key with another body is refused.
//!
//! A key row exists only once the request's outcome is committed: it is inserted with the
//! response into the request's own write transaction ([`store_with_writes`]), so the write and
//! the key commit together or not at all. There is no "in progress" claim that a crash could
//! leave behind: a retry either finds the committed key and replays, or finds nothing because
//! nothing was written, and runs again. Two attempts running at once both execute, but only one
//! can insert the key (unique on principal and key); the other rolls back all its writes and
//! replays the winner's answer.

use chrono::Duration;
use crm_domain::dates::shift;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::idempotency_keys;
use crate::{Db, Error, Result, now};

pub const RETENTION_HOURS: i64 = 24;

/// What a request with an idempotency key is, judged by the committed key row.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// No committed outcome: run the request.
    Fresh,
    /// Done before: answer with the stored response.
    Replay { status: u16, headers: Vec<(String, String)>, body: String },
    /// Done before, but the response carried secrets and was not kept: the write is not
    /// repeated and the answer cannot be given again.
    NotReplayable { status: u16 },
    /// The key was used for a different request.
    Mismatch,
}

/// The request a key belongs to.
#[derive(Debug, Clone, Copy)]
pub struct KeyedRequest<'a> {
    pub principal_id: Uuid,
    pub key: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub request_hash: &'a str,
}

/// A response to keep with its key: `None` as the body keeps only the fact that the request was
/// done (responses carrying secrets).
#[derive(Debug, Clone, Copy)]
pub struct KeptResponse<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: Option<&'a str>,
}

/// Looks the key up. Only a committed key row makes a retry replay.
#[tracing::instrument(skip_all)]
pub async fn lookup(db: &Db, request: KeyedRequest<'_>) -> Result<Claim> {
    let existing = idempotency_keys::Entity::find()
        .filter(idempotency_keys::Column::PrincipalId.eq(request.principal_id))
        .filter(idempotency_keys::Column::Key.eq(request.key))
        .one(&db.conn)
        .await?;
    let Some(row) = existing else { return Ok(Claim::Fresh) };
    if row.created_at <= shift(now(), Duration::hours(-RETENTION_HOURS)) {
        // Expired but not yet purged: forgotten, as if purged.
        idempotency_keys::Entity::delete_by_id(row.id).exec(&db.conn).await?;
        return Ok(Claim::Fresh);
    }
    if row.request_hash != request.request_hash || row.method != request.method || row.path != request.path {
        return Ok(Claim::Mismatch);
    }
    let status = row.status_code.and_then(|s| u16::try_from(s).ok());
    Ok(match (status, row.response_body) {
        (Some(status), Some(body)) => {
            Claim::Replay { status, headers: row.response_headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default(), body }
        }
        // Also a claim row left by an earlier version of this code (no status): its outcome is
        // unknown, so it must not run again either.
        (status, _) => Claim::NotReplayable { status: status.unwrap_or(200) },
    })
}

async fn insert(conn: &impl ConnectionTrait, request: KeyedRequest<'_>, response: KeptResponse<'_>) -> Result<()> {
    idempotency_keys::ActiveModel {
        id: Set(Uuid::now_v7()),
        principal_id: Set(request.principal_id),
        key: Set(request.key.to_owned()),
        method: Set(request.method.to_owned()),
        path: Set(request.path.to_owned()),
        request_hash: Set(request.request_hash.to_owned()),
        status_code: Set(Some(i32::from(response.status))),
        response_headers: Set(response.body.map(|_| serde_json::to_string(response.headers).unwrap_or_else(|_| "[]".into()))),
        response_body: Set(response.body.map(str::to_owned)),
        created_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// How storing a key with the request's writes ended.
#[derive(Debug)]
pub enum Stored {
    /// The writes and the key are committed.
    Committed,
    /// Another attempt with the same key committed first: these writes were rolled back; answer
    /// with what [`lookup`] says now.
    LostRace,
}

/// Stores the key and its response in the request's held write transaction and commits both.
/// A failure of the commit leaves the outcome unknown to us, but not to the database: a retry
/// finds the key if the commit landed and runs afresh if it did not.
#[tracing::instrument(skip_all)]
pub async fn store_with_writes(txn: DatabaseTransaction, request: KeyedRequest<'_>, response: KeptResponse<'_>) -> Result<Stored> {
    match insert(&txn, request, response).await {
        Ok(()) => {}
        // The unique (principal, key) index: the other attempt won. Dropping the transaction
        // rolls back this attempt's writes.
        Err(Error::Conflict { .. }) => {
            drop(txn);
            return Ok(Stored::LostRace);
        }
        Err(other) => return Err(other),
    }
    match txn.commit().await {
        Ok(()) => Ok(Stored::Committed),
        Err(error) => match Error::from(error) {
            // SQLite reports the unique violation only at commit when it is deferred; PostgreSQL
            // at the insert. Either way the other attempt won.
            Error::Conflict { .. } => Ok(Stored::LostRace),
            other => Err(other),
        },
    }
}

/// Stores the response of a request that wrote nothing, so that a retry gets the same answer.
/// A concurrent attempt that stored first wins; this one's answer is then simply not kept.
#[tracing::instrument(skip_all)]
pub async fn store_alone(db: &Db, request: KeyedRequest<'_>, response: KeptResponse<'_>) -> Result<()> {
    match insert(&db.conn, request, response).await {
        Ok(()) | Err(Error::Conflict { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Deletes keys older than the retention period; run periodically.
#[tracing::instrument(skip_all)]
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let result = idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::CreatedAt.lt(shift(now(), Duration::hours(-RETENTION_HOURS))))
        .exec(&db.conn)
        .await?;
    Ok(result.rows_affected)
}
