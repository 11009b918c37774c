//! The customer timeline (客户360°视图): a projection written in the same transaction as the
//! change it shows, so that a page of the timeline is one indexed query over one table, whatever
//! kinds of record later modules add.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};

use crate::customers::load_for;
use crate::entities::timeline_items;
use crate::identity::names::Names;
use crate::pagination::{Cursor, clamp_limit};
use crate::{Actor, Db, Page, PageRequest, Result};

/// One item to put on a customer's timeline.
pub struct NewItem<'a> {
    pub customer_id: Uuid,
    pub kind: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub title: &'a str,
    pub summary: Value,
}

/// Appends an item (a stage change, a contact change: things that happen once).
#[tracing::instrument(skip_all)]
pub async fn append(conn: &impl ConnectionTrait, actor: &Actor, item: NewItem<'_>) -> Result<()> {
    row(actor, item).insert(conn).await?;
    Ok(())
}

/// The row of one item, for [`append`] or for a batch writing many at once.
pub(crate) fn row(actor: &Actor, item: NewItem<'_>) -> timeline_items::ActiveModel {
    timeline_items::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(item.customer_id),
        kind: Set(item.kind.to_owned()),
        occurred_at: Set(item.occurred_at),
        entity_type: Set(item.entity_type.to_owned()),
        entity_id: Set(item.entity_id),
        title: Set(item.title.chars().take(300).collect()),
        summary: Set(item.summary.to_string()),
        actor_id: Set(actor.audit_id()),
    }
}

/// Puts the one item that stands for a record (an interaction, a task) on the timeline, or
/// refreshes it when the record changed.
#[tracing::instrument(skip_all)]
pub async fn upsert(conn: &impl ConnectionTrait, actor: &Actor, item: NewItem<'_>) -> Result<()> {
    let existing = timeline_items::Entity::find()
        .filter(timeline_items::Column::EntityType.eq(item.entity_type))
        .filter(timeline_items::Column::EntityId.eq(item.entity_id))
        .filter(timeline_items::Column::Kind.eq(item.kind))
        .one(conn)
        .await?;
    match existing {
        None => append(conn, actor, item).await,
        Some(row) => {
            let mut model: timeline_items::ActiveModel = row.into();
            model.customer_id = Set(item.customer_id);
            model.occurred_at = Set(item.occurred_at);
            model.title = Set(item.title.chars().take(300).collect());
            model.summary = Set(item.summary.to_string());
            model.update(conn).await?;
            Ok(())
        }
    }
}

/// Takes a record's item off the timeline (the record went to the recycle bin).
#[tracing::instrument(skip_all)]
pub async fn remove(conn: &impl ConnectionTrait, entity_type: &str, entity_id: Uuid, kind: &str) -> Result<()> {
    timeline_items::Entity::delete_many()
        .filter(timeline_items::Column::EntityType.eq(entity_type))
        .filter(timeline_items::Column::EntityId.eq(entity_id))
        .filter(timeline_items::Column::Kind.eq(kind))
        .exec(conn)
        .await?;
    Ok(())
}

/// The summary field that holds an item's title as the system wrote it (a code with
/// parameters), when it did: readers get it worded in their language instead of `title`.
pub const TITLE_MESSAGE: &str = "title_message";

/// One item of the timeline as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    pub id: Uuid,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub title: String,
    pub summary: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
}

const SORT: &str = "-occurred_at";

/// A page of a customer's timeline, newest first: one query that walks the customer's items in
/// sort order and stops at the page, with actors' names from the name cache. (Joining `users`
/// in the query let PostgreSQL hash-join and sort every item of a busy customer, 1,013 rows for
/// 51, since it estimates a customer's item count from the average.)
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, customer_id: Uuid, kinds: &[String], page: &PageRequest) -> Result<Page<TimelineRow>> {
    use timeline_items::Column as C;
    load_for(&db.conn, actor, Resource::Customers, Action::Read, customer_id, false).await?;
    // Each item is shown under its own kind's permission and scope: a marketing user reading a
    // customer does not see its orders or tickets (see `crate::visibility`).
    let mut condition = Condition::all().add(C::CustomerId.eq(customer_id)).add(crate::visibility::readable(
        actor,
        (timeline_items::Entity, C::EntityType),
        (timeline_items::Entity, C::EntityId),
    ));
    if !kinds.is_empty() {
        condition = condition.add(C::Kind.is_in(kinds.iter().map(String::as_str)));
    }
    if let Some(text) = &page.cursor {
        let cursor = Cursor::decode(text, SORT)?;
        let at = cursor.time()?;
        condition = condition
            .add(Condition::any().add(C::OccurredAt.lt(at)).add(Condition::all().add(C::OccurredAt.eq(at)).add(C::Id.lt(cursor.id))));
    }
    let limit = clamp_limit(page.limit);
    let mut items = timeline_items::Entity::find()
        .filter(condition)
        .order_by_desc(C::OccurredAt)
        .order_by_desc(C::Id)
        .limit(limit + 1)
        .all(&db.conn)
        .await?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        items.last().map(|last| Cursor { sort: SORT.into(), value: json!(last.occurred_at), id: last.id }.encode())
    } else {
        None
    };
    let actor_ids: Vec<Uuid> = items.iter().filter_map(|item| item.actor_id).collect();
    let actor_names = Names::cached(db).users(&actor_ids).await?;
    let rows = items
        .into_iter()
        .map(|item| TimelineRow {
            actor_name: item.actor_id.and_then(|id| actor_names.get(&id).cloned()),
            id: item.id,
            kind: item.kind,
            occurred_at: item.occurred_at,
            entity_type: item.entity_type,
            entity_id: item.entity_id,
            title: item.title,
            summary: item.summary,
            actor_id: item.actor_id,
        })
        .collect();
    Ok(Page { data: rows, next_cursor, total: None })
}
