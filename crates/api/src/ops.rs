//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`) and the fallback that answers unknown
//! paths with 404 and known paths with the wrong method with 405, both as problem+json.

use actix_web::{HttpRequest, HttpResponse, get, web};
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

/// Prometheus metrics
#[utoipa::path(tag = "ops", responses((status = 200, description = "Metrics in the Prometheus text format", body = String)))]
#[get("/metrics")]
pub async fn metrics(handle: web::Data<PrometheusHandle>) -> HttpResponse {
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
