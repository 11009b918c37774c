//! A requirement's status history and field revisions, reasons in the reader's language.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::requirements::RequirementStatus;
use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams};

use super::lists::reason_for_reader;

/// One status change.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeDto {
    pub id: Uuid,
    pub from_status: Option<RequirementStatus>,
    pub to_status: RequirementStatus,
    pub reason: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusHistory {
    pub data: Vec<StatusChangeDto>,
}

/// Status changes with who and when, oldest first
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "History", body = StatusHistory),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/history")]
pub async fn requirement_history(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let data = store::history(&state.db, &principal, id.into_inner())
        .await?
        .into_iter()
        .map(|h| StatusChangeDto {
            id: h.id,
            from_status: h.from_status,
            to_status: h.to_status,
            reason: h.reason.map(|reason| reason_for_reader(h.to_status, reason)),
            actor_id: h.actor_id,
            actor_name: h.actor_name,
            changed_at: h.changed_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(StatusHistory { data }))
}

/// One kept change.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementRevisionDto {
    pub revision: i32,
    /// `{field: {old, new}}`, or what creation or a merge did.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A revision's changes with a move's system reason (`"reason"` beside `"status": {old, new}`)
/// in the request's language.
fn reasons_for_reader(mut changes: Value) -> Value {
    let to = changes.pointer("/status/new").and_then(Value::as_str).and_then(|s| RequirementStatus::parse(s).ok());
    if let (Some(to), Some(Value::String(reason))) = (to, changes.get_mut("reason")) {
        *reason = reason_for_reader(to, std::mem::take(reason));
    }
    changes
}

/// Every change of a requirement (who, when, fields old → new), newest first
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Revisions", body = PageDto<RequirementRevisionDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/revisions")]
pub async fn requirement_revisions(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::revisions(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |r| RequirementRevisionDto {
        revision: r.revision,
        changes: reasons_for_reader(r.changes),
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        created_at: r.created_at,
    })))
}
