//! The rules a new password must meet, wherever one is set (user create and update, the portal's
//! accept-invitation, `crm user create`), and the route by which staff change their own.
//!
//! Common passwords are refused by the list that the `passwords` crate ships (its
//! `common-password` feature: 99,838 passwords collected from breaches), not by a list of ours.

use actix_web::{HttpRequest, HttpResponse, post, web};
use crm_domain::text;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crm_domain::FieldError;
use crm_persistence::identity::{auth, users};

use crate::auth::{Principal, State, client_ip, hash_password, verify_password};
use crate::error::{ApiError, Problem};

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why `password` may not be set, as a field error of `field`: too short, only white space, or
/// on the list of common passwords (compared as typed, lower-cased and trimmed, so `Password123`
/// and ` qwertyuiop ` are refused too).
pub fn new_password_error(field: &str, password: &str) -> Option<FieldError> {
    if password.trim().is_empty() {
        return Some(FieldError::new(field, "password_blank", text!("must not be only white space", "不能只有空白字符")));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(
            FieldError::new(
                field,
                "password_too_short",
                text!("must have at least {MIN_PASSWORD_CHARS} characters", "至少需要 {MIN_PASSWORD_CHARS} 个字符"),
            )
            .with_param("min", MIN_PASSWORD_CHARS),
        );
    }
    let trimmed = password.trim();
    let common = [password, trimmed, &trimmed.to_lowercase()].into_iter().any(passwords::analyzer::is_common_password);
    common.then(|| {
        FieldError::new(
            field,
            "password_common",
            text!("is one of the most common passwords; choose another", "是最常见的密码之一，请换一个"),
        )
    })
}

/// [`new_password_error`] as a 422.
pub fn check_new_password(field: &str, password: &str) -> Result<(), ApiError> {
    match new_password_error(field, password) {
        Some(error) => Err(ApiError::Validation(crm_domain::ValidationErrors(vec![error]))),
        None => Ok(()),
    }
}

/// Your current password and the one to replace it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    pub current_password: String,
    /// At least 10 characters, not only white space, not a common password.
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    pub new_password: String,
}

/// Change your own password
///
/// Needs the current password; wrong guesses count against the same limits as sign-in (429 with
/// `Retry-After` once they are used up). Every other session of yours ends, so a device or a
/// thief holding one is signed out; the session that made the change goes on.
#[utoipa::path(tag = "auth", request_body = ChangePassword, responses(
    (status = 204, description = "Changed; your other sessions have ended"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Called with an API key, which has no password", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`current_password` is wrong (`incorrect_password`), or `new_password` is too short (`password_too_short`), only white space (`password_blank`) or a common password (`password_common`)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/auth/password")]
pub async fn change_password(
    state: State,
    principal: Principal,
    req: HttpRequest,
    body: crate::http::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let session_id = principal.session()?;
    let body = body.into_inner();
    body.validate()?;
    check_new_password("new_password", &body.new_password)?;
    let ip = client_ip(&req);
    let (email, current_hash) = users::sign_in_secret(&state.db, principal.user_id).await?;
    // Claimed before the password is hashed, as at sign-in: a stolen session cannot guess the
    // password faster than a sign-in form could.
    auth::claim_login_attempt(&state.db, &email, ip.as_deref()).await?;
    let current = body.current_password;
    let matches = web::block(move || verify_password(&current, &current_hash)).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    if !matches {
        auth::record_login_attempt(&state.db, &email, ip.as_deref(), false).await?;
        return Err(ApiError::validation(
            "current_password",
            "incorrect_password",
            text!("is not your current password", "与当前密码不符"),
        ));
    }
    auth::record_login_attempt(&state.db, &email, ip.as_deref(), true).await?;
    auth::release_login_claims(&state.db, &email, ip.as_deref()).await?;
    let new = body.new_password;
    let new_hash = web::block(move || hash_password(&new)).await.map_err(|e| ApiError::Internal(e.to_string()))??;
    users::change_own_password(&state.db, &principal, session_id, new_hash).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_blank_and_short_passwords_are_refused_and_others_pass() {
        let code = |p: &str| new_password_error("password", p).map(|e| e.code);
        assert_eq!(code("password123").as_deref(), Some("password_common"));
        assert_eq!(code("QWERTYUIOP").as_deref(), Some("password_common"));
        assert_eq!(code(" 1234567890 ").as_deref(), Some("password_common"));
        assert_eq!(code("            ").as_deref(), Some("password_blank"));
        assert_eq!(code("\t\u{3000}\n").as_deref(), Some("password_blank"));
        assert_eq!(code("short").as_deref(), Some("password_too_short"));
        assert_eq!(code("user-password-1"), None);
    }
}
