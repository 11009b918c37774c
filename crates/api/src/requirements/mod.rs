//! Customer requirements (客户需求管理): `/requirements` with requesters, the status process,
//! duplicates and merging, feedback, revisions, the board and releases, the requirements
//! document, the report and the score weights.

pub mod feedback;
pub mod history;
pub mod lists;
pub mod merging;
pub mod report;
pub mod requesters;
pub mod settings;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::ValidationErrors;
use crm_domain::customers::NOTES_MAX;
use crm_domain::requirements::{
    DEFAULT_CATEGORY, DEFAULT_LEVEL, DEPARTMENT_MAX, NewRequirement, Origin, RELEASE_MAX, REQUESTER_NOTE_MAX, REQUIREMENT_TITLE_MAX,
    RequirementCategory, RequirementFields, RequirementPatch, RequirementSource, RequirementStatus,
};
use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_uuid};

/// A customer requirement (需求).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementDto {
    pub id: Uuid,
    /// `REQ-000045`.
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub category: RequirementCategory,
    pub source_channel: RequirementSource,
    /// 1–5.
    pub importance: i32,
    /// 1–5.
    pub urgency: i32,
    /// 1–5.
    pub effort: i32,
    pub status: RequirementStatus,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub created_by: Uuid,
    pub department: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub release: Option<String>,
    pub tags: Vec<String>,
    /// `10 × (w_i·importance + w_u·urgency + w_d·demand) / effort` under the current weights.
    pub score: f64,
    /// Customers who asked for it.
    pub requester_count: i32,
    pub feedback_count: i32,
    pub feedback_average: Option<f64>,
    pub rejection_reason: Option<String>,
    /// Set when merged into another requirement.
    pub duplicate_of_id: Option<Uuid>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub evaluated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// On create only: open requirements that read alike (possible duplicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_candidates: Option<Vec<DuplicateCandidateDto>>,
}

impl From<store::RequirementRecord> for RequirementDto {
    fn from(r: store::RequirementRecord) -> Self {
        Self {
            id: r.id,
            number: r.number,
            title: r.title,
            description: r.description,
            category: r.category,
            source_channel: r.source_channel,
            importance: r.importance,
            urgency: r.urgency,
            effort: r.effort,
            status: r.status,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            team_id: r.team_id,
            created_by: r.created_by,
            department: r.department,
            target_date: r.target_date,
            release: r.release,
            tags: r.tags,
            score: r.score,
            requester_count: r.requester_count,
            feedback_count: r.feedback_count,
            feedback_average: r.feedback_average,
            rejection_reason: r.rejection_reason,
            duplicate_of_id: r.duplicate_of_id,
            delivered_at: r.delivered_at,
            evaluated_at: r.evaluated_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            duplicate_candidates: None,
        }
    }
}

/// A requirement that may be the same need.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateCandidateDto {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: RequirementStatus,
    pub requester_count: i32,
    /// 0–1 (character-bigram similarity of titles and descriptions).
    pub similarity: f64,
}

impl From<store::DuplicateCandidate> for DuplicateCandidateDto {
    fn from(c: store::DuplicateCandidate) -> Self {
        Self { id: c.id, number: c.number, title: c.title, status: c.status, requester_count: c.requester_count, similarity: c.similarity }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateCandidateList {
    pub data: Vec<DuplicateCandidateDto>,
}

/// Where a new requirement was heard; that record becomes its first requester.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementOrigin {
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequirement {
    pub title: String,
    pub description: Option<String>,
    /// Default `functional`.
    #[schema(value_type = Option<RequirementCategory>)]
    pub category: Option<String>,
    /// Default `feedback`; `ticket` when created from a ticket.
    #[schema(value_type = Option<RequirementSource>)]
    pub source_channel: Option<String>,
    /// 1–5, default 3.
    pub importance: Option<i32>,
    /// 1–5, default 3.
    pub urgency: Option<i32>,
    /// 1–5, default 3.
    pub effort: Option<i32>,
    pub owner_id: Option<Uuid>,
    pub department: Option<String>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub target_date: Option<NaiveDate>,
    pub release: Option<String>,
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub tags: Vec<String>,
    /// Create it from a customer (and contact), a ticket or an interaction in one step.
    pub origin: Option<RequirementOrigin>,
    /// The requester's note (what exactly they asked for).
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequirement {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<RequirementCategory>)]
    pub category: Option<String>,
    #[schema(value_type = Option<RequirementSource>)]
    pub source_channel: Option<String>,
    pub importance: Option<i32>,
    pub urgency: Option<i32>,
    pub effort: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::changed")]
    #[schema(value_type = Option<NaiveDate>)]
    pub target_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub release: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequirement {
    #[schema(value_type = RequirementStatus)]
    pub status: String,
    /// Required when rejecting.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementListParams {
    /// Words in the number, title, description or tags.
    pub q: Option<String>,
    /// Comma-separated statuses.
    pub status: Option<String>,
    pub category: Option<String>,
    pub source_channel: Option<String>,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub release: Option<String>,
    /// Requested by this customer.
    pub customer_id: Option<String>,
    /// Linked to this ticket through a requester.
    pub ticket_id: Option<String>,
    pub tag: Option<String>,
    /// `-score` (default), `-requester_count`, `-created_at`, `-updated_at`, `updated_at`.
    pub sort: Option<String>,
}

impl RequirementListParams {
    fn to_filter(&self) -> Result<store::RequirementFilter, ApiError> {
        Ok(store::RequirementFilter {
            q: crate::http::search_query(&self.q)?,
            statuses: parse_list("status", self.status.as_deref(), RequirementStatus::parse)?,
            categories: parse_list("category", self.category.as_deref(), RequirementCategory::parse)?,
            sources: parse_list("source_channel", self.source_channel.as_deref(), RequirementSource::parse)?,
            owner_id: parse_uuid("owner_id", self.owner_id.as_deref())?,
            team_id: parse_uuid("team_id", self.team_id.as_deref())?,
            release: non_blank(&self.release),
            customer_id: parse_uuid("customer_id", self.customer_id.as_deref())?,
            ticket_id: parse_uuid("ticket_id", self.ticket_id.as_deref())?,
            tag: crate::http::tag_filter(&self.tag)?,
            updated: Default::default(),
            sort: non_blank(&self.sort),
        })
    }
}

impl TryFrom<CreateRequirement> for NewRequirement {
    type Error = ValidationErrors;

    fn try_from(body: CreateRequirement) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let title = check.text("title", &body.title, REQUIREMENT_TITLE_MAX);
        let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
        let category = match body.category.as_deref() {
            Some(category) => check.value("category", category, RequirementCategory::parse),
            None => Some(DEFAULT_CATEGORY),
        };
        let source = match body.source_channel.as_deref() {
            Some(source) => check.value("source_channel", source, RequirementSource::parse),
            None => Some(Origin::default_source(body.origin.as_ref().is_some_and(|o| o.ticket_id.is_some()))),
        };
        let importance = check.level("importance", body.importance.unwrap_or(DEFAULT_LEVEL));
        let urgency = check.level("urgency", body.urgency.unwrap_or(DEFAULT_LEVEL));
        let effort = check.level("effort", body.effort.unwrap_or(DEFAULT_LEVEL));
        let department = check.optional_text("department", body.department.as_deref(), DEPARTMENT_MAX);
        let release = check.optional_text("release", body.release.as_deref(), RELEASE_MAX);
        let note = check.optional_text("note", body.note.as_deref(), REQUESTER_NOTE_MAX);
        let tags = check.tags(&body.tags);
        let origin = body.origin.and_then(|o| check.origin(o.customer_id, o.contact_id, o.ticket_id, o.interaction_id));
        let (title, category, source_channel, importance, urgency, effort, tags) =
            check.finish_with((title, category, source, importance, urgency, effort, tags))?;
        let fields = RequirementFields {
            title,
            description,
            category,
            source_channel,
            importance,
            urgency,
            effort,
            owner_id: body.owner_id,
            department,
            target_date: body.target_date,
            release,
            tags,
        };
        Ok(Self { fields, origin, note })
    }
}

impl TryFrom<UpdateRequirement> for RequirementPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateRequirement) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            title: body.title.as_deref().and_then(|t| check.text("title", t, REQUIREMENT_TITLE_MAX)),
            description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
            category: body.category.as_deref().and_then(|v| check.value("category", v, RequirementCategory::parse)),
            source_channel: body.source_channel.as_deref().and_then(|v| check.value("source_channel", v, RequirementSource::parse)),
            importance: body.importance.and_then(|v| check.level("importance", v)),
            urgency: body.urgency.and_then(|v| check.level("urgency", v)),
            effort: body.effort.and_then(|v| check.level("effort", v)),
            owner_id: body.owner_id,
            department: body.department.map(|d| check.optional_text("department", d.as_deref(), DEPARTMENT_MAX)),
            target_date: body.target_date,
            release: body.release.map(|r| check.optional_text("release", r.as_deref(), RELEASE_MAX)),
            tags: body.tags.as_deref().and_then(|t| check.tags(t)),
        };
        check.finish()?;
        Ok(patch)
    }
}

/// List requirements, ranked by priority score
#[utoipa::path(tag = "requirements", params(RequirementListParams, crate::http::UpdatedAtParams, PageParams), responses(
    (status = 200, description = "Requirements", body = PageDto<RequirementDto>),
), security(("bearer" = [])))]
#[get("/requirements")]
pub async fn list_requirements(
    state: State,
    principal: Principal,
    params: web::Query<RequirementListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = store::RequirementFilter { updated: updated.to_window(state.time_zone)?, ..params.to_filter()? };
    let page = store::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RequirementDto::from)))
}

/// Collect a requirement, from a customer, a ticket or an interaction in one step
///
/// The answer lists open requirements that read alike (`duplicate_candidates`).
#[utoipa::path(tag = "requirements", request_body = CreateRequirement, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Collected", body = RequirementDto, headers(("Location" = String), ("ETag" = String))),
), security(("bearer" = [])))]
#[post("/requirements")]
pub async fn create_requirement(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateRequirement>,
) -> Result<HttpResponse, ApiError> {
    let new = NewRequirement::try_from(body.into_inner())?;
    let record = store::create(&state.db, &principal, new).await?;
    let candidates = store::similar(&state.db, &principal, &record.title, record.description.as_deref(), Some(record.id)).await?;
    let mut dto = RequirementDto::from(record.clone());
    dto.duplicate_candidates = Some(candidates.into_iter().map(DuplicateCandidateDto::from).collect());
    Ok(created(&dto, format!("/api/v1/requirements/{}", record.id), record.version))
}

/// Get a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The requirement", body = RequirementDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}")]
pub async fn get_requirement(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&RequirementDto::from(record.clone()), record.version))
}

/// Change a requirement; every change is kept as a revision
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateRequirement, responses(
    (status = 200, description = "Changed", body = RequirementDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/requirements/{id}")]
pub async fn update_requirement(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateRequirement>,
) -> Result<HttpResponse, ApiError> {
    let patch = RequirementPatch::try_from(body.into_inner())?;
    let record = store::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&RequirementDto::from(record.clone()), record.version))
}

/// Move a requirement to the recycle bin
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/requirements/{id}")]
pub async fn delete_requirement(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    store::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move a requirement: collected → analyzing → planned → in_progress → delivered → evaluated, or rejected
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = MoveRequirement, responses(
    (status = 200, description = "Moved", body = RequirementDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.invalid_transition`: not a valid transition; `requirement.duplicate_by_merge`: duplicates come from merging", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/status")]
pub async fn move_requirement(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<MoveRequirement>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let status = check.value("status", &body.status, RequirementStatus::parse);
    let reason = check.optional_text("reason", body.reason.as_deref(), 2000);
    let status = check.finish_with(status)?;
    let record = store::transition(&state.db, &principal, id.into_inner(), if_match(&req)?, status, reason).await?;
    Ok(ok_with_etag(&RequirementDto::from(record.clone()), record.version))
}

/// The requirements linked to a ticket
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Requirements", body = PageDto<RequirementDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tickets/{id}/requirements")]
pub async fn ticket_requirements(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crm_persistence::service::tickets::get(&state.db, &principal, id).await?;
    let filter = store::RequirementFilter { ticket_id: Some(id), ..Default::default() };
    let page = store::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RequirementDto::from)))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(lists::similar_requirements)
        .service(lists::requirement_board)
        .service(lists::requirement_releases)
        .service(lists::export_requirements)
        .service(list_requirements)
        .service(create_requirement)
        .service(get_requirement)
        .service(update_requirement)
        .service(delete_requirement)
        .service(move_requirement)
        .service(requesters::list_requesters)
        .service(requesters::add_requester)
        .service(requesters::remove_requester)
        .service(merging::requirement_duplicates)
        .service(merging::merge_requirement)
        .service(feedback::list_feedback)
        .service(feedback::give_feedback)
        .service(history::requirement_history)
        .service(history::requirement_revisions)
        .service(ticket_requirements)
        .service(report::requirements_report)
        .service(settings::get_requirement_settings)
        .service(settings::put_requirement_settings);
}
