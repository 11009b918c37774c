//! Sales: `/products`, `/pipelines` (with stages and the board) and `/opportunities`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::customers::NOTES_MAX;
use crm_domain::sales::{Competitor, Currency, LineInput, Money, OpportunitySource, OrderStatus, StageKind};
use crm_domain::{FieldError, ValidationErrors, text};
use crm_persistence::sales::{lines, opportunities, orders, pipelines, products};

use crate::auth::{AppState, Principal};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_uuid};

type State = web::Data<AppState>;

/// The lines as the domain checks them (no discount unless one is given).
fn line_inputs(dtos: &[LineInputDto]) -> Vec<LineInput> {
    dtos.iter()
        .map(|line| LineInput {
            product_id: line.product_id,
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
            discount_bp: line.discount_bp.unwrap_or(0),
        })
        .collect()
}

/// A line as clients send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInputDto {
    pub product_id: Uuid,
    /// 1 to 10^9.
    pub quantity: i64,
    /// Default: the product's price, in the document's currency's minor units.
    pub unit_price_minor: Option<i64>,
    /// Discount in basis points: 1000 is 10 %. Default 0.
    pub discount_bp: Option<i32>,
}

/// A priced line.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineDto {
    pub product_id: Uuid,
    /// As it was when the line was written.
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i32,
    /// quantity × unit price − discount, rounded half up to the minor unit.
    pub line_total_minor: i64,
}

impl From<lines::Line> for LineDto {
    fn from(l: lines::Line) -> Self {
        Self {
            product_id: l.product_id,
            sku: l.sku,
            product_name: l.product_name,
            quantity: l.quantity,
            unit_price_minor: l.unit_price_minor,
            discount_bp: l.discount_bp,
            line_total_minor: l.line_total_minor,
        }
    }
}

/// Money as clients send it: minor units and an optional currency (default CNY).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// In minor units (分): 1234500 is ¥12,345.00. 0 to 10^15.
    pub amount_minor: i64,
    /// ISO 4217; default `CNY`.
    pub currency: Option<String>,
}

// ---------------------------------------------------------------- products

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
    /// `name` (default), `-name`, `-created_at`, `created_at`.
    pub sort: Option<String>,
}

fn check_sku(check: &mut Check, sku: &str) -> Option<String> {
    let sku = check.text("sku", sku, 64)?;
    if sku.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
        Some(sku)
    } else {
        check.0.push(FieldError::new(
            "sku",
            "invalid_characters",
            text!("letters, digits, -, _ and . only", "只能包含字母、数字、-、_ 和 ."),
        ));
        None
    }
}

/// Add a product to the catalogue
#[utoipa::path(tag = "products", request_body = CreateProduct, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created", body = ProductDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "SKU taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/products")]
pub async fn create_product(state: State, principal: Principal, body: crate::http::Json<CreateProduct>) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let sku = check_sku(&mut check, &body.sku);
    let name = check.text("name", &body.name, 200);
    let category = check.optional_text("category", body.category.as_deref(), 100);
    let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
    let unit_price = check.money("unit_price", body.unit_price.amount_minor, body.unit_price.currency.as_deref());
    let (sku, name, unit_price) = check.finish_with((sku, name, unit_price))?;
    let fields = products::ProductFields { sku, name, category, description, unit_price, active: body.active.unwrap_or(true) };
    let record = products::create(&state.db, &principal, fields).await?;
    Ok(created(&ProductDto::from(record.clone()), format!("/api/v1/products/{}", record.id), record.version))
}

/// List and search products
#[utoipa::path(tag = "products", params(ProductListParams, PageParams), responses((status = 200, description = "Products", body = PageDto<ProductDto>)), security(("bearer" = [])))]
#[get("/products")]
pub async fn list_products(
    state: State,
    principal: Principal,
    params: web::Query<ProductListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = products::ProductFilter {
        q: crate::http::search_query(&params.q)?,
        category: non_blank(&params.category),
        active: params.active,
        sort: non_blank(&params.sort),
    };
    let page = products::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ProductDto::from)))
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
    let mut check = Check::default();
    let patch = products::ProductPatch {
        sku: body.sku.as_deref().and_then(|s| check_sku(&mut check, s)),
        name: body.name.as_deref().and_then(|n| check.text("name", n, 200)),
        category: body.category.map(|c| check.optional_text("category", c.as_deref(), 100)),
        description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
        unit_price: body.unit_price.as_ref().and_then(|m| check.money("unit_price", m.amount_minor, m.currency.as_deref())),
        active: body.active,
    };
    check.finish()?;
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

// ---------------------------------------------------------------- pipelines

#[derive(Debug, Serialize, ToSchema)]
pub struct StageDto {
    pub id: Uuid,
    /// Stable identifier within the pipeline (`proposal`).
    pub key: String,
    pub name: String,
    pub position: i32,
    /// Default probability in percent.
    pub probability: i32,
    pub kind: StageKind,
    /// Retired stages take no new opportunities.
    pub retired: bool,
}

impl From<pipelines::StageRecord> for StageDto {
    fn from(s: pipelines::StageRecord) -> Self {
        Self { id: s.id, key: s.key, name: s.name, position: s.position, probability: s.probability, kind: s.kind, retired: s.retired }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineDto {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub stages: Vec<StageDto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<pipelines::PipelineRecord> for PipelineDto {
    fn from(p: pipelines::PipelineRecord) -> Self {
        Self {
            id: p.id,
            name: p.name,
            is_default: p.is_default,
            stages: p.stages.into_iter().map(StageDto::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStage {
    /// Lower-case letters, digits and `_`.
    pub key: String,
    pub name: String,
    /// 0–100.
    pub probability: i32,
    #[schema(value_type = StageKind)]
    pub kind: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePipeline {
    pub name: String,
    /// In order; at least one open, one won and one lost stage.
    #[serde(deserialize_with = "crate::http::bounded_list")]
    pub stages: Vec<CreateStage>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePipeline {
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStage {
    pub name: Option<String>,
    pub probability: Option<i32>,
    /// Retire (true) or bring back (false).
    pub retired: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderStages {
    /// Every stage id of the pipeline, in the new order.
    #[serde(deserialize_with = "crate::http::bounded_list")]
    pub stage_ids: Vec<Uuid>,
}

fn parse_stage(check: &mut Check, index: usize, stage: &CreateStage) -> Option<pipelines::NewStage> {
    let field = |name: &str| format!("stages[{index}].{name}");
    let key = check.text(&field("key"), &stage.key, 40);
    if let Some(key) = &key
        && !(key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        check.0.push(FieldError::new(
            field("key"),
            "key",
            text!("lower-case letters, digits and _, starting with a letter", "只能包含小写字母、数字和 _，且以字母开头"),
        ));
    }
    let name = check.text(&field("name"), &stage.name, 100);
    let probability = check.range(&field("probability"), stage.probability, 0, 100);
    let kind = check.value(&field("kind"), &stage.kind, StageKind::parse);
    Some(pipelines::NewStage { key: key?, name: name?, probability: probability?, kind: kind? })
}

/// List pipelines with their stages
#[utoipa::path(tag = "pipelines", params(PageParams), responses((status = 200, description = "Pipelines", body = PageDto<PipelineDto>)), security(("bearer" = [])))]
#[get("/pipelines")]
pub async fn list_pipelines(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = pipelines::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, PipelineDto::from)))
}

/// Create a pipeline (administrators)
#[utoipa::path(tag = "pipelines", request_body = CreatePipeline, responses(
    (status = 201, description = "Created", body = PipelineDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/pipelines")]
pub async fn create_pipeline(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreatePipeline>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let name = check.text("name", &body.name, 100);
    if body.stages.len() > 30 {
        // Refused before any stage is read.
        return Err(ApiError::Validation(ValidationErrors(vec![
            FieldError::new("stages", "too_many", text!("at most 30 stages", "阶段最多 30 个")).with_param("max", 30),
        ])));
    }
    let stages: Vec<Option<pipelines::NewStage>> = body.stages.iter().enumerate().map(|(i, s)| parse_stage(&mut check, i, s)).collect();
    let (name, stages) = check.finish_with((name, stages.into_iter().collect::<Option<Vec<_>>>()))?;
    let record = pipelines::create(&state.db, &principal, name, stages).await?;
    Ok(created(&PipelineDto::from(record.clone()), format!("/api/v1/pipelines/{}", record.id), record.version))
}

/// Get a pipeline with its stages
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The pipeline", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/pipelines/{id}")]
pub async fn get_pipeline(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = pipelines::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Rename a pipeline (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdatePipeline, responses(
    (status = 200, description = "Renamed", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/pipelines/{id}")]
pub async fn update_pipeline(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdatePipeline>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let name = check.text("name", &body.name, 100);
    let name = check.finish_with(name)?;
    let record = pipelines::rename(&state.db, &principal, id.into_inner(), if_match(&req)?, name).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Add a stage at the end of a pipeline (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path)), request_body = CreateStage, responses(
    (status = 201, description = "The pipeline with its new stage", body = PipelineDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Key taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/pipelines/{id}/stages")]
pub async fn add_stage(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<CreateStage>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let stage = parse_stage(&mut check, 0, &body);
    let stage = check.finish_with(stage)?;
    let id = id.into_inner();
    let record = pipelines::add_stage(&state.db, &principal, id, stage).await?;
    Ok(created(&PipelineDto::from(record.clone()), format!("/api/v1/pipelines/{id}"), record.version))
}

/// Rename, re-weight, retire or restore a stage (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("stage_id" = Uuid, Path)), request_body = UpdateStage, responses(
    (status = 200, description = "The pipeline", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline or stage", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/pipelines/{id}/stages/{stage_id}")]
pub async fn update_stage(
    state: State,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::http::Json<UpdateStage>,
) -> Result<HttpResponse, ApiError> {
    let (id, stage_id) = path.into_inner();
    let mut check = Check::default();
    let patch = pipelines::StagePatch {
        name: body.name.as_deref().and_then(|n| check.text("name", n, 100)),
        probability: body.probability.and_then(|p| check.range("probability", p, 0, 100)),
        retired: body.retired,
    };
    check.finish()?;
    let record = pipelines::update_stage(&state.db, &principal, id, stage_id, patch).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Delete an unused stage (administrators); a stage in use answers 409 — retire it instead
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("stage_id" = Uuid, Path)), responses(
    (status = 200, description = "The pipeline without the stage", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline or stage", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "In use (with the count), or the last stage of its kind", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/pipelines/{id}/stages/{stage_id}")]
pub async fn delete_stage(state: State, principal: Principal, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (id, stage_id) = path.into_inner();
    let record = pipelines::delete_stage(&state.db, &principal, id, stage_id).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Reorder a pipeline's stages (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = ReorderStages, responses(
    (status = 200, description = "The pipeline in its new order", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/pipelines/{id}/stages/reorder")]
pub async fn reorder_stages(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<ReorderStages>,
) -> Result<HttpResponse, ApiError> {
    let record = pipelines::reorder(&state.db, &principal, id.into_inner(), if_match(&req)?, body.into_inner().stage_ids).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

// ---------------------------------------------------------------- opportunities

/// A sales opportunity (销售机会).
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityDto {
    pub id: Uuid,
    pub name: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub pipeline_id: Uuid,
    pub stage: StageDto,
    pub amount: Money,
    pub expected_close_date: Option<NaiveDate>,
    /// The override, or `null` to follow the stage.
    pub probability: Option<i32>,
    /// The probability in force.
    pub effective_probability: i32,
    pub weighted_amount_minor: i64,
    pub source: Option<OpportunitySource>,
    pub campaign_id: Option<Uuid>,
    pub competitors: Vec<Competitor>,
    pub description: Option<String>,
    pub loss_reason: Option<String>,
    /// Products of the deal; when there are any, `amount` is their total.
    pub lines: Vec<LineDto>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub stage_entered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<opportunities::OpportunityRecord> for OpportunityDto {
    fn from(o: opportunities::OpportunityRecord) -> Self {
        let f = o.fields;
        Self {
            id: o.id,
            name: f.name,
            customer_id: o.customer_id,
            customer_name: o.customer_name,
            contact_id: f.contact_id,
            pipeline_id: o.pipeline_id,
            stage: o.stage.into(),
            amount: f.amount,
            expected_close_date: f.expected_close_date,
            probability: f.probability,
            effective_probability: o.effective_probability,
            weighted_amount_minor: o.weighted_amount_minor,
            source: f.source,
            campaign_id: f.campaign_id,
            competitors: f.competitors,
            description: f.description,
            loss_reason: o.loss_reason,
            lines: o.lines.into_iter().map(LineDto::from).collect(),
            owner_id: o.owner_id,
            owner_name: o.owner_name,
            team_id: o.team_id,
            stage_entered_at: o.stage_entered_at,
            closed_at: o.closed_at,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "浦江精密 2027 年度维保", "customer_id": "0194f5c2-0000-7000-8000-000000000000", "amount": {"amount_minor": 36000000}, "expected_close_date": "2027-01-31", "source": "referral"}))]
pub struct CreateOpportunity {
    pub name: String,
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    /// Default: the default pipeline.
    pub pipeline_id: Option<Uuid>,
    /// An open stage; default the pipeline's first.
    pub stage_id: Option<Uuid>,
    pub amount: MoneyInput,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub expected_close_date: Option<NaiveDate>,
    /// 0–100; omit to follow the stage.
    pub probability: Option<i32>,
    #[schema(value_type = Option<OpportunitySource>)]
    pub source: Option<String>,
    pub campaign_id: Option<Uuid>,
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub competitors: Vec<Competitor>,
    pub description: Option<String>,
    /// Default: the caller.
    pub owner_id: Option<Uuid>,
    /// Products of the deal; when given, the amount becomes their total (send `amount` with
    /// `amount_minor: 0` and the currency).
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub lines: Vec<LineInputDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOpportunity {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub contact_id: Option<Option<Uuid>>,
    pub amount: Option<MoneyInput>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::changed")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub expected_close_date: Option<Option<NaiveDate>>,
    /// `null` returns to the stage's probability.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, nullable)]
    pub probability: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<OpportunitySource>, nullable)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub campaign_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub competitors: Option<Vec<Competitor>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    /// Reassigns it; scope rules apply.
    pub owner_id: Option<Uuid>,
    /// Replaces the lines (an empty list removes them); the amount becomes their total.
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub lines: Option<Vec<LineInputDto>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveOpportunity {
    pub stage_id: Uuid,
    /// Required when moving to a lost stage.
    pub loss_reason: Option<String>,
    /// Required to move a won or lost opportunity back to an open stage.
    #[serde(default)]
    pub reopen: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpportunityListParams {
    pub customer_id: Option<String>,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub pipeline_id: Option<String>,
    pub stage_id: Option<String>,
    /// Expected close date from (inclusive), `YYYY-MM-DD`.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub expected_close_from: Option<NaiveDate>,
    /// Expected close date to (inclusive), `YYYY-MM-DD`.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub expected_close_to: Option<NaiveDate>,
    /// Part of the name or a competitor.
    pub q: Option<String>,
    /// `-updated_at` (default), `-created_at`, `created_at`, `name`.
    pub sort: Option<String>,
}

impl OpportunityListParams {
    fn to_filter(&self) -> Result<opportunities::OpportunityFilter, ApiError> {
        Ok(opportunities::OpportunityFilter {
            customer_id: parse_uuid("customer_id", self.customer_id.as_deref())?,
            owner_id: parse_uuid("owner_id", self.owner_id.as_deref())?,
            team_id: parse_uuid("team_id", self.team_id.as_deref())?,
            pipeline_id: parse_uuid("pipeline_id", self.pipeline_id.as_deref())?,
            stage_id: parse_uuid("stage_id", self.stage_id.as_deref())?,
            close_from: self.expected_close_from,
            close_to: self.expected_close_to,
            q: crate::http::search_query(&self.q)?,
            sort: non_blank(&self.sort),
        })
    }
}

/// Create an opportunity
#[utoipa::path(tag = "opportunities", request_body = CreateOpportunity, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created in an open stage", body = OpportunityDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/opportunities")]
pub async fn create_opportunity(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let name = check.text("name", &body.name, 200);
    let amount = check.money("amount", body.amount.amount_minor, body.amount.currency.as_deref());
    let probability = body.probability.and_then(|p| check.range("probability", p, 0, 100));
    let source = body.source.as_deref().and_then(|s| check.value("source", s, OpportunitySource::parse));
    let competitors = check.competitors(&body.competitors);
    let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
    let lines = check.lines(line_inputs(&body.lines));
    let (name, amount, competitors, lines) = check.finish_with((name, amount, competitors, lines))?;
    let fields = opportunities::OpportunityFields {
        name,
        contact_id: body.contact_id,
        amount,
        expected_close_date: body.expected_close_date,
        probability,
        source,
        campaign_id: body.campaign_id,
        competitors,
        description,
    };
    let placement = opportunities::Placement {
        customer_id: body.customer_id,
        pipeline_id: body.pipeline_id,
        stage_id: body.stage_id,
        owner_id: body.owner_id,
    };
    let record = opportunities::create(&state.db, &principal, placement, fields, lines).await?;
    Ok(created(&OpportunityDto::from(record.clone()), format!("/api/v1/opportunities/{}", record.id), record.version))
}

/// List opportunities
#[utoipa::path(tag = "opportunities", params(OpportunityListParams, PageParams), responses((status = 200, description = "Opportunities", body = PageDto<OpportunityDto>)), security(("bearer" = [])))]
#[get("/opportunities")]
pub async fn list_opportunities(
    state: State,
    principal: Principal,
    params: web::Query<OpportunityListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = opportunities::list(&state.db, &principal, &params.to_filter()?, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, OpportunityDto::from)))
}

/// Get an opportunity
#[utoipa::path(tag = "opportunities", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The opportunity", body = OpportunityDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/opportunities/{id}")]
pub async fn get_opportunity(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = opportunities::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&OpportunityDto::from(record.clone()), record.version))
}

/// Change an opportunity (JSON merge patch; the stage moves through `/stage`)
#[utoipa::path(tag = "opportunities", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateOpportunity, responses(
    (status = 200, description = "Changed", body = OpportunityDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/opportunities/{id}")]
pub async fn update_opportunity(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let patch = opportunities::OpportunityPatch {
        name: body.name.as_deref().and_then(|n| check.text("name", n, 200)),
        contact_id: body.contact_id,
        amount: body.amount.as_ref().and_then(|m| check.money("amount", m.amount_minor, m.currency.as_deref())),
        expected_close_date: body.expected_close_date,
        probability: body.probability.map(|p| p.and_then(|p| check.range("probability", p, 0, 100))),
        source: body.source.map(|s| s.as_deref().and_then(|s| check.value("source", s, OpportunitySource::parse))),
        campaign_id: body.campaign_id,
        competitors: body.competitors.as_deref().and_then(|c| check.competitors(c)),
        description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
        owner_id: body.owner_id,
        lines: body.lines.as_deref().and_then(|l| check.lines(line_inputs(l))),
    };
    check.finish()?;
    let record = opportunities::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&OpportunityDto::from(record.clone()), record.version))
}

/// Move an opportunity to another stage
///
/// Won needs an amount; lost needs `loss_reason`; a won or lost opportunity goes back to an open
/// stage only with `reopen: true`. The move is kept in the stage history with the time spent in
/// the stage it leaves.
#[utoipa::path(tag = "opportunities", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = MoveOpportunity, responses(
    (status = 200, description = "Moved", body = OpportunityDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Closed (reopen explicitly) or already in that stage", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "No amount to win, no reason to lose, or no such stage", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/opportunities/{id}/stage")]
pub async fn move_opportunity(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<MoveOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.loss_reason.as_deref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::Validation(ValidationErrors(vec![
            FieldError::new("loss_reason", "too_long", text!("must be at most 2000 characters", "最多 2000 个字符"))
                .with_param("max", 2000),
        ])));
    }
    let record =
        opportunities::move_stage(&state.db, &principal, id.into_inner(), if_match(&req)?, body.stage_id, body.loss_reason, body.reopen)
            .await?;
    Ok(ok_with_etag(&OpportunityDto::from(record.clone()), record.version))
}

/// Move an opportunity to the recycle bin
#[utoipa::path(tag = "opportunities", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/opportunities/{id}")]
pub async fn delete_opportunity(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    opportunities::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageMoveDto {
    pub id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    /// Seconds spent in the stage left.
    pub seconds_in_previous: Option<i64>,
    pub changed_by: Option<Uuid>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// An opportunity's stage history, newest first
#[utoipa::path(tag = "opportunities", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Stage moves", body = PageDto<StageMoveDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/opportunities/{id}/stage-history")]
pub async fn opportunity_stage_history(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = opportunities::stage_history(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |m| StageMoveDto {
        id: m.id,
        from_stage_id: m.from_stage_id,
        to_stage_id: m.to_stage_id,
        seconds_in_previous: m.seconds_in_previous,
        changed_by: m.changed_by,
        changed_by_name: m.changed_by_name,
        changed_at: m.changed_at,
    })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageSumDto {
    pub currency: String,
    pub amount_minor: i64,
    pub weighted_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumnDto {
    pub stage: StageDto,
    pub count: u64,
    /// Sums per currency.
    pub sums: Vec<StageSumDto>,
    pub cards: Vec<OpportunityDto>,
    /// Continue with `GET /opportunities?pipeline_id=…&stage_id=…&sort=-updated_at&cursor=…` (same filters).
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardDto {
    pub pipeline_id: Uuid,
    pub columns: Vec<BoardColumnDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub expected_close_from: Option<NaiveDate>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub expected_close_to: Option<NaiveDate>,
    /// Cards per column, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub cards: Option<u64>,
}

/// The pipeline board (kanban): per stage the count, sums and first cards
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), BoardParams), responses(
    (status = 200, description = "The board", body = BoardDto),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/pipelines/{id}/board")]
pub async fn pipeline_board(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<BoardParams>,
) -> Result<HttpResponse, ApiError> {
    let cards = match params.cards {
        None => 20,
        Some(n) if (1..=100).contains(&n) => n,
        Some(_) => return Err(ApiError::bad_parameter("cards", text!("must be between 1 and 100", "须在 1 与 100 之间"))),
    };
    let filter = opportunities::OpportunityFilter {
        owner_id: parse_uuid("owner_id", params.owner_id.as_deref())?,
        team_id: parse_uuid("team_id", params.team_id.as_deref())?,
        close_from: params.expected_close_from,
        close_to: params.expected_close_to,
        ..Default::default()
    };
    let pipeline_id = id.into_inner();
    let columns = opportunities::board(&state.db, &principal, pipeline_id, &filter, cards).await?;
    Ok(HttpResponse::Ok().json(BoardDto {
        pipeline_id,
        columns: columns
            .into_iter()
            .map(|c| BoardColumnDto {
                stage: c.stage.into(),
                count: c.count,
                sums: c
                    .sums
                    .into_iter()
                    .map(|s| StageSumDto { currency: s.currency, amount_minor: s.amount_minor, weighted_minor: s.weighted_minor })
                    .collect(),
                cards: c.cards.into_iter().map(OpportunityDto::from).collect(),
                next_cursor: c.next_cursor,
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------- orders

/// An order (订单/购买记录).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: Uuid,
    /// `SO-000123`, unique, given by the server.
    pub number: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub opportunity_id: Option<Uuid>,
    /// The source system of an ERP order, with its id there (unique together).
    pub external_system: Option<String>,
    pub external_id: Option<String>,
    pub order_date: NaiveDate,
    pub status: OrderStatus,
    /// Σ quantity × unit price.
    pub subtotal: Money,
    /// subtotal − total.
    pub discount: Money,
    /// Σ line totals.
    pub total: Money,
    pub lines: Vec<LineDto>,
    pub notes: Option<String>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<orders::OrderRecord> for OrderDto {
    fn from(o: orders::OrderRecord) -> Self {
        Self {
            id: o.id,
            number: o.number,
            customer_id: o.customer_id,
            customer_name: o.customer_name,
            opportunity_id: o.opportunity_id,
            external_system: o.external_system,
            external_id: o.external_id,
            order_date: o.order_date,
            status: o.status,
            subtotal: o.totals.subtotal,
            discount: o.totals.discount,
            total: o.totals.total,
            lines: o.lines.into_iter().map(LineDto::from).collect(),
            notes: o.notes,
            owner_id: o.owner_id,
            owner_name: o.owner_name,
            team_id: o.team_id,
            confirmed_at: o.confirmed_at,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrder {
    pub customer_id: Uuid,
    pub opportunity_id: Option<Uuid>,
    pub external_system: Option<String>,
    pub external_id: Option<String>,
    /// Default today (UTC).
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub order_date: Option<NaiveDate>,
    /// ISO 4217, default CNY; every line's product must be priced in it.
    pub currency: Option<String>,
    #[serde(deserialize_with = "crate::http::bounded_list")]
    pub lines: Vec<LineInputDto>,
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrder {
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub order_date: Option<NaiveDate>,
    /// Replaces the lines.
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub lines: Option<Vec<LineInputDto>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderFromOpportunity {
    /// Default today (UTC).
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub order_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    pub customer_id: Option<String>,
    /// One or more statuses, comma-separated.
    pub status: Option<String>,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub order_date_from: Option<NaiveDate>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub order_date_to: Option<NaiveDate>,
    /// Part of the number or the external id.
    pub q: Option<String>,
    /// `-created_at` (default) or `created_at`.
    pub sort: Option<String>,
}

fn external_ref(check: &mut Check, system: Option<&str>, id: Option<&str>) -> (Option<String>, Option<String>) {
    let system = check.optional_text("external_system", system, 50);
    let id = check.optional_text("external_id", id, 100);
    if system.is_some() != id.is_some() {
        check.0.push(FieldError::new(
            "external_id",
            "pair",
            text!("external_system and external_id go together", "外部系统与外部编号须同时填写"),
        ));
    }
    (system, id)
}

/// Create an order (a draft)
#[utoipa::path(tag = "orders", request_body = CreateOrder, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created as a draft with a new number", body = OrderDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The external id is taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/orders")]
pub async fn create_order(state: State, principal: Principal, body: crate::http::Json<CreateOrder>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let currency = check.0.check("currency", Currency::parse(body.currency.as_deref().unwrap_or("CNY")));
    let (external_system, external_id) = external_ref(&mut check, body.external_system.as_deref(), body.external_id.as_deref());
    let lines = check.lines(line_inputs(&body.lines));
    let notes = check.optional_text("notes", body.notes.as_deref(), NOTES_MAX);
    let (currency, lines) = check.finish_with((currency, lines))?;
    let new = orders::NewOrder {
        customer_id: body.customer_id,
        opportunity_id: body.opportunity_id,
        external_system,
        external_id,
        order_date: body.order_date.unwrap_or_else(|| crate::analytics::organisation_today(Utc::now(), state.time_zone)),
        currency,
        lines,
        notes,
    };
    let record = orders::create(&state.db, &principal, new).await?;
    Ok(created(&OrderDto::from(record.clone()), format!("/api/v1/orders/{}", record.id), record.version))
}

/// Create a draft order from a won opportunity, copying its lines
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path, description = "Opportunity id")), request_body(content = OrderFromOpportunity, description = "Optional"), responses(
    (status = 201, description = "Created", body = OrderDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "Opportunity absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not won, or no lines to copy", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/opportunities/{id}/order")]
pub async fn order_from_opportunity(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Option<web::Json<OrderFromOpportunity>>,
) -> Result<HttpResponse, ApiError> {
    // An order without a date is dated today in the organisation's time zone, not UTC's.
    let date =
        body.and_then(|b| b.into_inner().order_date).unwrap_or_else(|| crate::analytics::organisation_today(Utc::now(), state.time_zone));
    let lang = crate::error::current_language();
    let record = orders::create_from_opportunity(&state.db, &principal, id.into_inner(), date, lang).await?;
    Ok(created(&OrderDto::from(record.clone()), format!("/api/v1/orders/{}", record.id), record.version))
}

/// List orders
#[utoipa::path(tag = "orders", params(OrderListParams, PageParams), responses((status = 200, description = "Orders", body = PageDto<OrderDto>)), security(("bearer" = [])))]
#[get("/orders")]
pub async fn list_orders(
    state: State,
    principal: Principal,
    params: web::Query<OrderListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = orders::OrderFilter {
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        statuses: parse_list("status", params.status.as_deref(), OrderStatus::parse)?,
        owner_id: parse_uuid("owner_id", params.owner_id.as_deref())?,
        team_id: parse_uuid("team_id", params.team_id.as_deref())?,
        date_from: params.order_date_from,
        date_to: params.order_date_to,
        q: crate::http::search_query(&params.q)?,
        sort: non_blank(&params.sort),
    };
    let page = orders::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, OrderDto::from)))
}

/// Get an order
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The order", body = OrderDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/orders/{id}")]
pub async fn get_order(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = orders::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&OrderDto::from(record.clone()), record.version))
}

/// Change a draft order
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateOrder, responses(
    (status = 200, description = "Changed", body = OrderDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/orders/{id}")]
pub async fn update_order(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateOrder>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let patch = orders::OrderPatch {
        order_date: body.order_date,
        lines: body.lines.as_deref().and_then(|l| check.lines(line_inputs(l))),
        notes: body.notes.map(|n| check.optional_text("notes", n.as_deref(), NOTES_MAX)),
    };
    check.finish()?;
    let record = orders::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&OrderDto::from(record.clone()), record.version))
}

/// Delete a draft order
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/orders/{id}")]
pub async fn delete_order(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    orders::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn move_order(state: State, principal: Principal, req: HttpRequest, id: Uuid, status: OrderStatus) -> Result<HttpResponse, ApiError> {
    let record = orders::transition(&state.db, &principal, id, if_match(&req)?, status).await?;
    Ok(ok_with_etag(&OrderDto::from(record.clone()), record.version))
}

/// Confirm a draft order: its customer becomes 成交客户 and its purchase figures update
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 200, description = "Confirmed", body = OrderDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/orders/{id}/confirm")]
pub async fn confirm_order(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_order(state, principal, req, id.into_inner(), OrderStatus::Confirmed).await
}

/// Mark a confirmed order fulfilled
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 200, description = "Fulfilled", body = OrderDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not confirmed", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/orders/{id}/fulfill")]
pub async fn fulfill_order(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_order(state, principal, req, id.into_inner(), OrderStatus::Fulfilled).await
}

/// Cancel a draft or confirmed order
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 200, description = "Cancelled", body = OrderDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Fulfilled, refunded or already cancelled", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/orders/{id}/cancel")]
pub async fn cancel_order(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_order(state, principal, req, id.into_inner(), OrderStatus::Cancelled).await
}

/// Refund a confirmed or fulfilled order
#[utoipa::path(tag = "orders", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 200, description = "Refunded", body = OrderDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not confirmed or fulfilled", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/orders/{id}/refund")]
pub async fn refund_order(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_order(state, principal, req, id.into_inner(), OrderStatus::Refunded).await
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_products)
        .service(create_product)
        .service(get_product)
        .service(update_product)
        .service(delete_product)
        .service(list_pipelines)
        .service(create_pipeline)
        .service(get_pipeline)
        .service(update_pipeline)
        .service(pipeline_board)
        .service(reorder_stages)
        .service(add_stage)
        .service(update_stage)
        .service(delete_stage)
        .service(list_opportunities)
        .service(create_opportunity)
        .service(get_opportunity)
        .service(update_opportunity)
        .service(delete_opportunity)
        .service(move_opportunity)
        .service(opportunity_stage_history)
        .service(order_from_opportunity)
        .service(list_orders)
        .service(create_order)
        .service(get_order)
        .service(update_order)
        .service(delete_order)
        .service(confirm_order)
        .service(fulfill_order)
        .service(cancel_order)
        .service(refund_order);
}
