//! Sales reports: revenue, orders, won deals, win rate, deal size and cycle length, grouped and
//! compared with the previous period and the same period a year before; the stage funnel; the
//! weighted forecast. Every figure is computed over the rows the caller's scope reaches, in one
//! pass over indexed fact rows (date-bucketing SQL differs between the backends, so buckets are
//! made here, in one place, the same way for both).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query};
use serde::Serialize;
use uuid::Uuid;

use crm_domain::dates::{add_days, organisation_day_start};
use crm_domain::identity::{Action, Resource};
use crm_domain::sales::reports::{GroupBy, Period, previous_range, year_before};
use crm_domain::sales::{Currency, StageKind, growth_rate};

use crate::entities::{
    customers, opportunities, opportunity_lines, opportunity_stage_history, order_lines, orders, pipeline_stages, products,
};
use crate::identity::names::Names;
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
    orders: i64,
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
    fn add(&mut self, other: &Sums) {
        self.revenue += other.revenue;
        self.orders += other.orders;
        self.won += other.won;
        self.lost += other.lost;
        self.won_amount += other.won_amount;
        self.cycle_seconds += other.cycle_seconds;
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
        order_count: int(|s| s.orders),
        won_opportunities: int(|s| s.won),
        win_rate: ratio(Sums::win_rate),
        average_deal_size_minor: opt_int(Sums::average_deal),
        average_cycle_days: ratio(Sums::average_cycle_days),
    }
}

/// What the database groups facts by: a report's grouping, the day (period reports are bucketed
/// here from daily sums, since date bucketing SQL differs between the backends), or nothing (the
/// total of a product report, where one order counts once however many products it holds).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Province,
    Industry,
    Owner,
    Team,
    Product,
    Day,
    Nothing,
}

impl Key {
    fn of(group_by: GroupBy) -> Key {
        match group_by {
            GroupBy::Region => Key::Province,
            GroupBy::Industry => Key::Industry,
            GroupBy::Owner => Key::Owner,
            GroupBy::Team => Key::Team,
            GroupBy::Product => Key::Product,
            GroupBy::Period => Key::Day,
        }
    }

    fn needs_customer(self) -> bool {
        matches!(self, Key::Province | Key::Industry)
    }

    /// Selects `key_expr` as the query's `group_key`, joining the customers (as `c`) on the
    /// grouped record's `customer_id` column when the key is one of the customer's own.
    fn select(
        self,
        query: &mut sea_orm::sea_query::SelectStatement,
        key_expr: &sea_orm::sea_query::SimpleExpr,
        c: &Alias,
        customer_id: (Alias, impl sea_orm::sea_query::IntoIden),
    ) {
        query.expr_as(key_expr.clone(), Alias::new("group_key"));
        if self.needs_customer() {
            query.join_as(
                JoinType::InnerJoin,
                customers::Entity,
                c.clone(),
                Expr::col((c.clone(), customers::Column::Id)).equals(customer_id),
            );
        }
    }

    /// Reads the group key of one result row as the report's key string (a date for `Day`).
    fn read(self, row: &sea_orm::QueryResult) -> Result<String> {
        Ok(match self {
            Key::Province | Key::Industry => row.try_get::<Option<String>>("", "group_key")?.unwrap_or_default(),
            Key::Owner | Key::Product => row.try_get::<Option<Uuid>>("", "group_key")?.map(|id| id.to_string()).unwrap_or_default(),
            // the rollups keep "no team" as the nil uuid (a key column cannot be NULL)
            Key::Team => {
                row.try_get::<Option<Uuid>>("", "group_key")?.filter(|id| !id.is_nil()).map(|id| id.to_string()).unwrap_or_default()
            }
            Key::Day => row.try_get::<Option<NaiveDate>>("", "group_key")?.map(|d| d.to_string()).unwrap_or_default(),
            Key::Nothing => String::new(),
        })
    }
}

/// `CAST(SUM(CASE WHEN condition THEN value ELSE 0 END) AS BIGINT)`: a sum restricted to one
/// window, as an integer on both backends (PostgreSQL's SUM of BIGINT is NUMERIC).
fn sum_when(condition: Condition, value: sea_orm::sea_query::SimpleExpr) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Func;
    let sum: sea_orm::sea_query::SimpleExpr = Func::sum(Expr::case(condition, value).finally(Expr::val(0))).into();
    let zero: sea_orm::sea_query::SimpleExpr = Expr::val(0);
    Func::cast_as(Func::coalesce([sum, zero]), Alias::new("BIGINT")).into()
}

/// Revenue and order count per group key and window, summed by the database from the orders
/// themselves. Each window is a set of inclusive date ranges; only orders within their [`span`]
/// are read.
async fn order_sums(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    currency: &Currency,
    key: Key,
    windows: &[Vec<DateRange>],
    sums: &mut HashMap<String, Vec<Sums>>,
) -> Result<()> {
    use sea_orm::sea_query::{Func, SimpleExpr};
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let (o, c, l) = (Alias::new("o"), Alias::new("c"), Alias::new("l"));
    let mut query = Query::select();
    query.from_as(orders::Entity, o.clone());
    let key_expr: SimpleExpr = match key {
        Key::Province => Expr::col((c.clone(), customers::Column::Province)),
        Key::Industry => Expr::col((c.clone(), customers::Column::Industry)),
        Key::Owner => Expr::col((o.clone(), orders::Column::OwnerId)),
        Key::Team => Expr::col((o.clone(), orders::Column::TeamId)),
        Key::Product => Expr::col((l.clone(), order_lines::Column::ProductId)),
        Key::Day => Expr::col((o.clone(), orders::Column::OrderDate)),
        Key::Nothing => Expr::cust("''"),
    };
    key.select(&mut query, &key_expr, &c, (o.clone(), orders::Column::CustomerId));
    // A product's revenue is its lines' total; its order count counts each order once.
    let amount: SimpleExpr = if key == Key::Product {
        query.join_as(
            JoinType::InnerJoin,
            order_lines::Entity,
            l.clone(),
            Expr::col((l.clone(), order_lines::Column::OrderId)).equals((o.clone(), orders::Column::Id)),
        );
        Expr::col((l.clone(), order_lines::Column::LineTotalMinor))
    } else {
        Expr::col((o.clone(), orders::Column::TotalMinor))
    };
    for (index, ranges) in windows.iter().enumerate() {
        let within = || within_ranges(ranges, |(from, to)| Expr::col((o.clone(), orders::Column::OrderDate)).between(*from, *to));
        query.expr_as(sum_when(within(), amount.clone()), Alias::new(format!("revenue_{index}")));
        let count: SimpleExpr = if key == Key::Product {
            Func::count_distinct(Expr::case(within(), Expr::col((o.clone(), orders::Column::Id))).finally(Expr::val(Option::<Uuid>::None)))
                .into()
        } else {
            sum_when(within(), Expr::val(1))
        };
        query.expr_as(Func::cast_as(count, Alias::new("BIGINT")), Alias::new(format!("orders_{index}")));
    }
    query.cond_where(
        Condition::all()
            .add(Expr::col((o.clone(), orders::Column::DeletedAt)).is_null())
            .add(Expr::col((o.clone(), orders::Column::Status)).is_in(["confirmed", "fulfilled"]))
            .add(Expr::col((o.clone(), orders::Column::Currency)).eq(currency.as_str()))
            .add(within_ranges(&windows.concat(), |(from, to)| Expr::col((o.clone(), orders::Column::OrderDate)).between(*from, *to)))
            .add(actor.scope_condition(scope, (o.clone(), orders::Column::OwnerId), (o.clone(), orders::Column::TeamId))),
    );
    if key != Key::Nothing {
        query.add_group_by([key_expr]);
    }
    add_rows(conn, &query, key, windows.len(), sums, |row, index, window| {
        window.revenue += row.try_get::<i64>("", &format!("revenue_{index}"))?;
        window.orders += row.try_get::<i64>("", &format!("orders_{index}"))?;
        Ok(())
    })
    .await
}

/// Won and lost opportunities, won amounts and cycle seconds per group key and window, summed by
/// the database; an opportunity belongs to the organisation's day (in `time_zone`) it closed, as
/// in the rollups. `windows` as for orders.
async fn opportunity_sums(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    currency: &Currency,
    key: Key,
    windows: &[Vec<DateRange>],
    time_zone: chrono_tz::Tz,
    sums: &mut HashMap<String, Vec<Sums>>,
) -> Result<()> {
    use sea_orm::DatabaseBackend;
    use sea_orm::sea_query::SimpleExpr;
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let backend = conn.get_database_backend();
    let (p, s, c, l) = (Alias::new("p"), Alias::new("s"), Alias::new("c"), Alias::new("l"));
    let mut query = Query::select();
    query.from_as(opportunities::Entity, p.clone()).join_as(
        JoinType::InnerJoin,
        pipeline_stages::Entity,
        s.clone(),
        Expr::col((s.clone(), pipeline_stages::Column::Id)).equals((p.clone(), opportunities::Column::StageId)),
    );
    let key_expr: SimpleExpr = match key {
        Key::Province => Expr::col((c.clone(), customers::Column::Province)),
        Key::Industry => Expr::col((c.clone(), customers::Column::Industry)),
        Key::Owner => Expr::col((p.clone(), opportunities::Column::OwnerId)),
        Key::Team => Expr::col((p.clone(), opportunities::Column::TeamId)),
        Key::Product => Expr::col((l.clone(), Alias::new("product_id"))),
        // the organisation's day, as the rollup views take it (migration 017)
        Key::Day => Expr::cust(crm_migrations::organisation_days::day_of(
            crm_migrations::sales_rollups::Dialect::of(backend),
            &format!("p.{}", sea_orm::IdenStatic::as_str(&opportunities::Column::ClosedAt)),
        )),
        Key::Nothing => Expr::cust("''"),
    };
    key.select(&mut query, &key_expr, &c, (p.clone(), opportunities::Column::CustomerId));
    if key == Key::Product {
        // Each product an opportunity holds counts the opportunity once.
        let products_of = Query::select()
            .distinct()
            .column(opportunity_lines::Column::OpportunityId)
            .column(opportunity_lines::Column::ProductId)
            .from(opportunity_lines::Entity)
            .take();
        query.join_subquery(
            JoinType::InnerJoin,
            products_of,
            l.clone(),
            Expr::col((l.clone(), opportunity_lines::Column::OpportunityId)).equals((p.clone(), opportunities::Column::Id)),
        );
    }
    // Whole seconds from creation to closing, never negative, as chrono's `num_seconds` counts them.
    let cycle_seconds = match backend {
        DatabaseBackend::Postgres => Expr::cust("GREATEST(TRUNC(EXTRACT(EPOCH FROM (p.closed_at - p.created_at))), 0)"),
        _ => Expr::cust("MAX(CAST((julianday(p.closed_at) - julianday(p.created_at)) * 86400 AS INTEGER), 0)"),
    };
    for (index, ranges) in windows.iter().enumerate() {
        let closed = |kind: StageKind| {
            Condition::all()
                .add(Expr::col((s.clone(), pipeline_stages::Column::Kind)).eq(kind.as_str()))
                .add(within_ranges(ranges, |(from, to)| closed_within(&p, *from, *to, time_zone)))
        };
        query.expr_as(sum_when(closed(StageKind::Won), Expr::val(1)), Alias::new(format!("won_{index}")));
        query.expr_as(sum_when(closed(StageKind::Lost), Expr::val(1)), Alias::new(format!("lost_{index}")));
        query.expr_as(
            sum_when(closed(StageKind::Won), Expr::col((p.clone(), opportunities::Column::AmountMinor))),
            Alias::new(format!("won_amount_{index}")),
        );
        query.expr_as(sum_when(closed(StageKind::Won), cycle_seconds.clone()), Alias::new(format!("cycle_{index}")));
    }
    query.cond_where(
        Condition::all()
            .add(Expr::col((p.clone(), opportunities::Column::DeletedAt)).is_null())
            .add(within_ranges(&windows.concat(), |(from, to)| closed_within(&p, *from, *to, time_zone)))
            .add(Expr::col((p.clone(), opportunities::Column::Currency)).eq(currency.as_str()))
            .add(Expr::col((s.clone(), pipeline_stages::Column::Kind)).is_in([StageKind::Won.as_str(), StageKind::Lost.as_str()]))
            .add(actor.scope_condition(scope, (p.clone(), opportunities::Column::OwnerId), (p.clone(), opportunities::Column::TeamId))),
    );
    if key != Key::Nothing {
        query.add_group_by([key_expr]);
    }
    add_rows(conn, &query, key, windows.len(), sums, |row, index, window| {
        window.won += row.try_get::<i64>("", &format!("won_{index}"))?;
        window.lost += row.try_get::<i64>("", &format!("lost_{index}"))?;
        window.won_amount += row.try_get::<i64>("", &format!("won_amount_{index}"))?;
        window.cycle_seconds += row.try_get::<i64>("", &format!("cycle_{index}"))?;
        Ok(())
    })
    .await
}

/// An inclusive range of days.
type DateRange = (NaiveDate, NaiveDate);

/// A fact lies in one of `ranges` (none: in no window at all).
fn within_ranges(ranges: &[DateRange], one: impl Fn(&DateRange) -> sea_orm::sea_query::SimpleExpr) -> Condition {
    if ranges.is_empty() {
        return Condition::all().add(Expr::val(1).eq(0));
    }
    ranges.iter().fold(Condition::any(), |any, range| any.add(one(range)))
}

/// A rollup kept ready by migration 010: per day and owner/team, or per month and owner/team
/// and a customer dimension (province or industry).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rollup {
    Days,
    Months(&'static str),
}

/// Where a grouping's figures come from, cheapest first: the month rollup for the whole months
/// of a window (summing a dimension's rows gives owner, team and total figures too), and for the
/// days at its edges the day rollup, or the facts where the grouping is a customer dimension the
/// day rollup does not keep. Period reports bucket days, so they read the day rollup; product
/// figures come from the order lines.
enum Plan {
    Days,
    MonthsThen { months: &'static str, edges_from_days: bool },
    Facts,
}

impl Plan {
    fn of(key: Key) -> Plan {
        match key {
            Key::Day => Plan::Days,
            Key::Owner | Key::Team | Key::Nothing => Plan::MonthsThen { months: "province", edges_from_days: true },
            Key::Province => Plan::MonthsThen { months: "province", edges_from_days: false },
            Key::Industry => Plan::MonthsThen { months: "industry", edges_from_days: false },
            Key::Product => Plan::Facts,
        }
    }
}

/// Splits a range into the whole months it covers (first and last month start) and the days at
/// its edges that lie outside them.
fn whole_months(from: NaiveDate, to: NaiveDate) -> (Option<DateRange>, Vec<DateRange>) {
    use chrono::Datelike;
    let first = if from.day() == 1 { Some(from) } else { next_month_start(from) };
    let last = to.succ_opt().and_then(|after| {
        let start = after.with_day(1)?;
        // the month before the one `to + 1` starts in ends on `to` exactly when `to + 1` is a 1st
        if after.day() == 1 { Some(to.with_day(1)?) } else { start.pred_opt()?.with_day(1) }
    });
    match (first, last) {
        (Some(first), Some(last)) if first <= last => {
            let mut edges = Vec::new();
            if from < first {
                edges.push((from, first.pred_opt().unwrap_or(from)));
            }
            let after_last = next_month_start(last).unwrap_or(to);
            if after_last <= to {
                edges.push((after_last, to));
            }
            (Some((first, last)), edges)
        }
        _ => (None, vec![(from, to)]),
    }
}

fn next_month_start(date: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    let (year, month) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// Sums per group key and window read from a rollup. For the month rollup `windows` are month
/// starts (whole months); for the day rollup, days.
///
/// The database sums plainly per key and date, and each date's sums are added here to every window
/// that holds it: one `CASE` per measure and window in the database cost twice as much CPU as
/// reading the few hundred (key, date) rows this returns.
async fn rollup_sums(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    currency: &Currency,
    key: Key,
    rollup: Rollup,
    windows: &[Vec<DateRange>],
    sums: &mut HashMap<String, Vec<Sums>>,
) -> Result<()> {
    use sea_orm::sea_query::{Func, SimpleExpr};
    const MEASURES: [&str; 6] = ["revenue_minor", "order_count", "won_count", "lost_count", "won_amount_minor", "cycle_seconds"];
    let scope = actor.require(Resource::Sales, Action::Read)?;
    let (table, date) = match rollup {
        Rollup::Days => ("sales_day_rollups", "day"),
        Rollup::Months(_) => ("sales_month_rollups", "month"),
    };
    let (r, date) = (Alias::new("r"), Alias::new(date));
    let date_expr: SimpleExpr = Expr::col((r.clone(), date.clone()));
    let mut query = Query::select();
    query.from_as(Alias::new(table), r.clone());
    let key_expr: Option<SimpleExpr> = match key {
        Key::Province | Key::Industry => Some(Expr::col((r.clone(), Alias::new("dimension_value")))),
        Key::Owner => Some(Expr::col((r.clone(), Alias::new("owner_id")))),
        Key::Team => Some(Expr::col((r.clone(), Alias::new("team_id")))),
        Key::Day => Some(date_expr.clone()),
        Key::Product | Key::Nothing => None,
    };
    query.expr_as(key_expr.clone().unwrap_or_else(|| Expr::cust("''")), Alias::new("group_key"));
    query.expr_as(date_expr.clone(), Alias::new("bucket"));
    for measure in MEASURES {
        // PostgreSQL's SUM of BIGINT is NUMERIC: cast back so both backends give an integer.
        let sum: SimpleExpr = Func::sum(Expr::col((r.clone(), Alias::new(measure)))).into();
        query.expr_as(Func::cast_as(sum, Alias::new("BIGINT")), Alias::new(measure));
    }
    let mut condition = Condition::all()
        .add(Expr::col((r.clone(), Alias::new("currency"))).eq(currency.as_str()))
        .add(within_ranges(&windows.concat(), |(from, to)| Expr::col((r.clone(), date.clone())).between(*from, *to)))
        .add(actor.scope_condition(scope, (r.clone(), Alias::new("owner_id")), (r.clone(), Alias::new("team_id"))));
    if let Rollup::Months(dimension) = rollup {
        condition = condition.add(Expr::col((r.clone(), Alias::new("dimension"))).eq(dimension));
    }
    query.cond_where(condition);
    match key_expr {
        Some(key_expr) if key != Key::Day => query.add_group_by([key_expr, date_expr]),
        _ => query.add_group_by([date_expr]),
    };
    for row in conn.query_all(&query).await? {
        let bucket: NaiveDate = row.try_get("", "bucket")?;
        let mut figures = [0i64; MEASURES.len()];
        for (figure, measure) in figures.iter_mut().zip(MEASURES) {
            *figure = row.try_get::<Option<i64>>("", measure)?.unwrap_or(0);
        }
        let [revenue, orders, won, lost, won_amount, cycle_seconds] = figures;
        let of_bucket = Sums { revenue, orders, won, lost, won_amount, cycle_seconds };
        let per_window = sums.entry(key.read(&row)?).or_insert_with(|| vec![Sums::default(); windows.len()]);
        for (window, ranges) in per_window.iter_mut().zip(windows) {
            if ranges.iter().any(|(from, to)| (*from..=*to).contains(&bucket)) {
                window.add(&of_bucket);
            }
        }
    }
    Ok(())
}

/// Order and opportunity sums together, per group key and window (each window a set of
/// inclusive ranges of the organisation's days in `time_zone`), read as `plan` says.
async fn fact_sums(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    currency: &Currency,
    key: Key,
    plan: Plan,
    windows: &[Vec<DateRange>],
    time_zone: chrono_tz::Tz,
) -> Result<HashMap<String, Vec<Sums>>> {
    let mut sums = HashMap::new();
    match plan {
        Plan::Days => rollup_sums(conn, actor, currency, key, Rollup::Days, windows, &mut sums).await?,
        Plan::MonthsThen { months, edges_from_days } => {
            let (whole, edges): (Vec<Vec<DateRange>>, Vec<Vec<DateRange>>) = windows
                .iter()
                .map(|ranges| {
                    let mut whole = Vec::new();
                    let mut edges = Vec::new();
                    for (from, to) in ranges {
                        let (months, days) = whole_months(*from, *to);
                        whole.extend(months);
                        edges.extend(days);
                    }
                    (whole, edges)
                })
                .unzip();
            if whole.iter().any(|w| !w.is_empty()) {
                rollup_sums(conn, actor, currency, key, Rollup::Months(months), &whole, &mut sums).await?;
            }
            if edges.iter().any(|e| !e.is_empty()) {
                if edges_from_days {
                    rollup_sums(conn, actor, currency, key, Rollup::Days, &edges, &mut sums).await?;
                } else {
                    order_sums(conn, actor, currency, key, &edges, &mut sums).await?;
                    opportunity_sums(conn, actor, currency, key, &edges, time_zone, &mut sums).await?;
                }
            }
        }
        Plan::Facts => {
            order_sums(conn, actor, currency, key, windows, &mut sums).await?;
            opportunity_sums(conn, actor, currency, key, windows, time_zone, &mut sums).await?;
        }
    }
    Ok(sums)
}

/// Cuts `range` before each of `cuts` that falls inside it, so that no part straddles a cut.
fn cut_at(range: DateRange, cuts: &[NaiveDate]) -> Vec<DateRange> {
    let mut starts: Vec<NaiveDate> = cuts.iter().copied().filter(|c| *c > range.0 && *c <= range.1).collect();
    starts.sort();
    starts.dedup();
    let mut parts = Vec::new();
    let mut from = range.0;
    for start in starts {
        parts.push((from, start.pred_opt().unwrap_or(start)));
        from = start;
    }
    parts.push((from, range.1));
    parts
}

/// An opportunity closed on one of the organisation's days `from`..=`to`: from the first instant
/// of `from` in `time_zone` until that of the day after `to`.
fn closed_within(p: &Alias, from: NaiveDate, to: NaiveDate, time_zone: chrono_tz::Tz) -> sea_orm::sea_query::SimpleExpr {
    let closed_at = || Expr::col((p.clone(), opportunities::Column::ClosedAt));
    closed_at().gte(organisation_day_start(from, time_zone)).and(closed_at().lt(organisation_day_start(add_days(to, 1), time_zone)))
}

/// Runs a grouped sums query and lets `add` add each row's figures of each window into the sums
/// of the row's group (orders and opportunities fill the same map).
async fn add_rows(
    conn: &impl ConnectionTrait,
    query: &sea_orm::sea_query::SelectStatement,
    key: Key,
    windows: usize,
    sums: &mut HashMap<String, Vec<Sums>>,
    add: impl Fn(&sea_orm::QueryResult, usize, &mut Sums) -> Result<()>,
) -> Result<()> {
    for row in conn.query_all(query).await? {
        let per_window = sums.entry(key.read(&row)?).or_insert_with(|| vec![Sums::default(); windows]);
        for (index, window) in per_window.iter_mut().enumerate() {
            add(&row, index, window)?;
        }
    }
    Ok(())
}

pub struct SalesReportRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub period: Period,
    pub currency: Currency,
    /// The organisation's zone, whose days `from` and `to` are (the one the rollups count in).
    pub time_zone: chrono_tz::Tz,
}

/// The report, computed from sums the database makes over the caller's scope: the server holds
/// one row per group (or per day for period reports), never the facts themselves.
#[tracing::instrument(skip_all)]
pub async fn sales_report(db: &Db, actor: &Actor, request: &SalesReportRequest) -> Result<SalesReport> {
    actor.require(Resource::Sales, Action::Read)?;
    let txn = db.begin_report().await?;
    let report = sums_into_report(db, &txn, actor, request).await?;
    txn.commit().await?;
    Ok(report)
}

async fn sums_into_report(db: &Db, conn: &impl ConnectionTrait, actor: &Actor, request: &SalesReportRequest) -> Result<SalesReport> {
    let SalesReportRequest { from, to, group_by, period, currency, time_zone } = request;
    let (from, to, group_by, period, currency, time_zone) = (*from, *to, *group_by, *period, currency, *time_zone);
    let (previous_from, previous_to) = previous_range(from, to);
    let (year_from, year_to) = (year_before(from), year_before(to));
    let windows = [(from, to), (previous_from, previous_to), (year_from, year_to)];
    let zero = || vec![Sums::default(); windows.len()];
    let total_of = |per_window: &[Sums]| measures(&per_window[0], &per_window[1], &per_window[2]);

    if group_by == GroupBy::Period {
        // Daily sums from the earliest day any bucket compares with, bucketed here.
        let fetch_from = [previous_from, year_from, year_before(period.previous(period.start_of(from)))].into_iter().min().unwrap_or(from);
        // Months, quarters and years are made of whole months: those can come from the month
        // rollup (dated the 1st) as long as none straddles the start or end of a window, so the
        // range is cut there first; the days left at the cuts come from the day rollup.
        let plan = match period {
            Period::Day | Period::Week => Plan::Days,
            Period::Month | Period::Quarter | Period::Year => Plan::MonthsThen { months: "province", edges_from_days: true },
        };
        let cuts: Vec<NaiveDate> = windows.iter().flat_map(|(start, end)| [*start, add_days(*end, 1)]).collect();
        let daily = fact_sums(conn, actor, currency, Key::Day, plan, &[cut_at((fetch_from, to), &cuts)], time_zone).await?;
        let mut buckets: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
        let mut totals = zero();
        for (day, sums) in &daily {
            let Ok(day) = day.parse::<NaiveDate>() else { continue };
            buckets.entry(period.start_of(day)).or_default().add(&sums[0]);
            for (window, (start, end)) in totals.iter_mut().zip(&windows) {
                if day >= *start && day <= *end {
                    window.add(&sums[0]);
                }
            }
        }
        let empty = Sums::default();
        let mut rows = Vec::new();
        let mut start = period.start_of(from);
        while start <= to {
            let year_ago_start = if period == Period::Week { add_days(start, -364) } else { period.start_of(year_before(start)) };
            let now = buckets.get(&start).unwrap_or(&empty);
            let previous = buckets.get(&period.previous(start)).unwrap_or(&empty);
            let year_ago = buckets.get(&year_ago_start).unwrap_or(&empty);
            rows.push(ReportRow { key: start.to_string(), label: period.label(start), measures: measures(now, previous, year_ago) });
            start = period.next(start);
        }
        return Ok(SalesReport {
            from,
            to,
            group_by,
            period: Some(period),
            currency: currency.as_str().to_owned(),
            rows,
            total: total_of(&totals),
        });
    }

    let as_sets: Vec<Vec<DateRange>> = windows.iter().map(|w| vec![*w]).collect();
    let key = Key::of(group_by);
    let grouped = fact_sums(conn, actor, currency, key, Plan::of(key), &as_sets, time_zone).await?;
    let totals = if group_by == GroupBy::Product {
        fact_sums(conn, actor, currency, Key::Nothing, Plan::of(Key::Nothing), &as_sets, time_zone).await?.remove("").unwrap_or_else(zero)
    } else {
        // Every fact lies in exactly one group, so the total is the groups' sum.
        grouped.values().fold(zero(), |mut total, per_window| {
            total.iter_mut().zip(per_window).for_each(|(into, from)| into.add(from));
            total
        })
    };
    // A group appears when something happened in it in the report's own window.
    let has_current = |s: &Sums| s.revenue != 0 || s.orders != 0 || s.won != 0 || s.lost != 0;
    let keys: std::collections::BTreeSet<String> =
        grouped.iter().filter(|(_, per_window)| has_current(&per_window[0])).map(|(key, _)| key.clone()).collect();
    let labels = labels(db, group_by, &keys).await?;
    let mut rows = Vec::new();
    for key in keys {
        let per_window = grouped.get(&key).cloned().unwrap_or_else(zero);
        let label = labels.get(&key).cloned().unwrap_or_else(|| if key.is_empty() { "(none)".into() } else { key.clone() });
        rows.push(ReportRow { label, measures: total_of(&per_window), key });
    }
    rows.sort_by(|a, b| b.measures.revenue_minor.value.cmp(&a.measures.revenue_minor.value).then_with(|| a.label.cmp(&b.label)));
    Ok(SalesReport { from, to, group_by, period: None, currency: currency.as_str().to_owned(), rows, total: total_of(&totals) })
}

/// Display names for owner, team and product keys.
async fn labels(db: &Db, group_by: GroupBy, keys: &std::collections::BTreeSet<String>) -> Result<HashMap<String, String>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ids: Vec<Uuid> = keys.iter().filter_map(|k| Uuid::parse_str(k).ok()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(match group_by {
        GroupBy::Owner => Names::cached(db).users(&ids).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        GroupBy::Team => Names::cached(db).teams(&ids).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        GroupBy::Product => products::Entity::find()
            .filter(products::Column::Id.is_in(ids))
            .all(&db.conn)
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

/// Conversion through the stages of a pipeline for opportunities created within `created` (the
/// caller turns a range of days into instants in the organisation's time zone): an opportunity
/// reached a stage when it was ever in it or in a later open stage, or won.
#[tracing::instrument(skip_all)]
pub async fn funnel(db: &Db, actor: &Actor, pipeline_id: Uuid, created: std::ops::Range<DateTime<Utc>>) -> Result<Vec<FunnelStep>> {
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
        .filter(opportunities::Column::CreatedAt.gte(created.start))
        .filter(opportunities::Column::CreatedAt.lt(created.end))
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

#[tracing::instrument(skip_all)]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn whole_months_and_the_days_at_the_edges_cover_a_range_once() {
        assert_eq!(whole_months(d("2025-11-01"), d("2026-10-31")), (Some((d("2025-11-01"), d("2026-10-01"))), vec![]));
        assert_eq!(
            whole_months(d("2026-08-31"), d("2026-10-20")),
            (Some((d("2026-09-01"), d("2026-09-01"))), vec![(d("2026-08-31"), d("2026-08-31")), (d("2026-10-01"), d("2026-10-20"))])
        );
        // no whole month inside: all edge
        assert_eq!(whole_months(d("2026-02-02"), d("2026-03-30")), (None, vec![(d("2026-02-02"), d("2026-03-30"))]));
        assert_eq!(whole_months(d("2026-11-23"), d("2026-11-23")), (None, vec![(d("2026-11-23"), d("2026-11-23"))]));
        // December into January, and a leap February
        assert_eq!(
            whole_months(d("2023-12-15"), d("2024-02-29")),
            (Some((d("2024-01-01"), d("2024-02-01"))), vec![(d("2023-12-15"), d("2023-12-31"))])
        );
    }

    #[test]
    fn cutting_a_range_leaves_no_part_across_a_cut() {
        let parts = cut_at((d("2024-11-01"), d("2026-10-31")), &[d("2025-08-31"), d("2025-11-01"), d("2024-11-01"), d("2027-01-01")]);
        assert_eq!(parts, vec![(d("2024-11-01"), d("2025-08-30")), (d("2025-08-31"), d("2025-10-31")), (d("2025-11-01"), d("2026-10-31"))]);
        assert_eq!(cut_at((d("2026-01-01"), d("2026-01-01")), &[d("2026-01-01")]), vec![(d("2026-01-01"), d("2026-01-01"))]);
    }
}
