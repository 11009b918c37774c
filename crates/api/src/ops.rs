//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`) and the fallback that answers unknown
//! paths with 404 and known paths with the wrong method with 405, both as problem+json.

use actix_web::{HttpRequest, HttpResponse, get, web};
use crm_domain::text;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::AppState;
use crate::error::ApiError;

/// The process is up
#[utoipa::path(tag = "ops", responses((status = 200, description = "Alive", body = String)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers
#[utoipa::path(tag = "ops", responses((status = 200, description = "Ready", body = String), (status = 503, description = "Database unreachable")))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.db.ping().await { Ok(HttpResponse::Ok().content_type("text/plain").body("ready")) } else { Err(ApiError::Unavailable) }
}

/// Who may read `/metrics` on the main address: holders of `CRM_METRICS_TOKEN`, or nobody.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// SHA-256 of the configured token: compared digest to digest, so the comparison's time
    /// says nothing about the token.
    token_digest: Option<[u8; 32]>,
}

impl MetricsAccess {
    pub fn new(token: Option<&str>) -> Self {
        Self { token_digest: token.map(digest) }
    }
}

fn digest(text: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
}

/// Prometheus metrics
///
/// Needs `Authorization: Bearer <CRM_METRICS_TOKEN>`. Without a configured token this address
/// does not serve metrics at all (404); `CRM_METRICS_BIND` serves them on a separate address.
#[utoipa::path(tag = "ops", responses(
    (status = 200, description = "Metrics in the Prometheus text format", body = String),
    (status = 401, description = "Missing or wrong metrics token", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No metrics token is configured: metrics are not served here", body = crate::error::Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, handle: web::Data<PrometheusHandle>) -> Result<HttpResponse, ApiError> {
    let access = req.app_data::<web::Data<MetricsAccess>>().and_then(|a| a.token_digest);
    let Some(expected) = access else { return Err(ApiError::NoRoute("/metrics".into())) };
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|token| digest(token.trim()));
    if presented != Some(expected) {
        return Err(ApiError::unauthorized("metrics.token_required", text!("/metrics needs the metrics token", "/metrics 需要监控令牌")));
    }
    Ok(metrics_text(&handle))
}

/// `/metrics` on the separate metrics address (`CRM_METRICS_BIND`): no token, since only the
/// network the operator bound it to reaches it.
pub async fn metrics_on_private_address(handle: web::Data<PrometheusHandle>) -> HttpResponse {
    metrics_text(&handle)
}

fn metrics_text(handle: &PrometheusHandle) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(handle.render())
}

/// Known API paths and their methods, taken from the OpenAPI document, to tell 404 from 405.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                let value = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "post", "put", "patch", "delete"]
                    .iter()
                    .filter(|m| value.get(**m).is_some())
                    .map(|m| m.to_uppercase())
                    .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods allowed at `path`, if some documented route matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<String> = Vec::new();
        for (segments, methods) in &self.routes {
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| (s.starts_with('{') && s.ends_with('}')) || s == p);
            if matches {
                allowed.extend(methods.iter().cloned());
            }
        }
        if allowed.is_empty() {
            None
        } else {
            allowed.sort();
            allowed.dedup();
            Some(allowed)
        }
    }
}

/// Anything no route took: 405 for a known path, 404 otherwise.
pub async fn fallback(req: HttpRequest, table: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NoRoute(req.path().chars().take(200).collect()),
    })
}
