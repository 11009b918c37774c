//! Service: `/tickets` with SLA clocks, assignment, comments and satisfaction.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::ValidationErrors;
use crm_domain::customers::NOTES_MAX;
use crm_domain::service::{
    CalendarSpec, CloseReason, DEFAULT_TICKET_CHANNEL, DEFAULT_TICKET_KIND, DEFAULT_TICKET_PRIORITY, MoveInput, NewTicket, POLICY_NAME_MAX,
    PolicyFields, PolicyPatch, SlaTargets, TICKET_SUBJECT_MAX, TicketChannel, TicketKind, TicketMove, TicketPriority, TicketStatus,
};
use crm_domain::text;
use crm_persistence::service::{sla_policies, tickets};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams, created, if_match, ok_with_etag, parse_list, parse_time_bound, parse_uuid};
use crate::platform::custom_fields::{self, CustomFieldParams};

/// A service ticket (服务请求) with its SLA clocks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: Uuid,
    /// `T-000123`.
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
    /// Moves later while the ticket waits for the customer.
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    /// The first public reply.
    pub first_responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was closed: required when it was closed without being resolved, optional after
    /// resolution; null for tickets closed before reasons were recorded.
    pub close_reason: Option<CloseReason>,
    /// Colleagues' note on the closure (always present with `other`).
    pub close_note: Option<String>,
    /// The ticket a `duplicate` repeats, when named.
    pub duplicate_of_id: Option<Uuid>,
    /// Set while the clocks are paused (waiting for the customer).
    pub paused_at: Option<DateTime<Utc>>,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
    pub satisfaction_rating: Option<i32>,
    pub satisfaction_comment: Option<String>,
    /// Values of the tickets' custom fields by key (see `/custom-fields?entity=tickets`).
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<tickets::TicketRecord> for TicketDto {
    fn from(t: tickets::TicketRecord) -> Self {
        Self {
            id: t.id,
            number: t.number,
            customer_id: t.customer_id,
            customer_name: t.customer_name,
            contact_id: t.contact_id,
            subject: t.subject,
            description: t.description,
            kind: t.kind,
            channel: t.channel,
            priority: t.priority,
            status: t.status,
            assignee_id: t.assignee_id,
            assignee_name: t.assignee_name,
            team_id: t.team_id,
            sla_policy_id: t.sla_policy_id,
            first_response_due_at: t.first_response_due_at,
            resolution_due_at: t.resolution_due_at,
            first_responded_at: t.first_responded_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            close_reason: t.close_reason,
            close_note: t.close_note,
            duplicate_of_id: t.duplicate_of_id,
            paused_at: t.paused_at,
            first_response_breached: t.first_response_breached,
            resolution_breached: t.resolution_breached,
            satisfaction_rating: t.satisfaction_rating,
            satisfaction_comment: t.satisfaction_comment,
            custom_fields: t.custom_fields,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub subject: String,
    pub description: Option<String>,
    /// Default `inquiry`.
    #[schema(value_type = Option<TicketKind>)]
    pub kind: Option<String>,
    /// Default `phone`.
    #[schema(value_type = Option<TicketChannel>)]
    pub channel: Option<String>,
    /// Default `normal`.
    #[schema(value_type = Option<TicketPriority>)]
    pub priority: Option<String>,
    pub assignee_id: Option<Uuid>,
    /// Without an assignee, the team's support agents take turns (round-robin).
    pub team_id: Option<Uuid>,
    /// Values of custom fields by key (see `/custom-fields?entity=tickets`): checked against their
    /// definitions; fields not sent get their default.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// A change of a ticket's custom field values; its other fields move through their own actions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicket {
    /// Merge patch of custom field values: keys sent are set, `null` clears one, others stay.
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// A move through the service process; the close fields go only with `status: closed`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "status": "closed", "close_reason": "duplicate", "duplicate_of": "019a8f3e-6c1b-7d2e-9f00-5b7c1d2e3f40" }))]
pub struct MoveTicket {
    #[schema(value_type = TicketStatus)]
    pub status: String,
    /// Why the ticket is closed: required unless it was resolved first (422
    /// `ticket.close_reason_required` otherwise).
    #[schema(value_type = Option<CloseReason>)]
    pub close_reason: Option<String>,
    /// Up to 1,000 characters; required with `other`.
    pub close_note: Option<String>,
    /// With `duplicate`: the ticket this one repeats (one you can read, not this one).
    pub duplicate_of: Option<Uuid>,
}

impl TryFrom<&MoveTicket> for TicketMove {
    type Error = ApiError;

    fn try_from(body: &MoveTicket) -> Result<Self, ApiError> {
        let input = MoveInput {
            status: &body.status,
            close_reason: body.close_reason.as_deref(),
            close_note: body.close_note.as_deref(),
            duplicate_of: body.duplicate_of,
        };
        TicketMove::parse(input).map_err(ApiError::Validation)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignTicket {
    /// A user; or leave it out and name `team_id` for round-robin.
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComment {
    pub body: String,
    /// Public comments are seen by the customer; the first public reply stops the first-response
    /// clock, and a public reply to a `new` ticket moves it to `in_progress`.
    #[serde(default)]
    pub public: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    /// Written by the customer in the portal (always public).
    pub from_customer: bool,
    pub body: String,
    pub public: bool,
    pub created_at: DateTime<Utc>,
}

impl From<tickets::CommentRecord> for CommentDto {
    fn from(c: tickets::CommentRecord) -> Self {
        Self {
            id: c.id,
            ticket_id: c.ticket_id,
            author_id: c.author_id,
            author_name: c.author_name,
            from_customer: c.from_customer,
            body: c.body,
            public: c.public,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateTicket {
    /// 1–5.
    pub rating: i32,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketListParams {
    /// `my_queue` (assigned to me, not resolved or closed) or `unassigned`.
    pub view: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    pub assignee_id: Option<String>,
    pub team_id: Option<String>,
    pub customer_id: Option<String>,
    /// Only tickets with (true) or without (false) a breached SLA.
    pub breached: Option<bool>,
    /// Resolution due from: `YYYY-MM-DD` (from the start of that day in the organisation's time
    /// zone, `time_zone` of `/auth/me`) or RFC 3339; inclusive.
    pub due_from: Option<String>,
    /// Resolution due before: `YYYY-MM-DD` (that whole day of the organisation included) or RFC
    /// 3339 (exclusive).
    pub due_to: Option<String>,
    /// Part of the number, subject or description.
    pub q: Option<String>,
    /// Tickets a knowledge-base article was used to solve.
    pub article_id: Option<String>,
    /// `-created_at` (default), `-updated_at`, `updated_at`, or `cf.<key>`/`-cf.<key>` for a
    /// custom field.
    pub sort: Option<String>,
}

impl TryFrom<CreateTicket> for NewTicket {
    type Error = ValidationErrors;

    fn try_from(body: CreateTicket) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let subject = check.text("subject", &body.subject, TICKET_SUBJECT_MAX);
        let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
        let kind = match body.kind.as_deref() {
            Some(kind) => check.value("kind", kind, TicketKind::parse),
            None => Some(DEFAULT_TICKET_KIND),
        };
        let channel = match body.channel.as_deref() {
            Some(channel) => check.value("channel", channel, TicketChannel::parse),
            None => Some(DEFAULT_TICKET_CHANNEL),
        };
        let priority = match body.priority.as_deref() {
            Some(priority) => check.value("priority", priority, TicketPriority::parse),
            None => Some(DEFAULT_TICKET_PRIORITY),
        };
        let custom_fields = custom_fields::values(&mut check, &body.custom_fields);
        let (subject, kind, channel, priority) = check.finish_with((subject, kind, channel, priority))?;
        Ok(Self {
            customer_id: body.customer_id,
            contact_id: body.contact_id,
            subject,
            description,
            kind,
            channel,
            priority,
            assignee_id: body.assignee_id,
            team_id: body.team_id,
            custom_fields,
        })
    }
}

/// Open a ticket; due times come from the default SLA policy
#[utoipa::path(tag = "tickets", request_body = CreateTicket, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created", body = TicketDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`team.no_agent`: the team has no support agent to assign; `sla_policy.no_default`: there is no default SLA policy", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tickets")]
pub async fn create_ticket(state: State, principal: Principal, body: crate::http::Json<CreateTicket>) -> Result<HttpResponse, ApiError> {
    let new = NewTicket::try_from(body.into_inner())?;
    let record = tickets::create(&state.db, &principal, new).await?;
    Ok(created(&TicketDto::from(record.clone()), format!("/api/v1/tickets/{}", record.id), record.version))
}

/// The list's filter from its query parameters (the list and its export read the same).
fn list_tickets_filter(
    params: &TicketListParams,
    updated: &crate::http::UpdatedAtParams,
    principal: &Principal,
    time_zone: chrono_tz::Tz,
    custom: CustomFieldParams,
) -> Result<tickets::TicketFilter, ApiError> {
    let mut filter = tickets::TicketFilter {
        statuses: parse_list("status", params.status.as_deref(), TicketStatus::parse)?,
        priorities: parse_list("priority", params.priority.as_deref(), TicketPriority::parse)?,
        kinds: parse_list("kind", params.kind.as_deref(), TicketKind::parse)?,
        assignee_id: parse_uuid("assignee_id", params.assignee_id.as_deref())?,
        team_id: parse_uuid("team_id", params.team_id.as_deref())?,
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        breached: params.breached,
        due_from: parse_time_bound("due_from", params.due_from.as_deref(), false, time_zone)?,
        due_to: parse_time_bound("due_to", params.due_to.as_deref(), true, time_zone)?,
        q: crate::http::search_query(&params.q)?,
        article_id: parse_uuid("article_id", params.article_id.as_deref())?,
        unassigned: false,
        updated: updated.to_window(time_zone)?,
        custom: custom.0,
        sort: crate::http::non_blank(&params.sort),
    };
    match params.view.as_deref() {
        None | Some("") => {}
        Some("my_queue") => {
            filter.assignee_id = Some(principal.user_id);
            filter.statuses = vec![TicketStatus::New, TicketStatus::InProgress, TicketStatus::WaitingCustomer];
        }
        Some("unassigned") => filter.unassigned = true,
        Some(_) => return Err(ApiError::bad_parameter("view", text!("must be my_queue or unassigned", "只能是 my_queue 或 unassigned"))),
    }
    Ok(filter)
}

/// The ticket queue
///
/// Custom fields filter as `cf.<key>=value` (several values comma-separated: any of them),
/// `cf.<key>_from`/`_to` for numbers, money and dates, and sort as `sort=cf.<key>` or
/// `-cf.<key>` (see `/custom-fields`).
#[utoipa::path(tag = "tickets", params(TicketListParams, crate::http::UpdatedAtParams, PageParams), responses((status = 200, description = "Tickets, newest first", body = PageDto<TicketDto>)), security(("bearer" = [])))]
#[get("/tickets")]
pub async fn list_tickets(
    state: State,
    principal: Principal,
    params: web::Query<TicketListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = list_tickets_filter(&params, &updated, &principal, state.time_zone, custom)?;
    let page = tickets::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, TicketDto::from)))
}

/// Export tickets as ndjson, CSV or XLSX
///
/// Every ticket the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `TicketDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `TicketDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "tickets", params(TicketListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/tickets/export")]
pub async fn export_tickets(
    state: State,
    principal: Principal,
    params: web::Query<TicketListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = list_tickets_filter(&params, &updated, &principal, state.time_zone, custom)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "tickets", kind: "ticket" },
        tickets::list,
        TicketDto::from,
    )
    .await
}

/// Get a ticket
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The ticket", body = TicketDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tickets/{id}")]
pub async fn get_ticket(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = tickets::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&TicketDto::from(record.clone()), record.version))
}

/// Change a ticket's custom fields
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateTicket, responses(
    (status = 200, description = "Changed", body = TicketDto, headers(("ETag" = String))),
    (status = 403, description = "The role may not change this ticket", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid custom field values", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/tickets/{id}")]
pub async fn update_ticket(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateTicket>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let values = custom_fields::values(&mut check, &body.custom_fields);
    check.finish()?;
    let record = tickets::update_custom_fields(&state.db, &principal, id.into_inner(), if_match(&req)?, values).await?;
    Ok(ok_with_etag(&TicketDto::from(record.clone()), record.version))
}

/// Move a ticket through 已受理 → 处理中 ⇄ 待客户 → 已解决 → 已关闭 (reopen from resolved)
///
/// An open ticket may also be closed before it is resolved, with a `close_reason` (spam,
/// duplicate, customer unreachable, withdrawn by the customer, other with a note).
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = MoveTicket, responses(
    (status = 200, description = "Moved; waiting for the customer pauses the SLA clocks", body = TicketDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`ticket.invalid_transition`: not a valid transition", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields; or `ticket.close_reason_required` (field `close_reason`): a ticket closed before it was resolved needs a reason", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tickets/{id}/status")]
pub async fn move_ticket(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<MoveTicket>,
) -> Result<HttpResponse, ApiError> {
    let request = TicketMove::try_from(&*body)?;
    let record = tickets::transition(&state.db, &principal, id.into_inner(), if_match(&req)?, request, Utc::now()).await?;
    Ok(ok_with_etag(&TicketDto::from(record.clone()), record.version))
}

/// Assign a ticket to an agent, or round-robin within a team
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path)), request_body = AssignTicket, responses(
    (status = 200, description = "Assigned; the agent is notified", body = TicketDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`team.no_agent`: the team has no support agent", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tickets/{id}/assign")]
pub async fn assign_ticket(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<AssignTicket>,
) -> Result<HttpResponse, ApiError> {
    let assignment = match (body.assignee_id, body.team_id) {
        (Some(user), _) => tickets::Assignment::To(user),
        (None, Some(team_id)) => tickets::Assignment::RoundRobin { team_id },
        (None, None) => {
            let message = text!("name an assignee, or a team for round-robin", "请指定处理人，或指定团队轮流分配");
            return Err(ApiError::validation("assignee_id", "required", message));
        }
    };
    let record = tickets::assign(&state.db, &principal, id.into_inner(), assignment).await?;
    Ok(ok_with_etag(&TicketDto::from(record.clone()), record.version))
}

/// A ticket's conversation, oldest first
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Comments", body = PageDto<CommentDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tickets/{id}/comments")]
pub async fn list_ticket_comments(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = tickets::comments(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, CommentDto::from)))
}

/// Add an internal note or a public reply
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path)), request_body = CreateComment, responses(
    (status = 201, description = "Added", body = CommentDto, headers(("Location" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tickets/{id}/comments")]
pub async fn create_ticket_comment(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<CreateComment>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let text = check.long_text("body", &body.body, NOTES_MAX);
    check.finish()?;
    let id = id.into_inner();
    let comment = tickets::comment(&state.db, &principal, id, text.unwrap_or_default(), body.public).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/tickets/{id}/comments")))
        .json(CommentDto::from(comment)))
}

/// Record the customer's satisfaction after resolution
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path)), request_body = RateTicket, responses(
    (status = 200, description = "Rated", body = TicketDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`ticket.not_resolved`: not resolved yet; `ticket.already_rated`: a rating is recorded already", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tickets/{id}/rating")]
pub async fn rate_ticket(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<RateTicket>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let rating = check.range("rating", body.rating, 1, 5);
    let remark = check.optional_text("comment", body.comment.as_deref(), 2000);
    let rating = check.finish_with(rating)?;
    let record = tickets::rate(&state.db, &principal, id.into_inner(), rating, remark).await?;
    Ok(ok_with_etag(&TicketDto::from(record.clone()), record.version))
}

// ---------------------------------------------------------------- SLA policies

/// An SLA policy: working-time targets per priority on a 24×7 or business-hours schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyDto {
    pub id: Uuid,
    pub name: String,
    /// New tickets follow the default policy.
    pub is_default: bool,
    /// Business hours (the calendar) or around the clock.
    pub business_hours: bool,
    pub calendar: CalendarSpec,
    pub targets: SlaTargets,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<sla_policies::PolicyRecord> for SlaPolicyDto {
    fn from(p: sla_policies::PolicyRecord) -> Self {
        let f = p.fields;
        Self {
            id: p.id,
            name: f.name,
            is_default: f.is_default,
            business_hours: f.business_hours,
            calendar: f.calendar,
            targets: f.targets,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSlaPolicy {
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    pub business_hours: bool,
    pub calendar: CalendarSpec,
    pub targets: SlaTargets,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSlaPolicy {
    pub name: Option<String>,
    /// `true` makes it the default (the previous default stops being one).
    pub is_default: Option<bool>,
    pub business_hours: Option<bool>,
    pub calendar: Option<CalendarSpec>,
    pub targets: Option<SlaTargets>,
}

impl TryFrom<CreateSlaPolicy> for PolicyFields {
    type Error = ValidationErrors;

    /// The name is checked here; the calendar and targets when the policy is stored, after the
    /// caller's rights ([`PolicyFields::check`]).
    fn try_from(body: CreateSlaPolicy) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let name = check.text("name", &body.name, POLICY_NAME_MAX);
        let name = check.finish_with(name)?;
        Ok(Self { name, is_default: body.is_default, business_hours: body.business_hours, calendar: body.calendar, targets: body.targets })
    }
}

impl TryFrom<UpdateSlaPolicy> for PolicyPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateSlaPolicy) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let name = body.name.as_deref().and_then(|n| check.text("name", n, POLICY_NAME_MAX));
        check.finish()?;
        Ok(Self { name, is_default: body.is_default, business_hours: body.business_hours, calendar: body.calendar, targets: body.targets })
    }
}

/// List SLA policies
#[utoipa::path(tag = "sla-policies", params(PageParams), responses((status = 200, description = "Policies", body = PageDto<SlaPolicyDto>)), security(("bearer" = [])))]
#[get("/sla-policies")]
pub async fn list_sla_policies(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = sla_policies::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, SlaPolicyDto::from)))
}

/// Create an SLA policy (administrators)
#[utoipa::path(tag = "sla-policies", request_body = CreateSlaPolicy, responses(
    (status = 201, description = "Created", body = SlaPolicyDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "`sla_policy.name_taken`: another policy has this name (`existing_id`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/sla-policies")]
pub async fn create_sla_policy(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateSlaPolicy>,
) -> Result<HttpResponse, ApiError> {
    let fields = PolicyFields::try_from(body.into_inner())?;
    let record = sla_policies::create(&state.db, &principal, fields).await?;
    Ok(created(&SlaPolicyDto::from(record.clone()), format!("/api/v1/sla-policies/{}", record.id), record.version))
}

/// Get an SLA policy
#[utoipa::path(tag = "sla-policies", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The policy", body = SlaPolicyDto, headers(("ETag" = String))),
    (status = 404, description = "No such policy", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/sla-policies/{id}")]
pub async fn get_sla_policy(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = sla_policies::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&SlaPolicyDto::from(record.clone()), record.version))
}

/// Change an SLA policy (administrators); existing tickets keep their due times
#[utoipa::path(tag = "sla-policies", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateSlaPolicy, responses(
    (status = 200, description = "Changed", body = SlaPolicyDto, headers(("ETag" = String))),
    (status = 404, description = "No such policy", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`sla_policy.default_required`: the default cannot be un-defaulted; `sla_policy.name_taken`: another policy has this name (`existing_id`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/sla-policies/{id}")]
pub async fn update_sla_policy(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateSlaPolicy>,
) -> Result<HttpResponse, ApiError> {
    let patch = PolicyPatch::try_from(body.into_inner())?;
    let record = sla_policies::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&SlaPolicyDto::from(record.clone()), record.version))
}

/// Delete an SLA policy no ticket follows (administrators)
#[utoipa::path(tag = "sla-policies", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "No such policy", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`sla_policy.default_not_deletable`: the default; `sla_policy.in_use`: followed by tickets", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/sla-policies/{id}")]
pub async fn delete_sla_policy(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    sla_policies::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
