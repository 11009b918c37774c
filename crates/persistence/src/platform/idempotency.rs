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

use crm_domain::privacy::keys::Keyring;

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
    // The answer is kept sealed: it may hold a record's personal data in clear.
    let keys = db.keys()?;
    let body = row.response_body.map(|body| keys.open(BODY_FIELD, &row.id.to_string(), &body)).transpose();
    let body = body.map_err(|error| Error::unexpected(sea_orm::DbErr::Custom(format!("a kept answer does not open: {error}"))))?;
    Ok(match (status, body) {
        (Some(status), Some(body)) => {
            Claim::Replay { status, headers: row.response_headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default(), body }
        }
        // Also a claim row left by an earlier version of this code (no status): its outcome is
        // unknown, so it must not run again either.
        (status, _) => Claim::NotReplayable { status: status.unwrap_or(200) },
    })
}

/// The field a kept answer is sealed as (see [`crm_domain::privacy::keys`]).
const BODY_FIELD: &str = "idempotency_keys.response_body";

async fn insert(conn: &impl ConnectionTrait, keys: &Keyring, request: KeyedRequest<'_>, response: KeptResponse<'_>) -> Result<()> {
    let id = Uuid::now_v7();
    idempotency_keys::ActiveModel {
        id: Set(id),
        principal_id: Set(request.principal_id),
        key: Set(request.key.to_owned()),
        method: Set(request.method.to_owned()),
        path: Set(request.path.to_owned()),
        request_hash: Set(request.request_hash.to_owned()),
        status_code: Set(Some(i32::from(response.status))),
        response_headers: Set(response.body.map(|_| serde_json::to_string(response.headers).unwrap_or_else(|_| "[]".into()))),
        response_body: Set(response.body.map(|body| keys.seal(BODY_FIELD, &id.to_string(), body))),
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
pub async fn store_with_writes(db: &Db, txn: DatabaseTransaction, request: KeyedRequest<'_>, response: KeptResponse<'_>) -> Result<Stored> {
    match insert(&txn, db.keys()?, request, response).await {
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
    match insert(&db.conn, db.keys()?, request, response).await {
        Ok(()) | Err(Error::Conflict { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The kept responses whose body names any of `ids` (read through `conn`, the caller's
/// transaction), opened one by one since they are sealed.
pub(crate) async fn responses_naming(db: &Db, conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let keys = db.keys()?;
    let needles: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let mut naming = Vec::new();
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = idempotency_keys::Entity::find()
            .select_only()
            .column(idempotency_keys::Column::Id)
            .column(idempotency_keys::Column::ResponseBody)
            .filter(idempotency_keys::Column::ResponseBody.is_not_null())
            .order_by_asc(idempotency_keys::Column::Id)
            .limit(500);
        if let Some(after) = after {
            select = select.filter(idempotency_keys::Column::Id.gt(after));
        }
        let rows: Vec<(Uuid, Option<String>)> = select.into_tuple().all(conn).await?;
        for (id, body) in &rows {
            after = Some(*id);
            let Some(body) = body else { continue };
            let clear = keys.open(BODY_FIELD, &id.to_string(), body).unwrap_or_default();
            if needles.iter().any(|needle| clear.contains(needle.as_str())) {
                naming.push(*id);
            }
        }
        if rows.len() < 500 {
            return Ok(naming);
        }
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
