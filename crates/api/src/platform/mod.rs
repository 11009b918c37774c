//! The audit log (`/audit`), the change feed (`/events`) and outgoing webhooks (`/webhooks`).

pub mod delivery;
pub mod webhooks;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::text;
use crm_persistence::platform::{audit, events};

use crate::auth::{AppState, Principal};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, non_blank, parse_uuid};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// `create`, `update`, `delete`, `restore`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// Changed fields as `{ field: { old, new } }`, or the whole record on create.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// `customer`, `contact`, `user`, `team`, `role`.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<String>,
}

/// Read the audit log, newest first (administrators)
#[utoipa::path(tag = "audit", params(AuditParams, PageParams), responses(
    (status = 200, description = "Audit entries", body = PageDto<AuditEntryDto>),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<AuditParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = audit::AuditFilter {
        entity_type: non_blank(&params.entity_type),
        entity_id: parse_uuid("entity_id", params.entity_id.as_deref())?,
        actor_id: parse_uuid("actor_id", params.actor_id.as_deref())?,
    };
    let page = audit::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |e| AuditEntryDto {
        id: e.id,
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        action: e.action,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        changes: e.changes,
        request_id: e.request_id,
        ip: e.ip,
        created_at: e.created_at,
    })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// Strictly increasing; store the last one you processed and pass it as `after`.
    pub seq: i64,
    pub id: Uuid,
    /// One of the `EventType` values. Types are added as the CRM grows: skip one you do not know.
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

impl From<events::Event> for EventDto {
    fn from(e: events::Event) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            event_type: e.event_type,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            actor_id: e.actor_id,
            payload: e.payload,
            occurred_at: e.occurred_at,
        }
    }
}

/// Every event type the server writes, `<kind>.<what happened>` (from `events::TYPES`). An update
/// event carries the record after the change, a delete event the record as it was.
pub struct EventType;

impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("What happened to a record: `<kind>.<what happened>`, where the kind is the event's `entity_type`."))
            .enum_values(Some(events::TYPES.iter().copied()))
            .into()
    }
}

impl ToSchema for EventType {}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventFeed {
    pub data: Vec<EventDto>,
    /// Pass as `after` next time (unchanged when nothing new happened).
    pub next_after: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only events with a larger sequence number (default 0).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Only these event types, comma-separated (`customer.created,order.confirmed`).
    #[param(value_type = Option<Vec<EventType>>, style = Form, explode = false)]
    pub types: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The change feed: events after a sequence number, in order
///
/// Only events of records the caller may read are returned, each kind under the permission and
/// scope of its own list endpoint; `next_after` still advances past the others.
#[utoipa::path(tag = "events", params(EventParams), responses(
    (status = 200, description = "Events in sequence order", body = EventFeed),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    let after = params.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_parameter("after", text!("must be 0 or more", "不能小于 0")));
    }
    let limit = PageParams { limit: params.limit, cursor: None, include_total: None }.to_request()?.limit;
    crate::http::check_filter_count("types", params.types.as_deref().unwrap_or_default())?;
    let types: Vec<String> =
        params.types.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    let page = events::list(&state.db, &principal, after, &types, limit).await?;
    let next_after = page.next_after;
    let data = page.events.into_iter().map(EventDto::from).collect();
    Ok(HttpResponse::Ok().json(EventFeed { data, next_after }))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(list_audit).service(list_events);
    webhooks::routes(config);
}
