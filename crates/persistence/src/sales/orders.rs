//! Orders (订单/购买记录): numbered by the server, priced in integer minor units, moved through
//! their statuses by rules. A confirmed order makes its customer a `customer` and keeps the
//! customer's purchase figures current.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::external::{ExternalIds, ExternalIdsPatch, ExternalRef};
use crm_domain::identity::{Action, Resource};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::sales::{Currency, Money, NewOrder, OrderPatch, OrderStatus, OrderTerms, StageKind};
use crm_domain::written::SystemText;
use crm_domain::{Lang, text};

use super::lines::{Line, LineInput, Totals, price_lines, replace_lines};
use crate::activities::timeline::{self, NewItem};
use crate::customers::{PurchaseFigures, apply_order_outcome, load_for};
use crate::entities::{customers, opportunities, opportunity_lines, order_lines, orders, pipeline_stages};
use crate::external_refs;
use crate::identity::teams::primary_team;
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version, save_next_version_at};
use crate::platform::custom_fields::{self, CustomFieldQuery, fetch_sorted_page};
use crate::query::{UpdatedWindow, escape_like, within_days};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored, stored_json};

const ENTITY: &str = "order";

#[derive(Debug, Clone, Serialize)]
pub struct OrderRecord {
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub opportunity_id: Option<Uuid>,
    pub external_system: Option<String>,
    pub external_id: Option<String>,
    pub order_date: NaiveDate,
    pub status: OrderStatus,
    #[serde(flatten)]
    pub totals: Totals,
    pub lines: Vec<Line>,
    pub notes: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// How other systems know the order: `{"erp": "SO-2026-0042"}`.
    pub external_ids: ExternalIds,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub customer_id: Option<Uuid>,
    pub statuses: Vec<OrderStatus>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub updated: UpdatedWindow,
    pub q: Option<String>,
    /// `cf.<key>` filters (see [`CustomFieldQuery`]).
    pub custom: CustomFieldQuery,
    /// One of the list's sorts, or `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

pub(crate) async fn to_record(conn: &impl ConnectionTrait, row: orders::Model) -> Result<OrderRecord> {
    let lines = order_lines::Entity::find()
        .filter(order_lines::Column::OrderId.eq(row.id))
        .order_by_asc(order_lines::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| Line {
            product_id: l.product_id,
            sku: l.sku,
            product_name: l.product_name,
            quantity: l.quantity,
            unit_price_minor: l.unit_price_minor,
            discount_bp: l.discount_bp,
            line_total_minor: l.line_total_minor,
        })
        .collect();
    let owner_name = crate::platform::audit::user_names(conn, &[row.owner_id]).await?.remove(&row.owner_id);
    let customer_name = customers::Entity::find_by_id(row.customer_id).one(conn).await?.map(|c| c.name);
    let currency = stored("orders.currency", row.id, &row.currency, Currency::parse)?;
    let money = |amount_minor| Money { amount_minor, currency: currency.clone() };
    let external_ids = external_refs::of_record(conn, ENTITY, row.id).await?;
    Ok(OrderRecord {
        id: row.id,
        number: row.number,
        customer_id: row.customer_id,
        customer_name,
        opportunity_id: row.opportunity_id,
        external_system: row.external_system,
        external_id: row.external_id,
        order_date: row.order_date,
        status: stored("orders.status", row.id, &row.status, OrderStatus::parse)?,
        totals: Totals { subtotal: money(row.subtotal_minor), discount: money(row.discount_minor), total: money(row.total_minor) },
        lines,
        notes: row.notes,
        custom_fields: stored_json("orders.custom_fields", row.id, &row.custom_fields)?,
        owner_id: row.owner_id,
        owner_name,
        team_id: row.team_id,
        confirmed_at: row.confirmed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        external_ids,
    })
}

/// The live order other systems know by `reference`, whoever may read it.
#[tracing::instrument(skip_all)]
pub async fn holder_of(db: &Db, reference: &ExternalRef) -> Result<Option<Uuid>> {
    external_refs::holder_seen(db, ENTITY, reference).await
}

/// The next order number from the database's counter: an atomic increment, so parallel creates
/// on any number of server instances never share a number.
async fn next_number(conn: &impl ConnectionTrait) -> Result<String> {
    Ok(format!("SO-{:06}", crate::next_in_sequence(conn, "order").await?))
}

async fn write_lines(conn: &impl ConnectionTrait, order_id: Uuid, lines: &[Line]) -> Result<()> {
    replace_lines!(conn, order_lines, order_id, OrderId, order_id, lines)
}

async fn put_on_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &OrderRecord) -> Result<()> {
    timeline::upsert(
        conn,
        actor,
        NewItem {
            customer_id: record.customer_id,
            kind: TimelineKind::Order.as_str(),
            occurred_at: record.created_at,
            entity_type: ENTITY,
            entity_id: record.id,
            title: &record.number,
            summary: json!({ "status": record.status, "total": record.totals.total, "order_date": record.order_date, "lines": record.lines.len() }),
        },
    )
    .await
}

/// When a customer's order dated `day` counts as placed: the start of that day in the
/// organisation's `time_zone` (its first and last order times).
pub(crate) fn order_time(day: Option<NaiveDate>, time_zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    day.map(|day| crm_domain::dates::organisation_day_start(day, time_zone))
}

/// The orders a customer's purchase figures count: live, confirmed or fulfilled.
fn counted_orders() -> sea_orm::Select<orders::Entity> {
    let counted = [OrderStatus::Confirmed.as_str(), OrderStatus::Fulfilled.as_str()];
    orders::Entity::find().filter(orders::Column::DeletedAt.is_null()).filter(orders::Column::Status.is_in(counted))
}

/// Sets every customer's first and last order times again, as the starts of its counted orders'
/// first and last days in `time_zone`: after the organisation moved to another zone, or to mend
/// times stored at UTC midnight (migration 019). A derived figure worked out again, like the
/// sales rollups, so neither the version nor the change feed moves. Answers how many customers
/// it dated.
pub(crate) async fn date_customers_orders_in(conn: &impl ConnectionTrait, time_zone: chrono_tz::Tz) -> Result<usize> {
    let dates: Vec<(Uuid, Option<NaiveDate>, Option<NaiveDate>)> = counted_orders()
        .select_only()
        .column(orders::Column::CustomerId)
        .column_as(orders::Column::OrderDate.min(), "first")
        .column_as(orders::Column::OrderDate.max(), "last")
        .group_by(orders::Column::CustomerId)
        .into_tuple()
        .all(conn)
        .await?;
    for (customer_id, first, last) in &dates {
        customers::Entity::update_many()
            .col_expr(customers::Column::FirstOrderAt, Expr::value(order_time(*first, time_zone)))
            .col_expr(customers::Column::LastOrderAt, Expr::value(order_time(*last, time_zone)))
            .filter(customers::Column::Id.eq(*customer_id))
            .exec(conn)
            .await?;
    }
    Ok(dates.len())
}

/// Recomputes a customer's first and last order dates, order count and total spend from its
/// confirmed and fulfilled orders and applies them, with the promotion to `customer` after a
/// confirmed order, as a versioned change of the customer with its audit entry and event. An
/// order date's time is the start of that day in the organisation's `time_zone`.
async fn refresh_purchase_figures(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    order: &OrderRecord,
    promote: bool,
    time_zone: chrono_tz::Tz,
    sealer: &crate::personal_data::Sealer,
) -> Result<()> {
    let figures = purchase_figures(conn, order.customer_id, time_zone).await?;
    let reason = SystemText::OrderMoved { number: order.number.clone(), status: order.status };
    apply_order_outcome(conn, actor, order.customer_id, figures, promote, reason, sealer).await
}

/// A customer's first and last order dates, order count and total spend, from its confirmed and
/// fulfilled orders.
pub(crate) async fn purchase_figures(conn: &impl ConnectionTrait, customer_id: Uuid, time_zone: chrono_tz::Tz) -> Result<PurchaseFigures> {
    let figures: Option<(Option<NaiveDate>, Option<NaiveDate>, i64, i64)> = counted_orders()
        .select_only()
        .column_as(orders::Column::OrderDate.min(), "first")
        .column_as(orders::Column::OrderDate.max(), "last")
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("CAST(COALESCE(SUM(total_minor), 0) AS BIGINT)"), "spend")
        .filter(orders::Column::CustomerId.eq(customer_id))
        .into_tuple()
        .one(conn)
        .await?;
    let (first, last, count, spend) = figures.unwrap_or((None, None, 0, 0));
    Ok(PurchaseFigures {
        first_order_at: order_time(first, time_zone),
        last_order_at: order_time(last, time_zone),
        order_count: i32::try_from(count).unwrap_or(i32::MAX),
        total_spend_minor: spend,
    })
}

async fn insert(conn: &impl ConnectionTrait, actor: &Actor, new: NewOrder, refs: &ExternalIdsPatch) -> Result<OrderRecord> {
    let scope = actor.require(Resource::Sales, Action::Create)?;
    load_for(conn, actor, Resource::Sales, Action::Read, new.customer_id, false).await?;
    if let (Some(system), Some(external)) = (&new.external_system, &new.external_id)
        && let Some(holder) = orders::Entity::find()
            .filter(orders::Column::ExternalSystem.eq(system.clone()))
            .filter(orders::Column::ExternalId.eq(external.clone()))
            .one(conn)
            .await?
    {
        return Err(Error::Taken {
            code: "order.external_id_taken",
            message: text!("{system} already has an order with external id {external}", "{system} 中外部编号为 {external} 的订单已存在"),
            existing_id: holder.id,
        });
    }
    let owner_id = actor.audit_id().ok_or_else(|| Error::Forbidden(text!("orders are created by users", "订单只能以用户身份创建")))?;
    let team_id = primary_team(conn, owner_id).await?;
    if !actor.reaches(scope, owner_id, team_id) {
        return Err(Error::Forbidden(text!("your role may not create orders", "您的角色无权新建订单")));
    }
    let (lines, totals) = price_lines(conn, &new.currency, &new.lines).await?;
    let at = now();
    let id = Uuid::now_v7();
    let row = insert_first_version(
        conn,
        orders::ActiveModel {
            id: Set(id),
            number: Set(next_number(conn).await?),
            customer_id: Set(new.customer_id),
            opportunity_id: Set(new.opportunity_id),
            external_system: Set(new.external_system),
            external_id: Set(new.external_id),
            order_date: Set(new.order_date),
            status: Set(OrderStatus::Draft.as_str().to_owned()),
            currency: Set(new.currency.as_str().to_owned()),
            subtotal_minor: Set(totals.subtotal.amount_minor),
            discount_minor: Set(totals.discount.amount_minor),
            total_minor: Set(totals.total.amount_minor),
            notes: Set(new.notes),
            custom_fields: Set(Value::Object(new.custom_fields).to_string()),
            owner_id: Set(owner_id),
            team_id: Set(team_id),
            confirmed_at: Set(None),
            ..Default::default()
        },
        at,
    )
    .await?;
    write_lines(conn, id, &lines).await?;
    external_refs::change(conn, ENTITY, id, refs).await?;
    let record = to_record(conn, row).await?;
    put_on_timeline(conn, actor, &record).await?;
    changes::record(conn, actor, Change::created(ENTITY, id, &record)).await?;
    Ok(record)
}

/// An order is made of products: one without lines has nothing to confirm.
fn lines_required() -> Error {
    Error::validation("lines", "required", text!("an order needs at least one line", "订单至少需要一行产品"))
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewOrder, refs: &ExternalIdsPatch) -> Result<OrderRecord> {
    if new.lines.is_empty() {
        return Err(lines_required());
    }
    let txn = db.begin_write().await?;
    if let Some(opportunity_id) = new.opportunity_id {
        let opportunity =
            opportunities::Entity::find_by_id(opportunity_id).filter(opportunities::Column::DeletedAt.is_null()).one(&txn).await?;
        if opportunity.is_none_or(|o| o.customer_id != new.customer_id) {
            return Err(Error::validation(
                "opportunity_id",
                "not_found",
                text!("no such opportunity of this customer", "该客户下没有这个销售机会"),
            ));
        }
    }
    let mut new = new;
    new.custom_fields = custom_fields::settle(db, &txn, CustomEntity::Orders, &Map::new(), Some(&new.custom_fields), true).await?;
    let record = insert(&txn, actor, new, refs).await?;
    txn.commit().await?;
    Ok(record)
}

/// Creates a draft order from a won opportunity, copying its lines; the note saying where the
/// order came from is written in `lang`, the language of the person who asked for it.
#[tracing::instrument(skip_all)]
pub async fn create_from_opportunity(
    db: &Db,
    actor: &Actor,
    opportunity_id: Uuid,
    order_date: NaiveDate,
    lang: Lang,
) -> Result<OrderRecord> {
    let txn = db.begin_write().await?;
    let read = actor.require(Resource::Sales, Action::Read)?;
    let opportunity = opportunities::Entity::find_by_id(opportunity_id)
        .filter(opportunities::Column::DeletedAt.is_null())
        .filter(actor.scope_condition(
            read,
            (opportunities::Entity, opportunities::Column::OwnerId),
            (opportunities::Entity, opportunities::Column::TeamId),
        ))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    let stage = pipeline_stages::Entity::find_by_id(opportunity.stage_id).one(&txn).await?.ok_or(Error::NotFound)?;
    if stage.kind != StageKind::Won.as_str() {
        return Err(Error::conflict(
            "opportunity.not_won",
            text!("only a won opportunity becomes an order", "只有赢单的销售机会才能生成订单"),
        ));
    }
    let lines: Vec<LineInput> = opportunity_lines::Entity::find()
        .filter(opportunity_lines::Column::OpportunityId.eq(opportunity_id))
        .order_by_asc(opportunity_lines::Column::Position)
        .all(&txn)
        .await?
        .into_iter()
        .map(|l| LineInput {
            product_id: l.product_id,
            quantity: l.quantity,
            unit_price_minor: Some(l.unit_price_minor),
            discount_bp: l.discount_bp,
        })
        .collect();
    if lines.is_empty() {
        return Err(Error::conflict(
            "opportunity.no_lines",
            text!(
                "the opportunity has no lines to copy; create the order with lines instead",
                "该销售机会没有可复制的产品明细，请直接新建订单并添加产品"
            ),
        ));
    }
    let name = &opportunity.name;
    let note = text!("From opportunity {name}", "来自销售机会：{name}").get(lang).to_owned();
    let mut new = NewOrder {
        customer_id: opportunity.customer_id,
        opportunity_id: Some(opportunity_id),
        external_system: None,
        external_id: None,
        order_date,
        currency: stored("opportunities.currency", opportunity.id, &opportunity.currency, Currency::parse)?,
        lines,
        notes: Some(note),
        custom_fields: Map::new(),
    };
    // The order gets its fields' defaults; a required field without one is asked for here, as
    // on any new order.
    new.custom_fields = custom_fields::settle(db, &txn, CustomEntity::Orders, &Map::new(), None, true).await?;
    let record = insert(&txn, actor, new, &ExternalIdsPatch::default()).await?;
    txn.commit().await?;
    Ok(record)
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<orders::Model> {
    let read = actor.require(Resource::Sales, Action::Read)?;
    let row = orders::Entity::find_by_id(id)
        .filter(orders::Column::DeletedAt.is_null())
        .filter(actor.scope_condition(read, (orders::Entity, orders::Column::OwnerId), (orders::Entity, orders::Column::TeamId)))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require_reach_to_change(Resource::Sales, action, row.owner_id, row.team_id, || {
        text!("your role may not change this order", "您的角色无权修改此订单")
    })?;
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<OrderRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    to_record(&db.conn, row).await
}

/// Changes a draft order; once confirmed, an order changes only by its status (and its external
/// ids, which are not its terms).
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: OrderPatch,
    refs: &ExternalIdsPatch,
) -> Result<OrderRecord> {
    update_as_sent(db, actor, id, None, expected_version, patch, refs).await
}

/// Whether lines sent are the order's own: the same products, quantities and discounts, in the
/// same order, at its prices where a price is sent.
fn sent_as_stored(inputs: &[LineInput], lines: &[Line]) -> bool {
    inputs.len() == lines.len()
        && inputs.iter().zip(lines).all(|(input, line)| {
            input.product_id == line.product_id
                && input.quantity == line.quantity
                && input.discount_bp == line.discount_bp
                && input.unit_price_minor.is_none_or(|price| price == line.unit_price_minor)
        })
}

/// What an order was created with and cannot change: an upsert sending the whole order again
/// must name the same customer and currency.
#[derive(Debug, Clone)]
pub struct OrderIdentity {
    pub customer_id: Uuid,
    pub currency: Currency,
}

/// [`update`] of an order sent whole by an upsert: its customer and currency must be the ones it
/// has, and lines equal to its own are no change.
#[tracing::instrument(skip_all)]
pub async fn update_whole(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    identity: OrderIdentity,
    expected_version: Option<i32>,
    patch: OrderPatch,
    refs: &ExternalIdsPatch,
) -> Result<OrderRecord> {
    update_as_sent(db, actor, id, Some(identity), expected_version, patch, refs).await
}

async fn update_as_sent(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    identity: Option<OrderIdentity>,
    expected_version: Option<i32>,
    mut patch: OrderPatch,
    refs: &ExternalIdsPatch,
) -> Result<OrderRecord> {
    let new_lines = patch.lines.take();
    let incoming_custom = patch.custom_fields.take();
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone()).await?;
    let custom = custom_fields::settle(db, &txn, CustomEntity::Orders, &before.custom_fields, incoming_custom.as_ref(), false).await?;
    let currency = stored("orders.currency", row.id, &row.currency, Currency::parse)?;
    if let Some(identity) = identity {
        if identity.customer_id != row.customer_id {
            return Err(Error::validation("customer_id", "immutable", text!("an order stays with its customer", "订单所属客户不能更改")));
        }
        if identity.currency != currency {
            return Err(Error::validation("currency", "immutable", text!("an order keeps its currency", "订单币种不能更改")));
        }
    }
    // The lines are not terms: they are priced in the order's currency, and lines priced as the
    // order's are no change.
    let priced = match &new_lines {
        Some(inputs) if inputs.is_empty() => return Err(lines_required()),
        // An order past draft keeps the prices it was confirmed at: lines sent as it has them
        // are no change, whatever the catalogue says today (a product renamed, repriced or gone).
        Some(inputs) if row.status != OrderStatus::Draft.as_str() && sent_as_stored(inputs, &before.lines) => None,
        Some(inputs) => Some(price_lines(&txn, &currency, inputs).await?),
        None => None,
    };
    let priced = priced.filter(|(lines, _)| *lines != before.lines);
    let current = OrderTerms { order_date: before.order_date, notes: before.notes.clone() };
    let terms = patch.apply(&current);
    let external_ids = refs.apply(&before.external_ids);
    // Like every other record, an order that a change leaves as it was keeps its version (and a
    // sync sending a confirmed order again is not refused for it).
    if priced.is_none() && terms == current && external_ids == before.external_ids && custom == before.custom_fields {
        txn.commit().await?;
        return Ok(before);
    }
    if (priced.is_some() || terms != current) && row.status != OrderStatus::Draft.as_str() {
        return Err(Error::conflict(
            "order.not_editable",
            text!("only a draft order can be edited; cancel or refund it instead", "只有草稿订单可以修改；请改为取消或退款"),
        ));
    }
    if external_ids != before.external_ids {
        external_refs::change(&txn, ENTITY, id, refs).await?;
    }
    let mut model: orders::ActiveModel = row.clone().into();
    model.order_date = Set(terms.order_date);
    model.notes = Set(terms.notes);
    model.custom_fields = Set(Value::Object(custom).to_string());
    if let Some((lines, totals)) = priced {
        write_lines(&txn, id, &lines).await?;
        model.subtotal_minor = Set(totals.subtotal.amount_minor);
        model.discount_minor = Set(totals.discount.amount_minor);
        model.total_minor = Set(totals.total.amount_minor);
    }
    let after = to_record(&txn, save_next_version(&txn, model).await?).await?;
    put_on_timeline(&txn, actor, &after).await?;
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after).leaving_out(&["owner_name", "customer_name"]), after).await
}

/// Moves an order to `next` if its status allows; confirming promotes the customer, and every
/// move refreshes the customer's purchase figures.
#[tracing::instrument(skip_all)]
pub async fn transition(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, next: OrderStatus) -> Result<OrderRecord> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let current = stored("orders.status", row.id, &row.status, OrderStatus::parse)?;
    if !current.can_move_to(next) {
        let (from_zh, to_zh) = (current.label_zh(), next.label_zh());
        return Err(Error::conflict(
            "order.invalid_transition",
            text!("an order that is {current} cannot become {next}", "订单当前为“{from_zh}”，不能改为“{to_zh}”"),
        ));
    }
    let before = to_record(&txn, row.clone()).await?;
    let at = now();
    let mut model: orders::ActiveModel = row.clone().into();
    model.status = Set(next.as_str().to_owned());
    if next == OrderStatus::Confirmed {
        model.confirmed_at = Set(Some(at));
    }
    let after = to_record(&txn, save_next_version_at(&txn, model, at).await?).await?;
    refresh_purchase_figures(&txn, actor, &after, next == OrderStatus::Confirmed, db.time_zone(), &sealer).await?;
    put_on_timeline(&txn, actor, &after).await?;
    let moved = json!({ "status": { "old": current, "new": next } });
    changes::commit(txn, actor, Change::told(ENTITY, id, "update", format!("order.{}", next.as_str()), moved, Some(&before), &after), after)
        .await
}

/// Deletes a draft order; a confirmed one is cancelled or refunded instead, so figures stay true.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id).await?;
    check_version(expected_version, row.version)?;
    if row.status != OrderStatus::Draft.as_str() {
        return Err(Error::conflict(
            "order.not_deletable",
            text!("only a draft order can be deleted; cancel or refund it instead", "只有草稿订单可以删除；请改为取消或退款"),
        ));
    }
    let before = to_record(&txn, row.clone()).await?;
    let binned = move_to_bin(&txn, actor, ENTITY, id, orders::ActiveModel::from(row), &before).await?;
    external_refs::follow_bin(&txn, ENTITY, id, binned.deleted_at).await?;
    timeline::remove(&txn, ENTITY, id, TimelineKind::Order.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &OrderFilter, page: &PageRequest) -> Result<Page<OrderRecord>> {
    use orders::Column as C;
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let sorts = [
        Sort { key: "-created_at", column: C::CreatedAt, descending: true, value: SortValue::Time },
        Sort { key: "created_at", column: C::CreatedAt, descending: false, value: SortValue::Time },
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
    ];
    let custom = custom_fields::list_query(db, CustomEntity::Orders, &filter.custom, filter.sort.as_deref()).await?;
    let mut select = orders::Entity::find().filter(C::DeletedAt.is_null()).filter(custom.condition).filter(actor.scope_condition(
        scope,
        (orders::Entity, C::OwnerId),
        (orders::Entity, C::TeamId),
    ));
    if let Some(v) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(v));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(v) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(v));
    }
    if let Some(v) = filter.team_id {
        select = select.filter(C::TeamId.eq(v));
    }
    select = select.filter(within_days(C::OrderDate, filter.date_from, filter.date_to));
    select = select.filter(filter.updated.on(C::UpdatedAt));
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(q));
        select = select.filter(
            sea_orm::Condition::any()
                .add(Expr::col(C::Number).like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(Expr::col(C::ExternalId).like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    let page = match &custom.sort {
        Some(sort) => fetch_sorted_page(&db.conn, select, sort, C::Id, page, |row| (&row.custom_fields, row.id)).await?,
        None => {
            let sort = pick_sort(&sorts, filter.sort.as_deref())?;
            fetch_page(&db.conn, select, sort, C::Id, page, |row| {
                let value = if matches!(sort.column, C::UpdatedAt) { json!(row.updated_at) } else { json!(row.created_at) };
                (value, row.id)
            })
            .await?
        }
    };
    let mut data = Vec::with_capacity(page.data.len());
    for row in page.data {
        data.push(to_record(&db.conn, row).await?);
    }
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}
