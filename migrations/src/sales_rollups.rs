//! The SQL of the sales rollups (migration 010): tables, the views that define a counted fact, the triggers that keep the tables exact, and the statements that rebuild them from the
//! facts (run by the migration and after a bulk load, which bypasses triggers).
//!
//! This is migration 010's schema: change it only together with a new migration that replaces
//! the triggers and views it creates. Migration 017 replaced one view: an opportunity counts on
//! the organisation's day it closed (see [`crate::organisation_days`]), no longer UTC's.
//!
//! How the triggers stay exact: a change first subtracts what the row counted before (a BEFORE
//! trigger reads the row's old version through the view) and then adds what it counts after (an
//! AFTER trigger reads the new version). Every rule about what counts (order status, deletion,
//! won or lost stage, the closing day, the cycle length) lives only in the views.

use sea_orm_migration::sea_orm::DatabaseBackend;

/// The two SQL dialects the CRM runs on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    pub fn of(backend: DatabaseBackend) -> Self {
        if backend == DatabaseBackend::Postgres { Dialect::Postgres } else { Dialect::Sqlite }
    }

    /// The team of rows without a team: key columns cannot be NULL, or upserts would not meet.
    fn no_team(self) -> &'static str {
        match self {
            Dialect::Postgres => "'00000000-0000-0000-0000-000000000000'::uuid",
            // uuids are stored as 16-byte blobs on SQLite
            Dialect::Sqlite => "zeroblob(16)",
        }
    }

    fn uuid_type(self) -> &'static str {
        match self {
            Dialect::Postgres => "uuid",
            Dialect::Sqlite => "uuid_text",
        }
    }

    /// The day of a timestamp column, counted as `days` says.
    fn day_of(self, timestamp: &str, days: Days) -> String {
        match (days, self) {
            (Days::Utc, Dialect::Postgres) => format!("CAST({timestamp} AT TIME ZONE 'UTC' AS DATE)"),
            (Days::Utc, Dialect::Sqlite) => format!("date({timestamp})"),
            (Days::Organisation, dialect) => crate::organisation_days::day_of(dialect, timestamp),
        }
    }

    /// The first day of the month of a date expression.
    fn month_of(self, date: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(date_trunc('month', {date}) AS DATE)"),
            Dialect::Sqlite => format!("date({date}, 'start of month')"),
        }
    }

    /// Whole seconds from creation to closing, never negative (as the report has always counted).
    fn cycle_seconds(self) -> &'static str {
        match self {
            Dialect::Postgres => "CAST(GREATEST(TRUNC(EXTRACT(EPOCH FROM (p.closed_at - p.created_at))), 0) AS BIGINT)",
            Dialect::Sqlite => "MAX(CAST((julianday(p.closed_at) - julianday(p.created_at)) * 86400 AS INTEGER), 0)",
        }
    }
}

/// Whose days an opportunity's closing day is counted in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Days {
    /// UTC's (migration 010).
    Utc,
    /// The organisation's, in the zone of [`crate::organisation_days::OFFSETS_TABLE`] (migration 017).
    Organisation,
}

/// The measures every rollup row sums, in the views' column order.
const MEASURES: [&str; 6] = ["revenue_minor", "order_count", "won_count", "lost_count", "won_amount_minor", "cycle_seconds"];

/// The groupings of the month rollup: customer columns.
pub const DIMENSIONS: [&str; 2] = ["province", "industry"];

/// A fact source: its table, its view and the columns whose change can alter what it counts.
struct Source {
    table: &'static str,
    view: &'static str,
    columns: &'static str,
}

const ORDERS: Source = Source {
    table: "orders",
    view: "sales_order_facts",
    columns: "status, deleted_at, order_date, currency, owner_id, team_id, customer_id, total_minor",
};

const OPPORTUNITIES: Source = Source {
    table: "opportunities",
    view: "sales_opportunity_facts",
    // pipeline_id and probability only matter to the board rollup
    columns: "stage_id, closed_at, deleted_at, amount_minor, currency, owner_id, team_id, customer_id, created_at, pipeline_id, probability",
};

/// The board's view of an opportunity: every live one counts in its stage.
const BOARD_VIEW: &str = "board_opportunity_facts";

/// The board rollup's measures, in the view's column order.
const BOARD_MEASURES: [&str; 4] = ["opportunity_count", "amount_minor", "weighted_own", "at_stage_probability_minor"];

const CUSTOMER_COLUMNS: &str = "province, industry";

fn views(dialect: Dialect) -> [String; 3] {
    let no_team = dialect.no_team();
    [
        // amount × own probability is summed as is; amounts at the stage's probability are
        // summed apart and weighted once per stage by the reader (the stage's may change).
        format!(
            "CREATE VIEW {BOARD_VIEW} AS \
             SELECT p.id AS source_id, p.pipeline_id, p.stage_id, p.currency, p.owner_id, COALESCE(p.team_id, {no_team}) AS team_id, \
             1 AS opportunity_count, p.amount_minor, COALESCE(p.amount_minor * p.probability, 0) AS weighted_own, \
             CASE WHEN p.probability IS NULL THEN p.amount_minor ELSE 0 END AS at_stage_probability_minor \
             FROM opportunities p WHERE p.deleted_at IS NULL"
        ),
        format!(
            "CREATE VIEW sales_order_facts AS \
             SELECT o.id AS source_id, o.customer_id, o.order_date AS day, {month} AS month, o.currency, o.owner_id, \
             COALESCE(o.team_id, {no_team}) AS team_id, o.total_minor AS revenue_minor, 1 AS order_count, 0 AS won_count, \
             0 AS lost_count, 0 AS won_amount_minor, 0 AS cycle_seconds \
             FROM orders o WHERE o.deleted_at IS NULL AND o.status IN ('confirmed', 'fulfilled')",
            month = dialect.month_of("o.order_date"),
        ),
        opportunity_facts_view(dialect, Days::Utc),
    ]
}

/// The view of closed opportunities: a won or lost one counts on the day it closed, counted in
/// `days`.
fn opportunity_facts_view(dialect: Dialect, days: Days) -> String {
    let no_team = dialect.no_team();
    let closed_day = dialect.day_of("p.closed_at", days);
    format!(
        "CREATE VIEW sales_opportunity_facts AS \
         SELECT p.id AS source_id, p.customer_id, {closed_day} AS day, {month} AS month, p.currency, p.owner_id, \
         COALESCE(p.team_id, {no_team}) AS team_id, 0 AS revenue_minor, 0 AS order_count, \
         CASE WHEN s.kind = 'won' THEN 1 ELSE 0 END AS won_count, CASE WHEN s.kind = 'lost' THEN 1 ELSE 0 END AS lost_count, \
         CASE WHEN s.kind = 'won' THEN p.amount_minor ELSE 0 END AS won_amount_minor, \
         CASE WHEN s.kind = 'won' THEN {cycle} ELSE 0 END AS cycle_seconds \
         FROM opportunities p JOIN pipeline_stages s ON s.id = p.stage_id \
         WHERE p.deleted_at IS NULL AND p.closed_at IS NOT NULL AND s.kind IN ('won', 'lost')",
        month = dialect.month_of(&closed_day),
        cycle = dialect.cycle_seconds(),
    )
}

/// Replaces the view of closed opportunities with one that counts days as `days` says; the
/// triggers read it by name and need no change. The rollups must be summed again after it.
pub fn replace_opportunity_facts_view(dialect: Dialect, days: Days) -> Vec<String> {
    let view = opportunity_facts_view(dialect, days);
    match dialect {
        // same columns of the same types, so PostgreSQL replaces it in place
        Dialect::Postgres => vec![view.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)],
        Dialect::Sqlite => vec!["DROP VIEW sales_opportunity_facts".to_owned(), view],
    }
}

/// Adds `sign` × the facts of `view` matching `filter` into the day rollup.
fn add_to_days(view: &str, filter: &str, sign: &str) -> String {
    let sums: Vec<String> = MEASURES.iter().map(|m| format!("{sign}SUM(f.{m})")).collect();
    let updates: Vec<String> = MEASURES.iter().map(|m| format!("{m} = sales_day_rollups.{m} + excluded.{m}")).collect();
    format!(
        "INSERT INTO sales_day_rollups (currency, day, owner_id, team_id, {measures}) \
         SELECT f.currency, f.day, f.owner_id, f.team_id, {sums} FROM {view} f WHERE {filter} \
         GROUP BY f.currency, f.day, f.owner_id, f.team_id \
         ON CONFLICT (currency, day, owner_id, team_id) DO UPDATE SET {updates}",
        measures = MEASURES.join(", "),
        sums = sums.join(", "),
        updates = updates.join(", "),
    )
}

/// Adds `sign` × the facts of `view` matching `filter` into the month rollup of `dimension`.
fn add_to_months(view: &str, dimension: &str, filter: &str, sign: &str) -> String {
    let sums: Vec<String> = MEASURES.iter().map(|m| format!("{sign}SUM(f.{m})")).collect();
    let updates: Vec<String> = MEASURES.iter().map(|m| format!("{m} = sales_month_rollups.{m} + excluded.{m}")).collect();
    format!(
        "INSERT INTO sales_month_rollups (dimension, currency, month, owner_id, team_id, dimension_value, {measures}) \
         SELECT '{dimension}', f.currency, f.month, f.owner_id, f.team_id, COALESCE(c.{dimension}, ''), {sums} \
         FROM {view} f JOIN customers c ON c.id = f.customer_id WHERE {filter} \
         GROUP BY f.currency, f.month, f.owner_id, f.team_id, COALESCE(c.{dimension}, '') \
         ON CONFLICT (dimension, currency, month, owner_id, team_id, dimension_value) DO UPDATE SET {updates}",
        measures = MEASURES.join(", "),
        sums = sums.join(", "),
        updates = updates.join(", "),
    )
}

/// Adds `sign` × the board facts matching `filter` into the board rollup.
fn add_to_board(filter: &str, sign: &str) -> String {
    let sums: Vec<String> = BOARD_MEASURES.iter().map(|m| format!("{sign}SUM(f.{m})")).collect();
    let updates: Vec<String> = BOARD_MEASURES.iter().map(|m| format!("{m} = opportunity_stage_rollups.{m} + excluded.{m}")).collect();
    format!(
        "INSERT INTO opportunity_stage_rollups (pipeline_id, stage_id, currency, owner_id, team_id, {measures}) \
         SELECT f.pipeline_id, f.stage_id, f.currency, f.owner_id, f.team_id, {sums} FROM {BOARD_VIEW} f WHERE {filter} \
         GROUP BY f.pipeline_id, f.stage_id, f.currency, f.owner_id, f.team_id \
         ON CONFLICT (pipeline_id, stage_id, currency, owner_id, team_id) DO UPDATE SET {updates}",
        measures = BOARD_MEASURES.join(", "),
        sums = sums.join(", "),
        updates = updates.join(", "),
    )
}

/// Everything a fact row counts for: its day row, one month row per dimension and, for an
/// opportunity, its stage on the board.
fn add_fact(source: &Source, filter: &str, sign: &str) -> Vec<String> {
    let mut statements = vec![add_to_days(source.view, filter, sign)];
    statements.extend(DIMENSIONS.iter().map(|d| add_to_months(source.view, d, filter, sign)));
    if source.table == OPPORTUNITIES.table {
        statements.push(add_to_board(filter, sign));
    }
    statements
}

/// What a customer's province or industry decides: the month rows of all its facts.
fn add_customer(row: &str, sign: &str) -> Vec<String> {
    let mut statements = Vec::new();
    for source in [&ORDERS, &OPPORTUNITIES] {
        for dimension in DIMENSIONS {
            statements.push(add_to_months(source.view, dimension, &format!("f.customer_id = {row}.id"), sign));
        }
    }
    statements
}

fn tables(dialect: Dialect) -> [String; 7] {
    let uuid = dialect.uuid_type();
    let measures: Vec<String> = MEASURES.iter().map(|m| format!("{m} BIGINT NOT NULL")).collect();
    let measures = measures.join(", ");
    [
        format!(
            "CREATE TABLE sales_day_rollups (currency VARCHAR(3) NOT NULL, day DATE NOT NULL, owner_id {uuid} NOT NULL, \
             team_id {uuid} NOT NULL, {measures}, PRIMARY KEY (currency, day, owner_id, team_id))"
        ),
        format!(
            "CREATE TABLE sales_month_rollups (dimension VARCHAR(16) NOT NULL, currency VARCHAR(3) NOT NULL, month DATE NOT NULL, \
             owner_id {uuid} NOT NULL, team_id {uuid} NOT NULL, dimension_value VARCHAR(200) NOT NULL, {measures}, \
             PRIMARY KEY (dimension, currency, month, owner_id, team_id, dimension_value))"
        ),
        format!(
            "CREATE TABLE opportunity_stage_rollups (pipeline_id {uuid} NOT NULL, stage_id {uuid} NOT NULL, currency VARCHAR(3) NOT NULL, \
             owner_id {uuid} NOT NULL, team_id {uuid} NOT NULL, {board}, PRIMARY KEY (pipeline_id, stage_id, currency, owner_id, team_id))",
            board = BOARD_MEASURES.iter().map(|m| format!("{m} BIGINT NOT NULL")).collect::<Vec<_>>().join(", "),
        ),
        // Scoped reports filter by owner or team inside a date range.
        "CREATE INDEX ix_sales_day_rollups_owner ON sales_day_rollups (owner_id, currency, day)".to_owned(),
        "CREATE INDEX ix_sales_day_rollups_team ON sales_day_rollups (team_id, currency, day)".to_owned(),
        "CREATE INDEX ix_sales_month_rollups_owner ON sales_month_rollups (dimension, currency, owner_id, month)".to_owned(),
        "CREATE INDEX ix_sales_month_rollups_team ON sales_month_rollups (dimension, currency, team_id, month)".to_owned(),
    ]
}

/// Tables, views and triggers.
pub fn create_statements(dialect: Dialect) -> Vec<String> {
    let mut statements: Vec<String> = tables(dialect).into_iter().collect();
    statements.extend(views(dialect));
    match dialect {
        Dialect::Postgres => statements.extend(postgres_triggers()),
        Dialect::Sqlite => statements.extend(sqlite_triggers()),
    }
    statements
}

/// A trigger function running `body` and then `finish` (which returns).
fn plpgsql_function(name: &str, body: &[String], finish: &str) -> String {
    let body: Vec<String> = body.iter().map(|s| format!("{s};")).collect();
    format!("CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {} {finish} END $$", body.join(" "))
}

fn postgres_triggers() -> Vec<String> {
    let mut statements = Vec::new();
    for source in [&ORDERS, &OPPORTUNITIES] {
        let (table, columns) = (source.table, source.columns);
        // A BEFORE trigger returns the row to go on with (OLD for a delete, which has no NEW).
        statements.push(plpgsql_function(
            &format!("sales_rollups_{table}_before"),
            &add_fact(source, "f.source_id = OLD.id", "-"),
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;",
        ));
        statements.push(plpgsql_function(
            &format!("sales_rollups_{table}_after"),
            &add_fact(source, "f.source_id = NEW.id", ""),
            "RETURN NULL;",
        ));
        statements.push(format!(
            "CREATE TRIGGER tr_{table}_sales_rollups_before BEFORE UPDATE OF {columns} OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION sales_rollups_{table}_before()"
        ));
        statements.push(format!(
            "CREATE TRIGGER tr_{table}_sales_rollups_after AFTER INSERT OR UPDATE OF {columns} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION sales_rollups_{table}_after()"
        ));
    }
    let changed = "OLD.province IS DISTINCT FROM NEW.province OR OLD.industry IS DISTINCT FROM NEW.industry";
    statements.push(plpgsql_function("sales_rollups_customers_before", &add_customer("OLD", "-"), "RETURN NEW;"));
    statements.push(plpgsql_function("sales_rollups_customers_after", &add_customer("NEW", ""), "RETURN NULL;"));
    statements.push(format!(
        "CREATE TRIGGER tr_customers_sales_rollups_before BEFORE UPDATE OF {CUSTOMER_COLUMNS} ON customers \
         FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION sales_rollups_customers_before()"
    ));
    statements.push(format!(
        "CREATE TRIGGER tr_customers_sales_rollups_after AFTER UPDATE OF {CUSTOMER_COLUMNS} ON customers \
         FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION sales_rollups_customers_after()"
    ));
    statements
}

fn sqlite_trigger(name: &str, timing: &str, when: Option<&str>, body: &[String]) -> String {
    let body: Vec<String> = body.iter().map(|s| format!("{s};")).collect();
    let when = when.map(|w| format!(" WHEN {w}")).unwrap_or_default();
    format!("CREATE TRIGGER {name} {timing}{when} BEGIN {} END", body.join(" "))
}

fn sqlite_triggers() -> Vec<String> {
    let mut statements = Vec::new();
    for source in [&ORDERS, &OPPORTUNITIES] {
        let (table, columns) = (source.table, source.columns);
        let subtract = add_fact(source, "f.source_id = OLD.id", "-");
        let add = add_fact(source, "f.source_id = NEW.id", "");
        statements.push(sqlite_trigger(
            &format!("tr_{table}_sales_rollups_0"),
            &format!("BEFORE UPDATE OF {columns} ON {table}"),
            None,
            &subtract,
        ));
        statements.push(sqlite_trigger(&format!("tr_{table}_sales_rollups_1"), &format!("BEFORE DELETE ON {table}"), None, &subtract));
        statements.push(sqlite_trigger(
            &format!("tr_{table}_sales_rollups_2"),
            &format!("AFTER UPDATE OF {columns} ON {table}"),
            None,
            &add,
        ));
        statements.push(sqlite_trigger(&format!("tr_{table}_sales_rollups_3"), &format!("AFTER INSERT ON {table}"), None, &add));
    }
    let changed = "(OLD.province IS NOT NEW.province OR OLD.industry IS NOT NEW.industry)";
    statements.push(sqlite_trigger(
        "tr_customers_sales_rollups_0",
        &format!("BEFORE UPDATE OF {CUSTOMER_COLUMNS} ON customers FOR EACH ROW"),
        Some(changed),
        &add_customer("OLD", "-"),
    ));
    statements.push(sqlite_trigger(
        "tr_customers_sales_rollups_1",
        &format!("AFTER UPDATE OF {CUSTOMER_COLUMNS} ON customers FOR EACH ROW"),
        Some(changed),
        &add_customer("NEW", ""),
    ));
    statements
}

/// Empties the rollups and sums them again from every fact: for the migration, and after a bulk
/// load (which writes with triggers off on PostgreSQL).
pub fn rebuild_statements(_dialect: Dialect) -> Vec<String> {
    let mut statements: Vec<String> =
        ["sales_day_rollups", "sales_month_rollups", "opportunity_stage_rollups"].iter().map(|t| format!("DELETE FROM {t}")).collect();
    for source in [&ORDERS, &OPPORTUNITIES] {
        statements.extend(add_fact(source, "1 = 1", ""));
    }
    statements
}

pub fn drop_statements(dialect: Dialect) -> Vec<String> {
    let mut statements = Vec::new();
    match dialect {
        Dialect::Postgres => {
            for table in ["orders", "opportunities", "customers"] {
                for timing in ["before", "after"] {
                    statements.push(format!("DROP TRIGGER tr_{table}_sales_rollups_{timing} ON {table}"));
                    statements.push(format!("DROP FUNCTION sales_rollups_{table}_{timing}()"));
                }
            }
        }
        Dialect::Sqlite => {
            for table in ["orders", "opportunities"] {
                for n in 0..4 {
                    statements.push(format!("DROP TRIGGER tr_{table}_sales_rollups_{n}"));
                }
            }
            for n in 0..2 {
                statements.push(format!("DROP TRIGGER tr_customers_sales_rollups_{n}"));
            }
        }
    }
    for view in ["sales_order_facts", "sales_opportunity_facts", BOARD_VIEW] {
        statements.push(format!("DROP VIEW {view}"));
    }
    for table in ["sales_day_rollups", "sales_month_rollups", "opportunity_stage_rollups"] {
        statements.push(format!("DROP TABLE {table}"));
    }
    statements
}
