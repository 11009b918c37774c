//! Custom field definitions (`/custom-fields`), and the `cf.<key>` parameters of the lists of
//! the kinds that carry them.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::Check;
use crm_domain::platform::custom_fields::{CustomEntity, FieldOption, FieldType};
use crm_persistence::platform::custom_fields::{
    self as store, CustomFieldPatch, CustomFieldQuery, CustomFieldRecord, DefinitionFilter, NewCustomField,
};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag};

const LABEL_MAX: usize = 100;
const HELP_MAX: usize = 500;

/// A custom field of one kind of record. Records carry its value under `custom_fields.<key>`:
/// text → string, number → number, money → integer 分 (minor units), date → `YYYY-MM-DD`,
/// bool → true/false, select → one option's `value`, multiselect → a list of them, user → a
/// user's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldDto {
    pub id: Uuid,
    pub entity: CustomEntity,
    /// Lower-case letters, digits and `_`; never changes.
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    /// Never changes.
    pub field_type: FieldType,
    /// Choices of a select or multiselect field, in order; retired ones stay on the records that
    /// have them.
    pub options: Vec<FieldOption>,
    /// A new record must have a value; an edit may not clear it.
    pub required: bool,
    /// Given to new records that do not say (any JSON value of the field's type).
    #[schema(value_type = Option<Object>)]
    pub default_value: Option<Value>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
    /// Order in forms and lists.
    pub position: i32,
    /// Retired fields keep their values, leave forms and refuse new values.
    pub retired: bool,
    pub retired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<CustomFieldRecord> for CustomFieldDto {
    fn from(r: CustomFieldRecord) -> Self {
        Self {
            id: r.id,
            entity: r.entity,
            key: r.key,
            label_zh: r.label_zh,
            label_en: r.label_en,
            field_type: r.field_type,
            options: r.options,
            required: r.required,
            default_value: r.default_value,
            help_zh: r.help_zh,
            help_en: r.help_en,
            position: r.position,
            retired: r.retired,
            retired_at: r.retired_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomField {
    #[schema(value_type = CustomEntity)]
    pub entity: String,
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    #[schema(value_type = FieldType)]
    pub field_type: String,
    /// Required for select and multiselect, absent otherwise.
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub options: Vec<FieldOption>,
    #[serde(default)]
    pub required: bool,
    #[schema(value_type = Option<Object>)]
    pub default_value: Option<Value>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
    /// Defaults to after the last field of the kind.
    pub position: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomField {
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    /// The whole list: options may be added, relabelled, reordered and retired, never removed
    /// (422 `option_removed`).
    #[serde(default)]
    pub options: Option<Vec<FieldOption>>,
    pub required: Option<bool>,
    /// `null` removes the default.
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Object>)]
    pub default_value: Option<Option<Value>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub help_zh: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub help_en: Option<Option<String>>,
    pub position: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldListParams {
    /// One kind of record; all kinds when absent.
    #[param(value_type = Option<CustomEntity>)]
    pub entity: Option<String>,
    /// Include retired fields (default false).
    pub include_retired: Option<bool>,
}

fn position(check: &mut Check, value: Option<i32>) -> Option<i32> {
    value.and_then(|p| check.range("position", p, 0, 10_000))
}

fn parse_create(body: CreateCustomField) -> Result<NewCustomField, ApiError> {
    let mut check = Check::default();
    let entity = check.value("entity", &body.entity, CustomEntity::parse);
    let field_type = check.value("field_type", &body.field_type, FieldType::parse);
    let label_zh = check.text("label_zh", &body.label_zh, LABEL_MAX);
    let label_en = check.text("label_en", &body.label_en, LABEL_MAX);
    let help_zh = check.optional_text("help_zh", body.help_zh.as_deref(), HELP_MAX);
    let help_en = check.optional_text("help_en", body.help_en.as_deref(), HELP_MAX);
    let position = position(&mut check, body.position);
    let (entity, field_type, label_zh, label_en) = check.finish_with((entity, field_type, label_zh, label_en))?;
    Ok(NewCustomField {
        entity,
        key: body.key.trim().to_owned(),
        label_zh,
        label_en,
        field_type,
        options: body.options,
        required: body.required,
        default_value: body.default_value,
        help_zh,
        help_en,
        position,
    })
}

fn parse_update(body: UpdateCustomField) -> Result<CustomFieldPatch, ApiError> {
    let mut check = Check::default();
    let patch = CustomFieldPatch {
        label_zh: body.label_zh.as_deref().and_then(|l| check.text("label_zh", l, LABEL_MAX)),
        label_en: body.label_en.as_deref().and_then(|l| check.text("label_en", l, LABEL_MAX)),
        options: body.options,
        required: body.required,
        default_value: body.default_value,
        help_zh: body.help_zh.map(|h| check.optional_text("help_zh", h.as_deref(), HELP_MAX)),
        help_en: body.help_en.map(|h| check.optional_text("help_en", h.as_deref(), HELP_MAX)),
        position: position(&mut check, body.position),
    };
    check.finish()?;
    Ok(patch)
}

/// List custom fields
///
/// By position. Anyone signed in may read them: forms and lists are built from them.
#[utoipa::path(tag = "custom-fields", params(CustomFieldListParams, PageParams), responses(
    (status = 200, description = "A page of definitions", body = PageDto<CustomFieldDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/custom-fields")]
pub async fn list_custom_fields(
    state: State,
    principal: Principal,
    params: web::Query<CustomFieldListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let entity = match params.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(text) => Some(CustomEntity::parse(text).map_err(|e| ApiError::bad_parameter("entity", crm_domain::error::HasCode::text(&e)))?),
        None => None,
    };
    let filter = DefinitionFilter { entity, include_retired: params.include_retired.unwrap_or(false) };
    let page = store::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, CustomFieldDto::from)))
}

/// Define a custom field (administrators)
///
/// The field's index is built before the answer (on PostgreSQL without blocking writes), so a
/// large table makes this slower than other writes.
#[utoipa::path(tag = "custom-fields", request_body = CreateCustomField, responses(
    (status = 201, description = "Created", body = CustomFieldDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`custom_field.key_taken`: the kind already has a field with this key (`existing_id`), retired or not; `custom_field.too_many`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/custom-fields")]
pub async fn create_custom_field(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateCustomField>,
) -> Result<HttpResponse, ApiError> {
    let new = parse_create(body.into_inner())?;
    let record = store::create(&state.db, &principal, new).await?;
    Ok(created(&CustomFieldDto::from(record.clone()), format!("/api/v1/custom-fields/{}", record.id), record.version))
}

/// Get a custom field
#[utoipa::path(tag = "custom-fields", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The definition", body = CustomFieldDto, headers(("ETag" = String))),
    (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/custom-fields/{id}")]
pub async fn get_custom_field(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&CustomFieldDto::from(record.clone()), record.version))
}

/// Change a custom field (administrators)
///
/// Labels, help, position, required, default and options; never the key, kind or type.
#[utoipa::path(tag = "custom-fields", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateCustomField, responses(
    (status = 200, description = "Changed", body = CustomFieldDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields (`option_removed`: retire an option instead)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/custom-fields/{id}")]
pub async fn update_custom_field(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateCustomField>,
) -> Result<HttpResponse, ApiError> {
    let patch = parse_update(body.into_inner())?;
    let record = store::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&CustomFieldDto::from(record.clone()), record.version))
}

/// Retire a custom field (administrators)
///
/// Values stay on every record (and in lists, filters and exports); forms stop offering the
/// field and writes refuse new values. `POST …/restore` brings it back.
#[utoipa::path(tag = "custom-fields", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Retired"),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/custom-fields/{id}")]
pub async fn retire_custom_field(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    store::set_retired(&state.db, &principal, id.into_inner(), if_match(&req)?, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Bring back a retired custom field (administrators)
#[utoipa::path(tag = "custom-fields", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "In use again", body = CustomFieldDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/custom-fields/{id}/restore")]
pub async fn restore_custom_field(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::set_retired(&state.db, &principal, id.into_inner(), None, false).await?;
    Ok(ok_with_etag(&CustomFieldDto::from(record.clone()), record.version))
}

/// A create body's custom field values, checked for shape (the definitions check them when
/// stored): errors join the body's others.
pub fn values(check: &mut Check, values: &Map<String, Value>) -> Map<String, Value> {
    crm_domain::customers::parse_custom_fields(values).map_err(|e| check.0.0.extend(e.0)).unwrap_or_default()
}

/// An update body's custom field values (a merge patch), checked for shape.
pub fn values_change(check: &mut Check, values: &Option<Map<String, Value>>) -> Option<Map<String, Value>> {
    crm_domain::customers::parse_custom_fields(values.as_ref()?).map_err(|e| check.0.0.extend(e.0)).ok()
}

/// The `cf.<key>`, `cf.<key>_from` and `cf.<key>_to` parameters of a list request (their keys
/// are the organisation's, so the OpenAPI document describes them in words on each list).
pub struct CustomFieldParams(pub CustomFieldQuery);

impl FromRequest for CustomFieldParams {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string()).map(web::Query::into_inner).unwrap_or_default();
        let filters = pairs.into_iter().filter_map(|(name, value)| name.strip_prefix("cf.").map(|key| (key.to_owned(), value))).collect();
        ready(Ok(Self(CustomFieldQuery { filters })))
    }
}

pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_custom_fields)
        .service(create_custom_field)
        .service(get_custom_field)
        .service(update_custom_field)
        .service(retire_custom_field)
        .service(restore_custom_field);
}
