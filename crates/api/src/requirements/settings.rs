//! Settings of the requirements process: the priority weights.

use actix_web::{HttpRequest, HttpResponse, get, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crm_domain::requirements::PriorityWeights;
use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{if_match, ok_with_etag};

/// Settings of the requirements process.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementSettingsDto {
    /// Weights of importance, urgency and demand in the priority score (each 0–10).
    pub weights: PriorityWeights,
}

/// Requirements settings (the score weights)
#[utoipa::path(tag = "settings", responses((status = 200, description = "The settings; the ETag is their version", body = RequirementSettingsDto, headers(("ETag" = String)))), security(("bearer" = [])))]
#[get("/settings/requirements")]
pub async fn get_requirement_settings(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    principal.require(crm_domain::identity::Resource::Requirements, crm_domain::identity::Action::Read)?;
    let stored = crm_persistence::platform::settings::get::<store::RequirementSettings>(&state.db, store::SETTINGS_KEY).await?;
    Ok(ok_with_etag(&RequirementSettingsDto { weights: stored.value.weights }, stored.version))
}

/// Change the score weights (administrators); every requirement is re-scored at once
#[utoipa::path(tag = "settings", params(("If-Match" = Option<String>, Header)), request_body = RequirementSettingsDto, responses(
    (status = 200, description = "Saved and re-ranked", body = RequirementSettingsDto, headers(("ETag" = String))),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/settings/requirements")]
pub async fn put_requirement_settings(
    state: State,
    principal: Principal,
    req: HttpRequest,
    body: crate::http::Json<RequirementSettingsDto>,
) -> Result<HttpResponse, ApiError> {
    let stored = store::save_weights(&state.db, &principal, if_match(&req)?, body.weights).await?;
    Ok(ok_with_etag(&RequirementSettingsDto { weights: stored.value.weights }, stored.version))
}
