//! Teams (`/teams`): a tree whose members' customers a `team` scope reaches.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::HasCode;
use crm_persistence::identity::teams;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, double_option, if_match, ok_with_etag, parse_uuid};

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    pub id: Uuid,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<teams::TeamRecord> for TeamDto {
    fn from(t: teams::TeamRecord) -> Self {
        Self { id: t.id, name: t.name, parent_id: t.parent_id, created_at: t.created_at, updated_at: t.updated_at, version: t.version }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    #[schema(example = "浦东新区销售")]
    pub name: String,
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    pub name: Option<String>,
    /// `null` makes it a top-level team.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub parent_id: Option<Option<Uuid>>,
}

fn check_team_name(name: &str) -> Result<String, ApiError> {
    crm_domain::text::bounded_text(name, 100, false)
        .map_err(|e| ApiError::Validation(crm_domain::ValidationErrors(vec![e.field_error("name")])))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamListParams {
    /// Only the direct sub-teams of this team.
    pub parent_id: Option<String>,
}

/// List teams
#[utoipa::path(tag = "teams", params(TeamListParams, PageParams), responses((status = 200, description = "A page of teams", body = PageDto<TeamDto>)), security(("bearer" = [])))]
#[get("/teams")]
pub async fn list_teams(
    state: State,
    principal: Principal,
    filter: web::Query<TeamListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let parent = parse_uuid("parent_id", filter.parent_id.as_deref())?;
    let page = teams::list(&state.db, &principal, parent, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, TeamDto::from)))
}

/// Create a team
#[utoipa::path(tag = "teams", request_body = CreateTeam, responses(
    (status = 201, description = "Created", body = TeamDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/teams")]
pub async fn create_team(state: State, principal: Principal, body: crate::http::Json<CreateTeam>) -> Result<HttpResponse, ApiError> {
    let team = teams::create(&state.db, &principal, check_team_name(&body.name)?, body.parent_id).await?;
    Ok(created(&TeamDto::from(team.clone()), format!("/api/v1/teams/{}", team.id), team.version))
}

/// Get a team
#[utoipa::path(tag = "teams", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The team", body = TeamDto, headers(("ETag" = String))),
    (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/teams/{id}")]
pub async fn get_team(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let team = teams::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&TeamDto::from(team.clone()), team.version))
}

/// Rename or move a team
#[utoipa::path(tag = "teams", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateTeam, responses(
    (status = 200, description = "Changed", body = TeamDto, headers(("ETag" = String))),
    (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Another team has this name", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields or a cycle", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/teams/{id}")]
pub async fn update_team(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateTeam>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let name = body.name.as_deref().map(check_team_name).transpose()?;
    let patch = teams::TeamPatch { name, parent_id: body.parent_id };
    let team = teams::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&TeamDto::from(team.clone()), team.version))
}

/// Delete a team nobody uses
#[utoipa::path(tag = "teams", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Still has members, sub-teams or customers", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/teams/{id}")]
pub async fn delete_team(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    teams::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
