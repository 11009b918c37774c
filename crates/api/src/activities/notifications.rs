//! A user's notifications (`/notifications`): unread count, reading one or all.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::activities::NotificationKind;
use crm_persistence::activities::notifications;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams};

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<notifications::NotificationRecord> for NotificationDto {
    fn from(n: notifications::NotificationRecord) -> Self {
        // What the system wrote is worded in the language the reader asked for.
        let lang = crate::error::current_language();
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title.render(lang),
            body: n.body.map(|body| body.render(lang)),
            entity_type: n.entity_type,
            entity_id: n.entity_id,
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub count: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// Only unread ones.
    pub unread: Option<bool>,
}

/// Your notifications, newest first
#[utoipa::path(tag = "notifications", params(NotificationParams, PageParams), responses((status = 200, description = "Notifications", body = PageDto<NotificationDto>)), security(("bearer" = [])))]
#[get("/notifications")]
pub async fn list_notifications(
    state: State,
    principal: Principal,
    params: web::Query<NotificationParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = notifications::list(&state.db, &principal, params.unread.unwrap_or(false), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, NotificationDto::from)))
}

/// How many of your notifications are unread
#[utoipa::path(tag = "notifications", responses((status = 200, description = "Unread count", body = CountDto)), security(("bearer" = [])))]
#[get("/notifications/unread-count")]
pub async fn unread_notifications(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(CountDto { count: notifications::unread_count(&state.db, &principal).await? }))
}

/// Mark a notification read
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Read", body = NotificationDto),
    (status = 404, description = "Not yours or absent", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/notifications/{id}/read")]
pub async fn read_notification(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(NotificationDto::from(notifications::mark_read(&state.db, &principal, id.into_inner()).await?)))
}

/// Mark all your notifications read
#[utoipa::path(tag = "notifications", responses((status = 200, description = "How many were marked", body = CountDto)), security(("bearer" = [])))]
#[post("/notifications/read-all")]
pub async fn read_all_notifications(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(CountDto { count: notifications::mark_all_read(&state.db, &principal).await? }))
}
