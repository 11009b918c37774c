//! `/privacy/requests`: what people ask about their data (access, export, erasure, correction,
//! withdrawal), due 15 days after receipt, completed or refused with a reason.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::privacy::SubjectType;
use crm_domain::privacy::requests::{CHANNEL_MAX, NOTES_MAX, REASON_MAX, RequestKind, RequestStatus};
use crm_domain::{Check, ValidationErrors};
use crm_persistence::privacy::requests::{self as store, NewRequest, RequestFilter, RequestRecord};

use super::consents::not_in_future;
use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, if_match, non_blank, parse_list};

/// A subject request.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyRequestDto {
    pub id: Uuid,
    /// Who asks: a customer or a contact.
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    /// The customer the person is, or whose contact they are.
    pub customer_id: Uuid,
    /// The person's name now (a pseudonym once erased).
    pub subject_name: Option<String>,
    pub kind: RequestKind,
    pub status: RequestStatus,
    /// How it reached the organisation (`email`, `letter`, `portal`…).
    pub channel: String,
    pub received_at: DateTime<Utc>,
    /// 15 days after `received_at`.
    pub due_at: DateTime<Utc>,
    /// Still `received` after `due_at`.
    pub overdue: bool,
    pub notes: Option<String>,
    /// When it was completed or refused.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Why it was refused, as told to the person.
    pub refusal_reason: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_by_name: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<RequestRecord> for PrivacyRequestDto {
    fn from(r: RequestRecord) -> Self {
        Self {
            id: r.id,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            customer_id: r.customer_id,
            subject_name: r.subject_name,
            kind: r.kind,
            status: r.status,
            channel: r.channel,
            received_at: r.received_at,
            due_at: r.due_at,
            overdue: r.overdue,
            notes: r.notes,
            resolved_at: r.resolved_at,
            refusal_reason: r.refusal_reason,
            resolved_by: r.resolved_by,
            resolved_by_name: r.resolved_by_name,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A request as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePrivacyRequest {
    #[schema(value_type = SubjectType)]
    pub subject_type: String,
    pub subject_id: Uuid,
    #[schema(value_type = RequestKind)]
    pub kind: String,
    /// When it was received (RFC 3339, not in the future); it is due 15 days later.
    #[serde(deserialize_with = "crate::http::client_dates::required")]
    pub received_at: DateTime<Utc>,
    /// How it reached the organisation, at most 100 characters.
    pub channel: String,
    /// At most 4,000 characters.
    pub notes: Option<String>,
}

impl TryFrom<&CreatePrivacyRequest> for NewRequest {
    type Error = ValidationErrors;

    fn try_from(body: &CreatePrivacyRequest) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let subject_type = check.value("subject_type", &body.subject_type, SubjectType::parse);
        let kind = check.value("kind", &body.kind, RequestKind::parse);
        let channel = check.text("channel", &body.channel, CHANNEL_MAX);
        let notes = check.optional_text("notes", body.notes.as_deref(), NOTES_MAX);
        not_in_future(&mut check, "received_at", body.received_at);
        let (subject_type, kind, channel) = check.finish_with((subject_type, kind, channel))?;
        Ok(NewRequest { subject_type, subject_id: body.subject_id, kind, received_at: body.received_at, channel, notes })
    }
}

/// Why a request is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusePrivacyRequest {
    /// As told to the person, at most 2,000 characters.
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrivacyRequestListParams {
    /// Comma-separated statuses: `received`, `completed`, `refused`.
    pub status: Option<String>,
    /// `true`: still received after the due date; `false`: all the others.
    pub overdue: Option<bool>,
    /// `due_at` (default), `-due_at`, `-received_at`, `received_at`.
    pub sort: Option<String>,
}

/// Subject requests
///
/// The requests about people whose customer lies in the caller's `privacy` scope, soonest due first.
#[utoipa::path(tag = "privacy", params(PrivacyRequestListParams, PageParams), responses(
    (status = 200, description = "Requests", body = PageDto<PrivacyRequestDto>),
), security(("bearer" = [])))]
#[get("/privacy/requests")]
pub async fn list_privacy_requests(
    state: State,
    principal: Principal,
    params: web::Query<PrivacyRequestListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = RequestFilter {
        statuses: parse_list("status", params.status.as_deref(), RequestStatus::parse)?,
        overdue: params.overdue,
        sort: non_blank(&params.sort),
    };
    let found = store::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(found, PrivacyRequestDto::from)))
}

/// Record a subject request
///
/// It is `received`, due 15 days after `received_at`.
#[utoipa::path(tag = "privacy", request_body = CreatePrivacyRequest, responses(
    (status = 201, description = "Recorded", body = PrivacyRequestDto, headers(("Location" = String), ("ETag" = String))),
), security(("bearer" = [])))]
#[post("/privacy/requests")]
pub async fn create_privacy_request(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreatePrivacyRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewRequest::try_from(&*body)?;
    let record = store::create(&state.db, &principal, new).await?;
    Ok(crate::http::created(&PrivacyRequestDto::from(record.clone()), format!("/api/v1/privacy/requests/{}", record.id), record.version))
}

/// A subject request
#[utoipa::path(tag = "privacy", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The request", body = PrivacyRequestDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/privacy/requests/{id}")]
pub async fn get_privacy_request(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::get(&state.db, &principal, id.into_inner()).await?;
    let version = record.version;
    Ok(crate::http::ok_with_etag(&PrivacyRequestDto::from(record), version))
}

/// Complete a subject request
#[utoipa::path(tag = "privacy", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 200, description = "Completed", body = PrivacyRequestDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`privacy_request.already_answered`", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/privacy/requests/{id}/complete")]
pub async fn complete_privacy_request(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let record = store::answer(&state.db, &principal, id.into_inner(), if_match(&req)?, RequestStatus::Completed, None).await?;
    let version = record.version;
    Ok(crate::http::ok_with_etag(&PrivacyRequestDto::from(record), version))
}

/// Refuse a subject request, with the reason told to the person
#[utoipa::path(tag = "privacy", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = RefusePrivacyRequest, responses(
    (status = 200, description = "Refused", body = PrivacyRequestDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`privacy_request.already_answered`", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/privacy/requests/{id}/refuse")]
pub async fn refuse_privacy_request(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<RefusePrivacyRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let reason = check.text("reason", &body.reason, REASON_MAX);
    let reason = check.finish_with(reason)?;
    let record = store::answer(&state.db, &principal, id.into_inner(), if_match(&req)?, RequestStatus::Refused, Some(reason)).await?;
    let version = record.version;
    Ok(crate::http::ok_with_etag(&PrivacyRequestDto::from(record), version))
}
