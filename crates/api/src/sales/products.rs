//! Products (`/products`): SKUs with a unit price, retired rather than removed.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::customers::NOTES_MAX;
use crm_domain::sales::{Money, PRODUCT_CATEGORY_MAX, PRODUCT_NAME_MAX, ProductFields, ProductPatch};
use crm_domain::{Check, ValidationErrors};
use crm_persistence::sales::products;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag};

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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
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
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
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
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListParams {
    /// Part of the SKU, name or category.
    pub q: Option<String>,
    pub category: Option<String>,
    pub active: Option<bool>,
    /// `name` (default), `-name`, `-created_at`, `created_at`, `-updated_at`, `updated_at`.
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
        let (sku, name, unit_price) = check.finish_with((sku, name, unit_price))?;
        // A product is offered as soon as it is added unless the body says otherwise.
        Ok(Self { sku, name, category, description, unit_price, active: body.active.unwrap_or(true) })
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
    let fields = ProductFields::try_from(body.into_inner())?;
    let record = products::create(&state.db, &principal, fields).await?;
    Ok(created(&ProductDto::from(record.clone()), format!("/api/v1/products/{}", record.id), record.version))
}

/// The list's filter from its query parameters (the list and its export read the same).
fn list_products_filter(
    params: &ProductListParams,
    updated: &crate::http::UpdatedAtParams,
    time_zone: chrono_tz::Tz,
) -> Result<products::ProductFilter, ApiError> {
    let filter = products::ProductFilter {
        q: crate::http::search_query(&params.q)?,
        category: non_blank(&params.category),
        active: params.active,
        updated: updated.to_window(time_zone)?,
        sort: non_blank(&params.sort),
    };
    Ok(filter)
}

/// List and search products
#[utoipa::path(tag = "products", params(ProductListParams, crate::http::UpdatedAtParams, PageParams), responses((status = 200, description = "Products", body = PageDto<ProductDto>)), security(("bearer" = [])))]
#[get("/products")]
pub async fn list_products(
    state: State,
    principal: Principal,
    params: web::Query<ProductListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = list_products_filter(&params, &updated, state.time_zone)?;
    let page = products::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ProductDto::from)))
}

/// Export products as ndjson or CSV
///
/// Every product the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `ProductDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `ProductDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet).
#[utoipa::path(tag = "products", params(ProductListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(
    (status = 200, description = "The records, one JSON object per line (`format=ndjson`) or CSV with a header row (`format=csv`, `text/csv; charset=utf-8`)", content((String = "text/csv"), (String = "application/x-ndjson")), headers(("Content-Disposition" = String))),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not read these records", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/products/export")]
pub async fn export_products(
    state: State,
    principal: Principal,
    params: web::Query<ProductListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: web::Query<crate::export::ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export.to_format()?;
    let filter = list_products_filter(&params, &updated, state.time_zone)?;
    // Refusals (permission, sort) answer before the status line goes out, not as a cut stream.
    products::list(&state.db, &principal, &filter, &crm_persistence::PageRequest { limit: 1, cursor: None, include_total: false }).await?;
    let fetch = move |page: crm_persistence::PageRequest| {
        let (state, principal, filter) = (state.clone(), principal.clone(), filter.clone());
        async move { products::list(&state.db, &principal, &filter, &page).await }
    };
    Ok(crate::export::stream(format, "products", fetch, ProductDto::from))
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
    let patch = ProductPatch::try_from(body.into_inner())?;
    let record = products::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
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
