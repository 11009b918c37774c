//! `ApiError`, the only type that knows HTTP: every error leaves as RFC 9457
//! `application/problem+json` with the request id, and 5xx bodies say nothing internal.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use crm_domain::{FieldError, Lang, Text, ValidationErrors, text};
use crm_persistence::Error as StoreError;
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The id of the request being served, for problem bodies and logs.
    pub static REQUEST_ID: String;
    /// The language the request asked for (`Accept-Language`), for problem bodies.
    pub static LANGUAGE: Lang;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The language of the request being served; English outside a request.
pub fn current_language() -> Lang {
    LANGUAGE.try_with(|lang| *lang).unwrap_or_default()
}

/// One invalid field or parameter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The JSON field or query parameter (`email`, `tags[2]`, `limit`).
    pub field: String,
    /// A stable machine-readable code (`email`, `required`, `too_long`, `choice`…).
    pub code: String,
    /// The values the message names (`{"max": 200}` for `too_long`, `{"allowed": [...]}` for
    /// `choice`), so a client can word the message in its own language.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
    /// A sentence for people, in the language of `Accept-Language` (zh-CN or en).
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
    /// A sentence for people, in the language of `Accept-Language` (zh-CN or en).
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
    BadRequest { detail: Text, errors: Vec<FieldError> },
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: Text },
    #[error("{0}")]
    Forbidden(Text),
    #[error("not found")]
    NotFound,
    #[error("no route {0}")]
    NoRoute(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("stale version")]
    PreconditionFailed { current: i32 },
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("rate limited")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("database unavailable")]
    Unavailable,
    /// A refusal with its own stable code (`ticket.invalid_transition`): a 409 for a rule of
    /// state, a 422 for values that cannot be accepted, a 400 for a request that makes no sense.
    #[error("{detail}")]
    Coded { status: StatusCode, code: &'static str, detail: Text },
    /// 422 under a named rule of the record's state, with the fields it concerns.
    #[error("{detail}")]
    Refused { code: &'static str, detail: Text, errors: Vec<FieldError> },
    /// 409: a value unique among live records is held by `existing_id`.
    #[error("{detail}")]
    Taken { code: &'static str, detail: Text, existing_id: uuid::Uuid },
    /// 500 for a cause logged here, when the response is made.
    #[error("internal error: {0}")]
    Internal(String),
    /// 500 for a storage error already logged, with its cause chain, inside the operation's span.
    #[error("unexpected storage error")]
    Unexpected,
}

impl ApiError {
    pub fn bad_parameter(field: &str, message: Text) -> Self {
        Self::bad_parameter_error(FieldError::new(field, "invalid", message))
    }

    /// 400 for one bad query parameter or header, the field error naming it.
    pub fn bad_parameter_error(error: FieldError) -> Self {
        let detail = Text::new(
            format!("invalid parameter {}: {}", error.field, error.message.get(Lang::En)),
            format!("参数 {} 无效：{}", error.field, error.message.get(Lang::ZhCn)),
        );
        ApiError::BadRequest { detail, errors: vec![error] }
    }

    pub fn validation(field: &str, code: &str, message: Text) -> Self {
        ApiError::Validation(ValidationErrors::single(field, code, message))
    }

    /// 409: the record's state does not allow this.
    pub fn conflict(code: &'static str, detail: Text) -> Self {
        ApiError::Coded { status: StatusCode::CONFLICT, code, detail }
    }

    /// 422: the values cannot be accepted as they are.
    pub fn unprocessable(code: &'static str, detail: Text) -> Self {
        ApiError::Coded { status: StatusCode::UNPROCESSABLE_ENTITY, code, detail }
    }

    /// 401 with the reason the credentials were refused.
    pub fn unauthorized(code: &'static str, detail: Text) -> Self {
        ApiError::Unauthorized { code, detail }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "/problems/bad-request",
            ApiError::Unauthorized { .. } => "/problems/unauthorized",
            ApiError::Forbidden(_) => "/problems/forbidden",
            ApiError::NotFound => "/problems/not-found",
            ApiError::NoRoute(_) => "/problems/no-route",
            ApiError::MethodNotAllowed { .. } => "/problems/method-not-allowed",
            ApiError::PreconditionFailed { .. } => "/problems/stale-version",
            ApiError::PayloadTooLarge { .. } => "/problems/payload-too-large",
            ApiError::UnsupportedMediaType => "/problems/unsupported-media-type",
            ApiError::Validation(_) | ApiError::Refused { .. } => "/problems/validation",
            ApiError::TooManyRequests { .. } => "/problems/rate-limited",
            ApiError::Unavailable => "/problems/unavailable",
            ApiError::Coded { status, .. } if status.as_u16() == 409 => "/problems/conflict",
            ApiError::Coded { status, .. } if status.as_u16() == 422 => "/problems/validation",
            ApiError::Coded { status, .. } if status.is_server_error() => "/problems/unavailable",
            ApiError::Coded { .. } => "/problems/bad-request",
            ApiError::Taken { .. } => "/problems/conflict",
            ApiError::Internal(_) | ApiError::Unexpected => "/problems/internal",
        }
    }

    fn title(&self) -> Text {
        match self.kind() {
            "/problems/bad-request" => text!("Bad request", "请求有误"),
            "/problems/unauthorized" => text!("Authentication required", "需要登录"),
            "/problems/forbidden" => text!("Not allowed", "无权操作"),
            "/problems/not-found" => text!("Not found", "未找到"),
            "/problems/no-route" => text!("No such endpoint", "没有这个接口"),
            "/problems/method-not-allowed" => text!("Method not allowed", "不支持该请求方法"),
            "/problems/stale-version" => text!("The record has changed", "记录已被修改"),
            "/problems/payload-too-large" => text!("Request body too large", "请求内容过大"),
            "/problems/unsupported-media-type" => text!("Unsupported media type", "不支持的内容类型"),
            "/problems/validation" => text!("Validation failed", "校验未通过"),
            "/problems/rate-limited" => text!("Too many requests", "请求过于频繁"),
            "/problems/unavailable" => text!("Service unavailable", "服务暂不可用"),
            "/problems/conflict" => text!("Conflict", "操作冲突"),
            _ => text!("Internal error", "内部错误"),
        }
    }

    fn detail(&self) -> Text {
        match self {
            ApiError::NotFound => text!("the record does not exist or you cannot see it", "记录不存在，或您无权查看"),
            ApiError::NoRoute(path) => text!("no endpoint at {path}", "{path} 没有对应的接口"),
            ApiError::MethodNotAllowed { allow } => {
                let allow = allow.join(", ");
                text!("this endpoint allows {allow}", "该接口只支持 {allow}")
            }
            ApiError::PreconditionFailed { current } => text!(
                "the record is now at version {current}; reload it and apply your change again",
                "记录已更新到第 {current} 版，请刷新后重新修改"
            ),
            ApiError::PayloadTooLarge { limit } => text!("the body is larger than {limit} bytes", "请求内容超过 {limit} 字节"),
            ApiError::UnsupportedMediaType => text!("send the body as application/json", "请以 application/json 格式发送请求内容"),
            ApiError::Validation(errors) => match errors.0.len() {
                1 => text!("1 field is invalid", "有 1 项填写有误"),
                n => text!("{n} fields are invalid", "有 {n} 项填写有误"),
            },
            ApiError::TooManyRequests { retry_after_secs } => {
                text!("try again in {retry_after_secs} seconds", "请在 {retry_after_secs} 秒后重试")
            }
            ApiError::Unavailable => text!("the database is not reachable; try again shortly", "数据库暂时无法访问，请稍后重试"),
            ApiError::Internal(_) | ApiError::Unexpected => {
                text!("something went wrong on our side; the request id helps us find it", "系统内部出错；请求编号可帮助我们定位问题")
            }
            ApiError::BadRequest { detail, .. }
            | ApiError::Unauthorized { detail, .. }
            | ApiError::Coded { detail, .. }
            | ApiError::Refused { detail, .. }
            | ApiError::Taken { detail, .. } => detail.clone(),
            ApiError::Forbidden(detail) => detail.clone(),
        }
    }

    /// The problem's stable code: its own where the error names one, else the kind of problem.
    pub fn code(&self) -> String {
        match self {
            ApiError::Coded { code, .. }
            | ApiError::Taken { code, .. }
            | ApiError::Refused { code, .. }
            | ApiError::Unauthorized { code, .. } => (*code).to_owned(),
            other => other.kind().trim_start_matches("/problems/").replace('-', "_"),
        }
    }

    /// The problem document in `lang`.
    pub fn problem_in(&self, lang: Lang) -> Problem {
        let errors = match self {
            ApiError::Validation(errors) => errors.0.as_slice(),
            ApiError::BadRequest { errors, .. } | ApiError::Refused { errors, .. } => errors.as_slice(),
            _ => &[],
        };
        Problem {
            kind: self.kind().into(),
            title: self.title().get(lang).to_owned(),
            status: self.status_code().as_u16(),
            code: self.code(),
            detail: self.detail().get(lang).to_owned(),
            request_id: current_request_id(),
            errors: errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    params: (!e.params.is_empty()).then(|| e.params.clone()),
                    message: e.message.get(lang).to_owned(),
                })
                .collect(),
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

    /// The problem as an import row's errors: its field errors, or the problem itself as an
    /// error of the whole row (with the id of the record holding a taken value).
    pub fn row_errors(&self) -> Vec<crm_domain::platform::imports::RowError> {
        use crm_domain::platform::imports::RowError;
        let fields = match self {
            ApiError::Validation(errors) => errors.0.as_slice(),
            ApiError::BadRequest { errors, .. } | ApiError::Refused { errors, .. } => errors.as_slice(),
            _ => &[],
        };
        if !fields.is_empty() {
            return fields.iter().map(RowError::of).collect();
        }
        let mut error = RowError::of_row(&self.code(), &self.detail());
        if let ApiError::Taken { existing_id, .. } = self {
            error.params.insert("existing_id".into(), serde_json::Value::String(existing_id.to_string()));
        }
        vec![error]
    }

    /// The problem document in the language the request asked for.
    pub fn problem(&self) -> Problem {
        self.problem_in(current_language())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::NoRoute(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Coded { status, .. } => *status,
            ApiError::Taken { .. } => StatusCode::CONFLICT,
            ApiError::Internal(_) | ApiError::Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
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
            ApiError::Unauthorized { .. } => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        let lang = current_language();
        response.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
        response.insert_header((header::VARY, "Accept-Language"));
        response.body(serde_json::to_string(&self.problem_in(lang)).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Forbidden(reason) => ApiError::Forbidden(reason),
            StoreError::Conflict { code, message } => ApiError::conflict(code, message),
            StoreError::Taken { code, message, existing_id } => ApiError::Taken { code, detail: message, existing_id },
            StoreError::Refused { code, message, errors } => ApiError::Refused { code, detail: message, errors: errors.0 },
            StoreError::StaleVersion { current } => ApiError::PreconditionFailed { current },
            StoreError::Validation(errors) => match errors.0.first() {
                // A bad cursor, sort or custom-field filter (`cf.…`) is a malformed parameter, not a body field.
                Some(first)
                    if errors.0.len() == 1 && (first.field == "cursor" || first.field == "sort" || first.field.starts_with("cf.")) =>
                {
                    ApiError::bad_parameter_error(first.clone())
                }
                _ => ApiError::Validation(errors),
            },
            StoreError::RateLimited { retry_after_secs } => ApiError::TooManyRequests { retry_after_secs },
            StoreError::Unauthorized { code, message } => ApiError::Unauthorized { code, detail: message },
            StoreError::Unavailable(db) => {
                tracing::warn!(error = %db, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Unexpected(_) => ApiError::Unexpected,
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
                let message = match err.code.as_ref() {
                    "length" => text!("has the wrong length", "长度不符合要求"),
                    "range" => text!("is out of range", "超出允许范围"),
                    "email" => text!("not a valid email address", "不是有效的电子邮箱地址"),
                    other => text!("is invalid ({other})", "无效（{other}）"),
                };
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
        E::Deserialize(inner) if inner.is_data() => ApiError::Validation(ValidationErrors(vec![shape_error("body", &inner.to_string())])),
        E::Deserialize(inner) => {
            let (line, column) = (inner.line(), inner.column());
            ApiError::BadRequest {
                detail: Text::new(format!("malformed JSON: {inner}"), format!("JSON 格式有误（第 {line} 行第 {column} 列）")),
                errors: vec![],
            }
        }
        E::Payload(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge { limit: 0 },
        other => {
            ApiError::BadRequest { detail: Text::new(format!("unreadable body: {other}"), "无法读取请求内容"), errors: vec![] }
        }
    };
    api.into()
}

/// A value of the wrong shape, reported against `field` (or against the field serde names: an
/// unknown or a missing one). The English sentence keeps serde's own words, which say what was
/// expected; the Chinese one cannot, so it names the allowed values where serde lists them.
pub fn shape_error(field: &str, serde_message: &str) -> FieldError {
    let named = |prefix: &str| serde_message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_owned);
    // serde_path_to_error's path already ends at an unknown field, but stops at the struct that
    // misses a field.
    let at = |name: &str| match field {
        "body" => name.to_owned(),
        _ if field == name || field.ends_with(&format!(".{name}")) => field.to_owned(),
        _ => format!("{field}.{name}"),
    };
    if let Some(name) = named("unknown field `") {
        return FieldError::new(at(&name), "unknown_field", text!("is not a field of this request", "不是此请求的字段"));
    }
    if let Some(name) = named("missing field `") {
        return FieldError::new(at(&name), "required", text!("is required", "为必填项"));
    }
    if let Some(code) = crate::http::client_date_code(serde_message) {
        let message = match code {
            "date_range" => text!("must be between 1900-01-01 and 2199-12-31", "须在 1900-01-01 与 2199-12-31 之间"),
            _ => text!("must be a date (YYYY-MM-DD) or an RFC 3339 time", "须为日期（YYYY-MM-DD）或 RFC 3339 时间"),
        };
        return FieldError::new(field, code, message);
    }
    if serde_message.starts_with("unknown variant") {
        let allowed = serde_message
            .split_once("expected ")
            .map(|(_, list)| list.replace("one of ", "").replace(" or ", ", ").replace('`', ""))
            .unwrap_or_default();
        return FieldError::new(
            field,
            "choice",
            Text::new(format!("is not one of the allowed values ({serde_message})"), format!("只能是以下之一：{allowed}")),
        );
    }
    FieldError::new(field, "shape", Text::new(format!("has the wrong type ({serde_message})"), "类型或格式不对"))
}

pub fn query_error(error: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = match &error {
        actix_web::error::QueryPayloadError::Deserialize(inner) => inner.to_string(),
        other => other.to_string(),
    };
    let field = shape_error("query", &message);
    let errors = if field.code == "shape" { vec![] } else { vec![field] };
    let detail = Text::new(format!("invalid query string: {message}"), "查询参数有误");
    ApiError::BadRequest { detail, errors }.into()
}

pub fn path_error(error: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &error {
        actix_web::error::PathError::Deserialize(inner) if inner.to_string().contains("UUID") => {
            text!("the id in the path is not a valid UUID", "路径中的 id 不是有效的 UUID")
        }
        other => Text::new(format!("invalid path parameter: {other}"), "路径参数有误"),
    };
    ApiError::BadRequest { detail, errors: vec![FieldError::new("id", "uuid", text!("not a valid UUID", "不是有效的 UUID"))] }.into()
}
