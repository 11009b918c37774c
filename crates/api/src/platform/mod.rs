//! The audit log (`/audit`), the change feed (`/events`) and outgoing webhooks (`/webhooks`).

pub mod custom_fields;
pub mod delivery;
pub mod imports;
pub mod saved_views;
pub mod webhooks;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{
    ArrayBuilder, Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::text;
use crm_persistence::platform::{audit, events};

use crate::auth::{AppState, Principal};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, non_blank, parse_uuid};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// `create`, `update`, `delete`, `restore`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// Changed fields as `{ field: { old, new } }`, or the whole record on create.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<audit::AuditEntry> for AuditEntryDto {
    fn from(e: audit::AuditEntry) -> Self {
        Self {
            id: e.id,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            changes: e.changes,
            request_id: e.request_id,
            ip: e.ip,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The kind of record: `customer`, `contact`, `user`, `api_key`, `order`, …
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Who did it (a user, or the user an API key acts as).
    pub actor_id: Option<String>,
    /// `create`, `update`, `delete`, `restore`, `use` (an API key's first use from an address), …
    pub action: Option<String>,
    /// `YYYY-MM-DD` (from the start of that day in the organisation's time zone) or RFC 3339;
    /// inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (that whole day included) or RFC 3339 (exclusive).
    pub to: Option<String>,
}

impl AuditParams {
    fn to_filter(&self, time_zone: chrono_tz::Tz) -> Result<audit::AuditFilter, ApiError> {
        Ok(audit::AuditFilter {
            entity_type: non_blank(&self.entity_type),
            entity_id: parse_uuid("entity_id", self.entity_id.as_deref())?,
            actor_id: parse_uuid("actor_id", self.actor_id.as_deref())?,
            action: non_blank(&self.action),
            written: crm_persistence::query::UpdatedWindow {
                from: crate::http::parse_time_bound("from", self.from.as_deref(), false, time_zone)?,
                to: crate::http::parse_time_bound("to", self.to.as_deref(), true, time_zone)?,
            },
        })
    }
}

/// Read the audit log, newest first (administrators)
#[utoipa::path(tag = "audit", params(AuditParams, PageParams), responses(
    (status = 200, description = "Audit entries", body = PageDto<AuditEntryDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<AuditParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.to_filter(state.time_zone)?;
    let page = audit::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok()
        .json(crate::personal_data::page(&state.db, &principal, crate::personal_data::AUDIT_ENTRIES, page, AuditEntryDto::from).await?))
}

/// Export the audit log (administrators)
///
/// Every entry the list with the same filters returns, newest first, streamed in pages as they
/// are read: `format=ndjson` (default) one `AuditEntryDto` per line, `format=csv` RFC 4180 in
/// UTF-8 with a byte order mark and `changes` as JSON text, `format=xlsx` an Excel workbook.
/// Each export is itself recorded in the audit log (action `export`).
#[utoipa::path(tag = "audit", params(AuditParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/audit/export")]
pub async fn export_audit(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<AuditParams>,
    export: crate::export::ExportRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = params.to_filter(state.time_zone)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "audit", kind: crate::personal_data::AUDIT_ENTRIES },
        audit::list,
        AuditEntryDto::from,
    )
    .await
}

/// One event of the change feed. Its OpenAPI schema is a union on `event_type` (see
/// [`event_schema`]): one schema per kind of record, whose `payload.record` is that kind's DTO.
#[derive(Debug, Serialize)]
pub struct EventDto {
    pub seq: i64,
    pub id: Uuid,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub payload: serde_json::Value,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

impl From<events::Event> for EventDto {
    fn from(e: events::Event) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            event_type: e.event_type,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            actor_id: e.actor_id,
            payload: e.payload,
            occurred_at: e.occurred_at,
        }
    }
}

/// What the feed says of every event's payload, in the document integrators read.
const PAYLOAD_DESCRIPTION: &str = "Every event carries `{ record, changed?, detail? }`. `record` is the whole record in \
the shape its `GET` returns (the schema named here): as created or restored; as it is after an update-like change \
(`*.updated`, stage and status changes, won/lost, assigned, confirmed…); as it was when deleted, with `deleted_at` \
set (also for kinds whose `GET` does not show `deleted_at`, which answer 404 once deleted). `changed` comes with every \
update-like event: `{ field: [old, new] }` for each field of the record that moved, without `updated_at` and \
`version`, which every change moves. `detail` tells what the record does not show: the comment added \
(`ticket.commented`), the article linked, the requester added, the SLA clock breached.";

/// The schema of a record as the feed carries it, by the event's kind (`entity_type`): the DTO
/// its `GET` returns. Settings have no `GET` of their own per key; the feed tells them as
/// `{key, value}` (`SettingsRecord`).
fn record_schema(kind: &str, schemas: &mut Vec<(String, RefOr<Schema>)>) -> Option<String> {
    fn named<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) -> Option<String> {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
        Some(T::name().into_owned())
    }
    use crate::{activities, customers, identity, privacy, requirements, sales, service};
    match kind {
        "customer" => named::<customers::CustomerDto>(schemas),
        "contact" => named::<customers::contacts::ContactDto>(schemas),
        "interaction" => named::<activities::interactions::InteractionDto>(schemas),
        "task" => named::<activities::tasks::TaskDto>(schemas),
        "follow_up_rule" => named::<activities::rules::FollowUpRuleDto>(schemas),
        "product" => named::<sales::products::ProductDto>(schemas),
        "pipeline" => named::<sales::pipelines::PipelineDto>(schemas),
        "opportunity" => named::<sales::opportunities::OpportunityDto>(schemas),
        "order" => named::<sales::orders::OrderDto>(schemas),
        "ticket" => named::<service::tickets::TicketDto>(schemas),
        "kb_category" => named::<service::knowledge::CategoryDto>(schemas),
        "kb_article" => named::<service::knowledge::ArticleDto>(schemas),
        "sla_policy" => named::<service::tickets::SlaPolicyDto>(schemas),
        "portal_account" => named::<service::portal::PortalAccountDto>(schemas),
        "requirement" => named::<requirements::RequirementDto>(schemas),
        "user" => named::<identity::users::UserDto>(schemas),
        "team" => named::<identity::teams::TeamDto>(schemas),
        "role" => named::<identity::roles::RoleDto>(schemas),
        "api_key" => named::<identity::api_keys::ApiKeyDto>(schemas),
        "webhook" => named::<webhooks::WebhookDto>(schemas),
        "consent" => named::<privacy::consents::ConsentDto>(schemas),
        "privacy_request" => named::<privacy::requests::PrivacyRequestDto>(schemas),
        "custom_field" => named::<custom_fields::CustomFieldDto>(schemas),
        "import" => named::<imports::ImportDto>(schemas),
        "saved_view" => named::<saved_views::SavedViewDto>(schemas),
        "settings" => {
            let record = ObjectBuilder::new()
                .description(Some("A setting as the feed tells it: its key and its whole value after the change."))
                .property("key", ObjectBuilder::new().schema_type(Type::String))
                .property("value", ObjectBuilder::new().schema_type(SchemaType::AnyValue).description(Some("Any JSON value.")))
                .required("key")
                .required("value");
            schemas.push(("SettingsRecord".to_owned(), record.into()));
            Some("SettingsRecord".to_owned())
        }
        _ => None,
    }
}

/// The kinds of record the feed tells of, in the order of [`events::TYPES`], each with its types.
fn kinds() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut kinds: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for event_type in events::TYPES {
        let kind = event_type.split('.').next().unwrap_or(event_type);
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, types)) => types.push(event_type),
            None => kinds.push((kind, vec![event_type])),
        }
    }
    kinds
}

/// `customer` → `Customer`, `kb_article` → `KbArticle`.
fn pascal(kind: &str) -> String {
    kind.split('_').map(|word| word[..1].to_uppercase() + &word[1..]).collect()
}

/// The schemas of the feed: `EventDto`, a `oneOf` with `event_type` as its discriminator, maps
/// every event type to its kind's `<Kind>Event`, whose `payload` is a `<Kind>EventPayload` with
/// the kind's record schema; `EventChanges` is the `changed` map.
fn event_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    let changes = ObjectBuilder::new()
        .description(Some("The fields of the record that moved: `{ field: [old, new] }`."))
        .additional_properties(Some(
            ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(SchemaType::AnyValue))
                .min_items(Some(2))
                .max_items(Some(2))
                .description(Some("`[old, new]`: the field's value before and after, each any JSON value.")),
        ))
        .examples([serde_json::json!({ "lifecycle_stage": ["prospect", "customer"] })]);
    schemas.push(("EventChanges".to_owned(), changes.into()));
    let mut union = OneOfBuilder::new().description(Some(format!("One event of the change feed. {PAYLOAD_DESCRIPTION}")));
    let mut mapping = Discriminator::new("event_type");
    for (kind, types) in kinds() {
        let Some(record) = record_schema(kind, schemas) else { continue };
        let name = pascal(kind);
        let payload = ObjectBuilder::new()
            .description(Some(format!("The payload of a `{kind}.*` event: the {kind} as its `GET` returns it.")))
            .property("record", Ref::from_schema_name(record))
            .property("changed", Ref::from_schema_name("EventChanges"))
            .property("detail", ObjectBuilder::new().description(Some("What the record does not show (see the feed).")))
            .required("record");
        schemas.push((format!("{name}EventPayload"), payload.into()));
        let uuid = || ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        let event = ObjectBuilder::new()
            .description(Some(format!("An event of a {kind}.")))
            .property(
                "seq",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some("Strictly increasing; store the last one you processed and pass it as `after`.")),
            )
            .property("id", uuid())
            .property("event_type", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(types.iter().copied())))
            .property("entity_type", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([kind])))
            .property("entity_id", uuid())
            .property("actor_id", uuid().schema_type(SchemaType::from_iter([Type::String, Type::Null])))
            .property("payload", Ref::from_schema_name(format!("{name}EventPayload")))
            .property(
                "occurred_at",
                ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .required("seq")
            .required("id")
            .required("event_type")
            .required("entity_type")
            .required("entity_id")
            .required("payload")
            .required("occurred_at");
        schemas.push((format!("{name}Event"), event.into()));
        union = union.item(Ref::from_schema_name(format!("{name}Event")));
        for event_type in types {
            mapping.mapping.insert(event_type.to_owned(), format!("#/components/schemas/{name}Event"));
        }
    }
    union.discriminator(Some(mapping)).into()
}

impl utoipa::PartialSchema for EventDto {
    fn schema() -> RefOr<Schema> {
        event_schemas(&mut Vec::new())
    }
}

impl ToSchema for EventDto {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        event_schemas(schemas);
    }
}

/// Every event type the server writes, `<kind>.<what happened>` (from `events::TYPES`); see
/// `EventDto` for what each carries.
pub struct EventType;

impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("What happened to a record: `<kind>.<what happened>`, where the kind is the event's `entity_type`."))
            .enum_values(Some(events::TYPES.iter().copied()))
            .into()
    }
}

impl ToSchema for EventType {}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventFeed {
    pub data: Vec<EventDto>,
    /// Pass as `after` next time (unchanged when nothing new happened).
    pub next_after: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only events with a larger sequence number (default 0).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Only these event types, comma-separated (`customer.created,order.confirmed`).
    #[param(value_type = Option<Vec<EventType>>, style = Form, explode = false)]
    pub types: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The change feed: events after a sequence number, in order
///
/// Only events of records the caller may read are returned, each kind under the permission and
/// scope of its own list endpoint; `next_after` still advances past the others (and past the
/// types not asked for), so a reader never rescans them. A new reader that needs no history
/// starts at `GET /events/head`.
///
/// Every event carries `payload = { record, changed?, detail? }`: `record` is the whole record in
/// the shape its `GET` returns (as created or restored; after an update-like change; as it was
/// when deleted, with `deleted_at`), `changed` (update-like events) is `{ field: [old, new] }`,
/// `detail` what the record does not show. `EventDto` is a union on `event_type` naming each
/// kind's record schema.
#[utoipa::path(tag = "events", params(EventParams), responses(
    (status = 200, description = "Events in sequence order", body = EventFeed),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    let after = params.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_parameter("after", text!("must be 0 or more", "不能小于 0")));
    }
    let limit = PageParams { limit: params.limit, cursor: None, include_total: None }.to_request()?.limit;
    crate::http::check_filter_count("types", params.types.as_deref().unwrap_or_default())?;
    let types: Vec<String> =
        params.types.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    let page = events::list(&state.db, &principal, after, &types, limit).await?;
    let next_after = page.next_after;
    let mut data: Vec<EventDto> = page.events.into_iter().map(EventDto::from).collect();
    crate::personal_data::mask_event_payloads(&state.db, &principal, data.iter_mut().map(|e| (e.entity_type.as_str(), &mut e.payload)))
        .await?;
    Ok(HttpResponse::Ok().json(EventFeed { data, next_after }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventHead {
    /// The feed's current position: pass it as `after` to read only the events that come next.
    #[schema(example = 1042)]
    pub head: i64,
}

/// The feed's current position
///
/// A new consumer that does not need the history starts here: `GET /events?after=<head>`
/// returns only what happens from now on.
#[utoipa::path(tag = "events", responses(
    (status = 200, description = "The current position", body = EventHead),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/events/head")]
pub async fn events_head(state: web::Data<AppState>, _principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(EventHead { head: events::head(&state.db).await? }))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(export_audit).service(list_audit).service(events_head).service(list_events);
    webhooks::routes(config);
    custom_fields::routes(config);
    imports::routes(config);
    saved_views::routes(config);
}

#[cfg(test)]
mod tests {
    /// A kind of event without a record schema would drop out of the `EventDto` union.
    #[test]
    fn every_kind_of_event_names_the_schema_of_its_record() {
        let mut schemas = Vec::new();
        for (kind, _) in super::kinds() {
            assert!(super::record_schema(kind, &mut schemas).is_some(), "no record schema for {kind}");
        }
    }
}
