//! Two-factor sign-in (`/auth/2fa/*`): a signed-in person enrols with a TOTP authenticator app,
//! gets one-time recovery codes, regenerates them or turns it off; administrators reset it for
//! someone who lost their device (`DELETE /users/{id}/2fa`). API keys are refused here and exempt
//! from two-factor sign-in altogether: they never sign in.

use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crm_domain::text;
use crm_persistence::identity::{auth, two_factor, users};

use crate::auth::{Principal, State, client_ip, verify_password};
use crate::error::{ApiError, Problem};

use super::auth::TwoFactorSetupDto;

/// A current code of the authenticator app.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorCode {
    /// Six digits.
    #[validate(length(min = 1, max = 20))]
    #[schema(example = "123456")]
    pub code: String,
}

/// Proof for turning two-factor sign-in off: the password or a current code (one of them).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTwoFactor {
    #[validate(length(min = 1, max = 1024))]
    pub password: Option<String>,
    #[validate(length(min = 1, max = 20))]
    pub code: Option<String>,
}

/// One-time recovery codes, each of which signs in once in place of a code. Shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesDto {
    #[schema(example = json!(["abcd-efgh-ijkl-mnop"]))]
    pub recovery_codes: Vec<String>,
}

/// Start enrolling in two-factor sign-in
///
/// A new secret to add to an authenticator app (scan `otpauth_uri` as a QR code); it takes
/// effect when a code confirms it at `POST /auth/2fa/enable`. Starting again replaces a
/// pending secret.
#[utoipa::path(tag = "auth", responses(
    (status = 200, description = "The pending secret", body = TwoFactorSetupDto),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Called with an API key", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already on (`two_factor.already_enabled`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/2fa/setup")]
pub async fn setup_two_factor(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    let setup = two_factor::setup(&state.db, &principal).await?;
    Ok(HttpResponse::Ok().json(TwoFactorSetupDto { secret: setup.secret, otpauth_uri: setup.otpauth_uri }))
}

/// Turn two-factor sign-in on
///
/// Confirms the pending secret with a current code and answers the recovery codes, shown this
/// once. Wrong codes count against the sign-in limits.
#[utoipa::path(tag = "auth", request_body = TwoFactorCode, responses(
    (status = 200, description = "On; the recovery codes", body = RecoveryCodesDto),
    (status = 403, description = "Called with an API key", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already on (`two_factor.already_enabled`), or no setup started (`two_factor.not_set_up`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Wrong or reused code (`code`: `incorrect_code`)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many wrong codes", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/2fa/enable")]
pub async fn enable_two_factor(
    state: State,
    principal: Principal,
    body: crate::http::Json<TwoFactorCode>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let recovery_codes = two_factor::enable(&state.db, &principal, &body.code).await?;
    Ok(HttpResponse::Ok().json(RecoveryCodesDto { recovery_codes }))
}

/// Turn two-factor sign-in off
///
/// Needs the password or a current code (send one). Refused while the role requires it.
#[utoipa::path(tag = "auth", request_body = DisableTwoFactor, responses(
    (status = 204, description = "Off; the secret and recovery codes are gone"),
    (status = 403, description = "Called with an API key", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not on (`two_factor.not_enabled`), or the role requires it (`two_factor.required_by_role`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Neither or both proofs, or a wrong one (`password`: `incorrect_password`, `code`: `incorrect_code`)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many wrong attempts", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/2fa/disable")]
pub async fn disable_two_factor(
    state: State,
    principal: Principal,
    req: HttpRequest,
    body: crate::http::Json<DisableTwoFactor>,
) -> Result<HttpResponse, ApiError> {
    principal.require_in_person()?;
    body.validate()?;
    match (body.password.clone(), body.code.as_deref()) {
        (Some(password), None) => {
            let ip = client_ip(&req);
            let (email, hash) = users::sign_in_secret(&state.db, principal.user_id).await?;
            auth::claim_login_attempt(&state.db, &email, ip.as_deref()).await?;
            let matches = web::block(move || verify_password(&password, &hash)).await.map_err(|e| ApiError::Internal(e.to_string()))?;
            auth::record_login_attempt(&state.db, &email, ip.as_deref(), matches).await?;
            if !matches {
                return Err(ApiError::validation(
                    "password",
                    "incorrect_password",
                    text!("is not your current password", "与当前密码不符"),
                ));
            }
            auth::release_login_claims(&state.db, &email, ip.as_deref()).await?;
            two_factor::disable(&state.db, &principal, two_factor::DisableProof::PasswordChecked).await?;
        }
        (None, Some(code)) => two_factor::disable(&state.db, &principal, two_factor::DisableProof::Code(code)).await?,
        _ => {
            return Err(ApiError::validation("password", "one_of", text!("send either password or code", "请填写密码或验证码（二选一）")));
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// New recovery codes
///
/// Needs a current code; the old recovery codes stop working. Shown this once.
#[utoipa::path(tag = "auth", request_body = TwoFactorCode, responses(
    (status = 200, description = "The new recovery codes", body = RecoveryCodesDto),
    (status = 403, description = "Called with an API key", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not on (`two_factor.not_enabled`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Wrong or reused code (`code`: `incorrect_code`)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many wrong codes", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/2fa/recovery-codes")]
pub async fn regenerate_recovery_codes(
    state: State,
    principal: Principal,
    body: crate::http::Json<TwoFactorCode>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let recovery_codes = two_factor::regenerate_recovery_codes(&state.db, &principal, &body.code).await?;
    Ok(HttpResponse::Ok().json(RecoveryCodesDto { recovery_codes }))
}

/// Reset a user's two-factor sign-in (administrators)
///
/// For a lost device: the user's secret and recovery codes are gone; audited against the user.
/// A user whose role requires it enrols again at their next sign-in.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Reset"),
    (status = 403, description = "Not an administrator signed in as themselves (an API key never is)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not on (`two_factor.not_enabled`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/users/{id}/2fa")]
pub async fn reset_two_factor(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    two_factor::reset(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
