//! Sign-in (`/auth/*`) and the administration of users, teams and roles.

pub mod passwords;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use crm_domain::{HasCode, text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crm_domain::identity::Permissions;
use crm_domain::values::Email;
use crm_persistence::identity::{auth, roles, teams, users};

use crate::auth::{ACCESS_TOKEN_SECONDS, AppState, Principal, client_ip, decoy_hash, hash_password, verify_password};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, double_option, if_match, ok_with_etag, parse_uuid};

type State = web::Data<AppState>;

// ---------------------------------------------------------------- auth

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 3, max = 320))]
    #[schema(example = "admin@example.com")]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The session's refresh token; without it the session of the access token ends.
    pub refresh_token: Option<String>,
}

/// A role as the signed-in user sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleRef {
    pub id: Uuid,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamRef {
    pub id: Uuid,
    pub name: String,
}

/// The signed-in user, their role's permission matrix and their teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `zh-CN` or `en`.
    pub locale: String,
    pub active: bool,
    pub role: RoleRef,
    pub permissions: Permissions,
    pub teams: Vec<TeamRef>,
    /// The organisation's IANA time zone (server setting `CRM_TIME_ZONE`), e.g. `Asia/Shanghai`:
    /// "today", default report ranges and day buckets are days in this zone.
    pub time_zone: String,
}

/// Tokens for a session: a 15-minute access token and a rotating refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Opaque; valid 30 days; each use returns a new one and retires the old.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: MeDto,
}

async fn me_dto(state: &AppState, user_id: Uuid) -> Result<MeDto, ApiError> {
    let profile = users::profile(&state.db, user_id).await?;
    Ok(MeDto {
        id: profile.user.id,
        email: profile.user.email,
        display_name: profile.user.display_name,
        locale: profile.user.locale,
        active: profile.user.active,
        role: RoleRef {
            id: profile.role.id,
            name: role_words(&profile.role.key, profile.role.builtin, profile.role.name, String::new()).0,
            key: profile.role.key,
        },
        permissions: profile.role.permissions,
        teams: profile.teams.into_iter().map(|t| TeamRef { id: t.id, name: t.name }).collect(),
        time_zone: state.time_zone.name().to_owned(),
    })
}

async fn tokens(state: &AppState, session: auth::IssuedSession) -> Result<TokenResponse, ApiError> {
    Ok(TokenResponse {
        access_token: state.jwt.issue(session.user_id, session.session_id)?,
        refresh_token: session.refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TOKEN_SECONDS,
        user: me_dto(state, session.user_id).await?,
    })
}

/// Sign in with email and password
///
/// Five failed attempts for one account from one address within 15 minutes answer 429 with
/// `Retry-After` until the oldest failure ages out.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = TokenResponse),
    (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(state: State, req: HttpRequest, body: crate::http::Json<LoginRequest>) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let ip = client_ip(&req);
    // Claimed before the password is hashed: concurrent guesses cannot outrun the count.
    auth::claim_login_attempt(&state.db, &body.email, ip.as_deref()).await?;
    let account = auth::find_account(&state.db, &body.email).await?;
    let password = body.password.clone();
    let hash = account.as_ref().map(|a| a.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let matches = web::block(move || verify_password(&password, &hash)).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let account = match account {
        Some(account) if matches && account.active => account,
        _ => {
            auth::record_login_attempt(&state.db, &body.email, ip.as_deref(), false).await?;
            return Err(ApiError::unauthorized(
                "auth.invalid_credentials",
                text!("the email or password is wrong, or the account is deactivated", "邮箱或密码错误，或账号已停用"),
            ));
        }
    };
    auth::record_login_attempt(&state.db, &body.email, ip.as_deref(), true).await?;
    auth::release_login_claims(&state.db, &body.email, ip.as_deref()).await?;
    let user_agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    let session = auth::open_session(&state.db, account.user_id, ip.as_deref(), user_agent).await?;
    Ok(HttpResponse::Ok().json(tokens(&state, session).await?))
}

/// Exchange a refresh token for new tokens
///
/// The old refresh token stops working. Presenting a used one again revokes the whole session.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "New tokens", body = TokenResponse),
    (status = 401, description = "Invalid, used, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/refresh")]
pub async fn refresh(state: State, body: crate::http::Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let session = auth::rotate_refresh_token(&state.db, body.refresh_token.trim()).await?;
    Ok(HttpResponse::Ok().json(tokens(&state, session).await?))
}

/// Sign out
///
/// Ends the session: its refresh token and every access token issued for it stop working.
#[utoipa::path(tag = "auth", request_body(content = LogoutRequest, description = "Optional"), responses(
    (status = 204, description = "Signed out"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(state: State, principal: Principal, body: Option<web::Json<LogoutRequest>>) -> Result<HttpResponse, ApiError> {
    if let Some(token) = body.and_then(|b| b.into_inner().refresh_token) {
        auth::end_session_by_refresh_token(&state.db, token.trim()).await?;
    }
    auth::end_session(&state.db, principal.session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user
#[utoipa::path(tag = "auth", responses(
    (status = 200, description = "The caller", body = MeDto),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/auth/me")]
pub async fn me(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(me_dto(&state, principal.user_id).await?))
}

// ---------------------------------------------------------------- users

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
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
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
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version: u.version,
        }
    }
}

fn check_locale(locale: &str) -> Result<String, ApiError> {
    match locale {
        "zh-CN" | "en" => Ok(locale.to_owned()),
        _ => Err(ApiError::Validation(crm_domain::ValidationErrors(vec![locale_error()]))),
    }
}

fn locale_error() -> crm_domain::FieldError {
    crm_domain::values::ValueError::Choice("zh-CN, en".into()).field_error("locale")
}

fn check_display_name(name: &str) -> Result<String, ApiError> {
    crm_domain::text::bounded_text(name, 100, false)
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
    /// `display_name` (default), `-display_name`, `created_at`, `-created_at`.
    pub sort: Option<String>,
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
    let mut check = crm_domain::Check::default();
    if let Err(e) = body.validate()
        && let ApiError::Validation(v) = ApiError::from(e)
    {
        check.merge(Err(v));
    }
    let email = check.value("email", &body.email, Email::parse);
    let display_name = check.text("display_name", &body.display_name, 100);
    let locale = check_locale(body.locale.as_deref().unwrap_or("zh-CN")).map_err(|_| check.0.push(locale_error())).ok();
    if !check.0.0.iter().any(|e| e.field == "password") {
        check.0.0.extend(crate::identity::passwords::new_password_error("password", &body.password));
    }
    let (email, display_name, locale) = check.finish_with((email, display_name, locale))?;
    let password = body.password;
    let password_hash = web::block(move || hash_password(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))??;
    let new = users::NewUser { email, display_name, password_hash, role_id: body.role_id, team_ids: body.team_ids, locale };
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
    (status = 409, description = "Would lock yourself out", body = Problem, content_type = "application/problem+json"),
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
    let body = body.into_inner();
    body.validate()?;
    if let Some(password) = &body.password {
        crate::identity::passwords::check_new_password("password", password)?;
    }
    let password_hash = match body.password {
        Some(password) => Some(web::block(move || hash_password(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))??),
        None => None,
    };
    let patch = users::UserPatch {
        display_name: body.display_name.as_deref().map(check_display_name).transpose()?,
        role_id: body.role_id,
        team_ids: body.team_ids,
        active: body.active,
        locale: body.locale.as_deref().map(check_locale).transpose()?,
        password_hash,
    };
    let user = users::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&UserDto::from(user.clone()), user.version))
}

// ---------------------------------------------------------------- teams

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
    let team = teams::update(&state.db, &principal, id.into_inner(), if_match(&req)?, name, body.parent_id).await?;
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

// ---------------------------------------------------------------- roles

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: String,
    /// Built-in roles cannot be changed or deleted.
    pub builtin: bool,
    pub permissions: Permissions,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

/// A role's name (and description) as the reader reads it: a built-in role's in the language of
/// the request, a custom role's as its administrator wrote it.
fn role_words(key: &str, builtin: bool, name: String, description: String) -> (String, String) {
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
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Permissions>,
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
    let role = roles::create(&state.db, &principal, key, name, description, body.permissions).await?;
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

/// Change a custom role
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateRole, responses(
    (status = 200, description = "Changed", body = RoleDto, headers(("ETag" = String))),
    (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Built-in roles are fixed", body = Problem, content_type = "application/problem+json"),
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
    let role = roles::update(&state.db, &principal, id.into_inner(), if_match(&req)?, name, description, body.permissions).await?;
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

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(passwords::change_password)
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(list_teams)
        .service(create_team)
        .service(get_team)
        .service(update_team)
        .service(delete_team)
        .service(list_roles)
        .service(create_role)
        .service(get_role)
        .service(update_role)
        .service(delete_role);
}
