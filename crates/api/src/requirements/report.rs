//! The requirements report (`/reports/requirements`).

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::ApiError;

use super::RequirementDto;

/// A count per key.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCountDto {
    pub key: String,
    pub count: u64,
}

/// The requirements report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementsReportDto {
    pub total: u64,
    pub by_status: Vec<KeyCountDto>,
    pub by_category: Vec<KeyCountDto>,
    pub by_source: Vec<KeyCountDto>,
    /// Average days from collected to delivered.
    pub average_days_to_delivery: Option<f64>,
    pub delivered_count: u64,
    /// Open requirements most customers asked for.
    pub top_by_demand: Vec<RequirementDto>,
    /// Open requirements with the highest scores.
    pub top_by_score: Vec<RequirementDto>,
}

/// Requirements by status, category and source; time to delivery; the top requirements
#[utoipa::path(tag = "reports", responses((status = 200, description = "The report", body = RequirementsReportDto)), security(("bearer" = [])))]
#[get("/reports/requirements")]
pub async fn requirements_report(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    let r = store::report(&state.db, &principal).await?;
    let counts = |rows: Vec<(String, u64)>| rows.into_iter().map(|(key, count)| KeyCountDto { key, count }).collect();
    Ok(HttpResponse::Ok().json(RequirementsReportDto {
        total: r.total,
        by_status: counts(r.by_status),
        by_category: counts(r.by_category),
        by_source: counts(r.by_source),
        average_days_to_delivery: r.average_days_to_delivery,
        delivered_count: r.delivered_count,
        top_by_demand: r.top_by_demand.into_iter().map(RequirementDto::from).collect(),
        top_by_score: r.top_by_score.into_iter().map(RequirementDto::from).collect(),
    }))
}
