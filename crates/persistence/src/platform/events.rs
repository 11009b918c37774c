//! The outbox: every change appends an event with a strictly increasing sequence number, in the
//! same transaction, so the change feed (and later webhooks) never miss or invent a change.

use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::entities::events;
use crate::{Actor, Db, Result, now};

/// Appends an event inside the caller's transaction. It takes no lock: its feed position is
/// given later, after it has committed, by [`give_positions`].
pub async fn append(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    event_type: &str,
    entity_type: &str,
    entity_id: Uuid,
    payload: Value,
) -> Result<()> {
    events::ActiveModel {
        seq: Default::default(),
        id: Set(Uuid::now_v7()),
        event_type: Set(event_type.to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id),
        actor_id: Set(actor.audit_id()),
        payload: Set(payload.to_string()),
        occurred_at: Set(now()),
        position: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// How many insertion numbers one pass covers at most (a reader gets at most a page anyway;
/// the rest are positioned by the next read).
const POSITIONS_PER_PASS: i64 = 10_000;

/// Gives feed positions to committed events that have none, in insertion order, above the
/// highest position given so far. Positions must become visible in increasing order for a reader
/// polling `after=<position>` never to skip one: writers insert without a position (so they never
/// wait on each other), and this runs under a lock only feed readers take (PostgreSQL: an
/// advisory transaction lock; SQLite: the write lock), committing each pass whole before the next
/// can start. An event whose transaction is still open is invisible here and gets a later
/// position once it commits, so the feed is in commit order and never changes behind a reader.
pub async fn give_positions(db: &Db) -> Result<()> {
    let txn = db.begin_write().await?;
    let backend = txn.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7262001)").await?;
    }
    let first_pending: Option<Option<i64>> = events::Entity::find()
        .select_only()
        .column_as(events::Column::Seq.min(), "first")
        .filter(events::Column::Position.is_null())
        .into_tuple()
        .one(&txn)
        .await?;
    if let Some(first) = first_pending.flatten() {
        let highest: Option<Option<i64>> =
            events::Entity::find().select_only().column_as(events::Column::Position.max(), "highest").into_tuple().one(&txn).await?;
        // Shifting insertion numbers past the highest position keeps them distinct and in
        // insertion order; the gaps they leave do not matter to a reader comparing `after`.
        let shift = highest.flatten().unwrap_or(0) + 1 - first;
        // The UPDATE reads a newer snapshot than the MIN above (READ COMMITTED): an event with a
        // lower number may have committed in between. Bounding from below leaves it to the next
        // pass; numbering it here would put it at or below positions already given.
        events::Entity::update_many()
            .col_expr(events::Column::Position, Expr::col(events::Column::Seq).add(shift))
            .filter(events::Column::Position.is_null())
            .filter(events::Column::Seq.gte(first))
            .filter(events::Column::Seq.lt(first + POSITIONS_PER_PASS))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// One event of the change feed.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// The event's feed position (increasing in commit order; what `after` compares with).
    pub seq: i64,
    pub id: Uuid,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub payload: Value,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

/// A page of the change feed.
pub struct FeedPage {
    pub events: Vec<Event>,
    /// Where the next read starts: past the last event returned and, when the page is not full,
    /// past every event the caller may not read, so a scoped reader never rescans them.
    pub next_after: i64,
}

/// Events after `after` in sequence order, of the records the caller may read: each kind under
/// the permission and scope of its own list endpoint (an own-scope sales user sees the events of
/// their own customers and deals only), see [`crate::visibility`].
pub async fn list(db: &Db, actor: &Actor, after: i64, types: &[String], limit: u64) -> Result<FeedPage> {
    give_positions(db).await?;
    // Read before the page: every event positioned up to here is either in the page or not for
    // this caller, so a page that is not full may move the reader past it.
    let head: Option<Option<i64>> =
        events::Entity::find().select_only().column_as(events::Column::Position.max(), "head").into_tuple().one(&db.conn).await?;
    let mut condition = Condition::all().add(events::Column::Position.gt(after)).add(crate::visibility::readable(
        actor,
        (events::Entity, events::Column::EntityType),
        (events::Entity, events::Column::EntityId),
    ));
    if !types.is_empty() {
        condition = condition.add(Expr::col(events::Column::EventType).is_in(types.to_vec()));
    }
    let limit = crate::pagination::clamp_limit(limit);
    let rows = events::Entity::find().filter(condition).order_by_asc(events::Column::Position).limit(limit).all(&db.conn).await?;
    let last = rows.last().and_then(|row| row.position);
    let next_after = if (rows.len() as u64) < limit {
        std::cmp::max(std::cmp::max(last, head.flatten()).unwrap_or(after), after)
    } else {
        last.unwrap_or(after)
    };
    let events = rows
        .into_iter()
        .map(|row| Event {
            seq: row.position.unwrap_or(row.seq),
            id: row.id,
            event_type: row.event_type,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            actor_id: row.actor_id,
            payload: serde_json::from_str(&row.payload).unwrap_or(Value::Null),
            occurred_at: row.occurred_at,
        })
        .collect();
    Ok(FeedPage { events, next_after })
}
