//! `ApiError`, the only type that knows HTTP: every error leaves as RFC 9457
//! `application/problem+json` with the request id, and 5xx bodies say nothing internal.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use crm_domain::{FieldError, ValidationErrors};
use crm_persistence::Error as StoreError;
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The id of the request being served, for problem bodies and logs.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// One invalid field or parameter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The JSON field or query parameter (`email`, `tags[2]`, `limit`).
    pub field: String,
    /// A stable machine-readable code (`email`, `required`, `too_long`, `choice`…).
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"type": "/problems/validation", "title": "Validation failed", "status": 422, "code": "validation", "detail": "1 field is invalid", "request_id": "01J...", "errors": [{"field": "phone", "code": "phone", "message": "not a valid phone number"}]}))]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A stable machine-readable code (`validation`, `conflict`, `unavailable`,
    /// `idempotency.key_reused`, `idempotency.not_replayable`…): clients branch on it.
    pub code: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// On 412: the version the record is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// On a uniqueness conflict (409): the record that already holds the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<uuid::Uuid>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("no route {0}")]
    NoRoute(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("{0}")]
    Conflict(String),
    #[error("stale version")]
    PreconditionFailed { current: i32 },
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("{0}")]
    Unprocessable(String),
    #[error("rate limited")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("database unavailable")]
    Unavailable,
    /// A refusal with its own stable code, for cases the generic kinds do not tell apart.
    #[error("{detail}")]
    Coded { status: StatusCode, code: &'static str, detail: String },
    /// 422 under a named rule of the record's state, with the fields it concerns.
    #[error("{detail}")]
    Refused { code: &'static str, detail: String, errors: Vec<FieldError> },
    /// 409: a value unique among live records is held by `existing_id`.
    #[error("{detail}")]
    Taken { code: &'static str, detail: String, existing_id: uuid::Uuid },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_parameter(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("invalid parameter {field}: {message}"),
            errors: vec![FieldError::new(field, "invalid", message)],
        }
    }

    pub fn validation(field: &str, code: &str, message: &str) -> Self {
        ApiError::Validation(ValidationErrors::single(field, code, message))
    }

    fn parts(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => ("/problems/bad-request", "Bad request"),
            ApiError::Unauthorized(_) => ("/problems/unauthorized", "Authentication required"),
            ApiError::Forbidden(_) => ("/problems/forbidden", "Not allowed"),
            ApiError::NotFound => ("/problems/not-found", "Not found"),
            ApiError::NoRoute(_) => ("/problems/no-route", "No such endpoint"),
            ApiError::MethodNotAllowed { .. } => ("/problems/method-not-allowed", "Method not allowed"),
            ApiError::Conflict(_) => ("/problems/conflict", "Conflict"),
            ApiError::PreconditionFailed { .. } => ("/problems/stale-version", "The record has changed"),
            ApiError::PayloadTooLarge { .. } => ("/problems/payload-too-large", "Request body too large"),
            ApiError::UnsupportedMediaType => ("/problems/unsupported-media-type", "Unsupported media type"),
            ApiError::Validation(_) | ApiError::Unprocessable(_) | ApiError::Refused { .. } => {
                ("/problems/validation", "Validation failed")
            }
            ApiError::TooManyRequests { .. } => ("/problems/rate-limited", "Too many requests"),
            ApiError::Unavailable => ("/problems/unavailable", "Service unavailable"),
            ApiError::Coded { status, .. } if status.as_u16() == 409 => ("/problems/conflict", "Conflict"),
            ApiError::Coded { status, .. } if status.as_u16() == 422 => ("/problems/validation", "Validation failed"),
            ApiError::Coded { status, .. } if status.is_server_error() => ("/problems/unavailable", "Service unavailable"),
            ApiError::Coded { .. } => ("/problems/bad-request", "Bad request"),
            ApiError::Taken { .. } => ("/problems/conflict", "Conflict"),
            ApiError::Internal(_) => ("/problems/internal", "Internal error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::NotFound => "the record does not exist or you cannot see it".into(),
            ApiError::NoRoute(path) => format!("no endpoint at {path}"),
            ApiError::MethodNotAllowed { allow } => format!("this endpoint allows {}", allow.join(", ")),
            ApiError::PreconditionFailed { current } => {
                format!("the record is now at version {current}; reload it and apply your change again")
            }
            ApiError::PayloadTooLarge { limit } => format!("the body is larger than {limit} bytes"),
            ApiError::UnsupportedMediaType => "send the body as application/json".into(),
            ApiError::Validation(errors) => {
                let n = errors.0.len();
                if n == 1 { "1 field is invalid".into() } else { format!("{n} fields are invalid") }
            }
            ApiError::TooManyRequests { retry_after_secs } => format!("try again in {retry_after_secs} seconds"),
            ApiError::Unavailable => "the database is not reachable; try again shortly".into(),
            ApiError::Internal(_) => "something went wrong on our side; the request id helps us find it".into(),
            other => other.to_string(),
        }
    }

    /// The problem's stable code: its own for [`ApiError::Coded`], else the kind of problem.
    pub fn code(&self) -> String {
        match self {
            ApiError::Coded { code, .. } | ApiError::Taken { code, .. } | ApiError::Refused { code, .. } => (*code).to_owned(),
            other => other.parts().0.trim_start_matches("/problems/").replace('-', "_"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.parts();
        let errors = match self {
            ApiError::Validation(errors) => errors.0.clone(),
            ApiError::BadRequest { errors, .. } | ApiError::Refused { errors, .. } => errors.clone(),
            _ => vec![],
        };
        Problem {
            kind: kind.into(),
            title: title.into(),
            status: self.status_code().as_u16(),
            code: self.code(),
            detail: self.detail(),
            request_id: current_request_id(),
            errors: errors.into_iter().map(|e| ProblemField { field: e.field, code: e.code, message: e.message }).collect(),
            current_version: match self {
                ApiError::PreconditionFailed { current } => Some(*current),
                _ => None,
            },
            existing_id: match self {
                ApiError::Taken { existing_id, .. } => Some(*existing_id),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::NoRoute(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Unprocessable(_) | ApiError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Coded { status, .. } => *status,
            ApiError::Taken { .. } => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(cause = %cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        match self {
            ApiError::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Forbidden(reason) => ApiError::Forbidden(reason),
            StoreError::Conflict(reason) => ApiError::Conflict(reason),
            StoreError::Taken { code, message, existing_id } => ApiError::Taken { code, detail: message, existing_id },
            StoreError::Refused { code, message, errors } => ApiError::Refused { code, detail: message, errors: errors.0 },
            StoreError::StaleVersion { current } => ApiError::PreconditionFailed { current },
            StoreError::Validation(errors) => match errors.0.first() {
                // A bad cursor or sort is a malformed parameter, not a body field.
                Some(first) if errors.0.len() == 1 && (first.field == "cursor" || first.field == "sort") => {
                    ApiError::BadRequest { detail: format!("invalid parameter {}: {}", first.field, first.message), errors: errors.0 }
                }
                _ => ApiError::Validation(errors),
            },
            StoreError::RateLimited { retry_after_secs } => ApiError::TooManyRequests { retry_after_secs },
            StoreError::Unauthorized(reason) => ApiError::Unauthorized(reason.into()),
            StoreError::Unavailable(db) => {
                tracing::warn!(error = %db, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Unexpected(db) => ApiError::Internal(db.to_string()),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        for (field, errs) in errors.field_errors() {
            for err in errs {
                let message = err.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| match err.code.as_ref() {
                    "length" => "has the wrong length".into(),
                    "range" => "is out of range".into(),
                    "email" => "not a valid email address".into(),
                    other => format!("is invalid ({other})"),
                });
                fields.push(FieldError::new(field.to_string(), err.code.to_string(), message));
            }
        }
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(ValidationErrors(fields))
    }
}

/// Turns actix's JSON body errors into problems: 413 too large, 415 wrong content type, 400
/// malformed JSON, 422 well-formed JSON of the wrong shape.
pub fn json_error(error: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &error {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => ApiError::PayloadTooLarge { limit: *limit },
        E::ContentType => ApiError::UnsupportedMediaType,
        E::Deserialize(inner) if inner.is_data() => {
            let message = inner.to_string();
            let code = crate::http::client_date_code(&message).unwrap_or("shape");
            ApiError::Validation(ValidationErrors::single("body", code, &message))
        }
        E::Deserialize(inner) => ApiError::BadRequest { detail: format!("malformed JSON: {inner}"), errors: vec![] },
        E::Payload(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge { limit: 0 },
        other => ApiError::BadRequest { detail: format!("unreadable body: {other}"), errors: vec![] },
    };
    api.into()
}

pub fn query_error(error: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = match &error {
        actix_web::error::QueryPayloadError::Deserialize(inner) => inner.to_string(),
        other => other.to_string(),
    };
    let errors = match crate::http::client_date_code(&message) {
        Some(code) => vec![FieldError::new("query", code, message.clone())],
        None => vec![],
    };
    ApiError::BadRequest { detail: format!("invalid query string: {message}"), errors }.into()
}

pub fn path_error(error: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &error {
        actix_web::error::PathError::Deserialize(inner) if inner.to_string().contains("UUID") => {
            "the id in the path is not a valid UUID".to_owned()
        }
        other => format!("invalid path parameter: {other}"),
    };
    ApiError::BadRequest { detail, errors: vec![FieldError::new("id", "uuid", "not a valid UUID")] }.into()
}
