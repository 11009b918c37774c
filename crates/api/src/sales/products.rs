//! Products (`/products`): SKUs with a unit price, retired rather than removed.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::customers::NOTES_MAX;
use crm_domain::sales::{Money, PRODUCT_CATEGORY_MAX, PRODUCT_NAME_MAX, ProductFields, ProductPatch};
use crm_domain::{Check, ValidationErrors};
use crm_persistence::sales::products;

use crate::auth::{Principal, State};
use crate::batch::{Batch, BatchItem, BatchOp, BatchParams, BatchRequest, Written, missing_id};
use crate::error::{ApiError, Problem};
use crate::external::{Upsert, UpsertRequest, Upserted, new_refs, patched_refs, path_reference, refs_for_upsert};
use crate::http::from_document;
use crate::http::{PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag};
use crate::platform::custom_fields::{self, CustomFieldParams};

use super::MoneyInput;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub unit_price: Money,
    pub active: bool,
    /// Values of the products' custom fields by key (see `/custom-fields?entity=products`).
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// How other systems know the product, one id per system: `{"erp": "M-8801"}`.
    pub external_ids: BTreeMap<String, String>,
}

impl From<products::ProductRecord> for ProductDto {
    fn from(p: products::ProductRecord) -> Self {
        let f = p.fields;
        Self {
            id: p.id,
            sku: f.sku,
            name: f.name,
            category: f.category,
            description: f.description,
            unit_price: f.unit_price,
            active: f.active,
            custom_fields: f.custom_fields,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
            external_ids: p.external_ids,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sku": "PJ-100", "name": "数控车床维保服务", "category": "服务", "unit_price": {"amount_minor": 1280000, "currency": "CNY"}}))]
pub struct CreateProduct {
    /// Unique; letters, digits, `-`, `_`, `.`.
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub unit_price: MoneyInput,
    /// Default true.
    pub active: Option<bool>,
    /// Values of custom fields by key (see `/custom-fields?entity=products`): checked against their
    /// definitions; fields not sent get their default.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    /// The product's ids in other systems, `{"erp": "M-8801"}`, each unique per system among
    /// live products.
    #[serde(default)]
    pub external_ids: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    pub sku: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    pub unit_price: Option<MoneyInput>,
    pub active: Option<bool>,
    /// Merge patch of custom field values: keys sent are set, `null` clears one, others stay.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// Merge patch of the ids in other systems (`null` removes one).
    pub external_ids: Option<BTreeMap<String, Option<String>>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListParams {
    /// Part of the SKU, name or category.
    pub q: Option<String>,
    pub category: Option<String>,
    pub active: Option<bool>,
    /// `name` (default), `-name`, `-created_at`, `created_at`, `-updated_at`, `updated_at`, or
    /// `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

impl TryFrom<CreateProduct> for ProductFields {
    type Error = ValidationErrors;

    fn try_from(body: CreateProduct) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let sku = check.sku(&body.sku);
        let name = check.text("name", &body.name, PRODUCT_NAME_MAX);
        let category = check.optional_text("category", body.category.as_deref(), PRODUCT_CATEGORY_MAX);
        let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
        let unit_price = check.money("unit_price", body.unit_price.amount_minor, body.unit_price.currency.as_deref());
        let custom_fields = custom_fields::values(&mut check, &body.custom_fields);
        let (sku, name, unit_price) = check.finish_with((sku, name, unit_price))?;
        // A product is offered as soon as it is added unless the body says otherwise.
        Ok(Self { sku, name, category, description, unit_price, active: body.active.unwrap_or(true), custom_fields })
    }
}

impl TryFrom<UpdateProduct> for ProductPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateProduct) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            sku: body.sku.as_deref().and_then(|s| check.sku(s)),
            name: body.name.as_deref().and_then(|n| check.text("name", n, PRODUCT_NAME_MAX)),
            category: body.category.map(|c| check.optional_text("category", c.as_deref(), PRODUCT_CATEGORY_MAX)),
            description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
            unit_price: body.unit_price.as_ref().and_then(|m| check.money("unit_price", m.amount_minor, m.currency.as_deref())),
            active: body.active,
            custom_fields: custom_fields::values_change(&mut check, &body.custom_fields),
        };
        check.finish()?;
        Ok(patch)
    }
}

/// Add a product to the catalogue
#[utoipa::path(tag = "products", request_body = CreateProduct, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created", body = ProductDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "SKU taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/products")]
pub async fn create_product(state: State, principal: Principal, body: crate::http::Json<CreateProduct>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let refs = new_refs(&body.external_ids)?;
    let record = products::create(&state.db, &principal, ProductFields::try_from(body)?, &refs).await?;
    Ok(created(&ProductDto::from(record.clone()), format!("/api/v1/products/{}", record.id), record.version))
}

/// The list's filter from its query parameters (the list and its export read the same).
fn list_products_filter(
    params: &ProductListParams,
    updated: &crate::http::UpdatedAtParams,
    time_zone: chrono_tz::Tz,
    custom: CustomFieldParams,
) -> Result<products::ProductFilter, ApiError> {
    let filter = products::ProductFilter {
        q: crate::http::search_query(&params.q)?,
        category: non_blank(&params.category),
        active: params.active,
        updated: updated.to_window(time_zone)?,
        custom: custom.0,
        sort: non_blank(&params.sort),
    };
    Ok(filter)
}

/// List and search products
///
/// Custom fields filter as `cf.<key>=value` (several values comma-separated: any of them),
/// `cf.<key>_from`/`_to` for numbers, money and dates, and sort as `sort=cf.<key>` or
/// `-cf.<key>` (see `/custom-fields`).
#[utoipa::path(tag = "products", params(ProductListParams, crate::http::UpdatedAtParams, PageParams), responses((status = 200, description = "Products", body = PageDto<ProductDto>)), security(("bearer" = [])))]
#[get("/products")]
pub async fn list_products(
    state: State,
    principal: Principal,
    params: web::Query<ProductListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = list_products_filter(&params, &updated, state.time_zone, custom)?;
    let page = products::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ProductDto::from)))
}

/// Export products as ndjson, CSV or XLSX
///
/// Every product the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `ProductDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `ProductDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "products", params(ProductListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/products/export")]
pub async fn export_products(
    state: State,
    principal: Principal,
    params: web::Query<ProductListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = list_products_filter(&params, &updated, state.time_zone, custom)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "products", kind: "product" },
        products::list,
        ProductDto::from,
    )
    .await
}

/// Get a product
#[utoipa::path(tag = "products", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The product", body = ProductDto, headers(("ETag" = String))),
    (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/products/{id}")]
pub async fn get_product(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = products::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&ProductDto::from(record.clone()), record.version))
}

/// Change a product (JSON merge patch)
#[utoipa::path(tag = "products", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateProduct, responses(
    (status = 200, description = "Changed", body = ProductDto, headers(("ETag" = String))),
    (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "SKU taken", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/products/{id}")]
pub async fn update_product(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateProduct>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let refs = patched_refs(&body.external_ids)?;
    let record = products::update(&state.db, &principal, id.into_inner(), if_match(&req)?, ProductPatch::try_from(body)?, &refs).await?;
    Ok(ok_with_etag(&ProductDto::from(record.clone()), record.version))
}

/// Move a product to the recycle bin
#[utoipa::path(tag = "products", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/products/{id}")]
pub async fn delete_product(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    products::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn upserted(product: products::ProductRecord) -> Upserted<ProductDto> {
    Upserted { id: product.id, version: product.version, body: ProductDto::from(product) }
}

/// Create or update a product by its id in another system
///
/// With no live product holding `{system}:{external_id}`, the body is a new product
/// (`CreateProduct`): 201. Otherwise it merge-patches that product (`UpdateProduct`): 200,
/// honouring `If-Match`.
#[utoipa::path(tag = "products", params(
    ("system" = String, Path, example = "erp"),
    ("external_id" = String, Path, example = "M-8801"),
    ("If-Match" = Option<String>, Header, description = "On update, the ETag you read"),
), request_body = CreateProduct, responses(
    (status = 200, description = "Updated", body = ProductDto, headers(("ETag" = String))),
    (status = 201, description = "Created", body = ProductDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Malformed JSON or path", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Changing the catalogue needs sales rights over all records", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`product.sku_taken`, or `external_id.taken` for another of the body's ids (`existing_id`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match, or If-Match for an id no product has", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/products/external/{system}/{external_id}")]
pub async fn upsert_product(state: State, principal: Principal, upsert: UpsertRequest) -> Result<HttpResponse, ApiError> {
    Ok(crate::external::answer(upsert_by_reference(&state, &principal, upsert.parse()?).await?, "products"))
}

/// An upsert of the product `reference` names, from a single request or a batch item.
async fn upsert_by_reference(state: &State, principal: &Principal, upsert: Upsert) -> Result<(bool, Upserted<ProductDto>), ApiError> {
    let reference = &upsert.reference;
    let db = &state.db;
    crate::external::upsert_record(
        upsert.document,
        upsert.if_match,
        async || Ok(products::holder_of(db, reference).await?),
        async |body: CreateProduct| {
            let refs = refs_for_upsert(new_refs(&body.external_ids)?, reference)?;
            Ok(upserted(products::create(db, principal, ProductFields::try_from(body)?, &refs).await?))
        },
        async |id, body: UpdateProduct, version| {
            let refs = refs_for_upsert(patched_refs(&body.external_ids)?, reference)?;
            Ok(upserted(products::update(db, principal, id, version, ProductPatch::try_from(body)?, &refs).await?))
        },
    )
    .await
}

/// Get a product by its id in another system
#[utoipa::path(tag = "products", params(("system" = String, Path, example = "erp"), ("external_id" = String, Path, example = "M-8801")), responses(
    (status = 200, description = "The product", body = ProductDto, headers(("ETag" = String))),
    (status = 400, description = "Invalid system or id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No live product has this id", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/products/external/{system}/{external_id}")]
pub async fn get_product_by_external_id(
    state: State,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let reference = path_reference(&path)?;
    let id = products::holder_of(&state.db, &reference).await?.ok_or(ApiError::NotFound)?;
    let record = products::get(&state.db, &principal, id).await?;
    Ok(ok_with_etag(&ProductDto::from(record.clone()), record.version))
}

/// One product item of a batch.
async fn write_batch_item(state: &State, principal: &Principal, item: BatchItem) -> Result<Written, ApiError> {
    item.allow_only(false, false, false)?;
    let db = &state.db;
    match item.op {
        BatchOp::Create => {
            let body: CreateProduct = from_document(item.body)?;
            let refs = new_refs(&body.external_ids)?;
            let product = products::create(db, principal, ProductFields::try_from(body)?, &refs).await?;
            Ok(Written::new(true, product.id, product.version))
        }
        BatchOp::Update => {
            let body: UpdateProduct = from_document(item.body)?;
            let refs = patched_refs(&body.external_ids)?;
            let id = item.id.ok_or_else(missing_id)?;
            let product = products::update(db, principal, id, item.if_match, ProductPatch::try_from(body)?, &refs).await?;
            Ok(Written::new(false, product.id, product.version))
        }
        BatchOp::Upsert => Ok(Written::from(upsert_by_reference(state, principal, Upsert::of_item(item)?).await?)),
    }
}

/// Create, update or upsert up to 1,000 products
///
/// Each item is `{op: create|update|upsert, body, id?, if_match?, system?, external_id?}` with
/// the body `POST /products` or `PATCH /products/{id}` takes. One result per item;
/// `?atomic=true` keeps all or nothing.
#[utoipa::path(tag = "products", params(BatchParams, ("Idempotency-Key" = Option<String>, Header)), request_body = BatchRequest, responses(crate::batch::BatchResponses), security(("bearer" = [])))]
#[post("/products/batch")]
pub async fn batch_products(state: State, principal: Principal, batch: Batch) -> Result<HttpResponse, ApiError> {
    batch.run(&state, async |item: BatchItem| write_batch_item(&state, &principal, item).await).await
}
