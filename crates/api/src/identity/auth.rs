//! Sign-in, refresh, sign-out and the caller's own profile (`/auth/*`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crm_domain::identity::Permissions;
use crm_domain::text;
use crm_persistence::identity::{auth, users};

use crate::auth::{ACCESS_TOKEN_SECONDS, AppState, Principal, State, client_ip, decoy_hash, verify_password};
use crate::error::{ApiError, Problem};

use super::roles::role_words;

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
    (status = 409, description = "Called with an API key, which has no session", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(state: State, principal: Principal, body: Option<web::Json<LogoutRequest>>) -> Result<HttpResponse, ApiError> {
    let session_id = principal.session()?;
    if let Some(token) = body.and_then(|b| b.into_inner().refresh_token) {
        auth::end_session_by_refresh_token(&state.db, token.trim()).await?;
    }
    auth::end_session(&state.db, session_id).await?;
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
