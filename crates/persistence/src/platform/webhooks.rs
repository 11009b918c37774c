//! Outgoing webhooks: subscriptions (administrators manage them), the fan-out of committed events
//! into deliveries, the claim of due deliveries by the sending workers, and the record of every
//! attempt. The HTTP request itself is the api crate's; everything it decides from an answer
//! (retry when, give up, disable the endpoint, tell its owner) is decided here.
//!
//! Exactly once: a delivery is unique on (subscription, event), so fanning out twice inserts
//! nothing the second time, and a due delivery is claimed by one worker (PostgreSQL: `FOR UPDATE
//! SKIP LOCKED`; SQLite: its one writer) which moves its due time past the attempt's timeout.
//! A subscription receives only the events its owner may read, under the feed's rules
//! ([`crate::visibility::readable`] for the owner as the actor).

use std::collections::HashMap;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{LockBehavior, LockType},
};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::activities::NotificationKind;
use crm_domain::platform::webhooks::{
    self as rules, AttemptFailure, DeliveryStatus, DisabledReason, SECRET_BYTES, SECRET_PREFIX, WebhookPatch, WebhookSettings,
    WebhookStatus,
};
use crm_domain::text;
use crm_domain::written::SystemText;

use super::events::Event;
use crate::entities::{events, users, webhook_attempts, webhook_deliveries, webhook_dispatch, webhook_subscriptions as subscriptions};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored, stored_json};

const ENTITY: &str = "webhook";
/// The event a test sends: delivered only to the subscription tested, never fanned out.
pub const TEST_EVENT_TYPE: &str = "webhook.tested";
/// Events fanned out in one pass at most; the next pass takes the rest.
const FAN_OUT_BATCH: u64 = 500;
/// Deliveries one worker claims at once.
const CLAIM_BATCH: u64 = 20;
/// How long a claim holds a delivery: past the attempt's timeout, so a worker that died while
/// sending leaves it to another once this runs out, and a live one always finishes first.
const CLAIM_SECONDS: i64 = rules::ATTEMPT_TIMEOUT_SECONDS as i64 + 45;
/// Most events one "redeliver since" takes up.
pub const REDELIVER_MAX: u64 = 10_000;

/// The event types a subscription may ask for: every type the server writes but the test event.
pub fn subscribable_types() -> Vec<&'static str> {
    super::events::TYPES.iter().copied().filter(|t| *t != TEST_EVENT_TYPE).collect()
}

/// A subscription as administrators see it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookRecord {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: String,
    pub status: WebhookStatus,
    pub disabled_reason: Option<DisabledReason>,
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs (beside the current one).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A subscription just made or given a new secret: the secret is shown this once.
#[derive(Debug, Clone)]
pub struct IssuedWebhook {
    pub record: WebhookRecord,
    pub secret: String,
}

/// One attempt to deliver.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptRecord {
    pub id: Uuid,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub error_code: Option<AttemptFailure>,
    pub latency_ms: i32,
    pub response_excerpt: String,
}

/// One event to one subscription, with its attempts (oldest first).
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempt_count: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub attempts: Vec<AttemptRecord>,
}

fn to_record(row: &subscriptions::Model) -> Result<WebhookRecord> {
    Ok(WebhookRecord {
        id: row.id,
        owner_id: row.owner_id,
        url: row.url.clone(),
        event_types: stored_json("webhook_subscriptions.event_types", row.id, &row.event_types)?,
        description: row.description.clone(),
        status: stored("webhook_subscriptions.status", row.id, &row.status, WebhookStatus::parse)?,
        disabled_reason: row
            .disabled_reason
            .as_deref()
            .map(|reason| stored("webhook_subscriptions.disabled_reason", row.id, reason, DisabledReason::parse))
            .transpose()?,
        failing_since: row.failing_since,
        previous_secret_expires_at: row.previous_secret_expires_at.filter(|at| *at > now()),
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// A new secret: `whsec_` and the base64 of random bytes, as the specification has it.
fn new_secret() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    format!("{SECRET_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Only administrators manage webhooks: an endpoint receives the CRM's data. The routes ask first,
/// before a URL is resolved, so that nobody else can make the server look names up.
pub fn require_administrator(actor: &Actor) -> Result<()> {
    actor.require_admin()
}

/// The owner must be an active user: the subscription reads with their rights.
async fn check_owner(conn: &impl ConnectionTrait, owner_id: Uuid) -> Result<()> {
    match users::Entity::find_by_id(owner_id).one(conn).await? {
        Some(user) if user.active => Ok(()),
        _ => Err(Error::validation("owner_id", "not_found", text!("no such active user", "找不到该在职用户"))),
    }
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<subscriptions::Model> {
    subscriptions::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)
}

/// Makes a subscription; the secret comes back with it, once.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, settings: WebhookSettings) -> Result<IssuedWebhook> {
    require_administrator(actor)?;
    let txn = db.begin_write().await?;
    check_owner(&txn, settings.owner_id).await?;
    let secret = new_secret();
    let row = subscriptions::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(settings.owner_id),
        url: Set(settings.url),
        event_types: Set(Value::from(settings.event_types).to_string()),
        description: Set(settings.description),
        status: Set(WebhookStatus::Active.as_str().to_owned()),
        disabled_reason: Set(None),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        failing_since: Set(None),
        created_by: Set(actor.audit_id()),
        ..Default::default()
    };
    let row = insert_first_version(&txn, row, now()).await?;
    let record = to_record(&row)?;
    changes::record(&txn, actor, Change::created(ENTITY, row.id, &record)).await?;
    txn.commit().await?;
    Ok(IssuedWebhook { record, secret })
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<WebhookRecord>> {
    require_administrator(actor)?;
    let sort = Sort { key: "-created_at", column: subscriptions::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, subscriptions::Entity::find(), &sort, subscriptions::Column::Id, page, |s| (json!(s.created_at), s.id))
        .await?;
    page.try_map(|row| to_record(&row))
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<WebhookRecord> {
    require_administrator(actor)?;
    to_record(&find(&db.conn, id).await?)
}

/// Changes a subscription's settings, or pauses (`paused`) or resumes (`active`) it; resuming a
/// disabled one starts it afresh (no longer failing).
#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: WebhookPatch) -> Result<WebhookRecord> {
    require_administrator(actor)?;
    let txn = db.begin_write().await?;
    let row = find(&txn, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&row)?;
    let current = WebhookSettings {
        url: before.url.clone(),
        event_types: before.event_types.clone(),
        description: before.description.clone(),
        owner_id: before.owner_id,
    };
    let status = patch.status;
    let next = patch.apply(&current);
    if next.owner_id != current.owner_id {
        check_owner(&txn, next.owner_id).await?;
    }
    let mut model: subscriptions::ActiveModel = row.into();
    model.url = Set(next.url);
    model.event_types = Set(Value::from(next.event_types).to_string());
    model.description = Set(next.description);
    model.owner_id = Set(next.owner_id);
    if let Some(status) = status
        && status != before.status
    {
        model.status = Set(status.as_str().to_owned());
        if status == WebhookStatus::Active {
            model.disabled_reason = Set(None);
            model.failing_since = Set(None);
        }
    }
    let row = save_next_version(&txn, model).await?;
    let after = to_record(&row)?;
    changes::record(&txn, actor, Change::updated(ENTITY, id, &before, &after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Gives a subscription a new secret, shown once; the previous one keeps signing beside it for
/// `overlap`, so the receiver can switch without rejecting a delivery.
#[tracing::instrument(skip_all)]
pub async fn rotate_secret(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, overlap: Duration) -> Result<IssuedWebhook> {
    require_administrator(actor)?;
    let txn = db.begin_write().await?;
    let row = find(&txn, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&row)?;
    let secret = new_secret();
    let mut model: subscriptions::ActiveModel = row.clone().into();
    model.previous_secret = Set(Some(row.secret));
    model.previous_secret_expires_at = Set(Some(now() + overlap));
    model.secret = Set(secret.clone());
    let row = save_next_version(&txn, model).await?;
    let record = to_record(&row)?;
    let change = Change::updated(ENTITY, id, &before, &record).told_as("webhook.secret_rotated").noting("secret", json!("rotated"));
    changes::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(IssuedWebhook { record, secret })
}

/// Deletes a subscription with its deliveries and attempts.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    require_administrator(actor)?;
    let txn = db.begin_write().await?;
    let row = find(&txn, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&row)?;
    let deliveries = webhook_deliveries::Entity::find()
        .select_only()
        .column(webhook_deliveries::Column::Id)
        .filter(webhook_deliveries::Column::SubscriptionId.eq(id))
        .into_tuple::<Uuid>()
        .all(&txn)
        .await?;
    for chunk in deliveries.chunks(500) {
        webhook_attempts::Entity::delete_many().filter(webhook_attempts::Column::DeliveryId.is_in(chunk.to_vec())).exec(&txn).await?;
    }
    webhook_deliveries::Entity::delete_many().filter(webhook_deliveries::Column::SubscriptionId.eq(id)).exec(&txn).await?;
    subscriptions::Entity::delete_by_id(id).exec(&txn).await?;
    changes::record(&txn, actor, Change::removed(ENTITY, id, &before)).await?;
    txn.commit().await?;
    Ok(())
}

fn new_delivery(subscription_id: Uuid, event_id: Uuid, event_type: &str, at: DateTime<Utc>) -> webhook_deliveries::ActiveModel {
    webhook_deliveries::ActiveModel {
        id: Set(Uuid::now_v7()),
        subscription_id: Set(subscription_id),
        event_id: Set(event_id),
        event_type: Set(event_type.to_owned()),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempt_count: Set(0),
        next_attempt_at: Set(at),
        last_attempt_at: Set(None),
        last_status_code: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Inserts deliveries, skipping the (subscription, event) pairs that have one: what makes a
/// second fan-out (on this instance or another) harmless.
async fn insert_deliveries(conn: &impl ConnectionTrait, rows: Vec<webhook_deliveries::ActiveModel>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    webhook_deliveries::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([webhook_deliveries::Column::SubscriptionId, webhook_deliveries::Column::EventId]).do_nothing().to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Sends a test event (`webhook.tested`) to this subscription only, whatever types it asks for.
/// Returns the delivery, which the workers send at once.
#[tracing::instrument(skip_all)]
pub async fn send_test(db: &Db, actor: &Actor, id: Uuid) -> Result<DeliveryRecord> {
    require_administrator(actor)?;
    let txn = db.begin_write().await?;
    let row = find(&txn, id).await?;
    let record = to_record(&row)?;
    changes::record(&txn, actor, Change::told(ENTITY, id, "test", TEST_EVENT_TYPE, json!({ "url": record.url }), None, &record)).await?;
    let event_id = events::Entity::find()
        .select_only()
        .column(events::Column::Id)
        .filter(events::Column::EntityType.eq(ENTITY))
        .filter(events::Column::EntityId.eq(id))
        .filter(events::Column::EventType.eq(TEST_EVENT_TYPE))
        .order_by_desc(events::Column::Seq)
        .into_tuple::<Uuid>()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    let delivery = new_delivery(id, event_id, TEST_EVENT_TYPE, now());
    let delivery_id = delivery.id.clone().take().ok_or(Error::NotFound)?;
    insert_deliveries(&txn, vec![delivery]).await?;
    // Read in the transaction: under an Idempotency-Key its commit is held until the response is
    // stored, and a read on another connection would not see the delivery yet.
    let record = read_delivery(&txn, id, delivery_id).await?;
    txn.commit().await?;
    Ok(record)
}

async fn read_delivery(conn: &impl ConnectionTrait, subscription_id: Uuid, delivery_id: Uuid) -> Result<DeliveryRecord> {
    let row = webhook_deliveries::Entity::find_by_id(delivery_id)
        .filter(webhook_deliveries::Column::SubscriptionId.eq(subscription_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    with_attempts(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// Deliveries with their attempts, reading the attempts of them all in one query.
async fn with_attempts(conn: &impl ConnectionTrait, rows: Vec<webhook_deliveries::Model>) -> Result<Vec<DeliveryRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let mut attempts: HashMap<Uuid, Vec<AttemptRecord>> = HashMap::new();
    if !ids.is_empty() {
        let found = webhook_attempts::Entity::find()
            .filter(webhook_attempts::Column::DeliveryId.is_in(ids))
            .order_by_asc(webhook_attempts::Column::AttemptedAt)
            .order_by_asc(webhook_attempts::Column::Id)
            .all(conn)
            .await?;
        for attempt in found {
            attempts.entry(attempt.delivery_id).or_default().push(AttemptRecord {
                id: attempt.id,
                attempted_at: attempt.attempted_at,
                status_code: attempt.status_code,
                error: attempt.error,
                error_code: attempt
                    .error_code
                    .as_deref()
                    .map(|code| stored("webhook_attempts.error_code", attempt.id, code, AttemptFailure::parse))
                    .transpose()?,
                latency_ms: attempt.latency_ms,
                response_excerpt: attempt.response_excerpt,
            });
        }
    }
    rows.into_iter()
        .map(|row| {
            let status = stored("webhook_deliveries.status", row.id, &row.status, DeliveryStatus::parse)?;
            Ok(DeliveryRecord {
                id: row.id,
                subscription_id: row.subscription_id,
                event_id: row.event_id,
                event_type: row.event_type,
                next_attempt_at: (status == DeliveryStatus::Pending).then_some(row.next_attempt_at),
                status,
                attempt_count: row.attempt_count,
                last_attempt_at: row.last_attempt_at,
                last_status_code: row.last_status_code,
                created_at: row.created_at,
                attempts: attempts.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// A subscription's deliveries, newest first, optionally of one status, each with its attempts.
#[tracing::instrument(skip_all)]
pub async fn list_deliveries(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Page<DeliveryRecord>> {
    require_administrator(actor)?;
    find(&db.conn, id).await?;
    let mut select = webhook_deliveries::Entity::find().filter(webhook_deliveries::Column::SubscriptionId.eq(id));
    if let Some(status) = status {
        select = select.filter(webhook_deliveries::Column::Status.eq(status.as_str()));
    }
    let sort = Sort { key: "-created_at", column: webhook_deliveries::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, select, &sort, webhook_deliveries::Column::Id, page, |d| (json!(d.created_at), d.id)).await?;
    let data = with_attempts(&db.conn, page.data).await?;
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}

/// Sends one delivery again, as a new round of attempts under the same message id.
#[tracing::instrument(skip_all)]
pub async fn redeliver(db: &Db, actor: &Actor, id: Uuid, delivery_id: Uuid) -> Result<DeliveryRecord> {
    require_administrator(actor)?;
    let txn = db.begin_write().await?;
    find(&txn, id).await?;
    read_delivery(&txn, id, delivery_id).await?;
    restart(&txn, vec![delivery_id]).await?;
    crate::platform::audit::record(&txn, actor, "redeliver", ENTITY, id, json!({ "delivery_id": delivery_id })).await?;
    // In the transaction, as in `send_test`: an Idempotency-Key holds its commit.
    let record = read_delivery(&txn, id, delivery_id).await?;
    txn.commit().await?;
    Ok(record)
}

/// Makes deliveries due now as a new round.
async fn restart(conn: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<()> {
    let at = now();
    for chunk in ids.chunks(500) {
        webhook_deliveries::Entity::update_many()
            .col_expr(webhook_deliveries::Column::Status, Expr::value(DeliveryStatus::Pending.as_str()))
            .col_expr(webhook_deliveries::Column::AttemptCount, Expr::value(0))
            .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(at))
            .col_expr(webhook_deliveries::Column::UpdatedAt, Expr::value(at))
            .filter(webhook_deliveries::Column::Id.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Sends again every event since `since` that the subscription asks for and its owner may read
/// (delivered before or not: missed while paused, say), at most [`REDELIVER_MAX`]. Returns how
/// many deliveries were made due.
#[tracing::instrument(skip_all)]
pub async fn redeliver_since(db: &Db, actor: &Actor, id: Uuid, since: DateTime<Utc>) -> Result<u64> {
    require_administrator(actor)?;
    super::events::give_positions(db).await?;
    let row = find(&db.conn, id).await?;
    let record = to_record(&row)?;
    let owner = crate::identity::auth::load_user_actor(db, record.owner_id).await.map_err(|error| match error {
        Error::Unauthorized { .. } | Error::NotFound => Error::conflict(
            "webhook.owner_inactive",
            text!("the subscription's owner is not an active user", "该订阅的所有者已停用或不存在"),
        ),
        other => other,
    })?;
    let txn = db.begin_write().await?;
    let found: Vec<(Uuid, String)> = events::Entity::find()
        .select_only()
        .column(events::Column::Id)
        .column(events::Column::EventType)
        .filter(events::Column::Position.is_not_null())
        .filter(events::Column::OccurredAt.gte(since))
        .filter(events::Column::EventType.is_in(record.event_types.clone()))
        .filter(crate::visibility::readable(
            &owner,
            (events::Entity, events::Column::EntityType),
            (events::Entity, events::Column::EntityId),
        ))
        .order_by_asc(events::Column::Position)
        .limit(REDELIVER_MAX)
        .into_tuple()
        .all(&txn)
        .await?;
    let at = now();
    insert_deliveries(&txn, found.iter().map(|(event_id, event_type)| new_delivery(id, *event_id, event_type, at)).collect()).await?;
    let event_ids: Vec<Uuid> = found.iter().map(|(event_id, _)| *event_id).collect();
    let mut delivery_ids = Vec::with_capacity(event_ids.len());
    for chunk in event_ids.chunks(500) {
        delivery_ids.extend(
            webhook_deliveries::Entity::find()
                .select_only()
                .column(webhook_deliveries::Column::Id)
                .filter(webhook_deliveries::Column::SubscriptionId.eq(id))
                .filter(webhook_deliveries::Column::EventId.is_in(chunk.to_vec()))
                .into_tuple::<Uuid>()
                .all(&txn)
                .await?,
        );
    }
    let count = delivery_ids.len() as u64;
    restart(&txn, delivery_ids).await?;
    crate::platform::audit::record(&txn, actor, "redeliver", ENTITY, id, json!({ "since": since, "deliveries": count })).await?;
    txn.commit().await?;
    Ok(count)
}

/// Turns committed events after the dispatch cursor into deliveries, for every active
/// subscription that asks for their type and whose owner may read them; then moves the cursor.
/// Returns how many events were looked at (0: nothing new).
#[tracing::instrument(skip_all)]
pub async fn fan_out(db: &Db) -> Result<u64> {
    super::events::give_positions(db).await?;
    let txn = db.begin_write().await?;
    let mut cursor_query = webhook_dispatch::Entity::find_by_id(1);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // One fan-out at a time across instances; the others wait here and then find nothing new.
        cursor_query = cursor_query.lock(LockType::Update);
    }
    let Some(cursor) = cursor_query.one(&txn).await? else {
        return Err(Error::unexpected(sea_orm::DbErr::RecordNotFound("the webhook dispatch cursor".into())));
    };
    let batch: Vec<(Uuid, i64)> = events::Entity::find()
        .select_only()
        .column(events::Column::Id)
        .column(events::Column::Position)
        .filter(events::Column::Position.gt(cursor.position))
        .order_by_asc(events::Column::Position)
        .limit(FAN_OUT_BATCH)
        .into_tuple()
        .all(&txn)
        .await?;
    let Some(last) = batch.last().map(|(_, position)| *position) else {
        txn.commit().await?;
        return Ok(0);
    };
    let active = subscriptions::Entity::find().filter(subscriptions::Column::Status.eq(WebhookStatus::Active.as_str())).all(&txn).await?;
    let at = now();
    for subscription in active {
        let owner = match crate::identity::auth::load_user_actor(db, subscription.owner_id).await {
            Ok(owner) => owner,
            // An owner who left reads nothing, so the subscription receives nothing.
            Err(Error::Unauthorized { .. } | Error::NotFound) => continue,
            // Anything else (the database busy) must not move the cursor past these events.
            Err(other) => return Err(other),
        };
        let types: Vec<String> = stored_json("webhook_subscriptions.event_types", subscription.id, &subscription.event_types)?;
        let due: Vec<(Uuid, String)> = events::Entity::find()
            .select_only()
            .column(events::Column::Id)
            .column(events::Column::EventType)
            .filter(events::Column::Position.gt(cursor.position))
            .filter(events::Column::Position.lte(last))
            .filter(events::Column::EventType.is_in(types))
            .filter(events::Column::EventType.ne(TEST_EVENT_TYPE))
            .filter(events::Column::OccurredAt.gte(subscription.created_at))
            .filter(crate::visibility::readable(
                &owner,
                (events::Entity, events::Column::EntityType),
                (events::Entity, events::Column::EntityId),
            ))
            .into_tuple()
            .all(&txn)
            .await?;
        insert_deliveries(
            &txn,
            due.iter().map(|(event_id, event_type)| new_delivery(subscription.id, *event_id, event_type, at)).collect(),
        )
        .await?;
    }
    webhook_dispatch::Entity::update_many()
        .col_expr(webhook_dispatch::Column::Position, Expr::value(last))
        .filter(webhook_dispatch::Column::Id.eq(1))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(batch.len() as u64)
}

/// The ids of active subscriptions: only theirs are sent (a paused one's wait).
fn active_subscriptions() -> SelectStatement {
    Query::select()
        .column(subscriptions::Column::Id)
        .from(subscriptions::Entity)
        .and_where(Expr::col(subscriptions::Column::Status).eq(WebhookStatus::Active.as_str()))
        .take()
}

/// A delivery claimed for one attempt: everything the sender needs.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub delivery_id: Uuid,
    pub subscription_id: Uuid,
    /// Whose rights the subscription reads with (what comes masked depends on them too).
    pub owner_id: Uuid,
    /// This attempt's number in the current round (1 for the first).
    pub attempt: i32,
    pub url: String,
    /// The secrets that sign it: the current one, and the previous one during a rotation's overlap.
    pub secrets: Vec<String>,
    pub event: Event,
}

/// Claims up to a batch of due deliveries of active subscriptions for this worker, moving each
/// one's due time past the attempt's timeout and counting the attempt.
#[tracing::instrument(skip_all)]
pub async fn claim_due(db: &Db) -> Result<Vec<ClaimedDelivery>> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let at = now();
    let mut due = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::Column::NextAttemptAt.lte(at))
        .filter(webhook_deliveries::Column::SubscriptionId.in_subquery(active_subscriptions()))
        .order_by_asc(webhook_deliveries::Column::NextAttemptAt)
        .order_by_asc(webhook_deliveries::Column::Id)
        .limit(CLAIM_BATCH);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // Another instance's claim skips what this one holds instead of waiting for it.
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = due.all(&txn).await?;
    if due.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    for delivery in &due {
        webhook_deliveries::Entity::update_many()
            .col_expr(webhook_deliveries::Column::AttemptCount, Expr::value(delivery.attempt_count + 1))
            .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(at + Duration::seconds(CLAIM_SECONDS)))
            .col_expr(webhook_deliveries::Column::UpdatedAt, Expr::value(at))
            .filter(webhook_deliveries::Column::Id.eq(delivery.id))
            .exec(&txn)
            .await?;
    }
    let subscription_ids: Vec<Uuid> = due.iter().map(|d| d.subscription_id).collect();
    let subscriptions: HashMap<Uuid, subscriptions::Model> = subscriptions::Entity::find()
        .filter(subscriptions::Column::Id.is_in(subscription_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let event_ids: Vec<Uuid> = due.iter().map(|d| d.event_id).collect();
    let events: HashMap<Uuid, events::Model> =
        events::Entity::find().filter(events::Column::Id.is_in(event_ids)).all(&txn).await?.into_iter().map(|e| (e.id, e)).collect();
    txn.commit().await?;
    let mut claimed = Vec::with_capacity(due.len());
    for delivery in due {
        let (Some(subscription), Some(event)) = (subscriptions.get(&delivery.subscription_id), events.get(&delivery.event_id)) else {
            continue;
        };
        let mut secrets = vec![subscription.secret.clone()];
        if let (Some(previous), Some(until)) = (&subscription.previous_secret, subscription.previous_secret_expires_at)
            && until > at
        {
            secrets.push(previous.clone());
        }
        claimed.push(ClaimedDelivery {
            delivery_id: delivery.id,
            subscription_id: subscription.id,
            owner_id: subscription.owner_id,
            attempt: delivery.attempt_count + 1,
            url: subscription.url.clone(),
            secrets,
            event: Event {
                seq: event.position.unwrap_or(event.seq),
                id: event.id,
                event_type: event.event_type.clone(),
                entity_type: event.entity_type.clone(),
                entity_id: event.entity_id,
                actor_id: event.actor_id,
                payload: {
                    let mut payload = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
                    sealer.open_document(&event.entity_type, event.entity_id, &mut payload)?;
                    payload
                },
                occurred_at: event.occurred_at,
            },
        });
    }
    Ok(claimed)
}

/// When the next pending delivery of an active subscription falls due, if any: how long the
/// worker may sleep.
pub async fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>> {
    Ok(webhook_deliveries::Entity::find()
        .select_only()
        .column(webhook_deliveries::Column::NextAttemptAt)
        .filter(webhook_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::Column::SubscriptionId.in_subquery(active_subscriptions()))
        .order_by_asc(webhook_deliveries::Column::NextAttemptAt)
        .into_tuple::<DateTime<Utc>>()
        .one(&db.conn)
        .await?)
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status, when an answer came.
    pub status_code: Option<u16>,
    /// Why no answer came (timeout, refused address, connection error), in the transport's words.
    pub error: Option<String>,
    /// The same as a code, set whenever `error` is.
    pub error_code: Option<AttemptFailure>,
    pub latency_ms: i32,
    pub response_excerpt: String,
    /// The answer's `Retry-After`, read.
    pub retry_after: Option<Duration>,
}

/// Records an attempt and decides what follows: a 2xx ends the delivery; a 410 gives it up and
/// disables the endpoint; anything else is retried on the schedule (stretched by `time_scale`,
/// which only tests change), later if `Retry-After` asks, until the schedule is used up. A
/// subscription failing for five days is disabled; either way its owner is notified.
#[tracing::instrument(skip_all)]
pub async fn record_attempt(db: &Db, claimed: &ClaimedDelivery, outcome: AttemptOutcome, time_scale: f64) -> Result<()> {
    let txn = db.begin_write().await?;
    let attempt = webhook_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(claimed.delivery_id),
        attempted_at: Set(outcome.attempted_at),
        status_code: Set(outcome.status_code.map(i32::from)),
        error: Set(outcome.error.clone()),
        error_code: Set(outcome.error_code.map(|code| code.as_str().to_owned())),
        latency_ms: Set(outcome.latency_ms),
        response_excerpt: Set(outcome.response_excerpt.clone()),
    };
    webhook_attempts::Entity::insert(attempt).exec_without_returning(&txn).await?;
    let Some(subscription) = subscriptions::Entity::find_by_id(claimed.subscription_id).one(&txn).await? else {
        // Deleted while the attempt was under way (its deliveries went with it).
        txn.commit().await?;
        return Ok(());
    };
    let at = now();
    let succeeded = outcome.status_code.is_some_and(|code| (200..300).contains(&code));
    let gone = outcome.status_code == Some(410);
    let failing_since = if succeeded { None } else { Some(subscription.failing_since.unwrap_or(outcome.attempted_at)) };
    let disable = if gone {
        Some(DisabledReason::Gone)
    } else if !succeeded && rules::failed_too_long(failing_since, at) {
        Some(DisabledReason::Failing)
    } else {
        None
    };
    let (status, next_attempt_at) = if succeeded {
        (DeliveryStatus::Succeeded, at)
    } else if disable.is_some() {
        (DeliveryStatus::Failed, at)
    } else {
        match rules::retry_delay(claimed.attempt) {
            Some(delay) => {
                let jittered = rules::with_jitter(delay, rand::thread_rng().r#gen::<f64>());
                let wait = outcome.retry_after.map_or(jittered, |asked| asked.max(jittered));
                (DeliveryStatus::Pending, at + scaled(wait, time_scale))
            }
            None => (DeliveryStatus::Failed, at),
        }
    };
    webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::Status, Expr::value(status.as_str()))
        .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(webhook_deliveries::Column::LastAttemptAt, Expr::value(outcome.attempted_at))
        .col_expr(webhook_deliveries::Column::LastStatusCode, Expr::value(outcome.status_code.map(i32::from)))
        .col_expr(webhook_deliveries::Column::UpdatedAt, Expr::value(at))
        .filter(webhook_deliveries::Column::Id.eq(claimed.delivery_id))
        // A redelivery asked for while this attempt was under way starts its own round.
        .filter(webhook_deliveries::Column::AttemptCount.eq(claimed.attempt))
        .exec(&txn)
        .await?;
    if subscription.failing_since != failing_since && disable.is_none() {
        // Bookkeeping of the sender, not a change anyone made: the version does not move.
        subscriptions::Entity::update_many()
            .col_expr(subscriptions::Column::FailingSince, Expr::value(failing_since))
            .filter(subscriptions::Column::Id.eq(subscription.id))
            .exec(&txn)
            .await?;
    }
    if let Some(reason) = disable
        && subscription.status == WebhookStatus::Active.as_str()
    {
        disable_subscription(&txn, subscription, reason, failing_since).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn scaled(wait: Duration, time_scale: f64) -> Duration {
    if (time_scale - 1.0).abs() < f64::EPSILON {
        return wait;
    }
    Duration::milliseconds((wait.num_milliseconds() as f64 * time_scale.max(0.0)) as i64)
}

/// Disables a subscription as the server, with its audit entry and event, and tells its owner.
async fn disable_subscription(
    conn: &impl ConnectionTrait,
    subscription: subscriptions::Model,
    reason: DisabledReason,
    failing_since: Option<DateTime<Utc>>,
) -> Result<()> {
    let before = to_record(&subscription)?;
    let (id, owner_id, url) = (subscription.id, subscription.owner_id, subscription.url.clone());
    let mut model: subscriptions::ActiveModel = subscription.into();
    model.status = Set(WebhookStatus::Disabled.as_str().to_owned());
    model.disabled_reason = Set(Some(reason.as_str().to_owned()));
    model.failing_since = Set(failing_since);
    let row = save_next_version(conn, model).await?;
    let after = to_record(&row)?;
    changes::record(conn, &Actor::system(), Change::updated(ENTITY, id, &before, &after).told_as("webhook.disabled")).await?;
    let title = SystemText::WebhookDisabled { url, reason };
    crate::activities::notifications::notify(conn, owner_id, NotificationKind::WebhookDisabled, title, None, ENTITY, id).await
}
