//! Possible duplicates of a requirement and merging one into another.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};

use super::{DuplicateCandidateDto, DuplicateCandidateList, RequirementDto};

/// Possible duplicates of a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Candidates, most similar first", body = DuplicateCandidateList),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/duplicates")]
pub async fn requirement_duplicates(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let data = store::duplicates_of(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(DuplicateCandidateList { data: data.into_iter().map(DuplicateCandidateDto::from).collect() }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequirement {
    /// The requirement that becomes `duplicate`; this one survives.
    pub duplicate_id: Uuid,
}

/// What a merge moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    pub survivor: RequirementDto,
    pub moved_requesters: u64,
    /// Requesters of a customer who had asked for both, folded into one.
    pub folded_requesters: u64,
    pub moved_feedback: u64,
}

/// Merge a duplicate into this requirement: requesters, links and feedback move here
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), request_body = MergeRequirement, responses(
    (status = 200, description = "Merged", body = MergeResult),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.closed`: one of them is closed", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/merge")]
pub async fn merge_requirement(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<MergeRequirement>,
) -> Result<HttpResponse, ApiError> {
    let outcome = store::merge(&state.db, &principal, id.into_inner(), body.duplicate_id).await?;
    Ok(HttpResponse::Ok().json(MergeResult {
        survivor: outcome.survivor.into(),
        moved_requesters: outcome.moved_requesters,
        folded_requesters: outcome.folded_requesters,
        moved_feedback: outcome.moved_feedback,
    }))
}
