//! Security headers on every response: a Content-Security-Policy (the single-page app runs only
//! its own scripts; Swagger UI at `/api/docs` gets its own policy), a Permissions-Policy that
//! turns off the browser features the CRM never uses, and `Cache-Control: no-store` on every
//! `/api/v1` answer, since nearly all of them carry personal data that a shared or back-button
//! cache must not keep.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

/// The policies, built once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    app_policy: HeaderValue,
    docs_policy: HeaderValue,
}

/// Browser features no page of the CRM uses.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), \
     magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), browsing-topics=()";

impl SecurityHeaders {
    /// `remote_images` (`CRM_MARKDOWN_REMOTE_IMAGES`) lets pages show images from other sites
    /// (`img-src https:`), which rendered Markdown otherwise leaves as links: an image in an
    /// article would tell a third party who read it, and when.
    pub fn new(remote_images: bool) -> Self {
        Self { app_policy: header_value(&app_policy(remote_images)), docs_policy: header_value(&docs_policy()) }
    }
}

fn header_value(policy: &str) -> HeaderValue {
    HeaderValue::from_str(policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The app's policy. Scripts only from our origin (the Vite build has no inline script); styles
/// also inline, because antd writes its CSS-in-JS into `<style>` elements at run time.
pub fn app_policy(remote_images: bool) -> String {
    let images = if remote_images { "'self' data: blob: https:" } else { "'self' data: blob:" };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src {images}; font-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Swagger UI's policy: its page loads its bundle and initializer as files (no inline script)
/// but sets inline styles and shows data-URI icons; it never shows remote images.
pub fn docs_policy() -> String {
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        .to_owned()
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let policies = req.app_data::<web::Data<SecurityHeaders>>().cloned();
    let path = req.path().to_owned();
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if let Some(policies) = policies {
        let policy = if path.starts_with("/api/docs") { &policies.docs_policy } else { &policies.app_policy };
        headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
    }
    headers.insert(HeaderName::from_static("permissions-policy"), HeaderValue::from_static(PERMISSIONS_POLICY));
    if path.starts_with("/api/v1/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
