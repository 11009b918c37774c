//! Communication records (沟通记录). Visibility follows the customer: you see the interactions
//! of customers you may see; you change those your `activities` scope reaches by their owner.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::activities::{Channel, Direction, InteractionFields, InteractionPatch, TimelineKind};
use crm_domain::identity::{Action, Resource};
use crm_domain::text;

use super::timeline::{self, NewItem};
use crate::customers::{live_in_scope, load_for};
use crate::entities::{customers, interactions};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version, take_from_bin};
use crate::query::{UpdatedWindow, contains_text, within_window};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored};

const ENTITY: &str = "interaction";

#[derive(Debug, Clone, Serialize)]
pub struct InteractionRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_name: Option<String>,
    #[serde(flatten)]
    pub fields: InteractionFields,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct InteractionFilter {
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub channels: Vec<Channel>,
    pub owner_id: Option<Uuid>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub updated: UpdatedWindow,
    pub q: Option<String>,
    pub sort: Option<String>,
}

fn fields_of(row: &interactions::Model) -> Result<InteractionFields> {
    Ok(InteractionFields {
        contact_id: row.contact_id,
        opportunity_id: row.opportunity_id,
        ticket_id: row.ticket_id,
        requirement_id: row.requirement_id,
        channel: stored("interactions.channel", row.id, &row.channel, Channel::parse)?,
        direction: stored("interactions.direction", row.id, &row.direction, Direction::parse)?,
        occurred_at: row.occurred_at,
        duration_minutes: row.duration_minutes,
        subject: row.subject.clone(),
        content: row.content.clone(),
        outcome: row.outcome.clone(),
        next_step: row.next_step.clone(),
    })
}

fn write_fields(model: &mut interactions::ActiveModel, f: &InteractionFields) {
    model.contact_id = Set(f.contact_id);
    model.opportunity_id = Set(f.opportunity_id);
    model.ticket_id = Set(f.ticket_id);
    model.requirement_id = Set(f.requirement_id);
    model.channel = Set(f.channel.as_str().to_owned());
    model.direction = Set(f.direction.as_str().to_owned());
    model.occurred_at = Set(f.occurred_at);
    model.duration_minutes = Set(f.duration_minutes);
    model.subject = Set(f.subject.clone());
    model.content = Set(f.content.clone());
    model.outcome = Set(f.outcome.clone());
    model.next_step = Set(f.next_step.clone());
    let text = [Some(f.subject.as_str()), f.content.as_deref(), f.outcome.as_deref(), f.next_step.as_deref()];
    model.search_text = Set(text.iter().flatten().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(" "));
}

pub(crate) async fn to_records(conn: &impl ConnectionTrait, rows: Vec<interactions::Model>) -> Result<Vec<InteractionRecord>> {
    let owners = crate::platform::audit::user_names(conn, &rows.iter().map(|r| r.owner_id).collect::<Vec<_>>()).await?;
    let customer_ids: Vec<Uuid> = rows.iter().map(|r| r.customer_id).collect();
    let contact_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.contact_id).collect();
    let customer_names = crate::platform::audit::customer_names(conn, &customer_ids).await?;
    let contact_names = crate::platform::audit::contact_names(conn, &contact_ids).await?;
    rows.into_iter()
        .map(|row| {
            Ok(InteractionRecord {
                id: row.id,
                customer_id: row.customer_id,
                customer_name: customer_names.get(&row.customer_id).cloned(),
                contact_name: row.contact_id.and_then(|c| contact_names.get(&c).cloned()),
                fields: fields_of(&row)?,
                owner_id: row.owner_id,
                owner_name: owners.get(&row.owner_id).cloned(),
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
                deleted_at: row.deleted_at,
            })
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: interactions::Model) -> Result<InteractionRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// A contact must belong to the interaction's customer.
async fn check_contact(conn: &impl ConnectionTrait, actor: &Actor, customer_id: Uuid, contact_id: Option<Uuid>) -> Result<()> {
    match contact_id {
        Some(id) => crate::visibility::check_reference(conn, actor, "contact", "contact_id", id, Some(customer_id)).await,
        None => Ok(()),
    }
}

/// The records an interaction is about must exist, be readable by the caller and be the
/// customer's own (a requirement, asked for by many customers, need only be readable).
async fn check_links(conn: &impl ConnectionTrait, actor: &Actor, customer_id: Uuid, fields: &InteractionFields) -> Result<()> {
    check_contact(conn, actor, customer_id, fields.contact_id).await?;
    let links = [
        ("opportunity", "opportunity_id", fields.opportunity_id),
        ("ticket", "ticket_id", fields.ticket_id),
        ("requirement", "requirement_id", fields.requirement_id),
    ];
    for (kind, field, id) in links {
        if let Some(id) = id {
            crate::visibility::check_reference(conn, actor, kind, field, id, Some(customer_id)).await?;
        }
    }
    Ok(())
}

/// Keeps `customers.last_interaction_at` equal to the latest live interaction (a derived value:
/// it changes neither the customer's version nor its audit trail). Unlike the purchase figures an
/// order changes (which bump the version and write `customer.updated`), this is a cache of facts
/// the feed already carries (`interaction.*` events name the customer), and logging a call is
/// the most frequent write there is: bumping the version on each would turn every colleague's
/// open edit of the customer into a 412 for a field nobody edits.
pub(crate) async fn refresh_last_interaction(conn: &impl ConnectionTrait, customer_id: Uuid) -> Result<()> {
    let latest: Option<Option<DateTime<Utc>>> = interactions::Entity::find()
        .select_only()
        .column_as(interactions::Column::OccurredAt.max(), "latest")
        .filter(interactions::Column::CustomerId.eq(customer_id))
        .filter(interactions::Column::DeletedAt.is_null())
        .into_tuple()
        .one(conn)
        .await?;
    let latest = latest.flatten();
    customers::Entity::update_many()
        .col_expr(customers::Column::LastInteractionAt, Expr::value(latest))
        .filter(customers::Column::Id.eq(customer_id))
        .exec(conn)
        .await?;
    Ok(())
}

async fn put_on_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &InteractionRecord) -> Result<()> {
    let f = &record.fields;
    timeline::upsert(
        conn,
        actor,
        NewItem {
            customer_id: record.customer_id,
            kind: TimelineKind::Interaction.as_str(),
            occurred_at: f.occurred_at,
            entity_type: ENTITY,
            entity_id: record.id,
            title: &f.subject,
            summary: json!({ "channel": f.channel, "direction": f.direction, "outcome": f.outcome, "next_step": f.next_step,
                "duration_minutes": f.duration_minutes, "contact_id": f.contact_id, "contact_name": record.contact_name }),
        },
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, customer_id: Uuid, fields: InteractionFields) -> Result<InteractionRecord> {
    let txn = db.begin_write().await?;
    let customer = load_for(&txn, actor, Resource::Activities, Action::Create, customer_id, false).await?;
    check_links(&txn, actor, customer_id, &fields).await?;
    let at = now();
    let id = Uuid::now_v7();
    let mut model = interactions::ActiveModel {
        id: Set(id),
        customer_id: Set(customer_id),
        owner_id: Set(actor.audit_id().unwrap_or(customer.owner_id)),
        team_id: Set(actor.team_ids.first().copied().or(customer.team_id)),
        ..Default::default()
    };
    write_fields(&mut model, &fields);
    let record = to_record(&txn, insert_first_version(&txn, model, at).await?).await?;
    refresh_last_interaction(&txn, customer_id).await?;
    put_on_timeline(&txn, actor, &record).await?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

/// Loads a live or deleted interaction whose customer the caller can read, checking that the
/// caller's `activities` scope for `action` reaches it by its owner.
async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid, deleted: bool) -> Result<interactions::Model> {
    let deleted_condition = if deleted { interactions::Column::DeletedAt.is_not_null() } else { interactions::Column::DeletedAt.is_null() };
    let row = interactions::Entity::find_by_id(id).filter(deleted_condition).one(conn).await?.ok_or(Error::NotFound)?;
    load_for(conn, actor, Resource::Activities, Action::Read, row.customer_id, false).await?;
    actor.require_reach_to_change(Resource::Activities, action, row.owner_id, row.team_id, || {
        text!("your role may not change this interaction", "您的角色无权修改此沟通记录")
    })?;
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<InteractionRecord> {
    let row = load(&db.conn, actor, Action::Read, id, false).await?;
    to_record(&db.conn, row).await
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: InteractionPatch) -> Result<InteractionRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id, false).await?;
    check_version(expected_version, row.version)?;
    let current = fields_of(&row)?;
    let next = patch.apply(&current);
    let before = to_record(&txn, row.clone()).await?;
    if next == current {
        txn.commit().await?;
        return Ok(before);
    }
    check_contact(&txn, actor, row.customer_id, next.contact_id).await?;
    let mut model: interactions::ActiveModel = row.clone().into();
    write_fields(&mut model, &next);
    let after = to_record(&txn, save_next_version(&txn, model).await?).await?;
    refresh_last_interaction(&txn, row.customer_id).await?;
    put_on_timeline(&txn, actor, &after).await?;
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after).leaving_out(&["contact_name"]), after).await
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id, false).await?;
    check_version(expected_version, row.version)?;
    let customer_id = row.customer_id;
    let before = to_record(&txn, row.clone()).await?;
    move_to_bin(&txn, actor, ENTITY, id, interactions::ActiveModel::from(row), &before).await?;
    refresh_last_interaction(&txn, customer_id).await?;
    timeline::remove(&txn, ENTITY, id, TimelineKind::Interaction.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn restore(db: &Db, actor: &Actor, id: Uuid) -> Result<InteractionRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id, true).await?;
    let after = to_record(&txn, take_from_bin(&txn, interactions::ActiveModel::from(row.clone())).await?).await?;
    refresh_last_interaction(&txn, row.customer_id).await?;
    put_on_timeline(&txn, actor, &after).await?;
    changes::commit(txn, actor, Change::restored(ENTITY, id, row.deleted_at, &after), after).await
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &InteractionFilter, page: &PageRequest) -> Result<Page<InteractionRecord>> {
    let scope = actor.require(Resource::Activities, Action::Read)?;
    use interactions::Column as C;
    let sorts = [
        Sort { key: "-occurred_at", column: C::OccurredAt, descending: true, value: SortValue::Time },
        Sort { key: "occurred_at", column: C::OccurredAt, descending: false, value: SortValue::Time },
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
    ];
    let sort = pick_sort(&sorts, filter.sort.as_deref())?;
    let reachable = live_in_scope(actor, scope);
    let mut select = interactions::Entity::find().filter(C::DeletedAt.is_null()).filter(C::CustomerId.in_subquery(reachable));
    if let Some(customer_id) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer_id));
    }
    if let Some(contact_id) = filter.contact_id {
        select = select.filter(C::ContactId.eq(contact_id));
    }
    if !filter.channels.is_empty() {
        select = select.filter(C::Channel.is_in(filter.channels.iter().map(|c| c.as_str())));
    }
    if let Some(owner_id) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(owner_id));
    }
    select = select.filter(within_window(C::OccurredAt, filter.occurred_from, filter.occurred_to));
    select = select.filter(filter.updated.on(C::UpdatedAt));
    select = select.filter(contains_text(C::SearchText, filter.q.as_deref()));
    let page = fetch_page(&db.conn, select, sort, C::Id, page, |row| {
        let value = if matches!(sort.column, C::UpdatedAt) { json!(row.updated_at) } else { json!(row.occurred_at) };
        (value, row.id)
    })
    .await?;
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}
