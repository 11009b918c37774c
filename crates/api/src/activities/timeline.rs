//! A customer's 360° timeline (`/customers/{id}/timeline`), each item under its kind's access.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::written::SystemText;
use crm_persistence::activities::timeline;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, parse_list};

/// One item of a customer's timeline. `kind` says what it is; `summary` holds kind-specific
/// details. Later modules add kinds without changing this shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineItemDto {
    pub id: Uuid,
    /// `interaction`, `task`, `stage_change`, `contact`, `opportunity` (later also `order`,
    /// `ticket`, `requirement`).
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub title: String,
    #[schema(value_type = Object)]
    pub summary: Value,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// One or more kinds, comma-separated.
    pub kind: Option<String>,
}

/// A customer's 360° timeline (客户360°视图), newest first
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path), TimelineParams, PageParams), responses(
    (status = 200, description = "Timeline items", body = PageDto<TimelineItemDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}/timeline")]
pub async fn customer_timeline(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<TimelineParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let kinds: Vec<String> =
        parse_list("kind", params.kind.as_deref(), TimelineKind::parse)?.into_iter().map(|k| k.as_str().to_owned()).collect();
    let page = timeline::list(&state.db, &principal, id.into_inner(), &kinds, &page.to_request()?).await?;
    let lang = crate::error::current_language();
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |row| {
        let mut summary: Value = serde_json::from_str(&row.summary).unwrap_or(Value::Null);
        // A title the system wrote is worded for this reader; the stored one is how its
        // recipient read it, kept for a code a later version no longer knows.
        let system_title = summary.as_object_mut().and_then(|s| s.remove(timeline::TITLE_MESSAGE));
        let system_title = system_title.and_then(|message| match serde_json::from_value::<SystemText>(message) {
            Ok(text) => Some(text),
            Err(error) => {
                tracing::warn!(item = %row.id, %error, "a timeline title's code does not read; its stored words are shown instead");
                None
            }
        });
        let title = system_title.map_or(row.title, |text| text.render(lang));
        TimelineItemDto {
            id: row.id,
            kind: row.kind,
            occurred_at: row.occurred_at,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            title,
            summary,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
        }
    })))
}
