//! Tickets (服务请求): numbered by the server, timed by their SLA policy, moved by the service
//! process, assigned by hand or round-robin, discussed in internal and public comments.
//! Visibility follows the customer (`service` scope); an agent always sees what is assigned to them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, LikeExpr, OnConflict, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::activities::{NotificationKind, TimelineKind};
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::service::{
    BusinessCalendar, CalendarSpec, CloseReason, MoveError, NewTicket, Schedule, SlaTargets, TicketChannel, TicketKind, TicketMove,
    TicketPriority, TicketStatus,
};
use crm_domain::written::{SlaClock, SystemText, Wording};
use crm_domain::{HasCode, ValidationErrors, text};

use crate::activities::notifications::notify;
use crate::activities::timeline::{self, NewItem};
use crate::customers::{live_in_scope as live_customers_in_scope, load_for};
use crate::entities::{assignment_cursors, customers, roles, sla_policies, ticket_comments, tickets, user_teams, users};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version, save_next_version_at};
use crate::platform::custom_fields::{self, CustomFieldQuery, fetch_sorted_page};
use crate::platform::events;
use crate::platform::settings::{SERVICE, ServiceSettings};
use crate::query::{UpdatedWindow, escape_like, within_window};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored, stored_json};

const ENTITY: &str = "ticket";

#[derive(Debug, Clone, Serialize)]
pub struct TicketRecord {
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub subject: String,
    pub description: Option<String>,
    pub kind: TicketKind,
    pub channel: TicketChannel,
    pub priority: TicketPriority,
    pub status: TicketStatus,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub sla_policy_id: Uuid,
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was closed; null for a ticket closed after resolution without one, and for
    /// tickets closed before reasons were recorded.
    pub close_reason: Option<CloseReason>,
    pub close_note: Option<String>,
    /// The ticket a duplicate repeats.
    pub duplicate_of_id: Option<Uuid>,
    pub paused_at: Option<DateTime<Utc>>,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
    pub satisfaction_rating: Option<i32>,
    pub satisfaction_comment: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<TicketStatus>,
    pub priorities: Vec<TicketPriority>,
    pub kinds: Vec<TicketKind>,
    pub assignee_id: Option<Uuid>,
    pub unassigned: bool,
    pub team_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub breached: Option<bool>,
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    pub updated: UpdatedWindow,
    pub q: Option<String>,
    /// Tickets a knowledge-base article was used to solve.
    pub article_id: Option<Uuid>,
    /// `cf.<key>` filters (see [`CustomFieldQuery`]).
    pub custom: CustomFieldQuery,
    /// One of the list's sorts, or `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

/// How to assign a ticket.
#[derive(Debug, Clone, Copy)]
pub enum Assignment {
    To(Uuid),
    RoundRobin { team_id: Uuid },
}

fn record_of(row: tickets::Model, customer_name: Option<String>, assignee_name: Option<String>) -> Result<TicketRecord> {
    let close_reason =
        row.close_reason.as_deref().map(|reason| stored("tickets.close_reason", row.id, reason, CloseReason::parse)).transpose()?;
    Ok(TicketRecord {
        id: row.id,
        number: row.number,
        customer_id: row.customer_id,
        customer_name,
        contact_id: row.contact_id,
        subject: row.subject,
        description: row.description,
        kind: stored("tickets.kind", row.id, &row.kind, TicketKind::parse)?,
        channel: stored("tickets.channel", row.id, &row.channel, TicketChannel::parse)?,
        priority: stored("tickets.priority", row.id, &row.priority, TicketPriority::parse)?,
        status: stored("tickets.status", row.id, &row.status, TicketStatus::parse)?,
        assignee_id: row.assignee_id,
        assignee_name,
        team_id: row.team_id,
        sla_policy_id: row.sla_policy_id,
        first_response_due_at: row.first_response_due_at,
        resolution_due_at: row.resolution_due_at,
        first_responded_at: row.first_responded_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        close_reason,
        close_note: row.close_note,
        duplicate_of_id: row.duplicate_of_id,
        paused_at: row.paused_at,
        first_response_breached: row.first_response_breached,
        resolution_breached: row.resolution_breached,
        satisfaction_rating: row.satisfaction_rating,
        satisfaction_comment: row.satisfaction_comment,
        custom_fields: stored_json("tickets.custom_fields", row.id, &row.custom_fields)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

pub(crate) async fn to_records(conn: &impl ConnectionTrait, rows: Vec<tickets::Model>) -> Result<Vec<TicketRecord>> {
    let assignees: Vec<Uuid> = rows.iter().filter_map(|r| r.assignee_id).collect();
    let names = crate::platform::audit::user_names(conn, &assignees).await?;
    let customer_ids: Vec<Uuid> = rows.iter().map(|r| r.customer_id).collect();
    let customer_names = crate::platform::audit::customer_names(conn, &customer_ids).await?;
    rows.into_iter()
        .map(|row| {
            let (customer, assignee) =
                (customer_names.get(&row.customer_id).cloned(), row.assignee_id.and_then(|a| names.get(&a).cloned()));
            record_of(row, customer, assignee)
        })
        .collect()
}

pub(crate) async fn to_record(conn: &impl ConnectionTrait, row: tickets::Model) -> Result<TicketRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// The schedule and targets of an SLA policy. Policies are checked when they are written, so one
/// that does not read back is a broken database, not something the client can fix.
pub(crate) fn policy_clock(policy: &sla_policies::Model) -> Result<(Schedule, SlaTargets)> {
    let targets: SlaTargets = stored_json("sla_policies.targets", policy.id, &policy.targets)?;
    let schedule = if policy.business_hours {
        let spec: CalendarSpec = stored_json("sla_policies.calendar", policy.id, &policy.calendar)?;
        let calendar: BusinessCalendar = stored("sla_policies.calendar", policy.id, &policy.calendar, |_| spec.to_calendar())?;
        Schedule::BusinessHours(calendar)
    } else {
        Schedule::AroundTheClock
    };
    Ok((schedule, targets))
}

/// Both due times: the targets plus the working time spent waiting for the customer, counted in
/// the policy's schedule from the ticket's creation.
fn due_times(
    schedule: &Schedule,
    targets: &SlaTargets,
    priority: TicketPriority,
    created_at: DateTime<Utc>,
    paused_minutes: i64,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let target = targets.for_priority(priority);
    (
        schedule.add_working_minutes(created_at, target.first_response_minutes + paused_minutes),
        schedule.add_working_minutes(created_at, target.resolution_minutes + paused_minutes),
    )
}

async fn next_number(conn: &impl ConnectionTrait) -> Result<String> {
    Ok(format!("T-{:06}", crate::next_in_sequence(conn, "ticket").await?))
}

/// The next agent of a team in turn: active members with the support role, in id order, after the
/// one who got the team's last ticket. The team's cursor row is locked by updating it first, so
/// concurrent assignments on any number of instances take turns.
async fn next_in_turn(conn: &impl ConnectionTrait, team_id: Uuid) -> Result<Uuid> {
    let support = roles::Entity::find()
        .filter(roles::Column::Key.eq("support"))
        .one(conn)
        .await?
        .ok_or_else(|| Error::unexpected(sea_orm::DbErr::Custom("the built-in support role is missing".into())))?;
    let members = Query::select()
        .column(user_teams::Column::UserId)
        .from(user_teams::Entity)
        .and_where(user_teams::Column::TeamId.eq(team_id))
        .take();
    let mut agents: Vec<Uuid> = users::Entity::find()
        .filter(users::Column::Active.eq(true))
        .filter(users::Column::RoleId.eq(support.id))
        .filter(users::Column::Id.in_subquery(members))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    agents.sort();
    let first = *agents.first().ok_or_else(|| {
        Error::conflict("team.no_agent", text!("the team has no active support agent to assign", "该团队没有可分配的在岗客服人员"))
    })?;
    assignment_cursors::Entity::insert(assignment_cursors::ActiveModel {
        team_id: Set(team_id),
        last_user_id: Set(Uuid::nil()),
        updated_at: Set(now()),
    })
    .on_conflict(OnConflict::column(assignment_cursors::Column::TeamId).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    assignment_cursors::Entity::update_many()
        .col_expr(assignment_cursors::Column::UpdatedAt, Expr::value(now()))
        .filter(assignment_cursors::Column::TeamId.eq(team_id))
        .exec(conn)
        .await?;
    let cursor = assignment_cursors::Entity::find_by_id(team_id).one(conn).await?.map(|c| c.last_user_id).unwrap_or_default();
    let next = agents.iter().copied().find(|a| *a > cursor).unwrap_or(first);
    assignment_cursors::Entity::update_many()
        .col_expr(assignment_cursors::Column::LastUserId, Expr::value(next))
        .filter(assignment_cursors::Column::TeamId.eq(team_id))
        .exec(conn)
        .await?;
    Ok(next)
}

/// The next agent of the service settings' default team, for tickets opened without a team or
/// assignee; none (the ticket waits in the unassigned queue) when there is no such team or it has
/// no agent, since refusing a customer's ticket for want of staff would lose it.
async fn default_team_turn(conn: &impl ConnectionTrait) -> Result<(Option<Uuid>, Option<Uuid>)> {
    let settings = crate::platform::settings::read::<ServiceSettings>(conn, SERVICE).await?;
    let Some(team) = settings.value.default_team_id else { return Ok((None, None)) };
    match next_in_turn(conn, team).await {
        Ok(agent) => Ok((Some(agent), Some(team))),
        Err(Error::Conflict { code: "team.no_agent", .. }) => Ok((None, Some(team))),
        Err(other) => Err(other),
    }
}

/// A ticket is assigned to an active user whose role may work on tickets (change service
/// records); anyone else could neither see nor answer it.
async fn check_agent(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<()> {
    let Some(user) = users::Entity::find_by_id(user_id).one(conn).await?.filter(|u| u.active) else {
        return Err(Error::validation("assignee_id", "not_found", text!("no active user with this id", "没有此 id 的在职用户")));
    };
    let permissions = crate::identity::roles::granted_by(conn, user.role_id).await?;
    if permissions.scope(Resource::Service, Action::Update) == crm_domain::identity::Scope::None {
        return Err(Error::validation(
            "assignee_id",
            "not_an_agent",
            text!("this user's role may not work on tickets", "该用户的角色无权处理服务请求"),
        ));
    }
    Ok(())
}

async fn put_on_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &TicketRecord) -> Result<()> {
    timeline::upsert(
        conn,
        actor,
        NewItem {
            customer_id: record.customer_id,
            kind: TimelineKind::Ticket.as_str(),
            occurred_at: record.created_at,
            entity_type: ENTITY,
            entity_id: record.id,
            title: &format!("{} {}", record.number, record.subject),
            summary: json!({ "number": record.number, "status": record.status, "priority": record.priority, "kind": record.kind,
                "assignee_name": record.assignee_name, "resolution_due_at": record.resolution_due_at, "breached": record.first_response_breached || record.resolution_breached }),
        },
    )
    .await
}

/// Records a change of a ticket, which `record` now is, and puts it on its customer's timeline.
async fn log(conn: &impl ConnectionTrait, actor: &Actor, record: &TicketRecord, change: Change<'_>) -> Result<()> {
    put_on_timeline(conn, actor, record).await?;
    changes::record(conn, actor, change).await
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewTicket) -> Result<TicketRecord> {
    actor.require(Resource::Service, Action::Create)?;
    let txn = db.begin_write().await?;
    load_for(&txn, actor, Resource::Service, Action::Read, new.customer_id, false).await?;
    if let Some(contact_id) = new.contact_id {
        crate::visibility::check_reference(&txn, actor, "contact", "contact_id", contact_id, Some(new.customer_id)).await?;
    }
    let mut new = new;
    new.custom_fields = custom_fields::settle(db, &txn, CustomEntity::Tickets, &Map::new(), Some(&new.custom_fields), true).await?;
    let record = insert_ticket(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(record)
}

/// Changes a ticket's custom field values (a merge patch); its other fields move through their
/// own actions (status, assignment, comments).
#[tracing::instrument(skip_all)]
pub async fn update_custom_fields(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    incoming: Map<String, Value>,
) -> Result<TicketRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone()).await?;
    let next = custom_fields::settle(db, &txn, CustomEntity::Tickets, &before.custom_fields, Some(&incoming), false).await?;
    if next == before.custom_fields {
        txn.commit().await?;
        return Ok(before);
    }
    let mut model: tickets::ActiveModel = row.into();
    model.custom_fields = Set(Value::Object(next).to_string());
    let record = to_record(&txn, save_next_version(&txn, model).await?).await?;
    log(&txn, actor, &record, Change::updated(ENTITY, id, &before, &record).leaving_out(&["customer_name", "assignee_name"])).await?;
    txn.commit().await?;
    Ok(record)
}

/// Opens a ticket whose customer the caller was already allowed to serve (staff through their
/// scope, a portal account through its own customer).
pub(crate) async fn insert_ticket(txn: &impl ConnectionTrait, actor: &Actor, new: NewTicket) -> Result<TicketRecord> {
    let policy = sla_policies::Entity::find()
        .filter(sla_policies::Column::IsDefault.eq(true))
        .one(txn)
        .await?
        .ok_or_else(|| Error::conflict("sla_policy.no_default", text!("no default SLA policy", "没有默认的 SLA 策略")))?;
    let (schedule, targets) = policy_clock(&policy)?;
    let at = now();
    let (first_due, resolution_due) = due_times(&schedule, &targets, new.priority, at, 0);
    if let Some(team) = new.team_id
        && crate::entities::teams::Entity::find_by_id(team).one(txn).await?.is_none()
    {
        return Err(Error::validation("team_id", "not_found", text!("no such team", "没有这个团队")));
    }
    let (assignee, team_id) = match (new.assignee_id, new.team_id) {
        (Some(user), team) => {
            check_agent(txn, user).await?;
            (Some(user), team)
        }
        (None, Some(team)) => (Some(next_in_turn(txn, team).await?), Some(team)),
        (None, None) => default_team_turn(txn).await?,
    };
    let id = Uuid::now_v7();
    let search = format!("{} {}", new.subject.to_lowercase(), new.description.as_deref().unwrap_or_default().to_lowercase());
    let row = insert_first_version(
        txn,
        tickets::ActiveModel {
            id: Set(id),
            number: Set(next_number(txn).await?),
            customer_id: Set(new.customer_id),
            contact_id: Set(new.contact_id),
            subject: Set(new.subject),
            description: Set(new.description),
            kind: Set(new.kind.as_str().to_owned()),
            channel: Set(new.channel.as_str().to_owned()),
            priority: Set(new.priority.as_str().to_owned()),
            status: Set(TicketStatus::New.as_str().to_owned()),
            assignee_id: Set(assignee),
            team_id: Set(team_id),
            sla_policy_id: Set(policy.id),
            first_response_due_at: Set(first_due),
            resolution_due_at: Set(resolution_due),
            first_responded_at: Set(None),
            resolved_at: Set(None),
            closed_at: Set(None),
            close_reason: Set(None),
            close_note: Set(None),
            duplicate_of_id: Set(None),
            paused_at: Set(None),
            paused_minutes: Set(0),
            first_response_breached: Set(false),
            resolution_breached: Set(false),
            warned_at: Set(None),
            satisfaction_rating: Set(None),
            satisfaction_comment: Set(None),
            search_text: Set(search),
            custom_fields: Set(Value::Object(new.custom_fields).to_string()),
            ..Default::default()
        },
        at,
    )
    .await?;
    let record = to_record(txn, row).await?;
    if let Some(assignee) = assignee
        && actor.audit_id() != Some(assignee)
    {
        let title = SystemText::TicketCreated { number: record.number.clone(), subject: record.subject.clone() };
        notify(txn, assignee, NotificationKind::TicketAssigned, title, None, ENTITY, id).await?;
    }
    log(txn, actor, &record, Change::created(ENTITY, id, &record)).await?;
    if assignee.is_some() {
        // Assigned as it was created: the feed tells it like any assignment, from nobody.
        let changed = Map::from_iter([("assignee_id".to_owned(), json!([null, assignee]))]);
        events::append(txn, actor, "ticket.assigned", ENTITY, id, changes::payload_of(&record, Some(changed), None)).await?;
    }
    Ok(record)
}

/// The condition on tickets the caller may see: their customers are in the `service` read
/// scope, or the ticket is assigned to the caller.
pub(crate) fn visible(actor: &Actor, scope: Scope) -> Condition {
    let reachable = live_customers_in_scope(actor, scope);
    Condition::any().add(tickets::Column::CustomerId.in_subquery(reachable)).add(tickets::Column::AssigneeId.eq(actor.user_id))
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<tickets::Model> {
    let read = actor.require(Resource::Service, Action::Read)?;
    let row = tickets::Entity::find_by_id(id)
        .filter(tickets::Column::DeletedAt.is_null())
        .filter(visible(actor, read))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if action != Action::Read && row.assignee_id != Some(actor.user_id) {
        let scope = actor.require(Resource::Service, action)?;
        let customer = customers::Entity::find_by_id(row.customer_id).one(conn).await?.ok_or(Error::NotFound)?;
        if !actor.reaches(scope, customer.owner_id, customer.team_id) {
            return Err(Error::Forbidden(text!("your role may not change this ticket", "您的角色无权修改此服务请求")));
        }
    }
    Ok(row)
}

/// A ticket the caller may change (for records that hang off tickets, such as article links).
pub(crate) async fn load_for_update(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<()> {
    load(conn, actor, Action::Update, id).await.map(|_| ())
}

/// A ticket the caller may read, inside the caller's transaction.
pub(crate) async fn get_in(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<TicketRecord> {
    let row = load(conn, actor, Action::Read, id).await?;
    to_record(conn, row).await
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<TicketRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    to_record(&db.conn, row).await
}

/// Moves a ticket through the service process at `at`. Waiting for the customer pauses both
/// clocks; resuming adds the working time that passed to them. Resolving stops the clock (and
/// flags a late resolution); reopening clears the resolution. Closing a ticket that was never
/// resolved needs a reason (`ticket.close_reason_required`); a duplicate may name the ticket it
/// repeats, which the caller must be able to read.
#[tracing::instrument(skip_all)]
pub async fn transition(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    request: TicketMove,
    at: DateTime<Utc>,
) -> Result<TicketRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let record = move_row(&txn, actor, row, request, at).await?;
    txn.commit().await?;
    Ok(record)
}

/// Moves a loaded ticket (see [`transition`]) inside the caller's transaction.
pub(crate) async fn move_row(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    row: tickets::Model,
    request: TicketMove,
    at: DateTime<Utc>,
) -> Result<TicketRecord> {
    let id = row.id;
    let current = stored("tickets.status", id, &row.status, TicketStatus::parse)?;
    let before = to_record(txn, row.clone()).await?;
    let next = request.to;
    current.check_move(&request).map_err(|refusal| match refusal {
        MoveError::NotAllowed { .. } => Error::conflict(refusal.code(), refusal.text()),
        MoveError::CloseReasonRequired => Error::Refused {
            code: refusal.code(),
            message: refusal.text(),
            errors: ValidationErrors::single("close_reason", "required", text!("choose why the ticket is closed", "请选择关闭原因")),
        },
    })?;
    if let Some(closure) = &request.closure {
        closure.check_for(id)?;
        if let Some(original) = closure.duplicate_of {
            load(txn, actor, Action::Read, original).await.map_err(|e| match e {
                Error::NotFound => Error::validation(
                    "duplicate_of",
                    "not_found",
                    text!("no ticket you can see has this id", "没有此 id 的服务请求，或您无权查看"),
                ),
                other => other,
            })?;
        }
    }
    let policy = sla_policies::Entity::find_by_id(row.sla_policy_id).one(txn).await?.ok_or(Error::NotFound)?;
    let (schedule, targets) = policy_clock(&policy)?;
    let priority = stored("tickets.priority", id, &row.priority, TicketPriority::parse)?;
    let mut model: tickets::ActiveModel = row.clone().into();
    let mut paused_minutes = row.paused_minutes;
    if let Some(paused_at) = row.paused_at {
        paused_minutes += schedule.working_minutes_between(paused_at, at);
        model.paused_at = Set(None);
        model.paused_minutes = Set(paused_minutes);
    }
    if next == TicketStatus::WaitingCustomer {
        model.paused_at = Set(Some(at));
    }
    let (first_due, resolution_due) = due_times(&schedule, &targets, priority, row.created_at, paused_minutes);
    model.first_response_due_at = Set(first_due);
    model.resolution_due_at = Set(resolution_due);
    match next {
        TicketStatus::Resolved => {
            model.resolved_at = Set(Some(at));
            if at > resolution_due {
                model.resolution_breached = Set(true);
            }
        }
        TicketStatus::Closed => {
            model.closed_at = Set(Some(at));
            let closure = request.closure.as_ref();
            model.close_reason = Set(closure.map(|c| c.reason.as_str().to_owned()));
            model.close_note = Set(closure.and_then(|c| c.note.clone()));
            model.duplicate_of_id = Set(closure.and_then(|c| c.duplicate_of));
        }
        TicketStatus::InProgress if current == TicketStatus::Resolved => model.resolved_at = Set(None),
        _ => {}
    }
    model.status = Set(next.as_str().to_owned());
    let record = to_record(txn, save_next_version(txn, model).await?).await?;
    let mut changes = json!({ "status": { "old": current, "new": next } });
    if let Some(closure) = &request.closure {
        changes["close_reason"] = json!({ "old": null, "new": closure.reason });
        changes["close_note"] = json!({ "old": null, "new": closure.note });
        changes["duplicate_of_id"] = json!({ "old": null, "new": closure.duplicate_of });
    }
    let mut change = Change::told(ENTITY, id, "update", "ticket.status_changed", changes, Some(&before), &record);
    if next == TicketStatus::Resolved {
        change = change.also_told_as("ticket.resolved");
    }
    log(txn, actor, &record, change).await?;
    Ok(record)
}

/// Assigns a ticket to a user, or to the next support agent of a team in turn.
#[tracing::instrument(skip_all)]
pub async fn assign(db: &Db, actor: &Actor, id: Uuid, assignment: Assignment) -> Result<TicketRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    let (assignee, team) = match assignment {
        Assignment::To(user) => {
            check_agent(&txn, user).await?;
            (user, row.team_id)
        }
        Assignment::RoundRobin { team_id } => (next_in_turn(&txn, team_id).await?, Some(team_id)),
    };
    let previous = row.assignee_id;
    let before = to_record(&txn, row.clone()).await?;
    let mut model: tickets::ActiveModel = row.clone().into();
    model.assignee_id = Set(Some(assignee));
    model.team_id = Set(team);
    let record = to_record(&txn, save_next_version(&txn, model).await?).await?;
    if actor.audit_id() != Some(assignee) {
        let title = SystemText::TicketAssigned { number: record.number.clone(), subject: record.subject.clone() };
        notify(&txn, assignee, NotificationKind::TicketAssigned, title, None, ENTITY, id).await?;
    }
    let audit = json!({ "assignee_id": { "old": previous, "new": assignee } });
    log(&txn, actor, &record, Change::told(ENTITY, id, "update", "ticket.assigned", audit, Some(&before), &record)).await?;
    txn.commit().await?;
    Ok(record)
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentRecord {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    /// Written by the customer in the portal.
    pub from_customer: bool,
    pub body: String,
    pub public: bool,
    pub created_at: DateTime<Utc>,
}

/// Adds a comment. The first public reply by staff stops the first-response clock (and is
/// flagged when it came late); a public reply by staff to a new ticket also moves it to 处理中.
#[tracing::instrument(skip_all)]
pub async fn comment(db: &Db, actor: &Actor, id: Uuid, body: String, public: bool) -> Result<CommentRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    let comment = add_comment(&txn, actor, row, body, public, None).await?;
    txn.commit().await?;
    Ok(comment)
}

/// Adds a comment to a loaded ticket inside the caller's transaction. A customer's reply (from
/// the portal) is always public, never counts as the first response, and takes a ticket that
/// was waiting for the customer back into progress, restarting its clocks.
pub(crate) async fn add_comment(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    row: tickets::Model,
    body: String,
    public: bool,
    portal_account_id: Option<Uuid>,
) -> Result<CommentRecord> {
    let id = row.id;
    let before = to_record(txn, row.clone()).await?;
    let at = now();
    let comment = ticket_comments::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(id),
        author_id: Set(actor.audit_id()),
        body: Set(body),
        public: Set(public),
        created_at: Set(at),
        portal_account_id: Set(portal_account_id),
    }
    .insert(txn)
    .await?;
    let from_customer = portal_account_id.is_some();
    let staff_reply = public && !from_customer;
    let mut row = row;
    if staff_reply && row.first_responded_at.is_none() {
        let mut model: tickets::ActiveModel = row.clone().into();
        model.first_responded_at = Set(Some(at));
        if at > row.first_response_due_at {
            model.first_response_breached = Set(true);
        }
        row = save_next_version_at(txn, model, at).await?;
        put_on_timeline(txn, actor, &to_record(txn, row.clone()).await?).await?;
    }
    // Answering the customer is working on the ticket, so a new one is now in progress; the
    // customer's answer resumes a ticket that waited for it. Either is a move like any other
    // (history, audit, event); an internal note moves nothing.
    let in_progress_now = (staff_reply && row.status == TicketStatus::New.as_str())
        || (from_customer && row.status == TicketStatus::WaitingCustomer.as_str());
    let after = if in_progress_now {
        move_row(txn, actor, row, TicketMove::to(TicketStatus::InProgress), at).await?
    } else {
        to_record(txn, row).await?
    };
    let audit = json!({ "comment_id": comment.id, "public": public });
    let detail = json!({ "comment_id": comment.id, "public": public, "from_customer": from_customer });
    let change = Change::told(ENTITY, id, "comment", "ticket.commented", audit, Some(&before), &after).detailing(detail);
    changes::record(txn, actor, change).await?;
    Ok(CommentRecord {
        id: comment.id,
        ticket_id: id,
        author_id: comment.author_id,
        author_name: Some(actor.display_name.clone()),
        from_customer,
        body: comment.body,
        public,
        created_at: at,
    })
}

#[tracing::instrument(skip_all)]
pub async fn comments(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<CommentRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    comment_page(db, id, false, page).await
}

/// A ticket's comments, oldest first; the customer's view leaves internal notes out.
pub(crate) async fn comment_page(db: &Db, id: Uuid, public_only: bool, page: &PageRequest) -> Result<Page<CommentRecord>> {
    let sort = Sort { key: "created_at", column: ticket_comments::Column::CreatedAt, descending: false, value: SortValue::Time };
    let mut select = ticket_comments::Entity::find().filter(ticket_comments::Column::TicketId.eq(id));
    if public_only {
        select = select.filter(ticket_comments::Column::Public.eq(true));
    }
    let page = fetch_page(&db.conn, select, &sort, ticket_comments::Column::Id, page, |c| (json!(c.created_at), c.id)).await?;
    let names = crate::platform::audit::user_names(&db.conn, &page.data.iter().filter_map(|c| c.author_id).collect::<Vec<_>>()).await?;
    let customers =
        super::portal::account_names(&db.conn, &page.data.iter().filter_map(|c| c.portal_account_id).collect::<Vec<_>>()).await?;
    Ok(page.map(|c| CommentRecord {
        id: c.id,
        ticket_id: c.ticket_id,
        author_name: match c.portal_account_id {
            Some(account) => customers.get(&account).cloned(),
            None => c.author_id.and_then(|a| names.get(&a).cloned()),
        },
        from_customer: c.portal_account_id.is_some(),
        author_id: c.author_id,
        body: c.body,
        public: c.public,
        created_at: c.created_at,
    }))
}

/// Records the customer's satisfaction (1–5) after resolution.
#[tracing::instrument(skip_all)]
pub async fn rate(db: &Db, actor: &Actor, id: Uuid, rating: i32, remark: Option<String>) -> Result<TicketRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    if row.satisfaction_rating.is_some() {
        // Staff record a rating a customer gave them (by phone, say); they never replace one.
        return Err(Error::conflict(
            "ticket.already_rated",
            text!("the ticket is already rated; only the customer may change the rating", "该服务请求已有评分，只有客户本人可以修改"),
        ));
    }
    let record = rate_row(&txn, actor, row, rating, remark).await?;
    txn.commit().await?;
    Ok(record)
}

pub(crate) async fn rate_row(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    row: tickets::Model,
    rating: i32,
    remark: Option<String>,
) -> Result<TicketRecord> {
    if !matches!(stored("tickets.status", row.id, &row.status, TicketStatus::parse)?, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(Error::conflict("ticket.not_resolved", text!("a ticket is rated after it is resolved", "服务请求解决后才能评分")));
    }
    let before = to_record(txn, row.clone()).await?;
    let mut model: tickets::ActiveModel = row.clone().into();
    model.satisfaction_rating = Set(Some(rating));
    model.satisfaction_comment = Set(remark);
    let record = to_record(txn, save_next_version(txn, model).await?).await?;
    let audit = json!({ "satisfaction_rating": rating });
    log(txn, actor, &record, Change::told(ENTITY, record.id, "update", "ticket.rated", audit, Some(&before), &record)).await?;
    Ok(record)
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &TicketFilter, page: &PageRequest) -> Result<Page<TicketRecord>> {
    use tickets::Column as C;
    let scope = actor.require(Resource::Service, Action::Read)?;
    let sorts = [
        Sort { key: "-created_at", column: C::CreatedAt, descending: true, value: SortValue::Time },
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
    ];
    let custom = custom_fields::list_query(db, CustomEntity::Tickets, &filter.custom, filter.sort.as_deref()).await?;
    let mut select = tickets::Entity::find().filter(C::DeletedAt.is_null()).filter(visible(actor, scope)).filter(custom.condition);
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if !filter.priorities.is_empty() {
        select = select.filter(C::Priority.is_in(filter.priorities.iter().map(|s| s.as_str())));
    }
    if !filter.kinds.is_empty() {
        select = select.filter(C::Kind.is_in(filter.kinds.iter().map(|s| s.as_str())));
    }
    if let Some(v) = filter.assignee_id {
        select = select.filter(C::AssigneeId.eq(v));
    }
    if filter.unassigned {
        select = select.filter(C::AssigneeId.is_null());
    }
    if let Some(v) = filter.team_id {
        select = select.filter(C::TeamId.eq(v));
    }
    if let Some(v) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(v));
    }
    match filter.breached {
        Some(true) => select = select.filter(Condition::any().add(C::FirstResponseBreached.eq(true)).add(C::ResolutionBreached.eq(true))),
        Some(false) => select = select.filter(C::FirstResponseBreached.eq(false)).filter(C::ResolutionBreached.eq(false)),
        None => {}
    }
    if let Some(article) = filter.article_id {
        select = select.filter(super::knowledge::tickets_using(article));
    }
    select = select.filter(within_window(C::ResolutionDueAt, filter.due_from, filter.due_to));
    select = select.filter(filter.updated.on(C::UpdatedAt));
    if let Some(q) = filter.q.as_deref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(&q));
        select = select.filter(
            Condition::any()
                .add(Expr::col(C::SearchText).like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(Expr::col(C::Number).like(LikeExpr::new(pattern.to_uppercase()).escape('\\'))),
        );
    }
    let page = match &custom.sort {
        Some(sort) => fetch_sorted_page(&db.conn, select, sort, C::Id, page, |t| (&t.custom_fields, t.id)).await?,
        None => {
            let sort = pick_sort(&sorts, filter.sort.as_deref())?;
            fetch_page(&db.conn, select, sort, C::Id, page, |t| {
                let value = if matches!(sort.column, C::UpdatedAt) { json!(t.updated_at) } else { json!(t.created_at) };
                (value, t.id)
            })
            .await?
        }
    };
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// The SLA watch at `at`: flags late first responses and resolutions of running tickets (not
/// those waiting for the customer) and warns assignees once 80 % of the resolution time is gone.
/// Each flag is claimed by a conditional update, so two schedulers never double-notify.
#[tracing::instrument(skip_all)]
pub async fn watch_sla(db: &Db, at: DateTime<Utc>) -> Result<u64> {
    let system = Actor::system();
    let running = [TicketStatus::New.as_str(), TicketStatus::InProgress.as_str()];
    let candidates = tickets::Entity::find()
        .filter(tickets::Column::DeletedAt.is_null())
        .filter(tickets::Column::Status.is_in(running))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(tickets::Column::FirstRespondedAt.is_null())
                        .add(tickets::Column::FirstResponseBreached.eq(false))
                        .add(tickets::Column::FirstResponseDueAt.lt(at)),
                )
                .add(Condition::all().add(tickets::Column::ResolutionBreached.eq(false)).add(tickets::Column::ResolutionDueAt.lt(at)))
                .add(tickets::Column::WarnedAt.is_null()),
        )
        .order_by_asc(tickets::Column::ResolutionDueAt)
        .all(&db.conn)
        .await?;
    let mut flagged = 0;
    for ticket in candidates {
        let policy = sla_policies::Entity::find_by_id(ticket.sla_policy_id).one(&db.conn).await?.ok_or(Error::NotFound)?;
        let (schedule, _) = policy_clock(&policy)?;
        let txn = db.begin_write().await?;
        let mut breaches = Vec::new();
        if ticket.first_responded_at.is_none() && !ticket.first_response_breached && ticket.first_response_due_at < at {
            let claimed = tickets::Entity::update_many()
                .col_expr(tickets::Column::FirstResponseBreached, Expr::value(true))
                .filter(tickets::Column::Id.eq(ticket.id))
                .filter(tickets::Column::FirstResponseBreached.eq(false))
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 1 {
                breaches.push("first_response");
            }
        }
        if !ticket.resolution_breached && ticket.resolution_due_at < at {
            let claimed = tickets::Entity::update_many()
                .col_expr(tickets::Column::ResolutionBreached, Expr::value(true))
                .filter(tickets::Column::Id.eq(ticket.id))
                .filter(tickets::Column::ResolutionBreached.eq(false))
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 1 {
                breaches.push("resolution");
            }
        }
        // The flags are bookkeeping of the watch, not an edit (no audit entry, no new version); the
        // event still carries the ticket as it now is, with the flag it raised.
        let raised = match breaches.is_empty() {
            true => None,
            false => {
                let row = tickets::Entity::find_by_id(ticket.id).one(&txn).await?.ok_or(Error::NotFound)?;
                Some((to_record(&txn, ticket.clone()).await?, to_record(&txn, row).await?))
            }
        };
        for clock in &breaches {
            if let Some((before, after)) = &raised {
                let payload = changes::payload_of(after, Some(changes::changed_pairs(before, after)), Some(json!({ "clock": clock })));
                events::append(&txn, &system, "ticket.sla_breached", ENTITY, ticket.id, payload).await?;
            }
            if let Some(assignee) = ticket.assignee_id {
                let title = SystemText::SlaBreached { number: ticket.number.clone(), subject: ticket.subject.clone() };
                let clock = match *clock {
                    "first_response" => SlaClock::FirstResponse,
                    _ => SlaClock::Resolution,
                };
                let missed = Wording::System(SystemText::SlaClock { clock });
                notify(&txn, assignee, NotificationKind::SlaBreached, title, Some(missed), ENTITY, ticket.id).await?;
            }
            flagged += 1;
        }
        if ticket.warned_at.is_none() && schedule.elapsed_percent(ticket.created_at, ticket.resolution_due_at, at) >= 80 {
            let claimed = tickets::Entity::update_many()
                .col_expr(tickets::Column::WarnedAt, Expr::value(at))
                .filter(tickets::Column::Id.eq(ticket.id))
                .filter(tickets::Column::WarnedAt.is_null())
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 1
                && let Some(assignee) = ticket.assignee_id
                && breaches.is_empty()
            {
                let title = SystemText::SlaAtRisk { number: ticket.number.clone(), subject: ticket.subject.clone() };
                notify(&txn, assignee, NotificationKind::SlaAtRisk, title, None, ENTITY, ticket.id).await?;
            }
        }
        txn.commit().await?;
    }
    Ok(flagged)
}
