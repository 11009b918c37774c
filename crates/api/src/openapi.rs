//! The OpenAPI document, collected from the `#[utoipa::path]` of every registered route.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CRM API",
        description = "客户关系管理系统 REST API. Conventions: JSON snake_case, keyset pagination with `limit`/`cursor`, `ETag`/`If-Match` optimistic locking, `Idempotency-Key` on POST, RFC 9457 problem+json errors. Dates and times a client sends lie between 1900-01-01 and 2199-12-31 (otherwise 400 for a query parameter, 422 for a body field, with the field code `date` or `date_range`); a comma-separated filter takes at most 100 values, `q` at most 200 characters, a list in a body at most 1,000 items.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    // Named by the feed's `types` filter through `value_type`, which registers no schema.
    components(schemas(crate::platform::EventType)),
    tags(
        (name = "auth", description = "Sign in, refresh, sign out"),
        (name = "customers", description = "客户: companies and individuals"),
        (name = "contacts", description = "联系人 of customers"),
        (name = "users", description = "User administration"),
        (name = "api-keys", description = "API keys for integrations: `Authorization: Bearer crm_…`"),
        (name = "teams", description = "Teams and sub-teams"),
        (name = "roles", description = "Roles and permission matrices"),
        (name = "interactions", description = "沟通记录: communication records"),
        (name = "tasks", description = "跟进提醒: tasks and reminders"),
        (name = "follow-up-rules", description = "Rules that create follow-up tasks for silent customers"),
        (name = "notifications", description = "Your in-app notifications"),
        (name = "products", description = "The product catalogue"),
        (name = "pipelines", description = "Sales pipelines, their stages and the board"),
        (name = "opportunities", description = "销售机会: sales opportunities"),
        (name = "orders", description = "订单: orders and their lines"),
        (name = "reports", description = "Sales reports, funnel and forecast"),
        (name = "tickets", description = "服务请求: service tickets with SLA clocks"),
        (name = "knowledge-base", description = "知识库: categories, articles, revisions"),
        (name = "portal-accounts", description = "Customer portal accounts and invitations (staff)"),
        (name = "portal", description = "客户门户: what a signed-in customer may do"),
        (name = "requirements", description = "客户需求管理: customer requirements from collection to evaluation"),
        (name = "settings", description = "Organisation settings"),
        (name = "custom-fields", description = "自定义字段: fields administrators add to customers, contacts, opportunities, orders, tickets and products"),
        (name = "sla-policies", description = "Service-level targets and their calendars"),
        (name = "consents", description = "同意记录: what customers and contacts agreed to be contacted for"),
        (name = "privacy", description = "个人信息保护 (PIPL): subject requests, a person's export and erasure, retention"),
        (name = "audit", description = "The audit log"),
        (name = "events", description = "The change feed"),
        (name = "ops", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        // Customers in the portal carry their own token type, accepted by `/portal/...` only.
        components.add_security_scheme(
            "portal",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT (portal)").build()),
        );
    }
}

/// Declares the problems any operation can answer besides its own: malformed parameters (400),
/// missing credentials (401) and a role without the permission (403) where a token is needed, body errors (413, 415, 422) where a body is
/// read, and an unreachable database (503). Each handler documents the statuses of its own logic.
struct CommonProblems;

/// A response with a `Problem` body, as `body = Problem, content_type = "application/problem+json"`
/// documents one in `#[utoipa::path]`.
pub fn problem_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
        .build()
}

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let mut add = |code: &str, description: &str| {
                    responses.entry(code.to_owned()).or_insert_with(|| problem_response(description).into());
                };
                add("400", "Malformed parameters, path or JSON");
                if secured {
                    add("401", "Missing, invalid or expired credentials");
                    add("403", "The caller's role may not do this");
                }
                if has_body {
                    add("413", "Body too large");
                    add("415", "Body is not application/json");
                    add("422", "Body fields are invalid");
                }
                add("503", "The database is unreachable; retry after the Retry-After seconds");
            }
        }
    }
}

/// What every POST says about `Idempotency-Key`, in one place.
pub const IDEMPOTENCY_KEY_DESCRIPTION: &str = "Makes retries safe for 24 h (1 to 255 visible characters, per caller). \
The key and the response are committed in the same transaction as the request's writes, so a retry after an unknown outcome \
(timeout, dropped connection, 503) replays the first answer (with `Idempotent-Replayed: true`) if the first attempt took effect \
and runs afresh if it did not: the write never happens twice. A concurrent duplicate writes nothing and gets the first answer. \
The same key with another method, path or body answers 422 `idempotency.key_reused`. Responses carrying secrets \
(tokens, passwords, a portal invitation's link) are never stored: a retry of such a request \
answers 409 `idempotency.not_replayable` and does not repeat it; a 5xx answer is not stored, so its retry runs again. \
A request without credentials (signing in, refreshing a token, accepting a portal invitation) is not keyed: the key is ignored.";

/// Documents `Idempotency-Key` on every POST, the same way, and the 409 and 422 it can answer.
struct IdempotencyKeyHeader;

impl Modify for IdempotencyKeyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let Some(operation) = item.post.as_mut() else { continue };
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            parameters.retain(|p| !(p.name.eq_ignore_ascii_case("Idempotency-Key") && p.parameter_in == ParameterIn::Header));
            parameters.push(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(utoipa::openapi::Required::False)
                    .description(Some(IDEMPOTENCY_KEY_DESCRIPTION))
                    .schema(Some(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::String)
                            .min_length(Some(1))
                            .max_length(Some(255)),
                    ))
                    .build(),
            );
            // A retry can answer 409 (a secret-bearing response is not replayed) and a key reused
            // for another request 422, on operations that otherwise never answer either.
            for (status, description) in [
                ("409", "Conflict; with an Idempotency-Key also `idempotency.not_replayable`"),
                ("422", "Invalid; with an Idempotency-Key also `idempotency.key_reused`"),
            ] {
                operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem_response(description).into());
            }
        }
    }
}

/// Lists every problem `code` with its meaning on the `Problem` schema (see `problem_codes`), and
/// says that `detail`, `title` and field messages come in the language of `Accept-Language`.
struct ProblemCodes;

impl Modify for ProblemCodes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::Schema;
        let Some(components) = openapi.components.as_mut() else { return };
        let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") else { return };
        if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
            code.description = Some(crate::problem_codes::openapi_description());
        }
    }
}

/// Points every list page's items at the item's own schema. utoipa copies a generic's type
/// argument into the composed schema (`PageDto_RoleDto` gets a whole `RoleDto` as its items), so
/// client generators made one duplicate class per list (`PageDtoRoleDtoDataItem`, …) that no
/// other operation's type is compatible with.
struct PageItemsByReference;

impl Modify for PageItemsByReference {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ArrayItems, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else { return };
        let named: std::collections::BTreeSet<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            let Some(item) = name.strip_prefix("PageDto_").filter(|item| named.contains(*item)) else { continue };
            let RefOr::T(Schema::Object(page)) = schema else { continue };
            if let Some(RefOr::T(Schema::Array(data))) = page.properties.get_mut("data") {
                data.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
            }
        }
    }
}

/// What each response header the server sends means, in one place: handlers declare which of
/// their responses carry `ETag`, `Location` or `Content-Disposition` (`headers(("ETag" = String))`),
/// and this describes them; the headers the error and idempotency layers add are declared here on
/// every response that can carry them (`Retry-After` on 429 and 503, `WWW-Authenticate` on 401,
/// `Idempotent-Replayed` on a POST's answers).
struct ResponseHeaders;

impl ResponseHeaders {
    /// A string header with this description.
    fn header(description: &str) -> utoipa::openapi::header::Header {
        let mut header = utoipa::openapi::header::Header::default();
        header.description = Some(description.to_owned());
        header
    }
}

impl Modify for ResponseHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, false),
                (&mut item.patch, false),
                (&mut item.delete, false),
            ];
            for (operation, post) in operations {
                let Some(operation) = operation.as_mut() else { continue };
                for (status, response) in operation.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else { continue };
                    let headers = &mut response.headers;
                    for (name, header) in headers.iter_mut() {
                        let description = match name.as_str() {
                            "ETag" => {
                                "The record's version, `\"<version>\"`: send it back as `If-Match` to change or delete the record only if nobody else has."
                            }
                            "Location" => "Where the created record (or the list it joined) is read.",
                            "Content-Disposition" => "`attachment` with the file's name.",
                            _ => continue,
                        };
                        *header = Self::header(description);
                    }
                    match status.as_str() {
                        "401" => {
                            headers.insert("WWW-Authenticate".into(), Self::header("`Bearer`: send an access token or API key."));
                        }
                        "429" | "503" => {
                            let mut retry_after = Self::header("Seconds to wait before trying again.");
                            retry_after.schema = utoipa::openapi::Object::with_type(utoipa::openapi::Type::Integer).into();
                            headers.insert("Retry-After".into(), retry_after);
                        }
                        _ => {}
                    }
                    // Every answer but a server error is kept for the key and can be replayed.
                    if post && !status.starts_with('5') {
                        headers.insert(
                            "Idempotent-Replayed".into(),
                            Self::header("`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`."),
                        );
                    }
                }
            }
        }
    }
}

/// The document as `crm openapi` prints it and `openapi/openapi.json` stores it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = crate::app::routes(actix_web::App::new()).split_for_parts();
    complete(api)
}

/// Finishes the document once every route is in it (modifiers of `ApiDoc` run before
/// utoipa-actix-web adds the paths, so path-wide additions happen here).
pub fn complete(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    CommonProblems.modify(&mut api);
    IdempotencyKeyHeader.modify(&mut api);
    PageItemsByReference.modify(&mut api);
    ResponseHeaders.modify(&mut api);
    ProblemCodes.modify(&mut api);
    api
}

pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
