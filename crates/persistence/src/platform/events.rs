//! The outbox: every change appends an event with a strictly increasing sequence number, in the
//! same transaction, so the change feed (and later webhooks) never miss or invent a change.

use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource, Scope};

use crate::entities::events;
use crate::{Actor, Db, Error, Result, now};

/// Appends an event inside the caller's transaction. On PostgreSQL the insert first takes a
/// transaction-scoped advisory lock, so sequence numbers become visible in order and a reader
/// polling `after=<seq>` cannot skip an event whose transaction committed late.
pub async fn append(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    event_type: &str,
    entity_type: &str,
    entity_id: Uuid,
    payload: Value,
) -> Result<()> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_unprepared("SELECT pg_advisory_xact_lock(7262001)").await?;
    }
    events::ActiveModel {
        seq: Default::default(),
        id: Set(Uuid::now_v7()),
        event_type: Set(event_type.to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id),
        actor_id: Set(actor.audit_id()),
        payload: Set(payload.to_string()),
        occurred_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// One event of the change feed.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub seq: i64,
    pub id: Uuid,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub payload: Value,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

/// Events after `after` in sequence order. The feed carries whole records, so only callers who
/// may read every customer and contact get it.
pub async fn list(db: &Db, actor: &Actor, after: i64, types: &[String], limit: u64) -> Result<Vec<Event>> {
    for resource in [Resource::Customers, Resource::Contacts] {
        if actor.require(resource, Action::Read)? != Scope::All {
            return Err(Error::Forbidden("the change feed needs read access to all customers and contacts".into()));
        }
    }
    let mut condition = Condition::all().add(events::Column::Seq.gt(after));
    if !types.is_empty() {
        condition = condition.add(Expr::col(events::Column::EventType).is_in(types.to_vec()));
    }
    let rows = events::Entity::find()
        .filter(condition)
        .order_by_asc(events::Column::Seq)
        .limit(crate::pagination::clamp_limit(limit))
        .all(&db.conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Event {
            seq: row.seq,
            id: row.id,
            event_type: row.event_type,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            actor_id: row.actor_id,
            payload: serde_json::from_str(&row.payload).unwrap_or(Value::Null),
            occurred_at: row.occurred_at,
        })
        .collect())
}
