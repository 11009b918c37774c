//! Requesters' feedback on a delivered requirement.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams};

use super::RequirementDto;

/// A requester's evaluation of a delivered requirement.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackDto {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    /// 1–5.
    pub rating: i32,
    pub comment: Option<String>,
    /// The staff member who recorded it.
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<store::FeedbackRecord> for FeedbackDto {
    fn from(f: store::FeedbackRecord) -> Self {
        Self {
            id: f.id,
            requirement_id: f.requirement_id,
            customer_id: f.customer_id,
            customer_name: f.customer_name,
            contact_id: f.contact_id,
            rating: f.rating,
            comment: f.comment,
            recorded_by: f.recorded_by,
            recorded_by_name: f.recorded_by_name,
            created_at: f.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveFeedback {
    /// A requesting customer.
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    /// 1–5.
    pub rating: i32,
    pub comment: Option<String>,
}

/// The feedback and the requirement after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResult {
    pub feedback: FeedbackDto,
    /// `evaluated` once every requester has answered.
    pub requirement: RequirementDto,
}

/// Feedback on a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Feedback", body = PageDto<FeedbackDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/feedback")]
pub async fn list_feedback(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::feedback(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, FeedbackDto::from)))
}

/// Record a requester's feedback on a delivered requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), request_body = GiveFeedback, responses(
    (status = 201, description = "Recorded", body = FeedbackResult, headers(("Location" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.not_delivered`: not delivered", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/feedback")]
pub async fn give_feedback(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<GiveFeedback>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let rating = check.range("rating", body.rating, 1, 5);
    let comment = check.optional_text("comment", body.comment.as_deref(), 2000);
    let rating = check.finish_with(rating)?;
    let id = id.into_inner();
    let (feedback, requirement) =
        store::give_feedback(&state.db, &principal, id, body.customer_id, body.contact_id, rating, comment).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/requirements/{id}/feedback")))
        .json(FeedbackResult { feedback: feedback.into(), requirement: requirement.into() }))
}
