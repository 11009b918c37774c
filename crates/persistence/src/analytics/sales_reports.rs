//! Sales reports: revenue, orders, won deals, win rate, deal size and cycle length, grouped and
//! compared with the previous period and the same period a year before; the stage funnel; the
//! weighted forecast. Every figure is computed over the rows the caller's scope reaches, in one
//! pass over indexed fact rows (date-bucketing SQL differs between the backends, so buckets are
//! made here, in one place, the same way for both).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::sales::reports::{GroupBy, Period, previous_range, year_before};
use crm_domain::sales::{Currency, StageKind, growth_rate};

use crate::entities::{
    customers, opportunities, opportunity_lines, opportunity_stage_history, order_lines, orders, pipeline_stages, products, teams,
};
use crate::{Actor, Db, Error, Result};

/// A figure with what it is compared with.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure<T> {
    pub value: T,
    pub previous: T,
    /// (value − previous) / previous; `null` when there was nothing before.
    pub growth: Option<f64>,
    pub year_ago: T,
    pub year_growth: Option<f64>,
}

/// The measures of one report row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Measures {
    /// Confirmed and fulfilled orders, in minor units of the report's currency.
    pub revenue_minor: Figure<i64>,
    pub order_count: Figure<i64>,
    /// Opportunities closed as won in the period.
    pub won_opportunities: Figure<i64>,
    /// Won ÷ (won + lost) among opportunities closed in the period.
    pub win_rate: Figure<Option<f64>>,
    /// Average amount of the won opportunities, in minor units.
    pub average_deal_size_minor: Figure<Option<i64>>,
    /// Average days from creation to winning.
    pub average_cycle_days: Figure<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub key: String,
    pub label: String,
    pub measures: Measures,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub period: Option<Period>,
    pub currency: String,
    pub rows: Vec<ReportRow>,
    pub total: Measures,
}

/// Running sums for one group in one window.
#[derive(Debug, Clone, Default)]
struct Sums {
    revenue: i64,
    orders: HashSet<Uuid>,
    won: i64,
    lost: i64,
    won_amount: i64,
    cycle_seconds: i64,
}

impl Sums {
    fn win_rate(&self) -> Option<f64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| ((self.won as f64 / closed as f64) * 10_000.0).round() / 10_000.0)
    }
    fn average_deal(&self) -> Option<i64> {
        (self.won > 0).then(|| (self.won_amount + self.won / 2) / self.won)
    }
    fn average_cycle_days(&self) -> Option<f64> {
        (self.won > 0).then(|| ((self.cycle_seconds as f64 / self.won as f64 / 86_400.0) * 10.0).round() / 10.0)
    }
}

fn ratio_growth(value: Option<f64>, previous: Option<f64>) -> Option<f64> {
    match (value, previous) {
        (Some(v), Some(p)) if p != 0.0 => Some((((v - p) / p) * 10_000.0).round() / 10_000.0),
        _ => None,
    }
}

fn measures(now: &Sums, previous: &Sums, year_ago: &Sums) -> Measures {
    let int = |f: fn(&Sums) -> i64| Figure {
        value: f(now),
        previous: f(previous),
        growth: growth_rate(f(now), f(previous)),
        year_ago: f(year_ago),
        year_growth: growth_rate(f(now), f(year_ago)),
    };
    let opt_int = |f: fn(&Sums) -> Option<i64>| Figure {
        value: f(now),
        previous: f(previous),
        growth: f(now).zip(f(previous)).and_then(|(v, p)| growth_rate(v, p)),
        year_ago: f(year_ago),
        year_growth: f(now).zip(f(year_ago)).and_then(|(v, p)| growth_rate(v, p)),
    };
    let ratio = |f: fn(&Sums) -> Option<f64>| Figure {
        value: f(now),
        previous: f(previous),
        growth: ratio_growth(f(now), f(previous)),
        year_ago: f(year_ago),
        year_growth: ratio_growth(f(now), f(year_ago)),
    };
    Measures {
        revenue_minor: int(|s| s.revenue),
        order_count: int(|s| s.orders.len() as i64),
        won_opportunities: int(|s| s.won),
        win_rate: ratio(Sums::win_rate),
        average_deal_size_minor: opt_int(Sums::average_deal),
        average_cycle_days: ratio(Sums::average_cycle_days),
    }
}

#[derive(Debug, FromQueryResult)]
struct OrderFact {
    id: Uuid,
    order_date: NaiveDate,
    total_minor: i64,
    owner_id: Uuid,
    team_id: Option<Uuid>,
    province: Option<String>,
    industry: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct OpportunityFact {
    id: Uuid,
    amount_minor: i64,
    created_at: DateTime<Utc>,
    closed_at: DateTime<Utc>,
    kind: String,
    owner_id: Uuid,
    team_id: Option<Uuid>,
    province: Option<String>,
    industry: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct LineFact {
    owner: Uuid,
    product_id: Uuid,
    line_total_minor: i64,
}

fn day_start(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

/// Where each fact belongs: for period reports the bucket's start, otherwise the grouping key.
struct Grouping {
    group_by: GroupBy,
    period: Period,
}

impl Grouping {
    fn keys(
        &self,
        date: NaiveDate,
        owner: Uuid,
        team: Option<Uuid>,
        province: &Option<String>,
        industry: &Option<String>,
        products: &[Uuid],
    ) -> Vec<String> {
        match self.group_by {
            GroupBy::Region => vec![province.clone().unwrap_or_default()],
            GroupBy::Industry => vec![industry.clone().unwrap_or_default()],
            GroupBy::Owner => vec![owner.to_string()],
            GroupBy::Team => vec![team.map(|t| t.to_string()).unwrap_or_default()],
            GroupBy::Product => products.iter().map(Uuid::to_string).collect(),
            GroupBy::Period => vec![self.period.start_of(date).to_string()],
        }
    }
}

/// The windows a fact dated `date` counts in, for non-period reports.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Window {
    Now,
    Previous,
    YearAgo,
}

pub struct SalesReportRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub period: Period,
    pub currency: Currency,
}

pub async fn sales_report(db: &Db, actor: &Actor, request: &SalesReportRequest) -> Result<SalesReport> {
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let SalesReportRequest { from, to, group_by, period, currency } = request;
    let (from, to, group_by, period) = (*from, *to, *group_by, *period);
    let (previous_from, previous_to) = previous_range(from, to);
    let (year_from, year_to) = (year_before(from), year_before(to));
    // Period rows compare each bucket with the one before and the one a year before.
    let fetch_from = [previous_from, year_from, year_before(period.previous(period.start_of(from)))].into_iter().min().unwrap_or(from);
    let fetch_to = to;
    let grouping = Grouping { group_by, period };
    let conn = &db.conn;

    let o = Alias::new("o");
    let c = Alias::new("c");
    let order_query = Query::select()
        .expr_as(Expr::col((o.clone(), orders::Column::Id)), Alias::new("id"))
        .expr_as(Expr::col((o.clone(), orders::Column::OrderDate)), Alias::new("order_date"))
        .expr_as(Expr::col((o.clone(), orders::Column::TotalMinor)), Alias::new("total_minor"))
        .expr_as(Expr::col((o.clone(), orders::Column::OwnerId)), Alias::new("owner_id"))
        .expr_as(Expr::col((o.clone(), orders::Column::TeamId)), Alias::new("team_id"))
        .expr_as(Expr::col((c.clone(), customers::Column::Province)), Alias::new("province"))
        .expr_as(Expr::col((c.clone(), customers::Column::Industry)), Alias::new("industry"))
        .from_as(orders::Entity, o.clone())
        .join_as(
            JoinType::InnerJoin,
            customers::Entity,
            c.clone(),
            Expr::col((c.clone(), customers::Column::Id)).equals((o.clone(), orders::Column::CustomerId)),
        )
        .cond_where(
            Condition::all()
                .add(Expr::col((o.clone(), orders::Column::DeletedAt)).is_null())
                .add(Expr::col((o.clone(), orders::Column::Status)).is_in(["confirmed", "fulfilled"]))
                .add(Expr::col((o.clone(), orders::Column::Currency)).eq(currency.as_str()))
                .add(Expr::col((o.clone(), orders::Column::OrderDate)).gte(fetch_from))
                .add(Expr::col((o.clone(), orders::Column::OrderDate)).lte(fetch_to))
                .add(actor.scope_condition(scope, (o.clone(), orders::Column::OwnerId), (o.clone(), orders::Column::TeamId))),
        )
        .take();
    let order_facts = OrderFact::find_by_statement(conn.get_database_backend().build(&order_query)).all(conn).await?;

    let p = Alias::new("p");
    let s = Alias::new("s");
    let opportunity_query = Query::select()
        .expr_as(Expr::col((p.clone(), opportunities::Column::Id)), Alias::new("id"))
        .expr_as(Expr::col((p.clone(), opportunities::Column::AmountMinor)), Alias::new("amount_minor"))
        .expr_as(Expr::col((p.clone(), opportunities::Column::CreatedAt)), Alias::new("created_at"))
        .expr_as(Expr::col((p.clone(), opportunities::Column::ClosedAt)), Alias::new("closed_at"))
        .expr_as(Expr::col((s.clone(), pipeline_stages::Column::Kind)), Alias::new("kind"))
        .expr_as(Expr::col((p.clone(), opportunities::Column::OwnerId)), Alias::new("owner_id"))
        .expr_as(Expr::col((p.clone(), opportunities::Column::TeamId)), Alias::new("team_id"))
        .expr_as(Expr::col((c.clone(), customers::Column::Province)), Alias::new("province"))
        .expr_as(Expr::col((c.clone(), customers::Column::Industry)), Alias::new("industry"))
        .from_as(opportunities::Entity, p.clone())
        .join_as(
            JoinType::InnerJoin,
            pipeline_stages::Entity,
            s.clone(),
            Expr::col((s.clone(), pipeline_stages::Column::Id)).equals((p.clone(), opportunities::Column::StageId)),
        )
        .join_as(
            JoinType::InnerJoin,
            customers::Entity,
            c.clone(),
            Expr::col((c.clone(), customers::Column::Id)).equals((p.clone(), opportunities::Column::CustomerId)),
        )
        .cond_where(
            Condition::all()
                .add(Expr::col((p.clone(), opportunities::Column::DeletedAt)).is_null())
                .add(Expr::col((p.clone(), opportunities::Column::ClosedAt)).gte(day_start(fetch_from)))
                .add(Expr::col((p.clone(), opportunities::Column::ClosedAt)).lt(day_start(fetch_to + Duration::days(1))))
                .add(Expr::col((p.clone(), opportunities::Column::Currency)).eq(currency.as_str()))
                .add(Expr::col((s.clone(), pipeline_stages::Column::Kind)).is_in(["won", "lost"]))
                .add(actor.scope_condition(scope, (p.clone(), opportunities::Column::OwnerId), (p.clone(), opportunities::Column::TeamId))),
        )
        .take();
    let opportunity_facts = OpportunityFact::find_by_statement(conn.get_database_backend().build(&opportunity_query)).all(conn).await?;

    // Product reports need the lines of those orders and opportunities.
    // Per order: (product, line total); per opportunity: its products.
    let mut order_lines_of: HashMap<Uuid, Vec<(Uuid, i64)>> = HashMap::new();
    let mut opportunity_products: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if group_by == GroupBy::Product {
        for chunk in order_facts.iter().map(|f| f.id).collect::<Vec<_>>().chunks(500) {
            let query = Query::select()
                .expr_as(Expr::col(order_lines::Column::OrderId), Alias::new("owner"))
                .column(order_lines::Column::ProductId)
                .column(order_lines::Column::LineTotalMinor)
                .from(order_lines::Entity)
                .and_where(Expr::col(order_lines::Column::OrderId).is_in(chunk.to_vec()))
                .take();
            for line in LineFact::find_by_statement(conn.get_database_backend().build(&query)).all(conn).await? {
                order_lines_of.entry(line.owner).or_default().push((line.product_id, line.line_total_minor));
            }
        }
        for chunk in opportunity_facts.iter().map(|f| f.id).collect::<Vec<_>>().chunks(500) {
            let query = Query::select()
                .expr_as(Expr::col(opportunity_lines::Column::OpportunityId), Alias::new("owner"))
                .column(opportunity_lines::Column::ProductId)
                .column(opportunity_lines::Column::LineTotalMinor)
                .from(opportunity_lines::Entity)
                .and_where(Expr::col(opportunity_lines::Column::OpportunityId).is_in(chunk.to_vec()))
                .take();
            for line in LineFact::find_by_statement(conn.get_database_backend().build(&query)).all(conn).await? {
                let products = opportunity_products.entry(line.owner).or_default();
                if !products.contains(&line.product_id) {
                    products.push(line.product_id);
                }
            }
        }
    }

    let windows_of = |date: NaiveDate| -> Vec<Window> {
        let mut windows = Vec::new();
        if date >= from && date <= to {
            windows.push(Window::Now);
        }
        if date >= previous_from && date <= previous_to {
            windows.push(Window::Previous);
        }
        if date >= year_from && date <= year_to {
            windows.push(Window::YearAgo);
        }
        windows
    };
    // Sums by (group key, window) for grouped reports, by bucket start for period reports, and
    // by window for the total.
    let mut grouped: HashMap<(String, Window), Sums> = HashMap::new();
    let mut buckets: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
    let mut totals: HashMap<Window, Sums> = HashMap::new();

    for fact in &order_facts {
        let windows = windows_of(fact.order_date);
        for window in &windows {
            let sums = totals.entry(*window).or_default();
            sums.revenue += fact.total_minor;
            sums.orders.insert(fact.id);
        }
        if group_by == GroupBy::Period {
            let sums = buckets.entry(period.start_of(fact.order_date)).or_default();
            sums.revenue += fact.total_minor;
            sums.orders.insert(fact.id);
            continue;
        }
        if group_by == GroupBy::Product {
            for (product, amount) in order_lines_of.get(&fact.id).map(Vec::as_slice).unwrap_or(&[]) {
                for window in &windows {
                    let sums = grouped.entry((product.to_string(), *window)).or_default();
                    sums.revenue += amount;
                    sums.orders.insert(fact.id);
                }
            }
            continue;
        }
        for key in grouping.keys(fact.order_date, fact.owner_id, fact.team_id, &fact.province, &fact.industry, &[]) {
            for window in &windows {
                let sums = grouped.entry((key.clone(), *window)).or_default();
                sums.revenue += fact.total_minor;
                sums.orders.insert(fact.id);
            }
        }
    }
    for fact in &opportunity_facts {
        let date = fact.closed_at.date_naive();
        let won = fact.kind == StageKind::Won.as_str();
        let add = |sums: &mut Sums| {
            if won {
                sums.won += 1;
                sums.won_amount += fact.amount_minor;
                sums.cycle_seconds += std::cmp::max((fact.closed_at - fact.created_at).num_seconds(), 0);
            } else {
                sums.lost += 1;
            }
        };
        let windows = windows_of(date);
        for window in &windows {
            add(totals.entry(*window).or_default());
        }
        if group_by == GroupBy::Period {
            add(buckets.entry(period.start_of(date)).or_default());
            continue;
        }
        let products = opportunity_products.get(&fact.id).cloned().unwrap_or_default();
        for key in grouping.keys(date, fact.owner_id, fact.team_id, &fact.province, &fact.industry, &products) {
            for window in &windows {
                add(grouped.entry((key.clone(), *window)).or_default());
            }
        }
    }

    let empty = Sums::default();
    let get = |map: &HashMap<Window, Sums>, w: Window| map.get(&w).cloned().unwrap_or_default();
    let total = measures(&get(&totals, Window::Now), &get(&totals, Window::Previous), &get(&totals, Window::YearAgo));
    let mut rows = Vec::new();
    if group_by == GroupBy::Period {
        let mut start = period.start_of(from);
        while start <= to {
            let year_ago_start = if period == Period::Week { start - Duration::days(364) } else { period.start_of(year_before(start)) };
            let now = buckets.get(&start).unwrap_or(&empty);
            let previous = buckets.get(&period.previous(start)).unwrap_or(&empty);
            let year_ago = buckets.get(&year_ago_start).unwrap_or(&empty);
            rows.push(ReportRow { key: start.to_string(), label: period.label(start), measures: measures(now, previous, year_ago) });
            start = period.next(start);
        }
    } else {
        let keys: std::collections::BTreeSet<String> =
            grouped.iter().filter(|((_, w), _)| *w == Window::Now).map(|((k, _), _)| k.clone()).collect();
        let labels = labels(conn, group_by, &keys).await?;
        for key in keys {
            let pick = |w: Window| grouped.get(&(key.clone(), w)).cloned().unwrap_or_default();
            let label = labels.get(&key).cloned().unwrap_or_else(|| if key.is_empty() { "(none)".into() } else { key.clone() });
            rows.push(ReportRow { label, measures: measures(&pick(Window::Now), &pick(Window::Previous), &pick(Window::YearAgo)), key });
        }
        rows.sort_by(|a, b| b.measures.revenue_minor.value.cmp(&a.measures.revenue_minor.value).then_with(|| a.label.cmp(&b.label)));
    }
    Ok(SalesReport {
        from,
        to,
        group_by,
        period: (group_by == GroupBy::Period).then_some(period),
        currency: currency.as_str().to_owned(),
        rows,
        total,
    })
}

/// Display names for owner, team and product keys.
async fn labels(
    conn: &impl ConnectionTrait,
    group_by: GroupBy,
    keys: &std::collections::BTreeSet<String>,
) -> Result<HashMap<String, String>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ids: Vec<Uuid> = keys.iter().filter_map(|k| Uuid::parse_str(k).ok()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(match group_by {
        GroupBy::Owner => {
            crate::platform::audit::user_names(conn, &ids).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect()
        }
        GroupBy::Team => teams::Entity::find()
            .filter(teams::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        GroupBy::Product => products::Entity::find()
            .filter(products::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), format!("{} {}", p.sku, p.name)))
            .collect(),
        _ => HashMap::new(),
    })
}

/// One step of the funnel.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelStep {
    pub stage_id: Uuid,
    pub key: String,
    pub name: String,
    /// Opportunities that reached this stage or a later one.
    pub reached: i64,
    /// reached ÷ the previous step's reached; `null` for the first step or after zero.
    pub conversion: Option<f64>,
}

/// Conversion through the stages of a pipeline for opportunities created in `[from, to]`: an
/// opportunity reached a stage when it was ever in it or in a later open stage, or won.
pub async fn funnel(db: &Db, actor: &Actor, pipeline_id: Uuid, from: NaiveDate, to: NaiveDate) -> Result<Vec<FunnelStep>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let stages = crate::sales::pipelines::stages_of(&db.conn, pipeline_id).await?;
    if stages.is_empty() {
        return Err(Error::NotFound);
    }
    let steps: Vec<_> = stages.iter().filter(|s| s.kind != StageKind::Lost).collect();
    let rank: HashMap<Uuid, usize> = steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let created: Vec<Uuid> = opportunities::Entity::find()
        .select_only()
        .column(opportunities::Column::Id)
        .filter(opportunities::Column::PipelineId.eq(pipeline_id))
        .filter(opportunities::Column::DeletedAt.is_null())
        .filter(opportunities::Column::CreatedAt.gte(day_start(from)))
        .filter(opportunities::Column::CreatedAt.lt(day_start(to + Duration::days(1))))
        .filter(actor.scope_condition(
            scope,
            (opportunities::Entity, opportunities::Column::OwnerId),
            (opportunities::Entity, opportunities::Column::TeamId),
        ))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let mut furthest: HashMap<Uuid, usize> = HashMap::new();
    for chunk in created.chunks(500) {
        let moves: Vec<(Uuid, Uuid)> = opportunity_stage_history::Entity::find()
            .select_only()
            .column(opportunity_stage_history::Column::OpportunityId)
            .column(opportunity_stage_history::Column::ToStageId)
            .filter(opportunity_stage_history::Column::OpportunityId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&db.conn)
            .await?;
        for (opportunity, stage) in moves {
            if let Some(r) = rank.get(&stage) {
                let entry = furthest.entry(opportunity).or_insert(*r);
                *entry = (*entry).max(*r);
            }
        }
    }
    let mut result = Vec::with_capacity(steps.len());
    let mut previous: Option<i64> = None;
    for (index, stage) in steps.iter().enumerate() {
        let reached = furthest.values().filter(|r| **r >= index).count() as i64;
        let conversion = previous.filter(|p| *p > 0).map(|p| ((reached as f64 / p as f64) * 10_000.0).round() / 10_000.0);
        result.push(FunnelStep { stage_id: stage.id, key: stage.key.clone(), name: stage.name.clone(), reached, conversion });
        previous = Some(reached);
    }
    Ok(result)
}

/// (expected close date, currency, amount, probability override, stage) of an open opportunity.
type OpenOpportunity = (Option<NaiveDate>, String, i64, Option<i32>, Uuid);

/// Open pipeline by expected close month.
#[derive(Debug, Clone, Serialize)]
pub struct ForecastRow {
    /// `2026-12`, or `unscheduled` without an expected close date.
    pub month: String,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
    /// Σ amount × probability (the override or the stage's), rounded once.
    pub weighted_minor: i64,
}

pub async fn forecast(db: &Db, actor: &Actor, pipeline_id: Option<Uuid>) -> Result<Vec<ForecastRow>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let mut select = opportunities::Entity::find()
        .select_only()
        .column(opportunities::Column::ExpectedCloseDate)
        .column(opportunities::Column::Currency)
        .column(opportunities::Column::AmountMinor)
        .column(opportunities::Column::Probability)
        .column(opportunities::Column::StageId)
        .filter(opportunities::Column::DeletedAt.is_null())
        .filter(opportunities::Column::ClosedAt.is_null())
        .filter(actor.scope_condition(
            scope,
            (opportunities::Entity, opportunities::Column::OwnerId),
            (opportunities::Entity, opportunities::Column::TeamId),
        ));
    if let Some(pipeline_id) = pipeline_id {
        select = select.filter(opportunities::Column::PipelineId.eq(pipeline_id));
    }
    let open: Vec<OpenOpportunity> = select.into_tuple().all(&db.conn).await?;
    let stage_probability: HashMap<Uuid, i32> =
        pipeline_stages::Entity::find().all(&db.conn).await?.into_iter().map(|s| (s.id, s.probability)).collect();
    let mut sums: BTreeMap<(String, String), (i64, i64, i128)> = BTreeMap::new();
    for (date, currency, amount, probability, stage) in open {
        let month = date.map(|d| d.format("%Y-%m").to_string()).unwrap_or_else(|| "unscheduled".into());
        let p = probability.or_else(|| stage_probability.get(&stage).copied()).unwrap_or(0);
        let entry = sums.entry((month, currency)).or_default();
        entry.0 += 1;
        entry.1 += amount;
        entry.2 += i128::from(amount) * i128::from(p);
    }
    Ok(sums
        .into_iter()
        .map(|((month, currency), (count, amount_minor, weighted))| ForecastRow {
            month,
            currency,
            count,
            amount_minor,
            weighted_minor: i64::try_from((weighted + 50) / 100).unwrap_or(i64::MAX),
        })
        .collect())
}
