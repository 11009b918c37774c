//! The OpenAPI document, collected from the `#[utoipa::path]` of every registered route.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CRM API",
        description = "客户关系管理系统 REST API. Conventions: JSON snake_case, keyset pagination with `limit`/`cursor`, `ETag`/`If-Match` optimistic locking, `Idempotency-Key` on POST, RFC 9457 problem+json errors.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign in, refresh, sign out"),
        (name = "customers", description = "客户: companies and individuals"),
        (name = "contacts", description = "联系人 of customers"),
        (name = "users", description = "User administration"),
        (name = "teams", description = "Teams and sub-teams"),
        (name = "roles", description = "Roles and permission matrices"),
        (name = "interactions", description = "沟通记录: communication records"),
        (name = "tasks", description = "跟进提醒: tasks and reminders"),
        (name = "follow-up-rules", description = "Rules that create follow-up tasks for silent customers"),
        (name = "notifications", description = "Your in-app notifications"),
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
    }
}

/// The document as `crm openapi` prints it and `openapi/openapi.json` stores it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = crate::app::routes(actix_web::App::new()).split_for_parts();
    api
}

pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
