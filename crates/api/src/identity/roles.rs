//! Roles and their permission matrices (`/roles`); built-in roles read in the reader's language.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::identity::Permissions;
use crm_domain::{HasCode, text};
use crm_persistence::identity::roles;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag};

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: String,
    /// Built-in roles cannot be deleted, nor changed except for `requires_two_factor`.
    pub builtin: bool,
    pub permissions: Permissions,
    /// Holders must sign in with a second factor; one who has not enrolled is led through
    /// enrolment at their next sign-in. API keys bound to the role are exempt.
    pub requires_two_factor: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

/// A role's name (and description) as the reader reads it: a built-in role's in the language of
/// the request, a custom role's as its administrator wrote it.
pub(super) fn role_words(key: &str, builtin: bool, name: String, description: String) -> (String, String) {
    let lang = crate::error::current_language();
    match crm_domain::identity::builtin_role_text(key).filter(|_| builtin) {
        Some((name, description)) => (name.get(lang).to_owned(), description.get(lang).to_owned()),
        None => (name, description),
    }
}

impl From<roles::RoleRecord> for RoleDto {
    fn from(r: roles::RoleRecord) -> Self {
        let (name, description) = role_words(&r.key, r.builtin, r.name, r.description);
        Self {
            id: r.id,
            key: r.key,
            name,
            description,
            builtin: r.builtin,
            permissions: r.permissions,
            requires_two_factor: r.requires_two_factor,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    /// Lower-case letters, digits and `_`, starting with a letter.
    #[schema(example = "key_account_manager")]
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub permissions: Permissions,
    /// Holders must sign in with a second factor (default `false`).
    #[serde(default)]
    pub requires_two_factor: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Permissions>,
    /// Holders must sign in with a second factor; the one field a built-in role lets change.
    pub requires_two_factor: Option<bool>,
}

fn check_role_key(key: &str) -> Result<String, ApiError> {
    let ok = (2..=40).contains(&key.len())
        && key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(ApiError::validation(
            "key",
            "key",
            text!("2–40 lower-case letters, digits or _, starting with a letter", "2–40 个小写字母、数字或 _，以字母开头"),
        ))
    }
}

fn check_role_text(field: &str, value: &str, max: usize, required: bool) -> Result<String, ApiError> {
    if !required && value.trim().is_empty() {
        return Ok(String::new());
    }
    crm_domain::text::bounded_text(value, max, false)
        .map_err(|e| ApiError::Validation(crm_domain::ValidationErrors(vec![e.field_error(field)])))
}

/// List roles
#[utoipa::path(tag = "roles", params(PageParams), responses((status = 200, description = "A page of roles", body = PageDto<RoleDto>)), security(("bearer" = [])))]
#[get("/roles")]
pub async fn list_roles(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = roles::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RoleDto::from)))
}

/// Create a custom role
#[utoipa::path(tag = "roles", request_body = CreateRole, responses(
    (status = 201, description = "Created", body = RoleDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Key taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/roles")]
pub async fn create_role(state: State, principal: Principal, body: crate::http::Json<CreateRole>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let key = check_role_key(body.key.trim())?;
    let name = check_role_text("name", &body.name, 100, true)?;
    let description = check_role_text("description", &body.description, 500, false)?;
    let role = roles::create(&state.db, &principal, key, name, description, body.permissions, body.requires_two_factor).await?;
    Ok(created(&RoleDto::from(role.clone()), format!("/api/v1/roles/{}", role.id), role.version))
}

/// Get a role
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The role", body = RoleDto, headers(("ETag" = String))),
    (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/roles/{id}")]
pub async fn get_role(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let role = roles::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&RoleDto::from(role.clone()), role.version))
}

/// Change a role
///
/// Custom roles change whole; of a built-in role only `requires_two_factor` changes.
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateRole, responses(
    (status = 200, description = "Changed", body = RoleDto, headers(("ETag" = String))),
    (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Built-in roles are fixed but for `requires_two_factor`", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/roles/{id}")]
pub async fn update_role(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateRole>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let name = body.name.as_deref().map(|n| check_role_text("name", n, 100, true)).transpose()?;
    let description = body.description.as_deref().map(|d| check_role_text("description", d, 500, false)).transpose()?;
    let patch = roles::RolePatch { name, description, permissions: body.permissions, requires_two_factor: body.requires_two_factor };
    let role = roles::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&RoleDto::from(role.clone()), role.version))
}

/// Delete a custom role nobody holds
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Built-in, or still held by users", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/roles/{id}")]
pub async fn delete_role(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    roles::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
