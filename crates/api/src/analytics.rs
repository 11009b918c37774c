//! Reports: `/reports/sales`, `/reports/funnel`, `/reports/forecast`.

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::sales::Currency;
use crm_domain::sales::reports::{GroupBy, Period, check_range};
use crm_domain::{FieldError, HasCode, text};
use crm_persistence::analytics::sales_reports as reports;

use crate::auth::{AppState, Principal};
use crate::error::{ApiError, Problem};
use crate::http::parse_uuid;

/// A figure with the previous period's and the same period a year before.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureDto<T: ToSchema> {
    pub value: T,
    pub previous: T,
    /// (value − previous) / previous; `null` when the previous value is zero or missing.
    pub growth: Option<f64>,
    pub year_ago: T,
    pub year_growth: Option<f64>,
}

impl<T: ToSchema + Clone> From<reports::Figure<T>> for FigureDto<T> {
    fn from(f: reports::Figure<T>) -> Self {
        Self { value: f.value, previous: f.previous, growth: f.growth, year_ago: f.year_ago, year_growth: f.year_growth }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasuresDto {
    /// Confirmed and fulfilled orders, minor units.
    pub revenue_minor: FigureDto<i64>,
    pub order_count: FigureDto<i64>,
    pub won_opportunities: FigureDto<i64>,
    /// Won ÷ closed (won + lost).
    pub win_rate: FigureDto<Option<f64>>,
    pub average_deal_size_minor: FigureDto<Option<i64>>,
    /// Days from creation to winning.
    pub average_cycle_days: FigureDto<Option<f64>>,
}

impl From<reports::Measures> for MeasuresDto {
    fn from(m: reports::Measures) -> Self {
        Self {
            revenue_minor: m.revenue_minor.into(),
            order_count: m.order_count.into(),
            won_opportunities: m.won_opportunities.into(),
            win_rate: m.win_rate.into(),
            average_deal_size_minor: m.average_deal_size_minor.into(),
            average_cycle_days: m.average_cycle_days.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRowDto {
    /// The group: a province, industry, user id, team id, product id or the period's first day.
    pub key: String,
    pub label: String,
    pub measures: MeasuresDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesReportDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub period: Option<Period>,
    pub currency: String,
    pub rows: Vec<ReportRowDto>,
    /// The whole range compared with the range of equal length before it and a year before.
    pub total: MeasuresDto,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SalesReportParams {
    /// First day, inclusive (default: the first of this month).
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today in the organisation's time zone, `time_zone` of
    /// `/auth/me`); at most ten years after `from`.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub to: Option<NaiveDate>,
    /// `region` (province), `industry`, `owner`, `team`, `product` or `period` (default).
    #[param(value_type = Option<GroupBy>)]
    pub group_by: Option<String>,
    /// With `group_by=period`: `day`, `week`, `month` (default), `quarter`, `year`. Rows are whole
    /// periods overlapping the range.
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
    /// ISO 4217, default CNY: figures count orders and opportunities in this currency.
    pub currency: Option<String>,
}

/// Days in the organisation's time zone: what "today" and a day's bounds mean in every report.
pub use crm_domain::dates::{organisation_day_start, organisation_today};

/// The requested range, by default from the first of this month to today (both inclusive).
fn range(today: NaiveDate, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
    check_range(from, to).map_err(|_| {
        ApiError::bad_parameter(
            "from",
            text!("must not be after `to`, and the range at most ten years", "开始日期不能晚于结束日期，且时间范围最长十年"),
        )
    })?;
    Ok((from, to))
}

/// Sales figures grouped by region, industry, owner, team, product or period, with growth
///
/// Every figure covers only what the caller may see. Growth compares with the previous period of
/// equal length and with the same period a year before; it is `null` where there was nothing.
#[utoipa::path(tag = "reports", params(SalesReportParams), responses(
    (status = 200, description = "The report", body = SalesReportDto),
), security(("bearer" = [])))]
#[get("/reports/sales")]
pub async fn sales_report(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<SalesReportParams>,
) -> Result<HttpResponse, ApiError> {
    let today = organisation_today(Utc::now(), state.time_zone);
    let (from, to) = range(today, params.from, params.to)?;
    let group_by = match params.group_by.as_deref() {
        None => GroupBy::Period,
        Some(g) => GroupBy::parse(g).map_err(|e| ApiError::bad_parameter_error(e.field_error("group_by")))?,
    };
    let period = match params.period.as_deref() {
        None => Period::Month,
        Some(p) => Period::parse(p).map_err(|e| ApiError::bad_parameter_error(e.field_error("period")))?,
    };
    if group_by == GroupBy::Period && period == Period::Day && (to - from).num_days() > 400 {
        return Err(ApiError::bad_parameter_error(
            FieldError::new(
                "period",
                "invalid",
                text!("daily rows cover at most 400 days; choose a longer period", "按天统计最多覆盖 400 天，请选择更长的周期"),
            )
            .with_param("max_days", 400),
        ));
    }
    let currency = Currency::parse(params.currency.as_deref().unwrap_or("CNY"))
        .map_err(|e| ApiError::bad_parameter_error(e.field_error("currency")))?;
    let request = reports::SalesReportRequest { from, to, group_by, period, currency, time_zone: state.time_zone };
    let report = reports::sales_report(&state.db, &principal, &request).await?;
    Ok(HttpResponse::Ok().json(SalesReportDto {
        from: report.from,
        to: report.to,
        group_by: report.group_by,
        period: report.period,
        currency: report.currency,
        rows: report.rows.into_iter().map(|r| ReportRowDto { key: r.key, label: r.label, measures: r.measures.into() }).collect(),
        total: report.total.into(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStepDto {
    pub stage_id: Uuid,
    pub key: String,
    pub name: String,
    /// Opportunities that reached this stage or a later one.
    pub reached: i64,
    /// reached ÷ the previous step's; `null` for the first step or after zero.
    pub conversion: Option<f64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunnelParams {
    /// Default: the default pipeline.
    pub pipeline_id: Option<String>,
    /// Opportunities created from this day (default: a year ago).
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub from: Option<NaiveDate>,
    /// …to this day, inclusive (default: today in the organisation's time zone).
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub to: Option<NaiveDate>,
}

/// Conversion between the stages of a pipeline for opportunities created in a range
#[utoipa::path(tag = "reports", params(FunnelParams), responses(
    (status = 200, description = "Funnel steps in stage order (lost stages excluded)", body = Vec<FunnelStepDto>),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/reports/funnel")]
pub async fn funnel_report(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<FunnelParams>,
) -> Result<HttpResponse, ApiError> {
    let today = organisation_today(Utc::now(), state.time_zone);
    let to = params.to.unwrap_or(today);
    let (from, to) = range(today, Some(params.from.unwrap_or(crm_domain::dates::add_days(to, -365))), Some(to))?;
    let pipeline_id = match parse_uuid("pipeline_id", params.pipeline_id.as_deref())? {
        Some(id) => id,
        None => crm_persistence::sales::pipelines::list(
            &state.db,
            &principal,
            &crm_persistence::PageRequest { limit: 200, ..Default::default() },
        )
        .await?
        .data
        .into_iter()
        .find(|p| p.is_default)
        .map(|p| p.id)
        .ok_or(ApiError::NotFound)?,
    };
    // the range's days are the organisation's: creation times from its first midnight to the one after `to`
    let created =
        organisation_day_start(from, state.time_zone)..organisation_day_start(crm_domain::dates::add_days(to, 1), state.time_zone);
    let steps = reports::funnel(&state.db, &principal, pipeline_id, created).await?;
    Ok(HttpResponse::Ok().json(
        steps
            .into_iter()
            .map(|s| FunnelStepDto { stage_id: s.stage_id, key: s.key, name: s.name, reached: s.reached, conversion: s.conversion })
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastRowDto {
    /// `2026-12`, or `unscheduled`.
    pub month: String,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
    pub weighted_minor: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastParams {
    /// Only this pipeline.
    pub pipeline_id: Option<String>,
}

/// Weighted open pipeline by expected close month
#[utoipa::path(tag = "reports", params(ForecastParams), responses(
    (status = 200, description = "Months in order, per currency", body = Vec<ForecastRowDto>),
), security(("bearer" = [])))]
#[get("/reports/forecast")]
pub async fn forecast_report(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<ForecastParams>,
) -> Result<HttpResponse, ApiError> {
    let rows = reports::forecast(&state.db, &principal, parse_uuid("pipeline_id", params.pipeline_id.as_deref())?).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|r| ForecastRowDto {
                month: r.month,
                currency: r.currency,
                count: r.count,
                amount_minor: r.amount_minor,
                weighted_minor: r.weighted_minor,
            })
            .collect::<Vec<_>>(),
    ))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(sales_report).service(funnel_report).service(forecast_report);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn at_01_14_in_shanghai_today_is_already_the_shanghai_date() {
        // 17:14 UTC on 2 December is 01:14 on 3 December in Shanghai (UTC+8)
        assert_eq!(organisation_today(utc("2026-12-02T17:14:00Z"), chrono_tz::Asia::Shanghai), day("2026-12-03"));
        assert_eq!(organisation_today(utc("2026-12-02T15:59:59Z"), chrono_tz::Asia::Shanghai), day("2026-12-02"));
        assert_eq!(organisation_today(utc("2026-12-02T17:14:00Z"), chrono_tz::UTC), day("2026-12-02"));
    }

    #[test]
    fn a_shanghai_day_begins_at_16_00_utc_the_day_before() {
        assert_eq!(organisation_day_start(day("2026-12-03"), chrono_tz::Asia::Shanghai), utc("2026-12-02T16:00:00Z"));
        assert_eq!(organisation_day_start(day("2026-12-03"), chrono_tz::UTC), utc("2026-12-03T00:00:00Z"));
        // Santiago skipped 00:00-01:00 on 2026-09-06 (clocks went forward at midnight)
        assert_eq!(organisation_day_start(day("2026-09-06"), chrono_tz::America::Santiago), utc("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn the_default_range_runs_from_the_first_of_the_month_to_the_organisations_today() {
        let today = organisation_today(utc("2026-11-30T17:14:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(range(today, None, None).unwrap(), (day("2026-12-01"), day("2026-12-01")));
        let today = organisation_today(utc("2026-12-02T17:14:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(range(today, None, None).unwrap(), (day("2026-12-01"), day("2026-12-03")));
        assert_eq!(range(today, Some(day("2026-11-15")), None).unwrap(), (day("2026-11-15"), day("2026-12-03")));
    }
}
