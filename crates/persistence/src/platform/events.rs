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

/// Every event type the server writes, `<kind>.<what happened>`: the OpenAPI document lists
/// them (`EventType`) for the feed's `types` filter, and [`append`] takes no other.
/// `order.<status>` is written for each status an order can move to.
pub const TYPES: &[&str] = &[
    "customer.created",
    "customer.updated",
    "customer.stage_changed",
    "customer.deleted",
    "customer.restored",
    "customer.merged",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.restored",
    "contact.merged",
    "interaction.created",
    "interaction.updated",
    "interaction.deleted",
    "interaction.restored",
    "task.created",
    "task.updated",
    "task.completed",
    "task.cancelled",
    "task.reopened",
    "task.deleted",
    "follow_up_rule.created",
    "follow_up_rule.updated",
    "follow_up_rule.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
    "pipeline.created",
    "pipeline.updated",
    "opportunity.created",
    "opportunity.updated",
    "opportunity.stage_changed",
    "opportunity.won",
    "opportunity.lost",
    "opportunity.reopened",
    "opportunity.deleted",
    "order.created",
    "order.updated",
    "order.confirmed",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "order.deleted",
    "ticket.created",
    "ticket.updated",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.commented",
    "ticket.resolved",
    "ticket.rated",
    "ticket.sla_breached",
    "ticket.article_linked",
    "ticket.article_unlinked",
    "kb_category.created",
    "kb_category.updated",
    "kb_category.deleted",
    "kb_article.created",
    "kb_article.updated",
    "kb_article.published",
    "kb_article.deleted",
    "sla_policy.created",
    "sla_policy.updated",
    "sla_policy.deleted",
    "portal_account.created",
    "portal_account.invited",
    "portal_account.activated",
    "portal_account.updated",
    "requirement.created",
    "requirement.updated",
    "requirement.status_changed",
    "requirement.requested",
    "requirement.unrequested",
    "requirement.merged",
    "requirement.feedback_given",
    "requirement.deleted",
    "user.created",
    "user.updated",
    "user.deactivated",
    "team.created",
    "team.updated",
    "team.deleted",
    "role.created",
    "role.updated",
    "role.deleted",
    "settings.changed",
    "api_key.created",
    "api_key.updated",
    "api_key.rotated",
    "api_key.revoked",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
    "webhook.secret_rotated",
    "webhook.tested",
    "webhook.disabled",
    "customer.erased",
    "contact.erased",
    "consent.given",
    "consent.withdrawn",
    "privacy_request.created",
    "privacy_request.completed",
    "privacy_request.refused",
    "custom_field.created",
    "custom_field.updated",
    "custom_field.retired",
    "custom_field.restored",
    "import.created",
    "import.updated",
    "import.completed",
    "import.reverted",
    "saved_view.created",
    "saved_view.updated",
    "saved_view.deleted",
];

/// Appends an event inside the caller's transaction. It takes no lock: its feed position is
/// given later, after it has committed, by [`give_positions`].
#[tracing::instrument(skip_all)]
pub async fn append(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    event_type: &str,
    entity_type: &str,
    entity_id: Uuid,
    payload: Value,
) -> Result<()> {
    row(actor, event_type, entity_type, entity_id, &payload).insert(conn).await?;
    Ok(())
}

/// The row of one event, for [`append`] or for a batch writing many at once.
pub(crate) fn row(actor: &Actor, event_type: &str, entity_type: &str, entity_id: Uuid, payload: &Value) -> events::ActiveModel {
    // A type missing from the list would be missing from the document integrators read.
    debug_assert!(TYPES.contains(&event_type), "event type {event_type} is not in events::TYPES");
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
#[tracing::instrument(skip_all)]
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

/// The feed's current position: the highest position given, after giving positions to every
/// event committed so far, or 0 for an empty feed. A new consumer passes it as `after` to read
/// only what happens from now on.
#[tracing::instrument(skip_all)]
pub async fn head(db: &Db) -> Result<i64> {
    give_positions(db).await?;
    let head: Option<Option<i64>> =
        events::Entity::find().select_only().column_as(events::Column::Position.max(), "head").into_tuple().one(&db.conn).await?;
    Ok(head.flatten().unwrap_or(0))
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
#[tracing::instrument(skip_all)]
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
    let sealer = db.sealer().await?;
    let events = rows
        .into_iter()
        .map(|row| {
            let mut payload = serde_json::from_str(&row.payload).unwrap_or(Value::Null);
            sealer.open_document(&row.entity_type, row.entity_id, &mut payload)?;
            Ok(Event {
                seq: row.position.unwrap_or(row.seq),
                id: row.id,
                event_type: row.event_type,
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                actor_id: row.actor_id,
                payload,
                occurred_at: row.occurred_at,
            })
        })
        .collect::<Result<_>>()?;
    Ok(FeedPage { events, next_after })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use crm_domain::sales::OrderStatus;

    use super::TYPES;

    /// The `"kind.what"` string literals of the files under `dir` but this one (which lists them),
    /// except on lines naming an error code (`code: "customer.credit_code_taken"`).
    fn dotted_literals(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dotted_literals(&path, found);
                continue;
            }
            if path.ends_with("platform/events.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if !path.ends_with("platform/changes.rs") {
                found.extend(derived_types(&text));
            }
            for line in text.lines().filter(|line| !line.contains("code") && !line.trim_start().starts_with("//")) {
                for literal in line.split('"').skip(1).step_by(2) {
                    let parts: Vec<&str> = literal.split('.').collect();
                    if parts.len() == 2 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
                        found.insert(literal.to_owned());
                    }
                }
            }
        }
    }

    /// The `<entity>.<verb>` types the one write path derives (`Change::created(ENTITY, …)` is
    /// `product.created` where `const ENTITY: &str = "product"`; `move_to_bin` writes `deleted`).
    fn derived_types(text: &str) -> Vec<String> {
        let constant = |name: &str| {
            let name = name.trim();
            if let Some(literal) = name.strip_prefix('"') {
                return literal.trim_end_matches('"').to_owned();
            }
            let declaration = format!("const {name}: &str = \"");
            let start = text.find(&declaration).map(|at| at + declaration.len()).unwrap_or_else(|| panic!("no const {name}"));
            text[start..].split('"').next().unwrap_or_default().to_owned()
        };
        let mut types = Vec::new();
        for (call, verb) in
            [("created", "created"), ("updated", "updated"), ("deleted", "deleted"), ("restored", "restored"), ("removed", "deleted")]
        {
            for call_site in text.split(&format!("Change::{call}(")).skip(1) {
                types.push(format!("{}.{verb}", constant(call_site.split(',').next().unwrap_or_default())));
            }
        }
        for call_site in text.split("move_to_bin(").skip(1) {
            types.push(format!("{}.deleted", constant(call_site.split(',').nth(2).unwrap_or_default())));
        }
        types
    }

    /// Event types are written as literals (to `append` or through a helper that calls it), so
    /// every such literal must be listed, and every listed type must be written somewhere; the
    /// order moves write `order.<status>` for each status an order can move to.
    #[test]
    fn the_listed_event_types_are_the_ones_written() {
        let listed: BTreeSet<String> = TYPES.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(listed.len(), TYPES.len(), "an event type is listed twice");
        let mut written = BTreeSet::new();
        dotted_literals(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut written);
        let moves = OrderStatus::ALL.iter().filter(|to| OrderStatus::ALL.iter().any(|from| from.can_move_to(**to)));
        written.extend(moves.map(|to| format!("order.{}", to.as_str())));
        // Problem codes (`team.in_use`) and the stored columns read back (`tickets.kind`, named
        // by table) have the same shape; they are not events.
        let tables: BTreeSet<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/entities"))
            .unwrap()
            .filter_map(|entry| entry.unwrap().path().file_stem().map(|stem| stem.to_string_lossy().into_owned()))
            .collect();
        written.retain(|literal| {
            let table = literal.split('.').next().unwrap_or_default();
            listed.contains(literal)
                || !tables.contains(table) && !crm_domain::problem_codes::PROBLEM_CODES.iter().any(|(code, _)| code == literal)
        });
        let unlisted: Vec<_> = written.difference(&listed).collect();
        assert!(unlisted.is_empty(), "written but not in events::TYPES (so not in the OpenAPI document): {unlisted:?}");
        let unwritten: Vec<_> = listed.difference(&written).collect();
        assert!(unwritten.is_empty(), "in events::TYPES but never written: {unwritten:?}");
    }
}
