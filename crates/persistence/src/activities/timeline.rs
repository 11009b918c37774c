//! The customer timeline (客户360°视图): a projection written in the same transaction as the
//! change it shows, so that a page of the timeline is one indexed query over one table, whatever
//! kinds of record later modules add.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};

use crate::customers::load_for;
use crate::entities::{timeline_items, users};
use crate::pagination::{Cursor, clamp_limit};
use crate::{Actor, Db, Error, Page, PageRequest, Result};

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
pub async fn append(conn: &impl ConnectionTrait, actor: &Actor, item: NewItem<'_>) -> Result<()> {
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
    .insert(conn)
    .await?;
    Ok(())
}

/// Puts the one item that stands for a record (an interaction, a task) on the timeline, or
/// refreshes it when the record changed.
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
pub async fn remove(conn: &impl ConnectionTrait, entity_type: &str, entity_id: Uuid, kind: &str) -> Result<()> {
    timeline_items::Entity::delete_many()
        .filter(timeline_items::Column::EntityType.eq(entity_type))
        .filter(timeline_items::Column::EntityId.eq(entity_id))
        .filter(timeline_items::Column::Kind.eq(kind))
        .exec(conn)
        .await?;
    Ok(())
}

/// One item of the timeline as the API shows it.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
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

/// A page of a customer's timeline, newest first: one query with the actor's name joined in.
pub async fn list(db: &Db, actor: &Actor, customer_id: Uuid, kinds: &[String], page: &PageRequest) -> Result<Page<TimelineRow>> {
    load_for(&db.conn, actor, Resource::Customers, Action::Read, customer_id, false).await?;
    let t = Alias::new("t");
    let u = Alias::new("u");
    let mut condition = Condition::all().add(Expr::col((t.clone(), timeline_items::Column::CustomerId)).eq(customer_id));
    if !kinds.is_empty() {
        condition = condition.add(Expr::col((t.clone(), timeline_items::Column::Kind)).is_in(kinds.to_vec()));
    }
    if let Some(text) = &page.cursor {
        let cursor = Cursor::decode(text, SORT)?;
        let at: DateTime<Utc> =
            serde_json::from_value(cursor.value).map_err(|_| Error::validation("cursor", "invalid", "the cursor is not valid"))?;
        let occurred = || Expr::col((t.clone(), timeline_items::Column::OccurredAt));
        condition = condition.add(
            Condition::any()
                .add(occurred().lt(at))
                .add(Condition::all().add(occurred().eq(at)).add(Expr::col((t.clone(), timeline_items::Column::Id)).lt(cursor.id))),
        );
    }
    let limit = clamp_limit(page.limit);
    let query = Query::select()
        .columns([
            (t.clone(), timeline_items::Column::Id),
            (t.clone(), timeline_items::Column::Kind),
            (t.clone(), timeline_items::Column::OccurredAt),
            (t.clone(), timeline_items::Column::EntityType),
            (t.clone(), timeline_items::Column::EntityId),
            (t.clone(), timeline_items::Column::Title),
            (t.clone(), timeline_items::Column::Summary),
            (t.clone(), timeline_items::Column::ActorId),
        ])
        .expr_as(Expr::col((u.clone(), users::Column::DisplayName)), Alias::new("actor_name"))
        .from_as(timeline_items::Entity, t.clone())
        .join_as(
            JoinType::LeftJoin,
            users::Entity,
            u.clone(),
            Expr::col((u.clone(), users::Column::Id)).equals((t.clone(), timeline_items::Column::ActorId)),
        )
        .cond_where(condition)
        .order_by((t.clone(), timeline_items::Column::OccurredAt), Order::Desc)
        .order_by((t.clone(), timeline_items::Column::Id), Order::Desc)
        .limit(limit + 1)
        .take();
    let backend = db.conn.get_database_backend();
    let mut rows = TimelineRow::find_by_statement(backend.build(&query)).all(&db.conn).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(|last| Cursor { sort: SORT.into(), value: json!(last.occurred_at), id: last.id }.encode())
    } else {
        None
    };
    Ok(Page { data: rows, next_cursor, total: None })
}
