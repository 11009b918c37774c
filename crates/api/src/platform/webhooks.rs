//! Webhook subscriptions (`/webhooks`): administrators point the CRM's events at a URL; every
//! delivery is signed to the Standard Webhooks specification and every attempt recorded.
//!
//! Administrators manage subscriptions (as with API keys, an integration cannot add endpoints
//! that receive data). Each subscription has an owner, the creating administrator unless
//! `owner_id` names another active user (an API key's user, a sales rep): it receives only the
//! events its owner may read, under the change feed's rules.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::Check;
use crm_domain::platform::webhooks::{
    self as rules, AttemptFailure, DeliveryStatus, DisabledReason, WebhookPatch, WebhookSettings, WebhookStatus,
};
use crm_persistence::platform::webhooks;

use super::delivery::{check_target, message_id};
use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag};

/// A subscription; its secret is shown only when it is made or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: Uuid,
    /// Whose read rights decide which events it receives.
    pub owner_id: Uuid,
    #[schema(example = "https://erp.example.com/crm-events")]
    pub url: String,
    /// The event types it receives.
    #[schema(example = json!(["customer.created", "order.confirmed"]))]
    pub event_types: Vec<String>,
    pub description: String,
    pub status: WebhookStatus,
    /// Why the server disabled it: `gone` (410) or `failing` (five days of failures).
    pub disabled_reason: Option<DisabledReason>,
    /// Since when deliveries have failed without a success; null while healthy.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation also signs; null when only one secret signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<webhooks::WebhookRecord> for WebhookDto {
    fn from(w: webhooks::WebhookRecord) -> Self {
        Self {
            id: w.id,
            owner_id: w.owner_id,
            url: w.url,
            event_types: w.event_types,
            description: w.description,
            status: w.status,
            disabled_reason: w.disabled_reason,
            failing_since: w.failing_since,
            previous_secret_expires_at: w.previous_secret_expires_at,
            created_by: w.created_by,
            created_at: w.created_at,
            updated_at: w.updated_at,
            version: w.version,
        }
    }
}

/// A subscription with its signing secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedWebhookDto {
    /// `whsec_` + base64: give it to the receiver's Standard Webhooks verifier.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
    pub webhook: WebhookDto,
}

impl From<webhooks::IssuedWebhook> for IssuedWebhookDto {
    fn from(issued: webhooks::IssuedWebhook) -> Self {
        Self { secret: issued.secret, webhook: WebhookDto::from(issued.record) }
    }
}

/// One HTTP request of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttemptDto {
    pub id: Uuid,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; null when none came (see `error`).
    pub status_code: Option<i32>,
    /// Why no answer came, in the transport's words (English): for whoever debugs the receiver.
    pub error: Option<String>,
    /// Why no answer came, as a code to show in the reader's language; set whenever `error` is.
    pub error_code: Option<AttemptFailure>,
    pub latency_ms: i32,
    /// The first kilobyte of the answer's body.
    pub response_excerpt: String,
}

/// One event to one subscription, with every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryDto {
    pub id: Uuid,
    /// The `webhook-id` header of its requests: the same on every retry and redelivery.
    #[schema(example = "msg_0193a5b2c4d87e3f9a1b2c3d4e5f6a7b")]
    pub message_id: String,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Attempts in the current round (a redelivery starts a new one).
    pub attempt_count: i32,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttemptDto>,
}

impl From<webhooks::DeliveryRecord> for WebhookDeliveryDto {
    fn from(d: webhooks::DeliveryRecord) -> Self {
        Self {
            id: d.id,
            message_id: message_id(d.id),
            subscription_id: d.subscription_id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status,
            attempt_count: d.attempt_count,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            created_at: d.created_at,
            attempts: d
                .attempts
                .into_iter()
                .map(|a| WebhookAttemptDto {
                    id: a.id,
                    attempted_at: a.attempted_at,
                    status_code: a.status_code,
                    error: a.error,
                    error_code: a.error_code,
                    latency_ms: a.latency_ms,
                    response_excerpt: a.response_excerpt,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where to POST events: `http` or `https`, not a private address.
    #[schema(example = "https://erp.example.com/crm-events")]
    pub url: String,
    /// Event types to receive (see `EventType`); at least one.
    #[serde(deserialize_with = "crate::http::bounded_list")]
    #[schema(example = json!(["customer.created", "customer.updated"]))]
    pub event_types: Vec<String>,
    #[schema(example = "金蝶 ERP 客户同步")]
    pub description: Option<String>,
    /// Whose read rights filter the events; the caller when omitted.
    pub owner_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    /// `paused` pauses (events meanwhile are not delivered; redeliver them since a time),
    /// `active` resumes, also a subscription the server disabled.
    pub status: Option<WebhookStatus>,
}

/// Required, so that a mistyped field is refused rather than rotating with the default overlap.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateWebhookSecret {
    /// How long the previous secret keeps signing beside the new one, in minutes (0 to 10080;
    /// default 1440, one day).
    #[schema(example = 60)]
    pub overlap_minutes: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeliverSince {
    /// Every event since this instant (that the subscription asks for and its owner may read) is
    /// sent again; at most 10,000.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RedeliveryDto {
    /// How many deliveries were made due.
    pub deliveries: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Only deliveries in this status.
    pub status: Option<DeliveryStatus>,
}

async fn parse_settings(state: &State, body: CreateWebhook, caller: Uuid) -> Result<WebhookSettings, ApiError> {
    let mut check = Check::default();
    let url = rules::check_url(&mut check, "url", &body.url);
    let types = webhooks::subscribable_types();
    let event_types = rules::check_event_types(&mut check, "event_types", &body.event_types, &types);
    let description = rules::check_description(&mut check, "description", body.description.as_deref());
    let (url, event_types, description) = check.finish_with((url, event_types, description))?;
    check_target(&state.webhooks, "url", &url).await?;
    Ok(WebhookSettings { url: url.to_string(), event_types, description, owner_id: body.owner_id.unwrap_or(caller) })
}

async fn parse_patch(state: &State, body: UpdateWebhook) -> Result<WebhookPatch, ApiError> {
    let mut check = Check::default();
    let url = body.url.as_deref().map(|url| rules::check_url(&mut check, "url", url));
    let types = webhooks::subscribable_types();
    let event_types = body.event_types.as_deref().map(|given| rules::check_event_types(&mut check, "event_types", given, &types));
    let description = body.description.as_deref().map(|text| rules::check_description(&mut check, "description", Some(text)));
    if body.status == Some(WebhookStatus::Disabled) {
        check.fail("status", rules::WebhookError::Status);
    }
    check.finish()?;
    let url = url.flatten();
    if let Some(url) = &url {
        check_target(&state.webhooks, "url", url).await?;
    }
    Ok(WebhookPatch {
        url: url.map(|u| u.to_string()),
        event_types: event_types.flatten(),
        description: description.flatten(),
        owner_id: body.owner_id,
        status: body.status,
    })
}

fn location(id: Uuid) -> String {
    format!("/api/v1/webhooks/{id}")
}

/// Subscribe a URL to events
///
/// Administrators only. The answer is the one time the signing secret is shown. Deliveries are
/// `POST`s of `{"type", "timestamp", "data"}` (`data` is the event as `GET /events` shows it),
/// signed to the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), retried immediately,
/// after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (with jitter, later when `Retry-After` asks)
/// until a 2xx; a 410 disables the subscription, and so do five days of failures. Loopback,
/// private, link-local and metadata addresses are refused unless the server allows them
/// (`CRM_WEBHOOK_ALLOW_PRIVATE`).
#[utoipa::path(tag = "webhooks", request_body = CreateWebhook, params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; an answer carrying a secret is never replayed")), responses(
    (status = 201, description = "Subscribed; `secret` is shown only now", body = IssuedWebhookDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields: a URL that is not http(s) (`url`) or leads to a private address (`forbidden_address`) or nowhere (`unresolvable`), an unknown event type (`unknown_event_type`), no such owner (`not_found`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/webhooks")]
pub async fn create_webhook(state: State, principal: Principal, body: crate::http::Json<CreateWebhook>) -> Result<HttpResponse, ApiError> {
    webhooks::require_administrator(&principal)?;
    let settings = parse_settings(&state, body.into_inner(), principal.user_id).await?;
    let issued = webhooks::create(&state.db, &principal, settings).await?;
    let (id, version) = (issued.record.id, issued.record.version);
    Ok(created(&IssuedWebhookDto::from(issued), location(id), version))
}

/// List webhook subscriptions
///
/// Newest first.
#[utoipa::path(tag = "webhooks", params(PageParams), responses(
    (status = 200, description = "A page of subscriptions", body = PageDto<WebhookDto>),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/webhooks")]
pub async fn list_webhooks(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = webhooks::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, WebhookDto::from)))
}

/// Get a webhook subscription
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The subscription (never its secret)", body = WebhookDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/webhooks/{id}")]
pub async fn get_webhook(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let webhook = webhooks::get(&state.db, &principal, id.into_inner()).await?;
    let version = webhook.version;
    Ok(ok_with_etag(&WebhookDto::from(webhook), version))
}

/// Change, pause or resume a webhook subscription
///
/// `status: paused` pauses, `status: active` resumes (also after the server disabled it).
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateWebhook, responses(
    (status = 200, description = "Changed", body = WebhookDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateWebhook>,
) -> Result<HttpResponse, ApiError> {
    webhooks::require_administrator(&principal)?;
    let patch = parse_patch(&state, body.into_inner()).await?;
    let webhook = webhooks::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    let version = webhook.version;
    Ok(ok_with_etag(&WebhookDto::from(webhook), version))
}

/// Delete a webhook subscription
///
/// With its deliveries and their attempts; nothing more is sent.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    webhooks::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Give a webhook subscription a new secret
///
/// The new secret is shown once; the previous one keeps signing beside it (two signatures in
/// `webhook-signature`) for `overlap_minutes`, so the receiver can switch without a gap.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; an answer carrying a secret is never replayed")), request_body(content = RotateWebhookSecret, description = "`{}` for the default overlap"), responses(
    (status = 200, description = "The new secret, shown only now", body = IssuedWebhookDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`overlap_minutes` out of range", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<RotateWebhookSecret>,
) -> Result<HttpResponse, ApiError> {
    // The same overlap rules as an API key's rotation.
    let overlap = crm_domain::identity::api_keys::rotation_overlap(body.into_inner().overlap_minutes)?;
    let issued = webhooks::rotate_secret(&state.db, &principal, id.into_inner(), if_match(&req)?, overlap).await?;
    let version = issued.record.version;
    Ok(ok_with_etag(&IssuedWebhookDto::from(issued), version))
}

/// Send a test event
///
/// Sends a `webhook.tested` event (its `data.payload` is the subscription) to this subscription
/// alone, at once and like any delivery; follow it under `/deliveries`.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 202, description = "The test delivery, on its way", body = WebhookDeliveryDto),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/webhooks/{id}/test")]
pub async fn test_webhook(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let delivery = webhooks::send_test(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::Accepted().json(WebhookDeliveryDto::from(delivery)))
}

/// List a subscription's deliveries
///
/// Newest first, each with every attempt (status, latency, the answer's first kilobyte).
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), DeliveryParams, PageParams), responses(
    (status = 200, description = "A page of deliveries", body = PageDto<WebhookDeliveryDto>),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<DeliveryParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = webhooks::list_deliveries(&state.db, &principal, id.into_inner(), params.status, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, WebhookDeliveryDto::from)))
}

/// Send one delivery again
///
/// A new round of attempts under the same `webhook-id`, starting now.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("delivery_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 202, description = "The delivery, due now", body = WebhookDeliveryDto),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription or delivery", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: State,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let delivery = webhooks::redeliver(&state.db, &principal, id, delivery_id).await?;
    Ok(HttpResponse::Accepted().json(WebhookDeliveryDto::from(delivery)))
}

/// Send every event since a time again
///
/// Every event since `since` that the subscription asks for and its owner may read, delivered
/// before or not (missed while paused, say), at most 10,000.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = RedeliverSince, responses(
    (status = 202, description = "How many deliveries are due now", body = RedeliveryDto),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The subscription's owner is no longer an active user (`webhook.owner_inactive`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/webhooks/{id}/redeliver")]
pub async fn redeliver_webhook_since(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<RedeliverSince>,
) -> Result<HttpResponse, ApiError> {
    let deliveries = webhooks::redeliver_since(&state.db, &principal, id.into_inner(), body.into_inner().since).await?;
    Ok(HttpResponse::Accepted().json(RedeliveryDto { deliveries }))
}

/// The routes of `/webhooks`, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(test_webhook)
        .service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery)
        .service(redeliver_webhook_since);
}
