//! Idempotency keys: a POST retried with the same key and body gets the first answer again for
//! 24 hours; the same key with another body is refused; a retry racing the first attempt is told
//! to wait.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::idempotency_keys;
use crate::{Db, Error, Result, now};

pub const RETENTION_HOURS: i64 = 24;

/// What to do with a request that carries an idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First time: run the request, then [`complete`] this claim.
    Fresh(Uuid),
    /// Done before: answer with the stored response.
    Replay { status: u16, headers: Vec<(String, String)>, body: String },
    /// The key was used for a different request.
    Mismatch,
    /// The first attempt is still running.
    InProgress,
}

pub async fn claim(db: &Db, principal_id: Uuid, key: &str, method: &str, path: &str, request_hash: &str) -> Result<Claim> {
    let existing = idempotency_keys::Entity::find()
        .filter(idempotency_keys::Column::PrincipalId.eq(principal_id))
        .filter(idempotency_keys::Column::Key.eq(key))
        .one(&db.conn)
        .await?;
    if let Some(row) = existing {
        if row.created_at > now() - Duration::hours(RETENTION_HOURS) {
            if row.request_hash != request_hash || row.method != method || row.path != path {
                return Ok(Claim::Mismatch);
            }
            return Ok(match (row.status_code, row.response_body) {
                (Some(status), Some(body)) => Claim::Replay {
                    status: u16::try_from(status).unwrap_or(200),
                    headers: row.response_headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default(),
                    body,
                },
                _ => Claim::InProgress,
            });
        }
        idempotency_keys::Entity::delete_by_id(row.id).exec(&db.conn).await?;
    }
    let id = Uuid::now_v7();
    let inserted = idempotency_keys::ActiveModel {
        id: Set(id),
        principal_id: Set(principal_id),
        key: Set(key.to_owned()),
        method: Set(method.to_owned()),
        path: Set(path.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status_code: Set(None),
        response_headers: Set(None),
        response_body: Set(None),
        created_at: Set(now()),
    }
    .insert(&db.conn)
    .await;
    match inserted {
        Ok(_) => Ok(Claim::Fresh(id)),
        Err(error) => match Error::from(error) {
            Error::Conflict(_) => Ok(Claim::InProgress),
            other => Err(other),
        },
    }
}

/// Stores the response of a claimed request for replay.
pub async fn complete(db: &Db, id: Uuid, status: u16, headers: &[(String, String)], body: &str) -> Result<()> {
    idempotency_keys::ActiveModel {
        id: Set(id),
        status_code: Set(Some(i32::from(status))),
        response_headers: Set(Some(serde_json::to_string(headers).unwrap_or_else(|_| "[]".into()))),
        response_body: Set(Some(body.to_owned())),
        ..Default::default()
    }
    .update(&db.conn)
    .await?;
    Ok(())
}

/// Forgets a claim whose request failed on our side, so that the client's retry runs again.
pub async fn release(db: &Db, id: Uuid) -> Result<()> {
    idempotency_keys::Entity::delete_by_id(id).exec(&db.conn).await?;
    Ok(())
}

/// Deletes keys older than the retention period; run periodically.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let result = idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::CreatedAt.lt(now() - Duration::hours(RETENTION_HOURS)))
        .exec(&db.conn)
        .await?;
    Ok(result.rows_affected)
}
