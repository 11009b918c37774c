//! Communication records (沟通记录) at `/interactions`: a call, visit or message with a customer,
//! which moves the customer's last interaction time.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::activities::{Channel, DEFAULT_DIRECTION, Direction, InteractionFields, InteractionPatch, OUTCOME_MAX, SUBJECT_MAX};
use crm_domain::customers::NOTES_MAX;
use crm_domain::{Check, ValidationErrors};
use crm_persistence::activities::interactions;

use crate::auth::{Principal, State};
use crate::batch::{Batch, BatchItem, BatchOp, BatchParams, BatchRequest, Written, missing_id, no_upsert};
use crate::error::{ApiError, Problem};
use crate::http::{
    PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_time_bound, parse_uuid,
};

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
    /// When it went to the recycle bin; null while live (as events and the bin show it).
    pub deleted_at: Option<DateTime<Utc>>,
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
            deleted_at: r.deleted_at,
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
    /// `-occurred_at` (default), `occurred_at`, `-updated_at`, `updated_at`.
    pub sort: Option<String>,
}

/// What a new interaction records; without a time it happened `now`.
fn parse_interaction(body: &CreateInteraction, now: DateTime<Utc>) -> Result<InteractionFields, ValidationErrors> {
    let mut check = Check::default();
    let channel = check.value("channel", &body.channel, Channel::parse);
    let direction = match body.direction.as_deref() {
        Some(d) => check.value("direction", d, Direction::parse),
        None => Some(DEFAULT_DIRECTION),
    };
    let occurred_at = check.occurred_at(body.occurred_at.unwrap_or(now), now);
    let duration_minutes = body.duration_minutes.and_then(|d| check.duration_minutes(d));
    let subject = check.text("subject", &body.subject, SUBJECT_MAX);
    let content = check.optional_text("content", body.content.as_deref(), NOTES_MAX);
    let outcome = check.optional_text("outcome", body.outcome.as_deref(), OUTCOME_MAX);
    let next_step = check.optional_text("next_step", body.next_step.as_deref(), OUTCOME_MAX);
    let (channel, direction, occurred_at, subject) = check.finish_with((channel, direction, occurred_at, subject))?;
    Ok(InteractionFields {
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
    })
}

/// A change to an interaction; a new time may not lie after `now`.
fn parse_interaction_patch(body: UpdateInteraction, now: DateTime<Utc>) -> Result<InteractionPatch, ValidationErrors> {
    let mut check = Check::default();
    let patch = InteractionPatch {
        contact_id: body.contact_id,
        channel: body.channel.as_deref().and_then(|c| check.value("channel", c, Channel::parse)),
        direction: body.direction.as_deref().and_then(|d| check.value("direction", d, Direction::parse)),
        occurred_at: body.occurred_at.and_then(|at| check.occurred_at(at, now)),
        duration_minutes: body.duration_minutes.map(|d| d.and_then(|d| check.duration_minutes(d))),
        subject: body.subject.as_deref().and_then(|s| check.text("subject", s, SUBJECT_MAX)),
        content: body.content.map(|c| check.optional_text("content", c.as_deref(), NOTES_MAX)),
        outcome: body.outcome.map(|c| check.optional_text("outcome", c.as_deref(), OUTCOME_MAX)),
        next_step: body.next_step.map(|c| check.optional_text("next_step", c.as_deref(), OUTCOME_MAX)),
    };
    check.finish()?;
    Ok(patch)
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
    let fields = parse_interaction(&body, Utc::now())?;
    let record = interactions::create(&state.db, &principal, body.customer_id, fields).await?;
    Ok(created(&InteractionDto::from(record.clone()), format!("/api/v1/interactions/{}", record.id), record.version))
}

/// The list's filter from its query parameters (the list and its export read the same).
fn list_interactions_filter(
    params: &InteractionListParams,
    updated: &crate::http::UpdatedAtParams,
    time_zone: chrono_tz::Tz,
) -> Result<interactions::InteractionFilter, ApiError> {
    let filter = interactions::InteractionFilter {
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        contact_id: parse_uuid("contact_id", params.contact_id.as_deref())?,
        channels: parse_list("channel", params.channel.as_deref(), Channel::parse)?,
        owner_id: parse_uuid("owner_id", params.owner_id.as_deref())?,
        occurred_from: parse_time_bound("occurred_at_from", params.occurred_at_from.as_deref(), false, time_zone)?,
        occurred_to: parse_time_bound("occurred_at_to", params.occurred_at_to.as_deref(), true, time_zone)?,
        q: crate::http::search_query(&params.q)?,
        updated: updated.to_window(time_zone)?,
        sort: non_blank(&params.sort),
    };
    Ok(filter)
}

/// List interactions of the customers you may see
#[utoipa::path(tag = "interactions", params(InteractionListParams, crate::http::UpdatedAtParams, PageParams), responses(
    (status = 200, description = "A page of interactions", body = PageDto<InteractionDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/interactions")]
pub async fn list_interactions(
    state: State,
    principal: Principal,
    params: web::Query<InteractionListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = list_interactions_filter(&params, &updated, state.time_zone)?;
    let page = interactions::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, InteractionDto::from)))
}

/// Export interactions as ndjson, CSV or XLSX
///
/// Every interaction the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `InteractionDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `InteractionDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "interactions", params(InteractionListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/interactions/export")]
pub async fn export_interactions(
    state: State,
    principal: Principal,
    params: web::Query<InteractionListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = list_interactions_filter(&params, &updated, state.time_zone)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "interactions", kind: "interaction" },
        interactions::list,
        InteractionDto::from,
    )
    .await
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
    let patch = parse_interaction_patch(body.into_inner(), Utc::now())?;
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

/// One interaction item of a batch.
async fn write_batch_item(state: &State, principal: &Principal, item: BatchItem) -> Result<Written, ApiError> {
    item.allow_only(false, false, false)?;
    match item.op {
        BatchOp::Create => {
            let body: CreateInteraction = crate::http::from_document(item.body)?;
            let fields = parse_interaction(&body, Utc::now())?;
            let record = interactions::create(&state.db, principal, body.customer_id, fields).await?;
            Ok(Written::new(true, record.id, record.version))
        }
        BatchOp::Update => {
            let patch = parse_interaction_patch(crate::http::from_document(item.body)?, Utc::now())?;
            let record = interactions::update(&state.db, principal, item.id.ok_or_else(missing_id)?, item.if_match, patch).await?;
            Ok(Written::new(false, record.id, record.version))
        }
        BatchOp::Upsert => Err(no_upsert()),
    }
}

/// Record or change up to 1,000 interactions
///
/// Each item is `{op: create|update, body, id?, if_match?}` with the body `POST /interactions`
/// or `PATCH /interactions/{id}` takes (an ERP's or a call centre's history, say). One result
/// per item; `?atomic=true` keeps all or nothing.
#[utoipa::path(tag = "interactions", params(BatchParams, ("Idempotency-Key" = Option<String>, Header)), request_body = BatchRequest, responses(crate::batch::BatchResponses), security(("bearer" = [])))]
#[post("/interactions/batch")]
pub async fn batch_interactions(state: State, principal: Principal, batch: Batch) -> Result<HttpResponse, ApiError> {
    batch.run(&state, async |item: BatchItem| write_batch_item(&state, &principal, item).await).await
}
