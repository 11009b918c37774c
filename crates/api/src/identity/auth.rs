//! Sign-in, refresh, sign-out and the caller's own profile (`/auth/*`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crm_domain::identity::Permissions;
use crm_domain::text;
use crm_persistence::identity::{auth, two_factor, users};

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
    /// Whether the user signs in with a second factor (TOTP).
    pub two_factor_enabled: bool,
    /// Whether the user's role requires a second factor (then it cannot be turned off).
    pub two_factor_required: bool,
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
    /// Only when this sign-in also finished enrolment in two-factor sign-in: the one-time
    /// recovery codes, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

/// A new TOTP secret to add to an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorSetupDto {
    /// Base32, for typing in by hand.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// `otpauth://totp/CRM:<email>?secret=…&issuer=CRM`, shown as a QR code.
    pub otpauth_uri: String,
}

/// The password was right; a second factor is needed before a session opens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorChallenge {
    /// Always `true`: answer `challenge` with a code at `POST /auth/login/2fa`.
    pub two_factor_required: bool,
    /// `true` when the user's role requires two-factor sign-in and they have not enrolled: add
    /// `setup` to an authenticator app, and its first code both enrols and signs in.
    pub two_factor_setup_required: bool,
    /// Opaque and single-use; expires at `expires_at` (5 minutes).
    pub challenge: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The secret to enrol with, when `two_factor_setup_required`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup: Option<TwoFactorSetupDto>,
}

/// What a correct password signs in to: tokens, or a second-factor challenge.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginResponse {
    Tokens(Box<TokenResponse>),
    TwoFactor(TwoFactorChallenge),
}

/// The second step of signing in.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginTwoFactorRequest {
    /// The `challenge` from `POST /auth/login`.
    #[validate(length(min = 1, max = 200))]
    pub challenge: String,
    /// The six-digit code of the authenticator app; or send `recovery_code`.
    #[validate(length(min = 1, max = 20))]
    #[schema(example = "123456")]
    pub code: Option<String>,
    /// One unused recovery code (each works once).
    #[validate(length(min = 1, max = 64))]
    pub recovery_code: Option<String>,
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
        two_factor_enabled: profile.user.two_factor_enabled,
        two_factor_required: profile.role.requires_two_factor,
    })
}

async fn tokens(state: &AppState, session: auth::IssuedSession) -> Result<TokenResponse, ApiError> {
    Ok(TokenResponse {
        recovery_codes: None,
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
/// `Retry-After` until the oldest failure ages out. An account with two-factor sign-in (or whose
/// role requires it) gets a `TwoFactorChallenge` instead of tokens: answer it at
/// `POST /auth/login/2fa`.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in, or a second factor is needed", body = LoginResponse),
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
    // With a second factor to come, the password's attempt stays counted (and earlier failures
    // stay remembered) until the code is right: a known password must not reset the limit on
    // guessing codes. The second step records and releases it.
    if let Some(challenge) = two_factor::challenge_for(&state.db, account.user_id).await? {
        return Ok(HttpResponse::Ok().json(LoginResponse::TwoFactor(TwoFactorChallenge {
            two_factor_required: true,
            two_factor_setup_required: challenge.setup.is_some(),
            challenge: challenge.token,
            expires_at: challenge.expires_at,
            setup: challenge.setup.map(|s| TwoFactorSetupDto { secret: s.secret, otpauth_uri: s.otpauth_uri }),
        })));
    }
    auth::record_login_attempt(&state.db, &body.email, ip.as_deref(), true).await?;
    auth::release_login_claims(&state.db, &body.email, ip.as_deref()).await?;
    let session = auth::open_session(&state.db, account.user_id, ip.as_deref(), user_agent(&req)).await?;
    Ok(HttpResponse::Ok().json(LoginResponse::Tokens(Box::new(tokens(&state, session).await?))))
}

fn user_agent(req: &HttpRequest) -> Option<&str> {
    req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok())
}

/// Finish signing in with a second factor
///
/// Answers the `challenge` of `POST /auth/login` with the authenticator app's current code or
/// an unused recovery code (send one of `code`, `recovery_code`). A code works once; a challenge
/// works once and for 5 minutes. Wrong codes count against the same limits as wrong passwords
/// (429 with `Retry-After`). For an enrolment challenge (`two_factor_setup_required`) the code
/// also turns two-factor sign-in on, and the answer carries the recovery codes, shown this once.
#[utoipa::path(tag = "auth", request_body = LoginTwoFactorRequest, responses(
    (status = 200, description = "Signed in", body = TokenResponse),
    (status = 401, description = "Wrong, expired or reused code or recovery code (`auth.two_factor_invalid`), or an unknown, expired or used challenge (`auth.challenge_invalid`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Neither or both of `code` and `recovery_code`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login/2fa")]
pub async fn login_two_factor(
    state: State,
    req: HttpRequest,
    body: crate::http::Json<LoginTwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let proof = match (body.code.as_deref(), body.recovery_code.as_deref()) {
        (Some(code), None) => two_factor::SignInProof::Code(code),
        (None, Some(code)) => two_factor::SignInProof::RecoveryCode(code),
        _ => {
            return Err(ApiError::validation(
                "code",
                "one_of",
                text!("send either code or recovery_code", "请填写验证码或恢复码（二选一）"),
            ));
        }
    };
    let ip = client_ip(&req);
    let finished = two_factor::finish_sign_in(&state.db, &body.challenge, proof, ip.as_deref(), crate::error::current_request_id()).await?;
    let session = auth::open_session(&state.db, finished.user_id, ip.as_deref(), user_agent(&req)).await?;
    let mut response = tokens(&state, session).await?;
    response.recovery_codes = finished.recovery_codes;
    Ok(HttpResponse::Ok().json(response))
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
