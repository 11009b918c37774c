//! Users (`/users`): accounts, roles, teams and passwords, administered by administrators.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crm_domain::HasCode;
use crm_domain::identity::{DEFAULT_LOCALE, DISPLAY_NAME_MAX, NewUser, UserKind, UserPatch, parse_locale};
use crm_domain::values::Email;
use crm_persistence::identity::users;

use crate::auth::{Principal, State, hash_password};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag, parse_uuid};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub active: bool,
    pub role_id: Uuid,
    pub role_key: String,
    pub team_ids: Vec<Uuid>,
    /// `person`, or `api_key` for the user an API key acts as (see `/api-keys`).
    pub kind: UserKind,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether the user signs in with a second factor (TOTP); an administrator may reset it
    /// with `DELETE /users/{id}/2fa`.
    pub two_factor_enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<users::UserRecord> for UserDto {
    fn from(u: users::UserRecord) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            locale: u.locale,
            active: u.active,
            role_id: u.role_id,
            role_key: u.role_key,
            team_ids: u.team_ids,
            kind: u.kind,
            last_login_at: u.last_login_at,
            two_factor_enabled: u.two_factor_enabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version: u.version,
        }
    }
}

fn check_locale(locale: &str) -> Result<String, ApiError> {
    parse_locale(locale).map_err(|e| ApiError::Validation(crm_domain::ValidationErrors(vec![e.field_error("locale")])))
}

fn check_display_name(name: &str) -> Result<String, ApiError> {
    crm_domain::text::bounded_text(name, DISPLAY_NAME_MAX, false)
        .map_err(|e| ApiError::Validation(crm_domain::ValidationErrors(vec![e.field_error("display_name")])))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(example = "li.na@example.com")]
    pub email: String,
    #[schema(example = "李娜")]
    pub display_name: String,
    /// At least 10 characters.
    #[validate(length(min = 10, max = 1024, message = "must be 10 to 1024 characters"))]
    pub password: String,
    pub role_id: Uuid,
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub team_ids: Vec<Uuid>,
    /// `zh-CN` (default) or `en`.
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub role_id: Option<Uuid>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub team_ids: Option<Vec<Uuid>>,
    /// `false` deactivates the account and ends its sessions at once.
    pub active: Option<bool>,
    pub locale: Option<String>,
    /// A new password (ends the user's sessions).
    #[validate(length(min = 10, max = 1024, message = "must be 10 to 1024 characters"))]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Part of the name or email.
    pub q: Option<String>,
    pub role_id: Option<String>,
    pub team_id: Option<String>,
    pub active: Option<bool>,
    /// The user with exactly this sign-in email (any case): how an integration finds an owner.
    pub email: Option<String>,
    /// `display_name` (default), `-display_name`, `created_at`, `-created_at`.
    pub sort: Option<String>,
}

/// A new user's checked email, display name and locale; the password is checked here and
/// hashed afterwards, on a blocking thread.
fn parse_new_user(body: &CreateUser) -> Result<(Email, String, String), crm_domain::ValidationErrors> {
    let mut check = crm_domain::Check::default();
    if let Err(e) = body.validate()
        && let ApiError::Validation(v) = ApiError::from(e)
    {
        check.merge(Err(v));
    }
    let email = check.value("email", &body.email, Email::parse);
    let display_name = check.text("display_name", &body.display_name, DISPLAY_NAME_MAX);
    let locale = check.value("locale", body.locale.as_deref().unwrap_or(DEFAULT_LOCALE), parse_locale);
    if !check.0.0.iter().any(|e| e.field == "password") {
        check.0.0.extend(crate::identity::passwords::new_password_error("password", &body.password));
    }
    check.finish_with((email, display_name, locale))
}

/// A change to a user; `password_hash` is the new password's, hashed once the password passed
/// its checks.
fn parse_user_patch(body: UpdateUser, password_hash: Option<String>) -> Result<UserPatch, ApiError> {
    Ok(UserPatch {
        display_name: body.display_name.as_deref().map(check_display_name).transpose()?,
        role_id: body.role_id,
        team_ids: body.team_ids,
        active: body.active,
        locale: body.locale.as_deref().map(check_locale).transpose()?,
        password_hash,
    })
}

/// Create a user
#[utoipa::path(tag = "users", request_body = CreateUser, params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")), responses(
    (status = 201, description = "Created", body = UserDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Email taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/users")]
pub async fn create_user(state: State, principal: Principal, body: crate::http::Json<CreateUser>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (email, display_name, locale) = parse_new_user(&body)?;
    let password = body.password;
    let password_hash = web::block(move || hash_password(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))??;
    let new = NewUser { email, display_name, password_hash, role_id: body.role_id, team_ids: body.team_ids, locale };
    let user = users::create(&state.db, &principal, new).await?;
    let version = user.version;
    Ok(created(&UserDto::from(user.clone()), format!("/api/v1/users/{}", user.id), version))
}

/// List users
#[utoipa::path(tag = "users", params(UserListParams, PageParams), responses(
    (status = 200, description = "A page of users", body = PageDto<UserDto>),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/users")]
pub async fn list_users(
    state: State,
    principal: Principal,
    filter: web::Query<UserListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = users::UserFilter {
        q: crate::http::search_query(&filter.q)?,
        role_id: parse_uuid("role_id", filter.role_id.as_deref())?,
        team_id: parse_uuid("team_id", filter.team_id.as_deref())?,
        active: filter.active,
        email: filter.email.clone(),
        sort: filter.sort.clone(),
    };
    let page = users::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, UserDto::from)))
}

/// Get a user
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The user", body = UserDto, headers(("ETag" = String))),
    (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/users/{id}")]
pub async fn get_user(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let user = users::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&UserDto::from(user.clone()), user.version))
}

/// Change a user (role, teams, name, locale, password; `active: false` deactivates)
#[utoipa::path(tag = "users", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateUser, responses(
    (status = 200, description = "Changed", body = UserDto, headers(("ETag" = String))),
    (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Would lock yourself out (`user.self_change`), or the user is an API key's (`user.is_api_key`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.validate()?;
    if let Some(password) = &body.password {
        crate::identity::passwords::check_new_password("password", password)?;
    }
    let password_hash = match body.password.take() {
        Some(password) => Some(web::block(move || hash_password(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))??),
        None => None,
    };
    let patch = parse_user_patch(body, password_hash)?;
    let user = users::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&UserDto::from(user.clone()), user.version))
}
