//! Sending webhooks, to the Standard Webhooks specification: each request carries `webhook-id`
//! (the delivery's message id, the same on every retry), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret that
//! signs, space-separated), so receivers verify it with the specification's own libraries.
//!
//! The body is `{"type": <event type>, "timestamp": <when it happened>, "data": <the event as the
//! change feed shows it>}`, the specification's example payload shape.
//!
//! Requests never reach loopback, private, link-local or metadata addresses unless
//! `CRM_WEBHOOK_ALLOW_PRIVATE=true`: the URL is checked when a subscription is saved, and again
//! when sending, by the resolver the HTTP client connects through, so a host name that resolves
//! elsewhere later (DNS rebinding) is refused at the address actually dialled.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use tokio::sync::Notify;
use utoipa::ToSchema;

use crm_domain::Check;
use crm_domain::platform::webhooks::{
    ATTEMPT_TIMEOUT_SECONDS, AttemptFailure, RESPONSE_EXCERPT_BYTES, SECRET_PREFIX, WebhookError, is_forbidden_address, parse_retry_after,
};
use crm_persistence::Db;
use crm_persistence::platform::webhooks::{self, AttemptOutcome, ClaimedDelivery};

use super::EventDto;
use crate::error::ApiError;

/// What the webhook routes and the worker share: whether private targets are allowed, and the
/// signal that wakes the worker when something may have been written.
#[derive(Clone)]
pub struct WebhookRuntime {
    pub allow_private: bool,
    pub wake: Arc<Notify>,
}

impl WebhookRuntime {
    pub fn new(allow_private: bool) -> Self {
        Self { allow_private, wake: Arc::new(Notify::new()) }
    }
}

/// The body of every webhook request.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPayload {
    /// The event type (`customer.created`; `webhook.tested` for a test).
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened (RFC 3339).
    pub timestamp: chrono::DateTime<Utc>,
    /// The event as `GET /events` shows it.
    pub data: EventDto,
}

/// The message id receivers see in `webhook-id`: the delivery's, so retries and redeliveries of
/// one event to one subscription share it and a receiver can drop duplicates.
pub fn message_id(delivery_id: uuid::Uuid) -> String {
    format!("msg_{}", delivery_id.simple())
}

/// `v1,<base64 signature>` for each secret, space-separated (the specification's header value).
pub fn signature_header(secrets: &[String], message_id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret)).ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
            Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Refused because the address is private (or the like): the error a send reports.
#[derive(Debug)]
struct ForbiddenTarget(String);

impl std::fmt::Display for ForbiddenTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {} is a loopback, private, link-local or metadata address", self.0)
    }
}

impl std::error::Error for ForbiddenTarget {}

/// The HTTP client's resolver: resolves, then keeps only the addresses webhooks may reach, so the
/// client connects to an address that was checked.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || !is_forbidden_address(a.ip())).collect();
            if permitted.is_empty() {
                return Err(Box::new(ForbiddenTarget(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Checks where a subscription's URL leads before it is saved: an address literal is checked as
/// it is, a host name by every address it resolves to now. 422 on `field` when refused.
pub async fn check_target(runtime: &WebhookRuntime, field: &str, url: &url::Url) -> Result<(), ApiError> {
    if runtime.allow_private {
        return Ok(());
    }
    let mut check = Check::default();
    match url.host() {
        Some(url::Host::Ipv4(v4)) if is_forbidden_address(IpAddr::V4(v4)) => check.fail(field, WebhookError::ForbiddenAddress),
        Some(url::Host::Ipv6(v6)) if is_forbidden_address(IpAddr::V6(v6)) => check.fail(field, WebhookError::ForbiddenAddress),
        Some(url::Host::Domain(host)) => {
            let lookup = tokio::time::timeout(std::time::Duration::from_secs(5), tokio::net::lookup_host((host, 0))).await;
            match lookup {
                Ok(Ok(addresses)) => {
                    let addresses: Vec<SocketAddr> = addresses.collect();
                    if addresses.is_empty() {
                        check.fail(field, WebhookError::Unresolvable);
                    } else if addresses.iter().any(|a| is_forbidden_address(a.ip())) {
                        check.fail(field, WebhookError::ForbiddenAddress);
                    }
                }
                _ => check.fail(field, WebhookError::Unresolvable),
            }
        }
        _ => {}
    }
    Ok(check.finish()?)
}

/// Sends webhook requests: 15 s timeout, no redirects, no proxy from the environment, and the
/// guarded resolver.
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(ATTEMPT_TIMEOUT_SECONDS))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("crm-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()?;
        Ok(Self { client, allow_private })
    }

    /// One attempt to deliver, however it goes.
    pub async fn attempt(&self, claimed: &ClaimedDelivery) -> AttemptOutcome {
        let attempted_at = crm_persistence::now();
        let started = Instant::now();
        let payload = WebhookPayload {
            event_type: claimed.event.event_type.clone(),
            timestamp: claimed.event.occurred_at,
            data: claimed.event.clone().into(),
        };
        let body = serde_json::to_string(&payload).unwrap_or_default();
        let id = message_id(claimed.delivery_id);
        let timestamp = Utc::now().timestamp();
        let signature = signature_header(&claimed.secrets, &id, timestamp, &body);
        let failed = |code: AttemptFailure, error: String, started: Instant| AttemptOutcome {
            attempted_at,
            status_code: None,
            error: Some(error.chars().take(500).collect()),
            error_code: Some(code),
            latency_ms: elapsed_ms(started),
            response_excerpt: String::new(),
            retry_after: None,
        };
        let url = match url::Url::parse(&claimed.url) {
            Ok(url) => url,
            Err(error) => return failed(AttemptFailure::InvalidUrl, format!("invalid URL: {error}"), started),
        };
        // Address literals never go through the resolver: check them here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        if let Some(address) = literal
            && !self.allow_private
            && is_forbidden_address(address)
        {
            return failed(AttemptFailure::ForbiddenAddress, ForbiddenTarget(address.to_string()).to_string(), started);
        }
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return failed(failure_of(&error), describe(&error), started),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        let mut excerpt: Vec<u8> = Vec::new();
        while excerpt.len() < RESPONSE_EXCERPT_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk[..chunk.len().min(RESPONSE_EXCERPT_BYTES - excerpt.len())]),
                // The status is what counts; a body cut short or timed out keeps what came.
                Ok(None) | Err(_) => break,
            }
        }
        AttemptOutcome {
            attempted_at,
            status_code: Some(status),
            error: None,
            error_code: None,
            latency_ms: elapsed_ms(started),
            response_excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
            retry_after,
        }
    }
}

fn elapsed_ms(started: Instant) -> i32 {
    i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX)
}

/// What kind of failure a request without an answer met, for the attempts list in the reader's
/// language: the guarded resolver's refusal is found among the causes.
fn failure_of(error: &reqwest::Error) -> AttemptFailure {
    if error.is_timeout() {
        return AttemptFailure::Timeout;
    }
    if causes(error).any(|cause| cause.is::<ForbiddenTarget>()) {
        return AttemptFailure::ForbiddenAddress;
    }
    if error.is_connect() { AttemptFailure::Connection } else { AttemptFailure::Request }
}

/// A failed request in a line: what an administrator reading the attempts needs.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("timed out after {ATTEMPT_TIMEOUT_SECONDS} s");
    }
    let mut text = error.to_string();
    for cause in causes(error) {
        text.push_str(": ");
        text.push_str(&cause.to_string());
    }
    text
}

/// The chain of errors behind a failed request, nearest first.
fn causes(error: &reqwest::Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    use std::error::Error as _;
    std::iter::successors(error.source(), |cause: &&(dyn std::error::Error + 'static)| (*cause).source())
}

/// The delivery worker: fans new events out, sends what is due, and sleeps until the next
/// delivery falls due, the poll interval passes, or a write wakes it. Every instance runs one;
/// the database decides who sends what (see `crm_persistence::platform::webhooks`).
pub async fn run_worker(db: Db, runtime: WebhookRuntime, poll: std::time::Duration, time_scale: f64) {
    let sender = match Sender::new(runtime.allow_private) {
        Ok(sender) => Arc::new(sender),
        Err(error) => {
            tracing::error!(%error, "the webhook sender could not start");
            return;
        }
    };
    loop {
        if let Err(error) = work(&db, &sender, time_scale).await {
            tracing::warn!(%error, "webhook delivery round failed");
        }
        let mut wait = poll;
        match webhooks::next_due(&db).await {
            Ok(Some(due)) => {
                let until = (due - Utc::now()).to_std().unwrap_or_default();
                wait = wait.min(until.max(std::time::Duration::from_millis(10)));
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not read when the next webhook is due"),
        }
        tokio::select! {
            () = runtime.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One round: fan out until nothing is new, then send until nothing is due.
async fn work(db: &Db, sender: &Sender, time_scale: f64) -> Result<(), crm_persistence::Error> {
    while webhooks::fan_out(db).await? > 0 {}
    loop {
        let mut claimed = webhooks::claim_due(db).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        mask_for_owners(db, &mut claimed).await;
        let sends = claimed.iter().map(|delivery| async move {
            let outcome = sender.attempt(delivery).await;
            if let Err(error) = webhooks::record_attempt(db, delivery, outcome, time_scale).await {
                tracing::warn!(delivery = %delivery.delivery_id, %error, "could not record a webhook attempt");
            }
        });
        futures_util::future::join_all(sends).await;
    }
}

/// Masks the personal data of each claimed event that its subscription's owner may not read in
/// clear, as the feed does for them. An owner who cannot be loaded (deactivated since) gets
/// every personal field masked: a failure here must never send more than the owner may see.
async fn mask_for_owners(db: &Db, claimed: &mut [webhooks::ClaimedDelivery]) {
    let owners: std::collections::BTreeSet<uuid::Uuid> = claimed.iter().map(|d| d.owner_id).collect();
    for owner_id in owners {
        let deliveries = claimed.iter_mut().filter(|d| d.owner_id == owner_id);
        let owner = crm_persistence::identity::auth::load_user_actor(db, owner_id).await;
        let payloads = deliveries.map(|d| (d.event.entity_type.as_str(), &mut d.event.payload));
        let masked = match &owner {
            Ok(owner) => crate::personal_data::mask_event_payloads(db, owner, payloads).await.is_ok(),
            Err(_) => false,
        };
        if !masked {
            for delivery in claimed.iter_mut().filter(|d| d.owner_id == owner_id) {
                crate::personal_data::mask_event_fully(&delivery.event.entity_type, &mut delivery.event.payload);
            }
        }
    }
}

/// Wakes the delivery worker after every request that may have written (not GET or HEAD), once
/// its answer, and so its transaction, is done: deliveries leave at once, not at the next poll.
pub async fn wake_after_writes(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), actix_web::http::Method::GET | actix_web::http::Method::HEAD);
    let state = req.app_data::<crate::auth::State>().cloned();
    let response = next.call(req).await?;
    if writes && let Some(state) = state {
        state.webhooks.wake.notify_one();
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's test vector (standard-webhooks `spec/standard-webhooks.md`).
    #[test]
    fn signatures_match_the_specifications_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
        let body = r#"{"test": 2432232314}"#;
        let header = signature_header(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn every_secret_signs_during_a_rotation() {
        let secrets = vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned(), "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned()];
        let header = signature_header(&secrets, "msg_1", 1, "{}");
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.split(' ').all(|s| s.starts_with("v1,")));
    }
}
