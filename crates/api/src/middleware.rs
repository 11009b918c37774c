//! Request middleware: request ids, tracing spans, access logs and metrics for every request, and
//! idempotent replay of POST requests that carry an `Idempotency-Key`.

use crm_domain::text;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use sha2::{Digest, Sha256};
use tracing::Instrument;
use uuid::Uuid;

use crm_persistence::HeldWrites;
use crm_persistence::platform::idempotency::{self, Claim, KeptResponse, KeyedRequest};

use crate::auth::{AppState, authenticate, authenticate_portal};
use crate::error::{ApiError, LANGUAGE, REQUEST_ID};

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
    let lang = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(crm_domain::Lang::negotiate)
        .unwrap_or_default();
    let started = Instant::now();
    let result = LANGUAGE.scope(lang, REQUEST_ID.scope(request_id.clone(), next.call(req).instrument(span.clone()))).await;
    let mut response = match result {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            // An error that leaves the handler chain unrendered is written here, while the
            // request's language and id are known, rather than by actix after the scopes end.
            let rendered = LANGUAGE.sync_scope(lang, || REQUEST_ID.sync_scope(request_id.clone(), || error.error_response()));
            return Err(actix_web::error::InternalError::from_response(error.to_string(), rendered).into());
        }
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
/// JSON fields whose values are secrets: a response with any of them (at any depth) is never
/// stored, so a retry cannot read it again from the key table.
const SECRET_FIELDS: [&str; 11] = [
    "access_token",
    "refresh_token",
    "invitation_token",
    "invitation_path",
    "token",
    "secret",
    "password",
    "api_key",
    "challenge",
    "otpauth_uri",
    "recovery_codes",
];

/// Whether a response body carries a secret (a token, a password, a signing secret).
fn carries_secret(body: &[u8]) -> bool {
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Object(map) => map.iter().any(|(name, value)| SECRET_FIELDS.contains(&name.as_str()) || walk(value)),
            serde_json::Value::Array(items) => items.iter().any(walk),
            _ => false,
        }
    }
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|value| walk(&value))
}

fn replay(req: ServiceRequest, claim: Claim) -> ServiceResponse<BoxBody> {
    match claim {
        Claim::Replay { status, headers, body } => {
            let mut response =
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK));
            for (name, value) in headers {
                response.insert_header((name, value));
            }
            response.insert_header(("idempotent-replayed", "true"));
            req.into_response(response.body(body))
        }
        Claim::NotReplayable { status } => req.error_response(ApiError::Coded {
            status: actix_web::http::StatusCode::CONFLICT,
            code: "idempotency.not_replayable",
            detail: text!(
                "the request with this Idempotency-Key was already done (status {status}); its response carried secrets and is not kept, so it is neither repeated nor replayed",
                "使用此 Idempotency-Key 的请求已经完成（状态 {status}）；其响应含有密钥信息，未被保存，因此既不会重做也不会重放"
            ),
        }),
        Claim::Mismatch => req.error_response(ApiError::Coded {
            status: actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            code: "idempotency.key_reused",
            detail: text!("this Idempotency-Key was used with a different request", "此 Idempotency-Key 已用于另一个不同的请求"),
        }),
        // Only reached if the winner's key vanished between its commit and our look-up (purged):
        // nothing to replay, and running again would be a second write.
        Claim::Fresh => req.error_response(ApiError::Coded {
            status: actix_web::http::StatusCode::CONFLICT,
            code: "idempotency.in_progress",
            detail: text!(
                "another request with this Idempotency-Key was being processed; retry to get its answer",
                "使用此 Idempotency-Key 的另一个请求正在处理中，请重试以获取其结果"
            ),
        }),
    }
}

/// Makes POST retries safe. A request with a key runs with its writes held open (see
/// `Db::begin_write`); once it has its response, the key and the response are inserted into the
/// same transaction and committed with the writes, and only then is the response sent. A retry
/// with the same key and body gets the stored answer; another body with the key gets 422. A
/// retry after an unknown outcome (a timeout, a crash, a failed commit) replays if the writes
/// committed and runs afresh if they did not: the write never happens twice.
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
        _ => {
            return Ok(req.error_response(ApiError::bad_parameter(
                "Idempotency-Key",
                text!("must be 1 to 255 visible characters", "须为 1 到 255 个可见字符"),
            )));
        }
    };
    // Keys belong to a staff user or a portal account; without a valid caller there is nothing
    // to key on, and the handler answers 401 itself.
    let (principal, principal_id) = match authenticate(req.request()).await {
        Ok(principal) => {
            let id = principal.user_id;
            (Some(principal), id)
        }
        Err(ApiError::Unavailable) => return Ok(req.error_response(ApiError::Unavailable)),
        Err(_) => match authenticate_portal(req.request()).await {
            Ok(customer) => (None, customer.customer.account_id),
            Err(ApiError::Unavailable) => return Ok(req.error_response(ApiError::Unavailable)),
            Err(_) => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
        },
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(ApiError::Internal("application state missing".into())));
    };
    // A batch may be larger than a single request (see `crate::batch`).
    let limit =
        if req.path().ends_with("/batch") { state.max_body_bytes.saturating_mul(crate::batch::BODY_FACTOR) } else { state.max_body_bytes };
    // A body that breaks off is refused like one too large: either way no key is claimed.
    let body = match crate::http::read_body(req.take_payload(), limit).await {
        Ok(body) => body.freeze(),
        Err(_) => return Ok(req.error_response(ApiError::PayloadTooLarge { limit })),
    };
    let hash = hex::encode(Sha256::digest(&body));
    let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let method = req.method().as_str().to_owned();
    let keyed = KeyedRequest { principal_id, key: &key, method: &method, path: &path, request_hash: &hash };
    match idempotency::lookup(&state.db, keyed).await {
        Ok(Claim::Fresh) => {}
        Ok(claim) => return Ok(replay(req, claim)),
        Err(error) => return Ok(req.error_response(ApiError::from(error))),
    }
    if let Some(principal) = principal {
        req.extensions_mut().insert(principal);
    }
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    req.set_payload(payload.into());
    let held = HeldWrites::new();
    let response = held.run(next.call(req)).await;
    // Dropping the held transaction (on an error here or below) rolls the writes back.
    let writes = held.take().await;
    let response = response?;
    let status = response.status();
    let headers: Vec<(String, String)> = REPLAYED_HEADERS
        .iter()
        .filter_map(|name| response.headers().get(*name).and_then(|v| v.to_str().ok()).map(|v| ((*name).to_owned(), v.to_owned())))
        .collect();
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        drop(writes);
        return Ok(ServiceResponse::new(request, ApiError::Unavailable.error_response()));
    };
    if status.is_server_error() {
        // A failed request keeps nothing: neither its writes nor its key, so a retry runs again.
        drop(writes);
        return Ok(ServiceResponse::new(request, head.set_body(BoxBody::new(bytes))));
    }
    let text = String::from_utf8_lossy(&bytes);
    // A reveal is kept neither: each one is a sensitive read with its own audit entry and its own
    // check of the right, which a replay would skip.
    let reveal = request.path().ends_with("/reveal");
    let kept =
        KeptResponse { status: status.as_u16(), headers: &headers, body: (!reveal && !carries_secret(&bytes)).then_some(text.as_ref()) };
    let stored = match writes {
        Some(txn) => idempotency::store_with_writes(&state.db, txn, keyed, kept).await,
        None => idempotency::store_alone(&state.db, keyed, kept).await.map(|()| idempotency::Stored::Committed),
    };
    match stored {
        Ok(idempotency::Stored::Committed) => Ok(ServiceResponse::new(request, head.set_body(BoxBody::new(bytes)))),
        Ok(idempotency::Stored::LostRace) => {
            let claim = idempotency::lookup(&state.db, keyed).await;
            let req = ServiceRequest::from_request(request);
            Ok(match claim {
                Ok(claim) => replay(req, claim),
                Err(error) => req.error_response(ApiError::from(error)),
            })
        }
        // The writes may or may not have committed: the client does not know either, and its
        // retry with the key tells (replay if they did, a fresh run if not).
        Err(error) => {
            tracing::warn!(%error, "could not commit an idempotent request with its key");
            Ok(ServiceResponse::new(request, ApiError::from(error).error_response()))
        }
    }
}
