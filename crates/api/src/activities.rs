//! Communication records (`/interactions`), tasks (`/tasks`), follow-up rules
//! (`/follow-up-rules`), notifications (`/notifications`) and the customer timeline.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::activities::{
    Channel, Direction, MAX_DURATION_MINUTES, NotificationKind, RelatedType, TaskPriority, TaskStatus, TimelineKind, check_occurred_at,
};
use crm_domain::customers::{LifecycleStage, NOTES_MAX};
use crm_domain::{FieldError, text};
use crm_persistence::activities::{interactions, notifications, rules, tasks, timeline};

use crate::auth::{AppState, Principal};
use crate::error::{ApiError, Problem};
use crate::http::{
    Check, PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_time_bound, parse_uuid,
};

type State = web::Data<AppState>;

// ---------------------------------------------------------------- interactions

/// A communication record (沟通记录).
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionDto {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub opportunity_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub requirement_id: Option<Uuid>,
    pub channel: Channel,
    pub direction: Direction,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: Option<i32>,
    pub subject: String,
    pub content: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<interactions::InteractionRecord> for InteractionDto {
    fn from(r: interactions::InteractionRecord) -> Self {
        let f = r.fields;
        Self {
            id: r.id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            contact_id: f.contact_id,
            contact_name: r.contact_name,
            opportunity_id: f.opportunity_id,
            ticket_id: f.ticket_id,
            requirement_id: f.requirement_id,
            channel: f.channel,
            direction: f.direction,
            occurred_at: f.occurred_at,
            duration_minutes: f.duration_minutes,
            subject: f.subject,
            content: f.content,
            outcome: f.outcome,
            next_step: f.next_step,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer_id": "0194f5c2-0000-7000-8000-000000000000", "channel": "phone", "subject": "电话回访：确认报价", "outcome": "客户同意下周见面", "next_step": "准备方案"}))]
pub struct CreateInteraction {
    pub customer_id: Uuid,
    /// A contact of that customer.
    pub contact_id: Option<Uuid>,
    /// `phone`, `email`, `visit`, `meeting`, `wechat`, `sms`, `chat` or `note`.
    #[schema(value_type = Channel)]
    pub channel: String,
    /// `inbound` or `outbound` (default).
    #[schema(value_type = Option<Direction>)]
    pub direction: Option<String>,
    /// Default now; at most 5 minutes in the future.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// 0–1440.
    pub duration_minutes: Option<i32>,
    pub subject: String,
    pub content: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub opportunity_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub requirement_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInteraction {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub contact_id: Option<Option<Uuid>>,
    #[schema(value_type = Option<Channel>)]
    pub channel: Option<String>,
    #[schema(value_type = Option<Direction>)]
    pub direction: Option<String>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, nullable)]
    pub duration_minutes: Option<Option<i32>>,
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub content: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub outcome: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub next_step: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionListParams {
    pub customer_id: Option<String>,
    pub contact_id: Option<String>,
    /// One or more channels, comma-separated.
    pub channel: Option<String>,
    pub owner_id: Option<String>,
    /// `YYYY-MM-DD` (from the start of that day in the organisation's time zone, `time_zone` of
    /// `/auth/me`) or RFC 3339; inclusive.
    pub occurred_at_from: Option<String>,
    /// `YYYY-MM-DD` (that whole day of the organisation included) or RFC 3339 (exclusive).
    pub occurred_at_to: Option<String>,
    /// Searches subject, content, outcome and next step.
    pub q: Option<String>,
    /// `-occurred_at` (default) or `occurred_at`.
    pub sort: Option<String>,
}

/// Record an interaction (沟通记录)
#[utoipa::path(tag = "interactions", request_body = CreateInteraction, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Recorded; the customer's last_interaction_at follows", body = InteractionDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not allowed for this customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/interactions")]
pub async fn create_interaction(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateInteraction>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let now = Utc::now();
    let channel = check.value("channel", &body.channel, Channel::parse);
    let direction = match body.direction.as_deref() {
        Some(d) => check.value("direction", d, Direction::parse),
        None => Some(Direction::Outbound),
    };
    let occurred_at = check.value("occurred_at", "", |_| check_occurred_at(body.occurred_at.unwrap_or(now), now));
    let duration_minutes = body.duration_minutes.and_then(|d| check.range("duration_minutes", d, 0, MAX_DURATION_MINUTES));
    let subject = check.text("subject", &body.subject, 200);
    let content = check.optional_text("content", body.content.as_deref(), NOTES_MAX);
    let outcome = check.optional_text("outcome", body.outcome.as_deref(), 2000);
    let next_step = check.optional_text("next_step", body.next_step.as_deref(), 2000);
    let (channel, direction, occurred_at, subject) = check.finish_with((channel, direction, occurred_at, subject))?;
    let fields = interactions::InteractionFields {
        contact_id: body.contact_id,
        opportunity_id: body.opportunity_id,
        ticket_id: body.ticket_id,
        requirement_id: body.requirement_id,
        channel,
        direction,
        occurred_at,
        duration_minutes,
        subject,
        content,
        outcome,
        next_step,
    };
    let record = interactions::create(&state.db, &principal, body.customer_id, fields).await?;
    Ok(created(&InteractionDto::from(record.clone()), format!("/api/v1/interactions/{}", record.id), record.version))
}

/// List interactions of the customers you may see
#[utoipa::path(tag = "interactions", params(InteractionListParams, PageParams), responses(
    (status = 200, description = "A page of interactions", body = PageDto<InteractionDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/interactions")]
pub async fn list_interactions(
    state: State,
    principal: Principal,
    params: web::Query<InteractionListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = interactions::InteractionFilter {
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        contact_id: parse_uuid("contact_id", params.contact_id.as_deref())?,
        channels: parse_list("channel", params.channel.as_deref(), Channel::parse)?,
        owner_id: parse_uuid("owner_id", params.owner_id.as_deref())?,
        occurred_from: parse_time_bound("occurred_at_from", params.occurred_at_from.as_deref(), false, state.time_zone)?,
        occurred_to: parse_time_bound("occurred_at_to", params.occurred_at_to.as_deref(), true, state.time_zone)?,
        q: crate::http::search_query(&params.q)?,
        sort: non_blank(&params.sort),
    };
    let page = interactions::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, InteractionDto::from)))
}

/// Get an interaction
#[utoipa::path(tag = "interactions", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The interaction", body = InteractionDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/interactions/{id}")]
pub async fn get_interaction(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = interactions::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&InteractionDto::from(record.clone()), record.version))
}

/// Change an interaction (JSON merge patch)
#[utoipa::path(tag = "interactions", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateInteraction, responses(
    (status = 200, description = "Changed", body = InteractionDto, headers(("ETag" = String))),
    (status = 403, description = "Not yours to change", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/interactions/{id}")]
pub async fn update_interaction(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateInteraction>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let now = Utc::now();
    let patch = interactions::InteractionPatch {
        contact_id: body.contact_id,
        channel: body.channel.as_deref().and_then(|c| check.value("channel", c, Channel::parse)),
        direction: body.direction.as_deref().and_then(|d| check.value("direction", d, Direction::parse)),
        occurred_at: body.occurred_at.and_then(|at| check.value("occurred_at", "", |_| check_occurred_at(at, now))),
        duration_minutes: body.duration_minutes.map(|d| d.and_then(|d| check.range("duration_minutes", d, 0, MAX_DURATION_MINUTES))),
        subject: body.subject.as_deref().and_then(|s| check.text("subject", s, 200)),
        content: body.content.map(|c| check.optional_text("content", c.as_deref(), NOTES_MAX)),
        outcome: body.outcome.map(|c| check.optional_text("outcome", c.as_deref(), 2000)),
        next_step: body.next_step.map(|c| check.optional_text("next_step", c.as_deref(), 2000)),
    };
    check.finish()?;
    let record = interactions::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&InteractionDto::from(record.clone()), record.version))
}

/// Move an interaction to the recycle bin
#[utoipa::path(tag = "interactions", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "In the recycle bin"),
    (status = 403, description = "Not yours to delete", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/interactions/{id}")]
pub async fn delete_interaction(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    interactions::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore an interaction
#[utoipa::path(tag = "interactions", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Restored", body = InteractionDto, headers(("ETag" = String))),
    (status = 404, description = "Not in the recycle bin, or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/interactions/{id}/restore")]
pub async fn restore_interaction(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = interactions::restore(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&InteractionDto::from(record.clone()), record.version))
}

// ---------------------------------------------------------------- tasks

/// A task or reminder (跟进提醒).
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub priority: TaskPriority,
    pub status: TaskStatus,
    pub assignee_id: Uuid,
    pub assignee_name: Option<String>,
    pub customer_id: Option<Uuid>,
    pub customer_name: Option<String>,
    pub related_type: Option<RelatedType>,
    pub related_id: Option<Uuid>,
    /// The follow-up rule that created it.
    pub rule_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completed_by_name: Option<String>,
    /// Open and past its due time.
    pub overdue: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<tasks::TaskRecord> for TaskDto {
    fn from(r: tasks::TaskRecord) -> Self {
        let f = r.fields;
        Self {
            overdue: r.status == TaskStatus::Open && f.due_at.is_some_and(|due| due < Utc::now()),
            id: r.id,
            title: f.title,
            description: f.description,
            due_at: f.due_at,
            remind_at: f.remind_at,
            priority: f.priority,
            status: r.status,
            assignee_id: f.assignee_id,
            assignee_name: r.assignee_name,
            customer_id: f.customer_id,
            customer_name: r.customer_name,
            related_type: f.related_type,
            related_id: f.related_id,
            rule_id: r.rule_id,
            created_by: r.created_by,
            completed_at: r.completed_at,
            completed_by: r.completed_by,
            completed_by_name: r.completed_by_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    pub title: String,
    pub description: Option<String>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub due_at: Option<DateTime<Utc>>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub remind_at: Option<DateTime<Utc>>,
    /// `low`, `normal` (default), `high` or `urgent`.
    #[schema(value_type = Option<TaskPriority>)]
    pub priority: Option<String>,
    /// Default: the caller.
    pub assignee_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    /// `customer`, `contact` or `interaction`.
    #[schema(value_type = Option<RelatedType>)]
    pub related_type: Option<String>,
    pub related_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::changed")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable)]
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::changed")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable)]
    pub remind_at: Option<Option<DateTime<Utc>>>,
    #[schema(value_type = Option<TaskPriority>)]
    pub priority: Option<String>,
    pub assignee_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// `overdue`, `today`, `upcoming` (open tasks only) or `all` (default).
    pub view: Option<String>,
    /// A user id, or `me`.
    pub assignee_id: Option<String>,
    /// One or more of `open,done,cancelled`.
    pub status: Option<String>,
    pub customer_id: Option<String>,
    pub q: Option<String>,
}

fn task_fields(body: CreateTask, caller: Uuid) -> Result<tasks::TaskFields, ApiError> {
    let mut check = Check::default();
    let title = check.text("title", &body.title, 200);
    let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
    let priority = match body.priority.as_deref() {
        Some(p) => check.value("priority", p, TaskPriority::parse),
        None => Some(TaskPriority::Normal),
    };
    let related_type = body.related_type.as_deref().and_then(|t| check.value("related_type", t, RelatedType::parse));
    if related_type.is_some() != body.related_id.is_some() {
        check.0.push(FieldError::new(
            "related_id",
            "pair",
            text!("related_type and related_id go together", "关联类型与关联记录须同时填写"),
        ));
    }
    if let (Some(remind), Some(due)) = (body.remind_at, body.due_at)
        && remind > due
    {
        check.0.push(FieldError::new(
            "remind_at",
            "after_due",
            text!("the reminder must not come after the due time", "提醒时间不能晚于截止时间"),
        ));
    }
    let (title, priority) = check.finish_with((title, priority))?;
    Ok(tasks::TaskFields {
        title,
        description,
        due_at: body.due_at,
        remind_at: body.remind_at,
        priority,
        assignee_id: body.assignee_id.unwrap_or(caller),
        customer_id: body.customer_id,
        related_type,
        related_id: body.related_id,
    })
}

/// Create a task
#[utoipa::path(tag = "tasks", request_body = CreateTask, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created; the assignee is notified", body = TaskDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "May not assign to this user", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "The customer is absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tasks")]
pub async fn create_task(state: State, principal: Principal, body: crate::http::Json<CreateTask>) -> Result<HttpResponse, ApiError> {
    let fields = task_fields(body.into_inner(), principal.user_id)?;
    let record = tasks::create(&state.db, &principal, fields).await?;
    Ok(created(&TaskDto::from(record.clone()), format!("/api/v1/tasks/{}", record.id), record.version))
}

/// Start and end of "today" in the organisation's time zone, in UTC.
fn today_bounds(tz: chrono_tz::Tz, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = now.with_timezone(&tz);
    let start =
        tz.with_ymd_and_hms(local.year(), local.month(), local.day(), 0, 0, 0).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(now);
    (start, crm_domain::dates::shift(start, chrono::Duration::days(1)))
}

/// List tasks: "my tasks" with `assignee_id=me`, by view
#[utoipa::path(tag = "tasks", params(TaskListParams, PageParams), responses(
    (status = 200, description = "Tasks by due time, undated last", body = PageDto<TaskDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tasks")]
pub async fn list_tasks(
    state: State,
    principal: Principal,
    params: web::Query<TaskListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let (today_start, tomorrow) = today_bounds(state.time_zone, now);
    let mut filter = tasks::TaskFilter {
        assignee_id: match params.assignee_id.as_deref().map(str::trim) {
            Some("me") => Some(principal.user_id),
            other => parse_uuid("assignee_id", other)?,
        },
        statuses: parse_list("status", params.status.as_deref(), TaskStatus::parse)?,
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        q: crate::http::search_query(&params.q)?,
        ..Default::default()
    };
    match params.view.as_deref().map(str::trim).unwrap_or("all") {
        "all" | "" => {}
        view => {
            filter.statuses = vec![TaskStatus::Open];
            match view {
                "overdue" => filter.due_before = Some(now),
                "today" => {
                    filter.due_from = Some(today_start);
                    filter.due_before = Some(tomorrow);
                }
                "upcoming" => filter.due_from = Some(tomorrow),
                _ => {
                    return Err(ApiError::bad_parameter(
                        "view",
                        text!("must be one of: overdue, today, upcoming, all", "只能是以下之一：overdue、today、upcoming、all"),
                    ));
                }
            }
        }
    }
    let page = tasks::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, TaskDto::from)))
}

/// Get a task
#[utoipa::path(tag = "tasks", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The task", body = TaskDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tasks/{id}")]
pub async fn get_task(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = tasks::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&TaskDto::from(record.clone()), record.version))
}

/// Change a task (JSON merge patch); reassigning notifies the new assignee
#[utoipa::path(tag = "tasks", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateTask, responses(
    (status = 200, description = "Changed", body = TaskDto, headers(("ETag" = String))),
    (status = 403, description = "Not yours to change", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/tasks/{id}")]
pub async fn update_task(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateTask>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let patch = tasks::TaskPatch {
        title: body.title.as_deref().and_then(|t| check.text("title", t, 200)),
        description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
        due_at: body.due_at,
        remind_at: body.remind_at,
        priority: body.priority.as_deref().and_then(|p| check.value("priority", p, TaskPriority::parse)),
        assignee_id: body.assignee_id,
    };
    check.finish()?;
    let record = tasks::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&TaskDto::from(record.clone()), record.version))
}

async fn move_task(state: State, principal: Principal, id: Uuid, status: TaskStatus) -> Result<HttpResponse, ApiError> {
    let record = tasks::transition(&state.db, &principal, id, status).await?;
    Ok(ok_with_etag(&TaskDto::from(record.clone()), record.version))
}

/// Complete a task (records who and when)
#[utoipa::path(tag = "tasks", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Done", body = TaskDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tasks/{id}/complete")]
pub async fn complete_task(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_task(state, principal, id.into_inner(), TaskStatus::Done).await
}

/// Cancel a task
#[utoipa::path(tag = "tasks", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Cancelled", body = TaskDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tasks/{id}/cancel")]
pub async fn cancel_task(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_task(state, principal, id.into_inner(), TaskStatus::Cancelled).await
}

/// Reopen a done or cancelled task
#[utoipa::path(tag = "tasks", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Open again", body = TaskDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tasks/{id}/reopen")]
pub async fn reopen_task(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_task(state, principal, id.into_inner(), TaskStatus::Open).await
}

/// Delete a task
#[utoipa::path(tag = "tasks", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Not yours to delete", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/tasks/{id}")]
pub async fn delete_task(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    tasks::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------- follow-up rules

/// "No interaction for `silent_days` in this stage → a task for the owner, due in `due_in_days`."
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpRuleDto {
    pub id: Uuid,
    pub lifecycle_stage: LifecycleStage,
    pub silent_days: i32,
    pub due_in_days: i32,
    pub priority: TaskPriority,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<rules::RuleRecord> for FollowUpRuleDto {
    fn from(r: rules::RuleRecord) -> Self {
        Self {
            id: r.id,
            lifecycle_stage: r.fields.lifecycle_stage,
            silent_days: r.fields.silent_days,
            due_in_days: r.fields.due_in_days,
            priority: r.fields.priority,
            active: r.fields.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFollowUpRule {
    #[schema(value_type = LifecycleStage)]
    pub lifecycle_stage: String,
    /// 1–3650.
    pub silent_days: i32,
    /// 0–365.
    pub due_in_days: i32,
    #[schema(value_type = Option<TaskPriority>)]
    pub priority: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUpRule {
    #[schema(value_type = Option<LifecycleStage>)]
    pub lifecycle_stage: Option<String>,
    pub silent_days: Option<i32>,
    pub due_in_days: Option<i32>,
    #[schema(value_type = Option<TaskPriority>)]
    pub priority: Option<String>,
    pub active: Option<bool>,
}

/// List follow-up rules
#[utoipa::path(tag = "follow-up-rules", params(PageParams), responses((status = 200, description = "Rules", body = PageDto<FollowUpRuleDto>)), security(("bearer" = [])))]
#[get("/follow-up-rules")]
pub async fn list_rules(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = rules::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, FollowUpRuleDto::from)))
}

/// Create a follow-up rule (administrators)
#[utoipa::path(tag = "follow-up-rules", request_body = CreateFollowUpRule, responses(
    (status = 201, description = "Created", body = FollowUpRuleDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/follow-up-rules")]
pub async fn create_rule(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateFollowUpRule>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let stage = check.value("lifecycle_stage", &body.lifecycle_stage, LifecycleStage::parse);
    let silent_days = check.range("silent_days", body.silent_days, 1, 3650);
    let due_in_days = check.range("due_in_days", body.due_in_days, 0, 365);
    let priority = match body.priority.as_deref() {
        Some(p) => check.value("priority", p, TaskPriority::parse),
        None => Some(TaskPriority::Normal),
    };
    let (lifecycle_stage, silent_days, due_in_days, priority) = check.finish_with((stage, silent_days, due_in_days, priority))?;
    let fields = rules::RuleFields { lifecycle_stage, silent_days, due_in_days, priority, active: body.active.unwrap_or(true) };
    let record = rules::create(&state.db, &principal, fields).await?;
    Ok(created(&FollowUpRuleDto::from(record.clone()), format!("/api/v1/follow-up-rules/{}", record.id), record.version))
}

/// Get a follow-up rule
#[utoipa::path(tag = "follow-up-rules", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The rule", body = FollowUpRuleDto, headers(("ETag" = String))),
    (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/follow-up-rules/{id}")]
pub async fn get_rule(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = rules::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&FollowUpRuleDto::from(record.clone()), record.version))
}

/// Change a follow-up rule (administrators)
#[utoipa::path(tag = "follow-up-rules", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateFollowUpRule, responses(
    (status = 200, description = "Changed", body = FollowUpRuleDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/follow-up-rules/{id}")]
pub async fn update_rule(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateFollowUpRule>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let patch = rules::RulePatch {
        lifecycle_stage: body.lifecycle_stage.as_deref().and_then(|s| check.value("lifecycle_stage", s, LifecycleStage::parse)),
        silent_days: body.silent_days.and_then(|d| check.range("silent_days", d, 1, 3650)),
        due_in_days: body.due_in_days.and_then(|d| check.range("due_in_days", d, 0, 365)),
        priority: body.priority.as_deref().and_then(|p| check.value("priority", p, TaskPriority::parse)),
        active: body.active,
    };
    check.finish()?;
    let record = rules::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&FollowUpRuleDto::from(record.clone()), record.version))
}

/// Delete a follow-up rule (administrators)
#[utoipa::path(tag = "follow-up-rules", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted; its tasks stay"),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/follow-up-rules/{id}")]
pub async fn delete_rule(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    rules::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------- notifications

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<notifications::NotificationRecord> for NotificationDto {
    fn from(n: notifications::NotificationRecord) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            entity_type: n.entity_type,
            entity_id: n.entity_id,
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub count: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// Only unread ones.
    pub unread: Option<bool>,
}

/// Your notifications, newest first
#[utoipa::path(tag = "notifications", params(NotificationParams, PageParams), responses((status = 200, description = "Notifications", body = PageDto<NotificationDto>)), security(("bearer" = [])))]
#[get("/notifications")]
pub async fn list_notifications(
    state: State,
    principal: Principal,
    params: web::Query<NotificationParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = notifications::list(&state.db, &principal, params.unread.unwrap_or(false), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, NotificationDto::from)))
}

/// How many of your notifications are unread
#[utoipa::path(tag = "notifications", responses((status = 200, description = "Unread count", body = CountDto)), security(("bearer" = [])))]
#[get("/notifications/unread-count")]
pub async fn unread_notifications(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(CountDto { count: notifications::unread_count(&state.db, &principal).await? }))
}

/// Mark a notification read
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Read", body = NotificationDto),
    (status = 404, description = "Not yours or absent", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/notifications/{id}/read")]
pub async fn read_notification(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(NotificationDto::from(notifications::mark_read(&state.db, &principal, id.into_inner()).await?)))
}

/// Mark all your notifications read
#[utoipa::path(tag = "notifications", responses((status = 200, description = "How many were marked", body = CountDto)), security(("bearer" = [])))]
#[post("/notifications/read-all")]
pub async fn read_all_notifications(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(CountDto { count: notifications::mark_all_read(&state.db, &principal).await? }))
}

// ---------------------------------------------------------------- timeline

/// One item of a customer's timeline. `kind` says what it is; `summary` holds kind-specific
/// details. Later modules add kinds without changing this shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineItemDto {
    pub id: Uuid,
    /// `interaction`, `task`, `stage_change`, `contact`, `opportunity` (later also `order`,
    /// `ticket`, `requirement`).
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub title: String,
    #[schema(value_type = Object)]
    pub summary: Value,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// One or more kinds, comma-separated.
    pub kind: Option<String>,
}

/// A customer's 360° timeline (客户360°视图), newest first
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path), TimelineParams, PageParams), responses(
    (status = 200, description = "Timeline items", body = PageDto<TimelineItemDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}/timeline")]
pub async fn customer_timeline(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<TimelineParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let kinds: Vec<String> =
        parse_list("kind", params.kind.as_deref(), TimelineKind::parse)?.into_iter().map(|k| k.as_str().to_owned()).collect();
    let page = timeline::list(&state.db, &principal, id.into_inner(), &kinds, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |row| TimelineItemDto {
        id: row.id,
        kind: row.kind,
        occurred_at: row.occurred_at,
        entity_type: row.entity_type,
        entity_id: row.entity_id,
        title: row.title,
        summary: serde_json::from_str(&row.summary).unwrap_or(Value::Null),
        actor_id: row.actor_id,
        actor_name: row.actor_name,
    })))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(customer_timeline)
        .service(list_interactions)
        .service(create_interaction)
        .service(get_interaction)
        .service(update_interaction)
        .service(delete_interaction)
        .service(restore_interaction)
        .service(list_tasks)
        .service(create_task)
        .service(get_task)
        .service(update_task)
        .service(delete_task)
        .service(complete_task)
        .service(cancel_task)
        .service(reopen_task)
        .service(list_rules)
        .service(create_rule)
        .service(get_rule)
        .service(update_rule)
        .service(delete_rule)
        .service(unread_notifications)
        .service(read_all_notifications)
        .service(list_notifications)
        .service(read_notification);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_local_day_of_the_organisation() {
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        // 2026-11-23 17:30 UTC is already 2026-11-24 01:30 in Shanghai.
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 17, 30, 0).unwrap();
        let (start, end) = today_bounds(tz, now);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap());
    }
}
