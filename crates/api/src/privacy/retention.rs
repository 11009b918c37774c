//! `/settings/privacy` (how long contacts of churned customers are kept) and
//! `/privacy/retention/candidates` (the contacts proposed for erasure).

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::privacy::erasure::RetentionSettings;
use crm_persistence::privacy::retention::{self as store, RetentionCandidate};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, if_match, ok_with_etag};

/// A contact proposed for erasure.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionCandidateDto {
    pub contact_id: Uuid,
    pub contact_name: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    /// When the customer last became churned (流失).
    pub churned_at: Option<DateTime<Utc>>,
    pub contact_created_at: DateTime<Utc>,
}

impl From<RetentionCandidate> for RetentionCandidateDto {
    fn from(c: RetentionCandidate) -> Self {
        Self {
            contact_id: c.contact_id,
            contact_name: c.contact_name,
            customer_id: c.customer_id,
            customer_name: c.customer_name,
            churned_at: c.churned_at,
            contact_created_at: c.contact_created_at,
        }
    }
}

/// Privacy settings (retention)
#[utoipa::path(tag = "settings", responses(
    (status = 200, description = "The settings; the ETag is their version", body = RetentionSettings, headers(("ETag" = String))),
), security(("bearer" = [])))]
#[get("/settings/privacy")]
pub async fn get_privacy_settings(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    let stored = store::get_settings(&state.db, &principal).await?;
    Ok(ok_with_etag(&stored.value, stored.version))
}

/// Change the privacy settings (administrators)
#[utoipa::path(tag = "settings", params(("If-Match" = Option<String>, Header)), request_body = RetentionSettings, responses(
    (status = 200, description = "Saved", body = RetentionSettings, headers(("ETag" = String))),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/settings/privacy")]
pub async fn put_privacy_settings(
    state: State,
    principal: Principal,
    req: HttpRequest,
    body: crate::http::Json<RetentionSettings>,
) -> Result<HttpResponse, ApiError> {
    let stored = store::save_settings(&state.db, &principal, if_match(&req)?, body.into_inner()).await?;
    Ok(ok_with_etag(&stored.value, stored.version))
}

/// Contacts proposed for erasure
///
/// Contacts (not yet erased) of customers churned for longer than the retention setting, oldest
/// first; empty while the setting is off. Nothing is erased by itself: a person decides.
#[utoipa::path(tag = "privacy", params(PageParams), responses(
    (status = 200, description = "Candidates", body = PageDto<RetentionCandidateDto>),
), security(("bearer" = [])))]
#[get("/privacy/retention/candidates")]
pub async fn list_retention_candidates(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let found = store::candidates(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(found, RetentionCandidateDto::from)))
}
