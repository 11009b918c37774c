//! Opportunities (商机, `/opportunities`): amounts, lines, stages, wins and losses.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::customers::NOTES_MAX;
use crm_domain::sales::{
    Competitor, Money, NewOpportunity, OPPORTUNITY_NAME_MAX, OpportunityFields, OpportunityPatch, OpportunitySource, Placement,
    check_loss_reason,
};
use crm_domain::{Check, ValidationErrors, text};
use crm_persistence::sales::opportunities;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_uuid};
use crate::platform::custom_fields::{self, CustomFieldParams};

use super::pipelines::StageDto;
use super::{LineDto, LineInputDto, MoneyInput, line_inputs};

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
    /// Values of the opportunities' custom fields by key (see `/custom-fields?entity=opportunities`).
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
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
            custom_fields: f.custom_fields,
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
    /// Values of custom fields by key (see `/custom-fields?entity=opportunities`): checked against their
    /// definitions; fields not sent get their default.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
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
    /// Merge patch of custom field values: keys sent are set, `null` clears one, others stay.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
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
    /// `-updated_at` (default), `updated_at`, `-created_at`, `created_at`, `name`, or
    /// `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

impl OpportunityListParams {
    fn to_filter(&self, custom: CustomFieldParams) -> Result<opportunities::OpportunityFilter, ApiError> {
        Ok(opportunities::OpportunityFilter {
            customer_id: parse_uuid("customer_id", self.customer_id.as_deref())?,
            owner_id: parse_uuid("owner_id", self.owner_id.as_deref())?,
            team_id: parse_uuid("team_id", self.team_id.as_deref())?,
            pipeline_id: parse_uuid("pipeline_id", self.pipeline_id.as_deref())?,
            stage_id: parse_uuid("stage_id", self.stage_id.as_deref())?,
            close_from: self.expected_close_from,
            close_to: self.expected_close_to,
            updated: Default::default(),
            q: crate::http::search_query(&self.q)?,
            custom: custom.0,
            sort: non_blank(&self.sort),
        })
    }
}

impl TryFrom<CreateOpportunity> for NewOpportunity {
    type Error = ValidationErrors;

    fn try_from(body: CreateOpportunity) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let name = check.text("name", &body.name, OPPORTUNITY_NAME_MAX);
        let amount = check.money("amount", body.amount.amount_minor, body.amount.currency.as_deref());
        let probability = body.probability.and_then(|p| check.probability("probability", p));
        let source = body.source.as_deref().and_then(|s| check.value("source", s, OpportunitySource::parse));
        let competitors = check.competitors(&body.competitors);
        let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
        let lines = check.lines(line_inputs(&body.lines));
        let custom_fields = custom_fields::values(&mut check, &body.custom_fields);
        let (name, amount, competitors, lines) = check.finish_with((name, amount, competitors, lines))?;
        let fields = OpportunityFields {
            name,
            contact_id: body.contact_id,
            amount,
            expected_close_date: body.expected_close_date,
            probability,
            source,
            campaign_id: body.campaign_id,
            competitors,
            description,
            custom_fields,
        };
        let placement =
            Placement { customer_id: body.customer_id, pipeline_id: body.pipeline_id, stage_id: body.stage_id, owner_id: body.owner_id };
        Ok(Self { placement, fields, lines })
    }
}

impl TryFrom<UpdateOpportunity> for OpportunityPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateOpportunity) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            name: body.name.as_deref().and_then(|n| check.text("name", n, OPPORTUNITY_NAME_MAX)),
            contact_id: body.contact_id,
            amount: body.amount.as_ref().and_then(|m| check.money("amount", m.amount_minor, m.currency.as_deref())),
            expected_close_date: body.expected_close_date,
            probability: body.probability.map(|p| p.and_then(|p| check.probability("probability", p))),
            source: body.source.map(|s| s.as_deref().and_then(|s| check.value("source", s, OpportunitySource::parse))),
            campaign_id: body.campaign_id,
            competitors: body.competitors.as_deref().and_then(|c| check.competitors(c)),
            description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
            custom_fields: custom_fields::values_change(&mut check, &body.custom_fields),
            owner_id: body.owner_id,
            lines: body.lines.as_deref().and_then(|l| check.lines(line_inputs(l))),
        };
        check.finish()?;
        Ok(patch)
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
    let new = NewOpportunity::try_from(body.into_inner())?;
    let record = opportunities::create(&state.db, &principal, new).await?;
    Ok(created(&OpportunityDto::from(record.clone()), format!("/api/v1/opportunities/{}", record.id), record.version))
}

/// List opportunities
///
/// Custom fields filter as `cf.<key>=value` (several values comma-separated: any of them),
/// `cf.<key>_from`/`_to` for numbers, money and dates, and sort as `sort=cf.<key>` or
/// `-cf.<key>` (see `/custom-fields`).
#[utoipa::path(tag = "opportunities", params(OpportunityListParams, crate::http::UpdatedAtParams, PageParams), responses((status = 200, description = "Opportunities", body = PageDto<OpportunityDto>)), security(("bearer" = [])))]
#[get("/opportunities")]
pub async fn list_opportunities(
    state: State,
    principal: Principal,
    params: web::Query<OpportunityListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = opportunities::OpportunityFilter { updated: updated.to_window(state.time_zone)?, ..params.to_filter(custom)? };
    let page = opportunities::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, OpportunityDto::from)))
}

/// Export opportunities as ndjson, CSV or XLSX
///
/// Every opportunity the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `OpportunityDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `OpportunityDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "opportunities", params(OpportunityListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/opportunities/export")]
pub async fn export_opportunities(
    state: State,
    principal: Principal,
    params: web::Query<OpportunityListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = opportunities::OpportunityFilter { updated: updated.to_window(state.time_zone)?, ..params.to_filter(custom)? };
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "opportunities", kind: "opportunity" },
        opportunities::list,
        OpportunityDto::from,
    )
    .await
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
    let patch = OpportunityPatch::try_from(body.into_inner())?;
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
    check_loss_reason(body.loss_reason.as_deref())?;
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
