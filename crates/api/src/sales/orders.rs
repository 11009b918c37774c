//! Orders (订单, `/orders`): numbered documents whose moves update the customer's purchase figures.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::customers::NOTES_MAX;
use crm_domain::sales::{Currency, DEFAULT_CURRENCY, Money, NewOrder, OrderPatch, OrderStatus};
use crm_domain::{Check, ValidationErrors};
use crm_persistence::sales::orders;

use crate::auth::{Principal, State};
use crate::batch::{Batch, BatchItem, BatchOp, BatchParams, BatchRequest, Written, missing_id};
use crate::error::{ApiError, Problem};
use crate::external::{Upsert, UpsertRequest, Upserted, new_refs, patched_refs, path_reference, refs_for_upsert};
use crate::http::from_document;
use crate::http::{PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_uuid};
use crate::platform::custom_fields::{self, CustomFieldParams};

use super::{LineDto, LineInputDto, line_inputs};

/// An order (订单/购买记录).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: Uuid,
    /// `SO-000123`, unique, given by the server.
    pub number: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub opportunity_id: Option<Uuid>,
    /// The source system of an ERP order, with its id there (unique together). Kept for the
    /// clients that set it; `external_ids` holds an order's ids in any number of systems and is
    /// what `PUT /orders/external/{system}/{external_id}` finds orders by.
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
    /// Values of the orders' custom fields by key (see `/custom-fields?entity=orders`).
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// How other systems know the order, one id per system: `{"erp": "SO-2026-0042"}`.
    pub external_ids: BTreeMap<String, String>,
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
            custom_fields: o.custom_fields,
            owner_id: o.owner_id,
            owner_name: o.owner_name,
            team_id: o.team_id,
            confirmed_at: o.confirmed_at,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
            external_ids: o.external_ids,
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
    /// Default today in the organisation's time zone.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub order_date: Option<NaiveDate>,
    /// ISO 4217, default CNY; every line's product must be priced in it.
    pub currency: Option<String>,
    #[serde(deserialize_with = "crate::http::bounded_list")]
    pub lines: Vec<LineInputDto>,
    pub notes: Option<String>,
    /// Values of custom fields by key (see `/custom-fields?entity=orders`): checked against their
    /// definitions; fields not sent get their default.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    /// The order's ids in other systems, `{"erp": "SO-2026-0042"}`, each unique per system among
    /// live orders.
    #[serde(default)]
    pub external_ids: BTreeMap<String, String>,
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
    /// Merge patch of custom field values: keys sent are set, `null` clears one, others stay.
    /// Unlike the other fields, editable whatever the order's status.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// Merge patch of the ids in other systems (`null` removes one); allowed whatever the status.
    pub external_ids: Option<BTreeMap<String, Option<String>>>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderFromOpportunity {
    /// Default today in the organisation's time zone.
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
    /// `-created_at` (default), `created_at`, `-updated_at`, `updated_at`, or `cf.<key>`/
    /// `-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

/// A new order; without a date it is dated `today`, the organisation's calendar day.
fn parse_new_order(body: CreateOrder, today: NaiveDate) -> Result<NewOrder, ValidationErrors> {
    let mut check = Check::default();
    let currency = check.0.check("currency", Currency::parse(body.currency.as_deref().unwrap_or(DEFAULT_CURRENCY)));
    let (external_system, external_id) = check.external_ref(body.external_system.as_deref(), body.external_id.as_deref());
    let lines = check.lines(line_inputs(&body.lines));
    let notes = check.optional_text("notes", body.notes.as_deref(), NOTES_MAX);
    let custom_fields = custom_fields::values(&mut check, &body.custom_fields);
    let (currency, lines) = check.finish_with((currency, lines))?;
    Ok(NewOrder {
        customer_id: body.customer_id,
        opportunity_id: body.opportunity_id,
        external_system,
        external_id,
        order_date: body.order_date.unwrap_or(today),
        currency,
        lines,
        notes,
        custom_fields,
    })
}

impl TryFrom<UpdateOrder> for OrderPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateOrder) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            order_date: body.order_date,
            lines: body.lines.as_deref().and_then(|l| check.lines(line_inputs(l))),
            notes: body.notes.map(|n| check.optional_text("notes", n.as_deref(), NOTES_MAX)),
            custom_fields: custom_fields::values_change(&mut check, &body.custom_fields),
        };
        check.finish()?;
        Ok(patch)
    }
}

/// Create an order (a draft)
#[utoipa::path(tag = "orders", request_body = CreateOrder, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created as a draft with a new number", body = OrderDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The external id is taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/orders")]
pub async fn create_order(state: State, principal: Principal, body: crate::http::Json<CreateOrder>) -> Result<HttpResponse, ApiError> {
    let today = crate::analytics::organisation_today(Utc::now(), state.time_zone);
    let body = body.into_inner();
    let refs = new_refs(&body.external_ids)?;
    let record = orders::create(&state.db, &principal, parse_new_order(body, today)?, &refs).await?;
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

/// The list's filter from its query parameters (the list and its export read the same).
fn list_orders_filter(
    params: &OrderListParams,
    updated: &crate::http::UpdatedAtParams,
    time_zone: chrono_tz::Tz,
    custom: CustomFieldParams,
) -> Result<orders::OrderFilter, ApiError> {
    let filter = orders::OrderFilter {
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        statuses: parse_list("status", params.status.as_deref(), OrderStatus::parse)?,
        owner_id: parse_uuid("owner_id", params.owner_id.as_deref())?,
        team_id: parse_uuid("team_id", params.team_id.as_deref())?,
        date_from: params.order_date_from,
        date_to: params.order_date_to,
        q: crate::http::search_query(&params.q)?,
        updated: updated.to_window(time_zone)?,
        custom: custom.0,
        sort: non_blank(&params.sort),
    };
    Ok(filter)
}

/// List orders
///
/// Custom fields filter as `cf.<key>=value` (several values comma-separated: any of them),
/// `cf.<key>_from`/`_to` for numbers, money and dates, and sort as `sort=cf.<key>` or
/// `-cf.<key>` (see `/custom-fields`).
#[utoipa::path(tag = "orders", params(OrderListParams, crate::http::UpdatedAtParams, PageParams), responses((status = 200, description = "Orders", body = PageDto<OrderDto>)), security(("bearer" = [])))]
#[get("/orders")]
pub async fn list_orders(
    state: State,
    principal: Principal,
    params: web::Query<OrderListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = list_orders_filter(&params, &updated, state.time_zone, custom)?;
    let page = orders::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, OrderDto::from)))
}

/// Export orders as ndjson, CSV or XLSX
///
/// Every order the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `OrderDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `OrderDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "orders", params(OrderListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/orders/export")]
pub async fn export_orders(
    state: State,
    principal: Principal,
    params: web::Query<OrderListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = list_orders_filter(&params, &updated, state.time_zone, custom)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "orders", kind: "order" },
        orders::list,
        OrderDto::from,
    )
    .await
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
    let refs = patched_refs(&body.external_ids)?;
    let record = orders::update(&state.db, &principal, id.into_inner(), if_match(&req)?, OrderPatch::try_from(body)?, &refs).await?;
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

fn upserted(order: orders::OrderRecord) -> Upserted<OrderDto> {
    Upserted { id: order.id, version: order.version, body: OrderDto::from(order) }
}

/// Create or update an order by its id in another system
///
/// With no live order holding `{system}:{external_id}`, the body is a new draft order
/// (`CreateOrder`): 201. Otherwise it merge-patches that order (`UpdateOrder`): 200, honouring
/// `If-Match`. A body that changes nothing is accepted whatever the order's status, so a sync may
/// send a confirmed order again; changing the terms of an order that is no longer a draft is
/// refused (409 `order.not_editable`).
#[utoipa::path(tag = "orders", params(
    ("system" = String, Path, example = "erp"),
    ("external_id" = String, Path, example = "SO-2026-0042"),
    ("If-Match" = Option<String>, Header, description = "On update, the ETag you read"),
), request_body = CreateOrder, responses(
    (status = 200, description = "Updated", body = OrderDto, headers(("ETag" = String))),
    (status = 201, description = "Created as a draft", body = OrderDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Malformed JSON or path", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not create or change orders", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer or order absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`order.not_editable`, `order.external_id_taken`, or `external_id.taken` for another of the body's ids (`existing_id`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match, or If-Match for an id no order has", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/orders/external/{system}/{external_id}")]
pub async fn upsert_order(state: State, principal: Principal, upsert: UpsertRequest) -> Result<HttpResponse, ApiError> {
    Ok(crate::external::answer(upsert_by_reference(&state, &principal, upsert.parse()?).await?, "orders"))
}

/// An upsert of the order `reference` names, from a single request or a batch item.
async fn upsert_by_reference(state: &State, principal: &Principal, upsert: Upsert) -> Result<(bool, Upserted<OrderDto>), ApiError> {
    let reference = &upsert.reference;
    let (db, today) = (&state.db, crate::analytics::organisation_today(Utc::now(), state.time_zone));
    crate::external::upsert_record(
        upsert.document,
        upsert.if_match,
        async || Ok(orders::holder_of(db, reference).await?),
        async |body: CreateOrder| {
            let refs = refs_for_upsert(new_refs(&body.external_ids)?, reference)?;
            Ok(upserted(orders::create(db, principal, parse_new_order(body, today)?, &refs).await?))
        },
        async |id, document: Value, version| {
            // An ERP sends the order as it knows it, customer and all: that is the order again,
            // with its customer and currency unchanged; a merge patch names none of them.
            if document.get("customer_id").is_none() {
                let body: UpdateOrder = from_document(document)?;
                let refs = refs_for_upsert(patched_refs(&body.external_ids)?, reference)?;
                return Ok(upserted(orders::update(db, principal, id, version, OrderPatch::try_from(body)?, &refs).await?));
            }
            let body: CreateOrder = from_document(document)?;
            let refs = refs_for_upsert(new_refs(&body.external_ids)?, reference)?;
            let dated = body.order_date.is_some();
            let sent = parse_new_order(body, today)?;
            let identity = orders::OrderIdentity { customer_id: sent.customer_id, currency: sent.currency };
            // A date left out keeps the order's (a new order would be dated today).
            let order_date = dated.then_some(sent.order_date);
            let patch =
                OrderPatch { order_date, notes: Some(sent.notes), lines: Some(sent.lines), custom_fields: Some(sent.custom_fields) };
            Ok(upserted(orders::update_whole(db, principal, id, identity, version, patch, &refs).await?))
        },
    )
    .await
}

/// Get an order by its id in another system
#[utoipa::path(tag = "orders", params(("system" = String, Path, example = "erp"), ("external_id" = String, Path, example = "SO-2026-0042")), responses(
    (status = 200, description = "The order", body = OrderDto, headers(("ETag" = String))),
    (status = 400, description = "Invalid system or id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No live order has this id, or it is outside your scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/orders/external/{system}/{external_id}")]
pub async fn get_order_by_external_id(
    state: State,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let reference = path_reference(&path)?;
    let id = orders::holder_of(&state.db, &reference).await?.ok_or(ApiError::NotFound)?;
    let record = orders::get(&state.db, &principal, id).await?;
    Ok(ok_with_etag(&OrderDto::from(record.clone()), record.version))
}

/// One order item of a batch, confirmed in the same transaction when it asks to be.
async fn write_batch_item(state: &State, principal: &Principal, item: BatchItem) -> Result<Written, ApiError> {
    item.allow_only(false, false, true)?;
    let (db, confirm) = (&state.db, item.confirm == Some(true));
    let (created, order) = match item.op {
        BatchOp::Create => {
            let body: CreateOrder = from_document(item.body)?;
            let refs = new_refs(&body.external_ids)?;
            let today = crate::analytics::organisation_today(Utc::now(), state.time_zone);
            (true, OrderDto::from(orders::create(db, principal, parse_new_order(body, today)?, &refs).await?))
        }
        BatchOp::Update => {
            let body: UpdateOrder = from_document(item.body)?;
            let refs = patched_refs(&body.external_ids)?;
            let id = item.id.ok_or_else(missing_id)?;
            (false, OrderDto::from(orders::update(db, principal, id, item.if_match, OrderPatch::try_from(body)?, &refs).await?))
        }
        BatchOp::Upsert => {
            let (created, done) = upsert_by_reference(state, principal, Upsert::of_item(item)?).await?;
            (created, done.body)
        }
    };
    let mut written = Written::new(created, order.id, order.version);
    if confirm && order.status == OrderStatus::Draft {
        written.version = orders::transition(db, principal, written.id, None, OrderStatus::Confirmed).await?.version;
    }
    Ok(written)
}

/// Create, update or upsert up to 1,000 orders, confirming them if asked
///
/// Each item is `{op: create|update|upsert, body, id?, if_match?, system?, external_id?,
/// confirm?}` with the body `POST /orders` or `PATCH /orders/{id}` takes; `confirm: true`
/// confirms a draft order in the same transaction (so an ERP's booked orders count at once).
/// One result per item; `?atomic=true` keeps all or nothing.
#[utoipa::path(tag = "orders", params(BatchParams, ("Idempotency-Key" = Option<String>, Header)), request_body = BatchRequest, responses(crate::batch::BatchResponses), security(("bearer" = [])))]
#[post("/orders/batch")]
pub async fn batch_orders(state: State, principal: Principal, batch: Batch) -> Result<HttpResponse, ApiError> {
    batch
        .run(&state, async |item: BatchItem| {
            if item.confirm == Some(true) {
                state.db.all_or_nothing(async || write_batch_item(&state, &principal, item).await).await
            } else {
                write_batch_item(&state, &principal, item).await
            }
        })
        .await
}
