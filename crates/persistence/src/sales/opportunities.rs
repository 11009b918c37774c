//! Opportunities (销售机会): scoped like customers by owner and team, moved through their
//! pipeline's stages by rules, with a stage history that gives time in stage, and the kanban board.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::identity::{Action, Resource};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::sales::{
    Currency, Money, MoveError, NewOpportunity, OpportunityFields, OpportunityPatch, OpportunitySource, Placement, StageKind, check_move,
    weighted_amount,
};
use crm_domain::{HasCode, ValidationErrors, text};

use super::lines::{Line, price_lines, replace_lines};
use super::pipelines::{StageRecord, default_pipeline, stages_of};
use crate::activities::timeline::{self, NewItem};
use crate::customers::load_for;
use crate::entities::{contacts, opportunities, opportunity_lines, opportunity_stage_history, pipeline_stages, users};
use crate::identity::names::Names;
use crate::identity::teams::primary_team;
use crate::pagination::{Sort, SortValue, fetch_first_pages, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version, save_next_version_at};
use crate::platform::custom_fields::{self, CustomFieldQuery, fetch_sorted_page};
use crate::query::{UpdatedWindow, contains_text, within_days};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, no_active_user, now, stored, stored_json};

const ENTITY: &str = "opportunity";

#[derive(Debug, Clone, Serialize)]
pub struct OpportunityRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub pipeline_id: Uuid,
    pub stage: StageRecord,
    #[serde(flatten)]
    pub fields: OpportunityFields,
    /// The probability in force: the override, or the stage's.
    pub effective_probability: i32,
    pub weighted_amount_minor: i64,
    pub loss_reason: Option<String>,
    /// Products of the deal; when there are any, the amount is their total.
    pub lines: Vec<Line>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub stage_entered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    pub customer_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub close_from: Option<NaiveDate>,
    pub close_to: Option<NaiveDate>,
    pub updated: UpdatedWindow,
    pub q: Option<String>,
    /// `cf.<key>` filters (see [`CustomFieldQuery`]).
    pub custom: CustomFieldQuery,
    /// One of the list's sorts, or `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

fn fields_of(row: &opportunities::Model) -> Result<OpportunityFields> {
    Ok(OpportunityFields {
        name: row.name.clone(),
        contact_id: row.contact_id,
        amount: Money {
            amount_minor: row.amount_minor,
            currency: stored("opportunities.currency", row.id, &row.currency, Currency::parse)?,
        },
        expected_close_date: row.expected_close_date,
        probability: row.probability,
        source: row.source.as_deref().map(|s| stored("opportunities.source", row.id, s, OpportunitySource::parse)).transpose()?,
        campaign_id: row.campaign_id,
        competitors: stored_json("opportunities.competitors", row.id, &row.competitors)?,
        description: row.description.clone(),
        custom_fields: stored_json("opportunities.custom_fields", row.id, &row.custom_fields)?,
    })
}

fn write_fields(model: &mut opportunities::ActiveModel, f: &OpportunityFields) {
    model.name = Set(f.name.clone());
    model.contact_id = Set(f.contact_id);
    model.amount_minor = Set(f.amount.amount_minor);
    model.currency = Set(f.amount.currency.as_str().to_owned());
    model.expected_close_date = Set(f.expected_close_date);
    model.probability = Set(f.probability);
    model.source = Set(f.source.map(|s| s.as_str().to_owned()));
    model.campaign_id = Set(f.campaign_id);
    model.competitors = Set(serde_json::to_string(&f.competitors).unwrap_or_else(|_| "[]".into()));
    model.description = Set(f.description.clone());
    model.custom_fields = Set(Value::Object(f.custom_fields.clone()).to_string());
    let competitors: Vec<String> = f.competitors.iter().map(|c| c.name.to_lowercase()).collect();
    model.search_text = Set(format!("{} {}", f.name.to_lowercase(), competitors.join(" ")));
}

/// Records for `rows`, read through `conn`; owners' names come from `names` (the cache outside a
/// transaction).
pub(crate) async fn to_records<C: ConnectionTrait>(
    conn: &C,
    names: Names<'_, C>,
    rows: Vec<opportunities::Model>,
) -> Result<Vec<OpportunityRecord>> {
    let owners = names.users(&rows.iter().map(|r| r.owner_id).collect::<Vec<_>>()).await?;
    let customer_ids: Vec<Uuid> = rows.iter().map(|r| r.customer_id).collect();
    let mut stage_ids: Vec<Uuid> = rows.iter().map(|r| r.stage_id).collect();
    stage_ids.sort();
    stage_ids.dedup();
    let names = crate::platform::audit::customer_names(conn, &customer_ids).await?;
    let stages: std::collections::HashMap<Uuid, StageRecord> = if stage_ids.is_empty() {
        Default::default()
    } else {
        pipeline_stages::Entity::find()
            .filter(pipeline_stages::Column::Id.is_in(stage_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| Ok((s.id, StageRecord::try_from(s)?)))
            .collect::<Result<_>>()?
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut lines_of: std::collections::HashMap<Uuid, Vec<Line>> = Default::default();
    if !ids.is_empty() {
        for l in opportunity_lines::Entity::find()
            .filter(opportunity_lines::Column::OpportunityId.is_in(ids))
            .order_by_asc(opportunity_lines::Column::Position)
            .all(conn)
            .await?
        {
            lines_of.entry(l.opportunity_id).or_default().push(Line {
                product_id: l.product_id,
                sku: l.sku,
                product_name: l.product_name,
                quantity: l.quantity,
                unit_price_minor: l.unit_price_minor,
                discount_bp: l.discount_bp,
                line_total_minor: l.line_total_minor,
            });
        }
    }
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let stage = stages.get(&row.stage_id).cloned().ok_or(Error::NotFound)?;
        let fields = fields_of(&row)?;
        let effective_probability = fields.probability.unwrap_or(stage.probability);
        records.push(OpportunityRecord {
            id: row.id,
            customer_id: row.customer_id,
            customer_name: names.get(&row.customer_id).cloned(),
            pipeline_id: row.pipeline_id,
            weighted_amount_minor: weighted_amount(fields.amount.amount_minor, effective_probability),
            effective_probability,
            stage,
            fields,
            loss_reason: row.loss_reason,
            lines: lines_of.remove(&row.id).unwrap_or_default(),
            owner_name: owners.get(&row.owner_id).cloned(),
            owner_id: row.owner_id,
            team_id: row.team_id,
            stage_entered_at: row.stage_entered_at,
            closed_at: row.closed_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        });
    }
    Ok(records)
}

async fn to_record<C: ConnectionTrait>(conn: &C, names: Names<'_, C>, row: opportunities::Model) -> Result<OpportunityRecord> {
    to_records(conn, names, vec![row]).await?.pop().ok_or(Error::NotFound)
}

pub(crate) fn in_scope(actor: &Actor, scope: crm_domain::identity::Scope) -> Condition {
    actor.scope_condition(
        scope,
        (opportunities::Entity, opportunities::Column::OwnerId),
        (opportunities::Entity, opportunities::Column::TeamId),
    )
}

async fn write_lines(conn: &impl ConnectionTrait, opportunity_id: Uuid, lines: &[Line]) -> Result<()> {
    replace_lines!(conn, opportunity_lines, opportunity_id, OpportunityId, opportunity_id, lines)
}

async fn check_contact(conn: &impl ConnectionTrait, customer_id: Uuid, contact_id: Option<Uuid>) -> Result<()> {
    let Some(contact_id) = contact_id else { return Ok(()) };
    let found = contacts::Entity::find_by_id(contact_id)
        .filter(contacts::Column::CustomerId.eq(customer_id))
        .filter(contacts::Column::DeletedAt.is_null())
        .one(conn)
        .await?;
    if found.is_none() {
        return Err(Error::validation("contact_id", "not_found", text!("no such contact at this customer", "该客户下没有这个联系人")));
    }
    Ok(())
}

async fn put_on_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &OpportunityRecord) -> Result<()> {
    timeline::upsert(
        conn,
        actor,
        NewItem {
            customer_id: record.customer_id,
            kind: TimelineKind::Opportunity.as_str(),
            occurred_at: record.created_at,
            entity_type: ENTITY,
            entity_id: record.id,
            title: &record.fields.name,
            summary: json!({ "stage_key": record.stage.key, "stage_name": record.stage.name, "stage_kind": record.stage.kind,
                "amount": record.fields.amount, "expected_close_date": record.fields.expected_close_date, "owner_name": record.owner_name }),
        },
    )
    .await
}

async fn record_history(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    opportunity_id: Uuid,
    from: Option<(Uuid, DateTime<Utc>)>,
    to: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    opportunity_stage_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        opportunity_id: Set(opportunity_id),
        from_stage_id: Set(from.map(|(id, _)| id)),
        to_stage_id: Set(to),
        seconds_in_previous: Set(from.map(|(_, entered)| (at - entered).num_seconds())),
        changed_by: Set(actor.audit_id()),
        changed_at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Creates an opportunity in its pipeline's first open stage (or the open stage named); with
/// lines, its amount is their total.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewOpportunity) -> Result<OpportunityRecord> {
    let NewOpportunity { placement: Placement { customer_id, pipeline_id, stage_id, owner_id }, mut fields, lines } = new;
    let scope = actor.require(Resource::Sales, Action::Create)?;
    let txn = db.begin_write().await?;
    let customer = load_for(&txn, actor, Resource::Sales, Action::Read, customer_id, false).await?;
    check_contact(&txn, customer_id, fields.contact_id).await?;
    let pipeline_id = match pipeline_id {
        Some(id) => id,
        None => default_pipeline(&txn).await?.id,
    };
    let stages = stages_of(&txn, pipeline_id).await?;
    if stages.is_empty() {
        return Err(Error::validation("pipeline_id", "not_found", text!("no such pipeline", "找不到该销售流程")));
    }
    let stage = match stage_id {
        Some(id) => stages.iter().find(|s| s.id == id).cloned().ok_or_else(|| {
            Error::validation("stage_id", "not_found", text!("no such stage in this pipeline", "该销售流程中没有这个阶段"))
        })?,
        None => stages.iter().find(|s| s.kind == StageKind::Open && !s.retired).cloned().ok_or_else(|| {
            Error::conflict("pipeline.no_open_stage", text!("the pipeline has no open stage", "该销售流程没有可用的进行中阶段"))
        })?,
    };
    if stage.kind != StageKind::Open || stage.retired {
        return Err(Error::validation(
            "stage_id",
            "closed_stage",
            text!(
                "an opportunity starts in an open, active stage; move it to close it",
                "销售机会须从未停用的进行中阶段开始；要关闭它，请移动到赢单或输单阶段"
            ),
        ));
    }
    let owner_id = owner_id.unwrap_or(actor.audit_id().unwrap_or(customer.owner_id));
    if users::Entity::find_by_id(owner_id).one(&txn).await?.is_none_or(|u| !u.active) {
        return Err(no_active_user("owner_id"));
    }
    let team_id = primary_team(&txn, owner_id).await?;
    if !actor.reaches(scope, owner_id, team_id) {
        return Err(Error::Forbidden(text!(
            "your role may only create opportunities within its scope",
            "您的角色只能在自己的数据范围内新建销售机会"
        )));
    }
    fields.custom_fields =
        custom_fields::settle(db, &txn, CustomEntity::Opportunities, &Map::new(), Some(&fields.custom_fields), true).await?;
    let priced = if lines.is_empty() { None } else { Some(price_lines(&txn, &fields.amount.currency, &lines).await?) };
    if let Some((_, totals)) = &priced {
        fields.amount = totals.total.clone();
    }
    let at = now();
    let id = Uuid::now_v7();
    let mut model = opportunities::ActiveModel {
        id: Set(id),
        customer_id: Set(customer_id),
        pipeline_id: Set(pipeline_id),
        stage_id: Set(stage.id),
        loss_reason: Set(None),
        owner_id: Set(owner_id),
        team_id: Set(team_id),
        stage_entered_at: Set(at),
        closed_at: Set(None),
        ..Default::default()
    };
    write_fields(&mut model, &fields);
    let inserted = insert_first_version(&txn, model, at).await?;
    if let Some((priced_lines, _)) = &priced {
        write_lines(&txn, id, priced_lines).await?;
    }
    let record = to_record(&txn, Names::Within(&txn), inserted).await?;
    record_history(&txn, actor, id, None, stage.id, at).await?;
    put_on_timeline(&txn, actor, &record).await?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<opportunities::Model> {
    let read = actor.require(Resource::Sales, Action::Read)?;
    let row = opportunities::Entity::find_by_id(id)
        .filter(opportunities::Column::DeletedAt.is_null())
        .filter(in_scope(actor, read))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require_reach_to_change(Resource::Sales, action, row.owner_id, row.team_id, || {
        text!("your role may not change this opportunity", "您的角色无权修改此销售机会")
    })?;
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<OpportunityRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    to_record(&db.conn, Names::cached(db), row).await
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut patch: OpportunityPatch,
) -> Result<OpportunityRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, Names::Within(&txn), row.clone()).await?;
    // The owner and the lines are not fields: the owner's scope and the lines' prices are
    // checked below, against the stored record.
    let owner_id = patch.owner_id.unwrap_or(row.owner_id);
    let new_lines = patch.lines.take();
    if let Some(incoming) = &patch.custom_fields {
        patch.custom_fields =
            Some(custom_fields::settle(db, &txn, CustomEntity::Opportunities, &before.fields.custom_fields, Some(incoming), false).await?);
    }
    let mut next = patch.apply(&before.fields);
    let priced = match &new_lines {
        Some(inputs) if !inputs.is_empty() => Some(price_lines(&txn, &next.amount.currency, inputs).await?),
        _ => None,
    };
    if let Some((_, totals)) = &priced {
        next.amount = totals.total.clone();
    }
    let lines_changed = match (&new_lines, &priced) {
        (Some(_), Some((new_lines, _))) => *new_lines != before.lines,
        (Some(_), None) => !before.lines.is_empty(),
        (None, _) => false,
    };
    if next == before.fields && owner_id == row.owner_id && !lines_changed {
        txn.commit().await?;
        return Ok(before);
    }
    if before.stage.kind == StageKind::Won && next.amount.amount_minor <= 0 {
        let message = text!("a won opportunity keeps an amount greater than zero", "已赢单的销售机会金额须大于零");
        return Err(Error::Refused {
            code: MoveError::WonNeedsAmount.code(),
            errors: ValidationErrors::single("amount", "won_needs_amount", message.clone()),
            message,
        });
    }
    check_contact(&txn, row.customer_id, next.contact_id).await?;
    let mut model: opportunities::ActiveModel = row.clone().into();
    if owner_id != row.owner_id {
        if users::Entity::find_by_id(owner_id).one(&txn).await?.is_none_or(|u| !u.active) {
            return Err(no_active_user("owner_id"));
        }
        let team_id = primary_team(&txn, owner_id).await?;
        let scope = actor.require(Resource::Sales, Action::Update)?;
        if !actor.reaches(scope, owner_id, team_id) {
            return Err(Error::Forbidden(text!(
                "your role may not hand this opportunity to an owner outside its scope",
                "您的角色不能把此销售机会转给数据范围以外的负责人"
            )));
        }
        model.owner_id = Set(owner_id);
        model.team_id = Set(team_id);
    }
    write_fields(&mut model, &next);
    let updated = save_next_version(&txn, model).await?;
    if new_lines.is_some() {
        write_lines(&txn, id, priced.as_ref().map(|(l, _)| l.as_slice()).unwrap_or(&[])).await?;
    }
    let after = to_record(&txn, Names::Within(&txn), updated).await?;
    put_on_timeline(&txn, actor, &after).await?;
    let derived = ["owner_name", "customer_name", "weighted_amount_minor", "effective_probability"];
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after).leaving_out(&derived), after).await
}

/// Moves an opportunity to another stage of its pipeline under the rules of
/// [`check_move`]; records the move with the time spent in the stage it leaves.
#[tracing::instrument(skip_all)]
pub async fn move_stage(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    stage_id: Uuid,
    loss_reason: Option<String>,
    reopen: bool,
) -> Result<OpportunityRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let stages = stages_of(&txn, row.pipeline_id).await?;
    let from = stages.iter().find(|s| s.id == row.stage_id).cloned().ok_or(Error::NotFound)?;
    let to = stages.iter().find(|s| s.id == stage_id).cloned().ok_or_else(|| {
        Error::validation(
            "stage_id",
            "not_found",
            text!("no such stage in this opportunity's pipeline", "该销售机会所在的销售流程中没有这个阶段"),
        )
    })?;
    if to.retired {
        return Err(Error::validation("stage_id", "retired", text!("this stage is retired", "该阶段已停用")));
    }
    let reason = loss_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    check_move(from.kind, to.kind, from.id == to.id, row.amount_minor, reason.as_deref(), reopen).map_err(|refusal| {
        match refusal.field() {
            // A field the client can fill in: 422 under the rule's code, with the field.
            Some((field, field_code)) => Error::Refused {
                code: refusal.code(),
                message: refusal.text(),
                errors: ValidationErrors::single(field, field_code, refusal.text()),
            },
            None => Error::conflict(refusal.code(), refusal.text()),
        }
    })?;
    let before = to_record(&txn, Names::Within(&txn), row.clone()).await?;
    let at = now();
    let mut model: opportunities::ActiveModel = row.clone().into();
    model.stage_id = Set(to.id);
    model.stage_entered_at = Set(at);
    model.closed_at = Set(if to.kind == StageKind::Open { None } else { Some(at) });
    model.loss_reason = Set(if to.kind == StageKind::Lost { reason } else { None });
    let after = to_record(&txn, Names::Within(&txn), save_next_version_at(&txn, model, at).await?).await?;
    record_history(&txn, actor, id, Some((row.stage_id, row.stage_entered_at)), to.id, at).await?;
    put_on_timeline(&txn, actor, &after).await?;
    let change = json!({ "stage": { "old": from.key, "new": to.key }, "loss_reason": after.loss_reason });
    let mut moved = Change::told(ENTITY, id, "update", "opportunity.stage_changed", change, Some(&before), &after);
    // A move that closes or reopens the deal is also told as its own event.
    match to.kind {
        StageKind::Won => moved = moved.also_told_as("opportunity.won"),
        StageKind::Lost => moved = moved.also_told_as("opportunity.lost"),
        StageKind::Open if before.stage.kind != StageKind::Open => moved = moved.also_told_as("opportunity.reopened"),
        StageKind::Open => {}
    }
    changes::commit(txn, actor, moved, after).await
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, Names::Within(&txn), row.clone()).await?;
    move_to_bin(&txn, actor, ENTITY, id, opportunities::ActiveModel::from(row), &before).await?;
    timeline::remove(&txn, ENTITY, id, TimelineKind::Opportunity.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

/// The sorts an opportunity list allows; the board's cards use the first.
fn sorts() -> [Sort<opportunities::Column>; 5] {
    use opportunities::Column as C;
    [
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "-created_at", column: C::CreatedAt, descending: true, value: SortValue::Time },
        Sort { key: "created_at", column: C::CreatedAt, descending: false, value: SortValue::Time },
        Sort { key: "name", column: C::Name, descending: false, value: SortValue::Text },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
    ]
}

fn filtered(actor: &Actor, filter: &OpportunityFilter) -> Result<sea_orm::Select<opportunities::Entity>> {
    use opportunities::Column as C;
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let mut select = opportunities::Entity::find().filter(C::DeletedAt.is_null()).filter(in_scope(actor, scope));
    if let Some(v) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(v));
    }
    if let Some(v) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(v));
    }
    if let Some(v) = filter.team_id {
        select = select.filter(C::TeamId.eq(v));
    }
    if let Some(v) = filter.pipeline_id {
        select = select.filter(C::PipelineId.eq(v));
    }
    if let Some(v) = filter.stage_id {
        select = select.filter(C::StageId.eq(v));
    }
    select = select.filter(within_days(C::ExpectedCloseDate, filter.close_from, filter.close_to));
    select = select.filter(filter.updated.on(C::UpdatedAt));
    select = select.filter(contains_text(C::SearchText, filter.q.as_deref()));
    Ok(select)
}

fn cursor_value(sort: &Sort<opportunities::Column>, row: &opportunities::Model) -> (Value, Uuid) {
    let value = match sort.column {
        opportunities::Column::Name => json!(row.name),
        opportunities::Column::CreatedAt => json!(row.created_at),
        _ => json!(row.updated_at),
    };
    (value, row.id)
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &OpportunityFilter, page: &PageRequest) -> Result<Page<OpportunityRecord>> {
    let custom = custom_fields::list_query(db, CustomEntity::Opportunities, &filter.custom, filter.sort.as_deref()).await?;
    let select = filtered(actor, filter)?.filter(custom.condition);
    let page = match &custom.sort {
        Some(sort) => {
            fetch_sorted_page(&db.conn, select, sort, opportunities::Column::Id, page, |row| (&row.custom_fields, row.id)).await?
        }
        None => {
            let sorts = sorts();
            let sort = pick_sort(&sorts, filter.sort.as_deref())?;
            fetch_page(&db.conn, select, sort, opportunities::Column::Id, page, |row| cursor_value(sort, row)).await?
        }
    };
    Ok(Page { data: to_records(&db.conn, Names::cached(db), page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// One stage move of an opportunity.
#[derive(Debug, Clone, Serialize)]
pub struct StageMove {
    pub id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    /// How long the opportunity stayed in the stage it left.
    pub seconds_in_previous: Option<i64>,
    pub changed_by: Option<Uuid>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
pub async fn stage_history(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<StageMove>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "-changed_at", column: opportunity_stage_history::Column::ChangedAt, descending: true, value: SortValue::Time };
    let select = opportunity_stage_history::Entity::find().filter(opportunity_stage_history::Column::OpportunityId.eq(id));
    let page = fetch_page(&db.conn, select, &sort, opportunity_stage_history::Column::Id, page, |r| (json!(r.changed_at), r.id)).await?;
    let names = crate::platform::audit::user_names(&db.conn, &page.data.iter().filter_map(|r| r.changed_by).collect::<Vec<_>>()).await?;
    Ok(page.map(|r| StageMove {
        id: r.id,
        from_stage_id: r.from_stage_id,
        to_stage_id: r.to_stage_id,
        seconds_in_previous: r.seconds_in_previous,
        changed_by_name: r.changed_by.and_then(|u| names.get(&u).cloned()),
        changed_by: r.changed_by,
        changed_at: r.changed_at,
    }))
}

/// Sums of one currency in one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageSum {
    pub currency: String,
    pub amount_minor: i64,
    pub weighted_minor: i64,
}

/// One column of the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardColumn {
    pub stage: StageRecord,
    pub count: u64,
    /// Per currency: amounts are never added across currencies.
    pub sums: Vec<StageSum>,
    pub cards: Vec<OpportunityRecord>,
    /// Continue this column with `GET /opportunities?stage_id=…&sort=-updated_at&cursor=…`.
    pub next_cursor: Option<String>,
}

/// The kanban board of a pipeline: per stage the count, amount and weighted sums (one grouped
/// query) and the first page of cards, most recently changed first.
/// Per stage and currency: count, amount, Σ amount × own probability, and the amount of those
/// without their own probability (weighted by the stage's).
type StageTotals = (Uuid, String, i64, i64, i64, i64);

/// Stage totals from the board rollup (migration 010): a few rows per stage, owner and team,
/// kept exact by triggers. Serves the board unless it is filtered by something the rollup does
/// not keep (customer, expected close date, search).
async fn board_totals_from_rollup(db: &Db, actor: &Actor, pipeline_id: Uuid, filter: &OpportunityFilter) -> Result<Vec<StageTotals>> {
    use sea_orm::sea_query::{Alias, Query};
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let (owner, team) = (Alias::new("owner_id"), Alias::new("team_id"));
    let mut condition = Condition::all().add(Expr::col(Alias::new("pipeline_id")).eq(pipeline_id)).add(actor.scope_condition(
        scope,
        owner.clone(),
        team.clone(),
    ));
    if let Some(v) = filter.owner_id {
        condition = condition.add(Expr::col(owner).eq(v));
    }
    if let Some(v) = filter.team_id {
        condition = condition.add(Expr::col(team).eq(v));
    }
    let sum = |column: &str| Expr::cust(format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"));
    let query = Query::select()
        .column(Alias::new("stage_id"))
        .column(Alias::new("currency"))
        .expr_as(sum("opportunity_count"), Alias::new("n"))
        .expr_as(sum("amount_minor"), Alias::new("amount"))
        .expr_as(sum("weighted_own"), Alias::new("weighted_own"))
        .expr_as(sum("at_stage_probability_minor"), Alias::new("at_stage_probability"))
        .from(Alias::new("opportunity_stage_rollups"))
        .cond_where(condition)
        .group_by_columns([Alias::new("stage_id"), Alias::new("currency")])
        // a stage and currency whose opportunities all left still has its (zero) rows
        .and_having(Expr::cust("SUM(opportunity_count) > 0"))
        .take();
    let mut totals = Vec::new();
    for row in db.conn.query_all(&query).await? {
        totals.push((
            row.try_get("", "stage_id")?,
            row.try_get("", "currency")?,
            row.try_get("", "n")?,
            row.try_get("", "amount")?,
            row.try_get("", "weighted_own")?,
            row.try_get("", "at_stage_probability")?,
        ));
    }
    Ok(totals)
}

/// Stage totals summed from the matching opportunities themselves.
async fn board_totals_from_opportunities(db: &Db, actor: &Actor, filter: &OpportunityFilter) -> Result<Vec<StageTotals>> {
    Ok(filtered(actor, filter)?
        .select_only()
        .column(opportunities::Column::StageId)
        .column(opportunities::Column::Currency)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"), "amount")
        .column_as(Expr::cust("CAST(COALESCE(SUM(amount_minor * probability), 0) AS BIGINT)"), "weighted_own")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(CASE WHEN probability IS NULL THEN amount_minor ELSE 0 END), 0) AS BIGINT)"),
            "at_stage_probability",
        )
        .group_by(opportunities::Column::StageId)
        .group_by(opportunities::Column::Currency)
        .into_tuple()
        .all(&db.conn)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn board(
    db: &Db,
    actor: &Actor,
    pipeline_id: Uuid,
    filter: &OpportunityFilter,
    cards_per_stage: u64,
) -> Result<Vec<BoardColumn>> {
    let stages = stages_of(&db.conn, pipeline_id).await?;
    if stages.is_empty() {
        return Err(Error::NotFound);
    }
    let filter = OpportunityFilter { pipeline_id: Some(pipeline_id), stage_id: None, sort: None, ..filter.clone() };
    // Amounts whose probability is the stage's are summed apart and weighted once per stage
    // here, so the database does not look up a stage for every opportunity.
    let totals = if filter.customer_id.is_none() && filter.close_from.is_none() && filter.close_to.is_none() && filter.q.is_none() {
        board_totals_from_rollup(db, actor, pipeline_id, &filter).await?
    } else {
        board_totals_from_opportunities(db, actor, &filter).await?
    };
    let sorts = sorts();
    let sort = &sorts[0];
    let stages: Vec<StageRecord> = stages.into_iter().filter(|s| !s.retired).collect();
    let mut lists = Vec::with_capacity(stages.len());
    for stage in &stages {
        lists.push((stage.id, filtered(actor, &OpportunityFilter { stage_id: Some(stage.id), ..filter.clone() })?));
    }
    let first_pages = fetch_first_pages(
        &db.conn,
        lists,
        sort,
        opportunities::Column::Id,
        cards_per_stage,
        |row| row.stage_id,
        |row| cursor_value(sort, row),
    )
    .await?;
    let mut pages = Vec::with_capacity(stages.len());
    for (stage, (_, page)) in stages.into_iter().zip(first_pages) {
        let stage_totals: Vec<&StageTotals> = totals.iter().filter(|t| t.0 == stage.id).collect();
        let count = stage_totals.iter().map(|t| u64::try_from(t.2).unwrap_or(0)).sum();
        let sums = stage_totals
            .iter()
            // The weighted sum is amount × probability; dividing once at the end keeps rounding to one step.
            .map(|t| StageSum {
                currency: t.1.clone(),
                amount_minor: t.3,
                weighted_minor: (t.4 + t.5 * i64::from(stage.probability) + 50) / 100,
            })
            .collect();
        pages.push((BoardColumn { stage, count, sums, cards: Vec::new(), next_cursor: page.next_cursor }, page.data));
    }
    // Names and stages of every column's cards in one round of lookups, then dealt back.
    let mut cards =
        to_records(&db.conn, Names::cached(db), pages.iter().flat_map(|(_, rows)| rows.iter().cloned()).collect()).await?.into_iter();
    let mut columns = Vec::with_capacity(pages.len());
    for (mut column, rows) in pages {
        column.cards = cards.by_ref().take(rows.len()).collect();
        columns.push(column);
    }
    Ok(columns)
}
