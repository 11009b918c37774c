//! Tasks (`/tasks`): due dates in the organisation's days, and moves to done, cancelled and open.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::activities::{DEFAULT_PRIORITY, RelatedType, TASK_TITLE_MAX, TaskFields, TaskPatch, TaskPriority, TaskStatus};
use crm_domain::customers::NOTES_MAX;
use crm_domain::{Check, ValidationErrors, text};
use crm_persistence::activities::tasks;

use crate::auth::{Principal, State};
use crate::batch::{Batch, BatchItem, BatchOp, BatchParams, BatchRequest, Written, missing_id, no_upsert};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, double_option, if_match, ok_with_etag, parse_list, parse_uuid};

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
        // A rule's task reads in the language the reader asked for; a person's as they wrote it.
        let lang = crate::error::current_language();
        let (title, description) = (r.title_wording().render(lang), r.description_wording().map(|d| d.render(lang)));
        let f = r.fields;
        Self {
            overdue: r.overdue,
            id: r.id,
            title,
            description,
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
    /// `due_at` (default; undated last), `-updated_at`, `updated_at`.
    pub sort: Option<String>,
}

/// A new task; without an assignee it is the `caller`'s.
fn parse_task(body: CreateTask, caller: Uuid) -> Result<TaskFields, ValidationErrors> {
    let mut check = Check::default();
    let title = check.text("title", &body.title, TASK_TITLE_MAX);
    let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
    let priority = match body.priority.as_deref() {
        Some(p) => check.value("priority", p, TaskPriority::parse),
        None => Some(DEFAULT_PRIORITY),
    };
    let related_type = check.related(body.related_type.as_deref(), body.related_id);
    check.reminder_before_due(body.remind_at, body.due_at);
    let (title, priority) = check.finish_with((title, priority))?;
    Ok(TaskFields {
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

impl TryFrom<UpdateTask> for TaskPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateTask) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            title: body.title.as_deref().and_then(|t| check.text("title", t, TASK_TITLE_MAX)),
            description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
            due_at: body.due_at,
            remind_at: body.remind_at,
            priority: body.priority.as_deref().and_then(|p| check.value("priority", p, TaskPriority::parse)),
            assignee_id: body.assignee_id,
        };
        check.finish()?;
        Ok(patch)
    }
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
    let fields = parse_task(body.into_inner(), principal.user_id)?;
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

/// The list's filter from its query parameters (the list and its export read the same).
fn list_tasks_filter(
    params: &TaskListParams,
    updated: &crate::http::UpdatedAtParams,
    principal: &Principal,
    time_zone: chrono_tz::Tz,
) -> Result<tasks::TaskFilter, ApiError> {
    let now = Utc::now();
    let (today_start, tomorrow) = today_bounds(time_zone, now);
    let mut filter = tasks::TaskFilter {
        assignee_id: match params.assignee_id.as_deref().map(str::trim) {
            Some("me") => Some(principal.user_id),
            other => parse_uuid("assignee_id", other)?,
        },
        statuses: parse_list("status", params.status.as_deref(), TaskStatus::parse)?,
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        q: crate::http::search_query(&params.q)?,
        updated: updated.to_window(time_zone)?,
        sort: crate::http::non_blank(&params.sort),
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
    Ok(filter)
}

/// List tasks: "my tasks" with `assignee_id=me`, by view
#[utoipa::path(tag = "tasks", params(TaskListParams, crate::http::UpdatedAtParams, PageParams), responses(
    (status = 200, description = "Tasks by due time, undated last", body = PageDto<TaskDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tasks")]
pub async fn list_tasks(
    state: State,
    principal: Principal,
    params: web::Query<TaskListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = list_tasks_filter(&params, &updated, &principal, state.time_zone)?;
    let page = tasks::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, TaskDto::from)))
}

/// Export tasks as ndjson, CSV or XLSX
///
/// Every task the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `TaskDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `TaskDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "tasks", params(TaskListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/tasks/export")]
pub async fn export_tasks(
    state: State,
    principal: Principal,
    params: web::Query<TaskListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = list_tasks_filter(&params, &updated, &principal, state.time_zone)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "tasks", kind: "task" },
        tasks::list,
        TaskDto::from,
    )
    .await
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
    let patch = TaskPatch::try_from(body.into_inner())?;
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

/// One task item of a batch.
async fn write_batch_item(state: &State, principal: &Principal, item: BatchItem) -> Result<Written, ApiError> {
    item.allow_only(false, false, false)?;
    match item.op {
        BatchOp::Create => {
            let fields = parse_task(crate::http::from_document(item.body)?, principal.user_id)?;
            let record = tasks::create(&state.db, principal, fields).await?;
            Ok(Written::new(true, record.id, record.version))
        }
        BatchOp::Update => {
            let patch = TaskPatch::try_from(crate::http::from_document::<UpdateTask>(item.body)?)?;
            let record = tasks::update(&state.db, principal, item.id.ok_or_else(missing_id)?, item.if_match, patch).await?;
            Ok(Written::new(false, record.id, record.version))
        }
        BatchOp::Upsert => Err(no_upsert()),
    }
}

/// Create or change up to 1,000 tasks
///
/// Each item is `{op: create|update, body, id?, if_match?}` with the body `POST /tasks` or
/// `PATCH /tasks/{id}` takes. One result per item; `?atomic=true` keeps all or nothing.
#[utoipa::path(tag = "tasks", params(BatchParams, ("Idempotency-Key" = Option<String>, Header)), request_body = BatchRequest, responses(crate::batch::BatchResponses), security(("bearer" = [])))]
#[post("/tasks/batch")]
pub async fn batch_tasks(state: State, principal: Principal, batch: Batch) -> Result<HttpResponse, ApiError> {
    batch.run(&state, async |item: BatchItem| write_batch_item(&state, &principal, item).await).await
}
