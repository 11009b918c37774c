//! Request middleware: request ids, tracing spans, access logs and metrics for every request, and
//! idempotent replay of POST requests that carry an `Idempotency-Key`.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use sha2::{Digest, Sha256};
use tracing::Instrument;
use uuid::Uuid;

use crm_persistence::platform::idempotency::{self, Claim};

use crate::auth::{AppState, authenticate, authenticate_portal};
use crate::error::{ApiError, REQUEST_ID};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Takes the caller's `X-Request-Id` (if sane) or makes one, serves the request inside a span and
/// the request-id scope, logs it, counts it, and echoes the id in the response.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!("request", %method, %path, request_id = %request_id);
    let started = Instant::now();
    let result = REQUEST_ID.scope(request_id.clone(), next.call(req).instrument(span.clone())).await;
    let mut response = match result {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => return Err(error),
    };
    let status = response.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    span.in_scope(|| tracing::info!(status, elapsed_ms = (elapsed * 1000.0).round(), "served"));
    let labels = [("method", method), ("route", route), ("status", status.to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// Response headers worth replaying with a stored response.
const REPLAYED_HEADERS: [&str; 3] = ["content-type", "location", "etag"];

/// Makes POST retries safe: the first request with a key runs and its answer is stored; a retry
/// with the same key and body gets that answer again; another body with the key gets 422.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(IDEMPOTENCY_HEADER).map(|v| v.to_str().map(str::to_owned));
    let Some(key) = key.filter(|_| req.method() == actix_web::http::Method::POST) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key {
        Ok(key) if !key.trim().is_empty() && key.len() <= 255 => key,
        _ => return Ok(req.error_response(ApiError::bad_parameter("Idempotency-Key", "must be 1 to 255 visible characters"))),
    };
    // Keys belong to a staff user or a portal account; without a valid caller there is nothing
    // to key on, and the handler answers 401 itself.
    let (principal, principal_id) = match authenticate(req.request()).await {
        Ok(principal) => {
            let id = principal.user_id;
            (Some(principal), id)
        }
        Err(_) => match authenticate_portal(req.request()).await {
            Ok(customer) => (None, customer.customer.account_id),
            Err(_) => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
        },
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(ApiError::Internal("application state missing".into())));
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(body) if body.len() <= state.max_body_bytes => body,
        Ok(_) => return Ok(req.error_response(ApiError::PayloadTooLarge { limit: state.max_body_bytes })),
        Err(_) => return Ok(req.error_response(ApiError::PayloadTooLarge { limit: state.max_body_bytes })),
    };
    let hash = hex::encode(Sha256::digest(&body));
    let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let claim = match idempotency::claim(&state.db, principal_id, &key, req.method().as_str(), &path, &hash).await {
        Ok(claim) => claim,
        Err(error) => return Ok(req.error_response(ApiError::from(error))),
    };
    let id = match claim {
        Claim::Fresh(id) => id,
        Claim::Replay { status, headers, body } => {
            let mut response =
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK));
            for (name, value) in headers {
                response.insert_header((name, value));
            }
            response.insert_header(("idempotent-replayed", "true"));
            return Ok(req.into_response(response.body(body)));
        }
        Claim::Mismatch => {
            return Ok(req.error_response(ApiError::Unprocessable("this Idempotency-Key was used with a different request".into())));
        }
        Claim::InProgress => {
            return Ok(req.error_response(ApiError::Conflict("a request with this Idempotency-Key is still being processed".into())));
        }
    };
    if let Some(principal) = principal {
        req.extensions_mut().insert(principal);
    }
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    req.set_payload(payload.into());
    let response = next.call(req).await?;
    let status = response.status();
    let headers: Vec<(String, String)> = REPLAYED_HEADERS
        .iter()
        .filter_map(|name| response.headers().get(*name).and_then(|v| v.to_str().ok()).map(|v| ((*name).to_owned(), v.to_owned())))
        .collect();
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let stored = if status.is_server_error() {
        idempotency::release(&state.db, id).await
    } else {
        idempotency::complete(&state.db, id, status.as_u16(), &headers, &String::from_utf8_lossy(&bytes)).await
    };
    if let Err(error) = stored {
        tracing::warn!(%error, "could not store the idempotent response");
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(request, response))
}
