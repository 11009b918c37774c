//! The customers and contacts who asked for a requirement (`/requirements/{id}/requesters`).

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::ids::{RequesterId, RequirementId};
use crm_domain::requirements::{NewRequester, REQUESTER_NOTE_MAX};
use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams};

/// A customer who asked for a requirement.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterDto {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub feedback_rating: Option<i32>,
}

impl From<store::RequesterRecord> for RequesterDto {
    fn from(r: store::RequesterRecord) -> Self {
        Self {
            id: r.id,
            requirement_id: r.requirement_id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            ticket_id: r.ticket_id,
            interaction_id: r.interaction_id,
            note: r.note,
            requested_at: r.requested_at,
            feedback_rating: r.feedback_rating,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRequester {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    /// When they asked; now by default.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub requested_at: Option<DateTime<Utc>>,
}

/// The customers who asked for a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Requesters, first first", body = PageDto<RequesterDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/requesters")]
pub async fn list_requesters(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::requesters(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RequesterDto::from)))
}

/// Record that another customer asks for the same requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), request_body = AddRequester, responses(
    (status = 201, description = "Added; the score follows the demand", body = RequesterDto, headers(("Location" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.already_requested`: already a requester (`existing_id`); `requirement.closed`: the requirement is closed", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/requesters")]
pub async fn add_requester(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<AddRequester>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let note = check.optional_text("note", body.note.as_deref(), REQUESTER_NOTE_MAX);
    check.finish()?;
    let id = id.into_inner();
    let new = NewRequester {
        customer_id: body.customer_id,
        contact_id: body.contact_id,
        ticket_id: body.ticket_id,
        interaction_id: body.interaction_id,
        note,
        requested_at: body.requested_at,
    };
    let record = store::add_requester(&state.db, &principal, id, new).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/requirements/{id}/requesters")))
        .json(RequesterDto::from(record)))
}

/// Remove a requester
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("requester_id" = Uuid, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/requirements/{id}/requesters/{requester_id}")]
pub async fn remove_requester(state: State, principal: Principal, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (id, requester_id) = path.into_inner();
    store::remove_requester(&state.db, &principal, RequirementId(id), RequesterId(requester_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
