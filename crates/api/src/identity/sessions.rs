//! `/auth/sessions` (the caller's own) and `/users/{id}/sessions` (anyone's, administrators):
//! where one is signed in, and ending a session from elsewhere.

use actix_web::{HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crm_persistence::identity::sessions::{self, SessionRecord};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams};

/// A session someone is signed in with.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    pub id: Uuid,
    pub user_id: Uuid,
    /// When it was signed in.
    pub created_at: DateTime<Utc>,
    /// When it last got a new access token (about every quarter hour while in use).
    pub last_active_at: DateTime<Utc>,
    /// When it ends: 30 days after sign-in, however much it is used.
    pub expires_at: DateTime<Utc>,
    /// The address it was signed in from.
    pub ip: Option<String>,
    /// The browser or program it was signed in with.
    pub user_agent: Option<String>,
    /// Whether this is the session the request came with.
    pub current: bool,
}

fn to_dto(current: Option<Uuid>) -> impl Fn(SessionRecord) -> SessionDto {
    move |s| SessionDto {
        current: current == Some(s.id),
        id: s.id,
        user_id: s.user_id,
        created_at: s.created_at,
        last_active_at: s.last_active_at,
        expires_at: s.expires_at,
        ip: s.ip,
        user_agent: s.user_agent,
    }
}

/// My sessions
///
/// Where the caller is signed in, newest first (an API key has none).
#[utoipa::path(tag = "auth", params(PageParams), responses(
    (status = 200, description = "Live sessions", body = PageDto<SessionDto>),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Called with an API key", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/auth/sessions")]
pub async fn list_my_sessions(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let found = sessions::list(&state.db, &principal, principal.user_id, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(found, to_dto(principal.session_id))))
}

/// End one of my sessions
///
/// It stops working at once, on every server; ending the current one signs out.
#[utoipa::path(tag = "auth", params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Ended"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Called with an API key", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such live session of mine", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/auth/sessions/{id}")]
pub async fn end_my_session(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    sessions::end(&state.db, &principal, principal.user_id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A user's sessions (administrators)
#[utoipa::path(tag = "users", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Live sessions", body = PageDto<SessionDto>),
    (status = 403, description = "Not an administrator signed in as themselves (an API key never is)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/users/{id}/sessions")]
pub async fn list_user_sessions(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let found = sessions::list(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(found, to_dto(principal.session_id))))
}

/// End a user's session (administrators)
///
/// It stops working at once, on every server; audited against the user.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path), ("session_id" = Uuid, Path)), responses(
    (status = 204, description = "Ended"),
    (status = 403, description = "Not an administrator signed in as themselves (an API key never is)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such live session of this user", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/users/{id}/sessions/{session_id}")]
pub async fn end_user_session(state: State, principal: Principal, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (user_id, session_id) = path.into_inner();
    sessions::end(&state.db, &principal, user_id, session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
