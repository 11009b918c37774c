//! `crm-bench`: loads a deterministic data set through the persistence layer's batched path, runs
//! the real `crm serve` against it, drives the load scenarios with `wrk` as a signed-in sales
//! manager, measures the machine's ceilings (`pgbench -S`, `/healthz`) in the same run and writes
//! `crates/bench/results/latest.md`. It asserts nothing: it is an instrument.

mod batches;
mod export;
mod generate;
mod imports;
mod load_test;
mod report;
mod world;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::load_test::{Measured, Script, lua_headers, lua_paths, wrk};
use crate::report::{Ceilings, Outcome, Run};
use crate::world::{MANAGER_PASSWORD, State};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Parser, Debug)]
#[command(name = "crm-bench", about = "Load benchmark of the CRM against the machine's own ceilings")]
struct Args {
    #[arg(long, value_enum, default_value = "postgres")]
    backend: Backend,
    /// 1.0 = 1,000,000 customers (2 M contacts, 3 M interactions, 0.5 M opportunities, 1 M
    /// orders). Default: 1.0 on PostgreSQL, 0.1 on SQLite.
    #[arg(long)]
    scale: Option<f64>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Seconds each scenario is measured.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Seconds of warm-up before each scenario (not measured).
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Seconds of the mixed soak (W7).
    #[arg(long, default_value_t = 120)]
    soak: u64,
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Customers per batch of the load.
    #[arg(long, default_value_t = 2_000)]
    batch: u64,
    /// Keep a database loaded by an earlier run with the same backend (skips the load).
    #[arg(long)]
    reuse: bool,
    /// Only load the data.
    #[arg(long)]
    load_only: bool,
    /// Customers W8 creates through batches of 1,000 (with two contacts each).
    #[arg(long, default_value_t = 10_000)]
    batch_customers: usize,
    /// Rows of the spreadsheet W9 imports.
    #[arg(long, default_value_t = 100_000)]
    import_rows: usize,
    /// Run only these scenarios (comma-separated ids such as W1,W4a); default all.
    #[arg(long)]
    only: Option<String>,
    #[arg(long, default_value = "target/release/crm")]
    crm: PathBuf,
    /// Where databases, scripts and logs go.
    #[arg(long, default_value = "target/bench")]
    work: PathBuf,
    #[arg(long, env = "CRM_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    #[arg(long, default_value = "crm_bench")]
    database: String,
    #[arg(long, default_value = "127.0.0.1:18080")]
    bind: String,
    /// The results file (Markdown).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.work)?;
    let work = std::fs::canonicalize(&args.work)?;
    let scale = args.scale.unwrap_or(if args.backend == Backend::Postgres { 1.0 } else { 0.1 });
    let customers = (1_000_000.0 * scale).round().max(100.0) as u64;
    let (url, admin_url) = match args.backend {
        Backend::Postgres => (format!("{}/{}", args.postgres, args.database), Some(format!("{}/postgres", args.postgres))),
        Backend::Sqlite => (format!("sqlite://{}?mode=rwc", work.join("crm_bench.sqlite").display()), None),
    };
    let state_path = work.join(format!("{}-state.json", backend_name(args.backend)));

    let state = if args.reuse && state_path.exists() {
        let state = State::read(&state_path)?;
        eprintln!("reusing the loaded database ({} customers)", state.customers);
        let db = Database::connect(&url).await?;
        forget_scenario_writes(&db, &state.manager_email).await?;
        db.close().await?;
        state
    } else {
        fresh_database(args.backend, &work, admin_url.as_deref(), &args.database).await?;
        eprintln!("loading {customers} customers with everything under them (seed {})", args.seed);
        // The load seals personal fields with the server's key (its migration chooses the blind
        // index lengths).
        let db = crm_persistence::Db::connect(&url).await?.in_time_zone(crm_api::config::default_time_zone()).with_keys(data_keys()?);
        let state = world::load(&db, args.seed, customers, args.batch).await?;
        db.close().await?;
        state.write(&state_path)?;
        if let Some(load) = &state.load {
            eprintln!(
                "loaded {} records (+{} derived rows) in {:.1} s: {:.0} records/s; ANALYZE {:.1} s",
                load.counts.records(),
                load.counts.derived,
                load.seconds,
                load.counts.records() as f64 / load.seconds,
                load.analyze_seconds
            );
        }
        state
    };
    if args.load_only {
        return Ok(());
    }
    // X1 exports as an administrator, who reads every customer (a database loaded before X1
    // existed has none yet).
    {
        let db = crm_persistence::Db::connect(&url).await?.with_keys(data_keys()?);
        if crm_persistence::identity::users::find_id_by_email(&db, export::EXPORT_EMAIL).await?.is_none() {
            crm_api::cli::create_user(&db, export::EXPORT_EMAIL, "导出管理员", "admin", MANAGER_PASSWORD, &[]).await?;
        }
        db.close().await?;
    }

    let only: Option<Vec<String>> = args.only.as_ref().map(|o| o.split(',').map(|s| s.trim().to_owned()).collect());
    let wanted = |id: &str| only.as_ref().is_none_or(|o| o.iter().any(|w| id.starts_with(w.as_str())));
    let direct = Database::connect(&url).await?;
    let base_url = format!("http://{}", args.bind);

    // Ceilings first, before the server warms the database's caches with our data.
    let pgbench_tps = match args.backend {
        Backend::Postgres if wanted("pgbench") || only.is_none() => {
            eprintln!("ceiling: pgbench -S -M prepared, {} clients, {} s", args.connections, args.seconds);
            let parsed = PgTarget::parse(&args.postgres)?;
            Some(load_test::pgbench(&parsed.host, parsed.port, &parsed.user, "crm_bench_pgbench", args.seconds, args.connections)?)
        }
        _ => None,
    };

    let mut server = Server::start(&args, &work, &url)?;
    let result = scenarios(&args, &work, &base_url, &direct, &state, &mut server, &wanted).await;
    let rss_now = server.rss_kib();
    server.stop();
    let (healthz, outcomes) = result?;

    let run = Run {
        backend: backend_name(args.backend).into(),
        scale,
        seed: state.seed,
        customers: state.customers,
        load: state.load.clone(),
        reused: args.reuse,
        seconds: args.seconds,
        warmup: args.warmup,
        connections: args.connections,
        ceilings: Ceilings { pgbench_tps, healthz },
        outcomes,
        database_version: database_version(&direct).await,
        server_rss_end_kib: rss_now,
    };
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(if args.backend == Backend::Postgres {
            "crates/bench/results/latest.md"
        } else {
            "crates/bench/results/latest-sqlite.md"
        })
    });
    std::fs::write(&out, report::markdown(&run))?;
    eprintln!("wrote {}", out.display());
    print!("{}", report::markdown(&run));
    Ok(())
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    }
}

struct PgTarget {
    host: String,
    port: u16,
    user: String,
}

impl PgTarget {
    /// `postgres://user@host:port` (no password: the benchmark runs against a local server).
    fn parse(url: &str) -> anyhow::Result<Self> {
        let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")).context("a postgres:// URL")?;
        let (user, host_port) = rest.split_once('@').unwrap_or(("postgres", rest));
        let host_port = host_port.trim_end_matches('/');
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
        Ok(Self { host: host.to_owned(), port: port.parse()?, user: user.split(':').next().unwrap_or("postgres").to_owned() })
    }
}

/// Drops and creates the scratch database (or removes the SQLite file).
async fn fresh_database(backend: Backend, work: &Path, admin_url: Option<&str>, name: &str) -> anyhow::Result<()> {
    match backend {
        Backend::Postgres => {
            let admin = Database::connect(admin_url.context("admin URL")?).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
            admin.close().await?;
        }
        Backend::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(work.join(format!("crm_bench.sqlite{suffix}")));
            }
        }
    }
    Ok(())
}

async fn database_version(conn: &DatabaseConnection) -> String {
    let sql = match conn.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => "SELECT 'SQLite ' || sqlite_version() AS v",
        _ => "SELECT version() AS v",
    };
    let version = match conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await {
        Ok(Some(row)) => row.try_get::<String>("", "v").unwrap_or_default().split(" on ").next().unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    if conn.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return version;
    }
    // The settings that move these figures most, so runs on differently tuned servers compare.
    let mut settings = Vec::new();
    for name in
        ["shared_buffers", "effective_cache_size", "work_mem", "random_page_cost", "synchronous_commit", "max_parallel_workers_per_gather"]
    {
        let row = conn.query_one_raw(Statement::from_string(sea_orm::DatabaseBackend::Postgres, format!("SHOW {name}"))).await;
        if let Ok(Some(row)) = row {
            settings.push(format!("{name} {}", row.try_get::<String>("", name).unwrap_or_default()));
        }
    }
    format!("{version} ({})", settings.join(", "))
}

/// The real server, started from its binary and configured by the environment.
struct Server {
    child: Child,
}

impl Server {
    fn start(args: &Args, work: &Path, url: &str) -> anyhow::Result<Self> {
        let log = std::fs::File::create(work.join("server.log"))?;
        let child = Command::new(&args.crm)
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("CRM_BIND", &args.bind)
            .env("CRM_JWT_SECRET", "bench-secret-bench-secret-bench-secret-0123")
            .env("CRM_DATA_KEY", DATA_KEY)
            .env("CRM_DATA_DIR", work.join("data"))
            .env("CRM_LOG", "warn")
            .env("CRM_LOG_FORMAT", "json")
            .env("CRM_FOLLOW_UP_INTERVAL_SECS", "0")
            .env("CRM_ADMIN_PASSWORD", MANAGER_PASSWORD)
            .env("CRM_STATIC_DIR", work.join("no-static"))
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {} (make bench builds it)", args.crm.display()))?;
        Ok(Self { child })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set since the last [`Server::reset_peak`], in KiB (VmHWM).
    fn peak_rss_kib(&self) -> Option<u64> {
        status_field(self.pid(), "VmHWM:")
    }

    fn rss_kib(&self) -> Option<u64> {
        status_field(self.pid(), "VmRSS:")
    }

    /// Resets the kernel's peak-RSS mark so that each scenario reports its own peak.
    fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()
}

async fn wait_ready(client: &reqwest::Client, base_url: &str, server: &mut Server) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = server.child.try_wait() {
            bail!("the server exited ({status}); see target/bench/server.log");
        }
        if let Ok(response) = client.get(format!("{base_url}/readyz")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bail!("the server did not become ready")
}

/// Signs in, waiting up to a minute while the server still drains the previous scenario.
async fn sign_in(client: &reqwest::Client, base_url: &str, email: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match try_sign_in(client, base_url, email).await {
            Ok(token) => return Ok(token),
            Err(error) if Instant::now() > deadline => return Err(error),
            Err(_) => tokio::time::sleep(Duration::from_secs(2)).await,
        }
    }
}

async fn try_sign_in(client: &reqwest::Client, base_url: &str, email: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base_url}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": MANAGER_PASSWORD }))
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("sign-in as {email} answered {}", response.status());
    }
    let body: Value = response.json().await?;
    body["access_token"].as_str().map(str::to_owned).context("no access_token")
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("GET {url} answered {status}: {body}");
    }
    Ok(body)
}

async fn column_of_uuids(conn: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<Uuid>> {
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await?;
    Ok(rows.iter().filter_map(|r| r.try_get_by_index::<Uuid>(0).ok()).collect())
}

/// One scenario: an id, what it does, its Lua, its target.
struct Scenario {
    id: &'static str,
    what: String,
    lua: String,
    seconds: u64,
    target: report::Target,
}

/// The data key of the benchmark's server, which its loader seals personal fields with too.
const DATA_KEY: &str = "bench-data-key-bench-data-key-bench-data-key";

fn data_keys() -> anyhow::Result<crm_domain::privacy::keys::Keyring> {
    let key = crm_domain::privacy::keys::DataKey::from_secret(DATA_KEY).map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(crm_domain::privacy::keys::Keyring::new(key, Vec::new()))
}

/// Deletes what the write scenarios wrote: the customers W3 and W7 created (the load gives the
/// manager none, so they are the manager's), their timeline items, and the manager's audit
/// entries and events. Run on a reused database before measuring, and after W3 within a run.
/// Left in place, those rows head every "newest first" order, and none of them matches the search
/// scenarios' name fragment: a search would walk past all of them (about 12,000 after W3) before
/// reaching the loaded data it is meant to measure.
async fn forget_scenario_writes(db: &DatabaseConnection, manager_email: &str) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    // The one bound value, in each backend's placeholder syntax.
    let manager = if backend == sea_orm::DatabaseBackend::Postgres {
        "(SELECT id FROM users WHERE email = $1)"
    } else {
        "(SELECT id FROM users WHERE email = ?)"
    };
    let mut removed = 0;
    for sql in [
        format!(
            "DELETE FROM external_refs WHERE entity_type = 'contact' AND entity_id IN \
             (SELECT id FROM contacts WHERE customer_id IN (SELECT id FROM customers WHERE owner_id = {manager}))"
        ),
        format!(
            "DELETE FROM external_refs WHERE entity_type = 'customer' AND entity_id IN (SELECT id FROM customers WHERE owner_id = {manager})"
        ),
        format!("DELETE FROM timeline_items WHERE customer_id IN (SELECT id FROM customers WHERE owner_id = {manager})"),
        format!("DELETE FROM customers WHERE owner_id = {manager}"),
        format!("DELETE FROM audit_log WHERE actor_id = {manager}"),
        format!("DELETE FROM events WHERE actor_id = {manager}"),
    ] {
        let done = db.execute_raw(Statement::from_sql_and_values(backend, sql, [manager_email.into()])).await?;
        removed += done.rows_affected();
    }
    if removed > 0 {
        eprintln!("removed {removed} rows written by the write scenarios; vacuuming");
        db.execute_unprepared(if backend == sea_orm::DatabaseBackend::Postgres {
            "VACUUM ANALYZE customers, customer_tags, customer_stage_history, timeline_items"
        } else {
            "ANALYZE"
        })
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn scenarios(
    args: &Args,
    work: &Path,
    base_url: &str,
    direct: &DatabaseConnection,
    state: &State,
    server: &mut Server,
    wanted: &dyn Fn(&str) -> bool,
) -> anyhow::Result<(Option<Measured>, Vec<Outcome>)> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?;
    let started = Instant::now();
    wait_ready(&client, base_url, server).await?;
    eprintln!("server ready in {:.1} s", started.elapsed().as_secs_f64());
    let api = format!("{base_url}/api/v1");

    let healthz = if wanted("healthz") || args.only.is_none() {
        eprintln!("ceiling: wrk against /healthz");
        let script = Script { name: "healthz".into(), lua: "wrk.path = \"/healthz\"\n".into() };
        let _ = wrk(work, base_url, &script, args.warmup.max(1), args.connections)?;
        Some(wrk(work, base_url, &script, args.seconds, args.connections)?)
    } else {
        None
    };

    // Inputs: the busiest owner and stage for W1; page 200 reached by following cursors.
    let token = sign_in(&client, base_url, &state.manager_email).await?;
    let owner = state.top_owner_id;
    let list = format!("/api/v1/customers?lifecycle_stage=prospect&owner_id={owner}&limit=50");
    let mut cursor: Option<String> = None;
    let mut deep_page = 1;
    for page in 2..=200 {
        let url = match &cursor {
            None => format!("{base_url}{list}"),
            Some(c) => format!("{base_url}{list}&cursor={c}"),
        };
        let body = get_json(&client, &url, &token).await?;
        match body["next_cursor"].as_str() {
            Some(next) => {
                cursor = Some(next.to_owned());
                deep_page = page;
            }
            None => break,
        }
    }
    let deep = match &cursor {
        Some(c) => format!("{list}&cursor={c}"),
        None => list.clone(),
    };
    let manager_teams = "SELECT id FROM teams WHERE name LIKE '华东%'";
    let ids = column_of_uuids(
        direct,
        &format!("SELECT id FROM customers WHERE deleted_at IS NULL AND team_id IN ({manager_teams}) ORDER BY random() LIMIT 20000"),
    )
    .await?;
    let ids_file = work.join("customer-paths.txt");
    std::fs::write(&ids_file, ids.iter().map(|id| format!("/api/v1/customers/{id}\n")).collect::<String>())?;
    let busy = column_of_uuids(
        direct,
        &format!(
            "SELECT t.customer_id FROM timeline_items t JOIN customers c ON c.id = t.customer_id \
             WHERE c.team_id IN ({manager_teams}) GROUP BY t.customer_id ORDER BY COUNT(*) DESC LIMIT 10"
        ),
    )
    .await?;
    let busy_file = work.join("timeline-paths.txt");
    std::fs::write(&busy_file, busy.iter().map(|id| format!("/api/v1/customers/{id}/timeline?limit=50\n")).collect::<String>())?;
    let busy_items: i64 = match busy.first() {
        Some(id) => {
            // bound, not spliced: SQLite keeps uuids as blobs, which a quoted text never equals
            let backend = direct.get_database_backend();
            let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
            let sql = format!("SELECT COUNT(*) AS n FROM timeline_items WHERE customer_id = {placeholder}");
            let row = direct.query_one_raw(Statement::from_sql_and_values(backend, sql, [(*id).into()])).await;
            match row {
                Ok(Some(row)) => row.try_get::<i64>("", "n").unwrap_or(0),
                _ => 0,
            }
        }
        None => 0,
    };
    // A phone fragment: seven digits from the middle of a customer's mobile in reach.
    let phone_fragment: String = {
        let sql = format!(
            "SELECT phone FROM customers WHERE kind = 'individual' AND phone IS NOT NULL AND team_id IN ({manager_teams}) ORDER BY id LIMIT 1"
        );
        let row = direct.query_one_raw(Statement::from_string(direct.get_database_backend(), sql)).await?;
        let phone = row.and_then(|r| r.try_get::<String>("", "phone").ok()).unwrap_or_else(|| "+8613812345678".into());
        phone.trim_start_matches("+86").chars().skip(2).take(7).collect()
    };
    let name_fragment = "精密机械";
    let (from, to) = generate::report_range();
    let pipeline = state.pipeline_id;

    let create_lua = r#"
local counter = 0
local thread_tag = 0
init = function(args) thread_tag = math.random(1, 1000000) end
request = function()
  counter = counter + 1
  local body = string.format('{"kind":"company","name":"压测新建客户%d-%d有限公司","lifecycle_stage":"potential","province":"上海市","city":"上海市","district":"浦东新区","industry":"制造业","phone":"021-6234 %04d","tags":["压测"]}', thread_tag, counter, counter % 10000)
  return wrk.format("POST", "/api/v1/customers", nil, body)
end
"#;
    // W3 with every sealed personal field of an individual customer: address, phone, email,
    // birthday, a resident identity card number (unique per request, with its check digit; its
    // blind index is looked up for a duplicate) and a bank account.
    let create_sealed_lua = r#"
local counter = 0
local started = 0
local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = "10X98765432"
-- Each thread gets its own tag (and each run its start second), so no two requests of the
-- warm-up and the measured run send one ID number: a duplicate would be refused with 409.
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("thread_tag", threads) end
init = function(args) started = os.time() % 10000 end
local function id_card(n)
  local body = string.format("31%02d%04d%09d", thread_tag, started, n)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(body:sub(i, i)) * weights[i] end
  local at = sum % 11 + 1
  return body .. checks:sub(at, at)
end
request = function()
  counter = counter + 1
  local body = string.format('{"kind":"individual","name":"压测加密客户%d-%d","lifecycle_stage":"potential","province":"上海市","city":"上海市","district":"徐汇区","address":"上海市徐汇区漕溪北路%d号","phone":"139 1234 %04d","email":"p%d.%d@example.cn","birthday":"1985-06-15","id_type":"id_card","id_number":"%s","bank_name":"招商银行","bank_account":"6222%011d%02d","tags":["压测"]}', thread_tag, counter, counter % 1000, counter % 10000, thread_tag, counter, id_card(counter), counter, thread_tag)
  return wrk.format("POST", "/api/v1/customers", nil, body)
end
"#;
    let get_lua = format!("{}request = function() return wrk.format(\"GET\", paths[math.random(#paths)]) end\n", lua_paths(&ids_file));
    let timeline_lua =
        format!("{}request = function() return wrk.format(\"GET\", paths[math.random(#paths)]) end\n", lua_paths(&busy_file));
    let fixed = |path: &str| format!("wrk.path = \"{path}\"\n");
    let search_name = format!("/api/v1/customers?q={}&limit=50", encode(name_fragment));
    let search_phone = format!("/api/v1/customers?q={phone_fragment}&limit=50");
    let report_region = format!("/api/v1/reports/sales?group_by=region&from={from}&to={to}");
    let report_month = format!("/api/v1/reports/sales?group_by=period&period=month&from={from}&to={to}");
    let board = format!("/api/v1/pipelines/{pipeline}/board");
    let mixed_lua = format!(
        r#"{paths}
local fixed = {{ "{list}", "{deep}", "{search_name}", "{search_phone}", "{board}", "{report_region}" }}
local timelines = {{ {timelines} }}
local counter = 0
local thread_tag = 0
local base_init = init
init = function(args) base_init(args); thread_tag = math.random(1, 1000000) end
request = function()
  local r = math.random(100)
  if r <= 35 then return wrk.format("GET", paths[math.random(#paths)])
  elseif r <= 50 then return wrk.format("GET", fixed[1])
  elseif r <= 55 then return wrk.format("GET", fixed[2])
  elseif r <= 62 then return wrk.format("GET", fixed[3])
  elseif r <= 67 then return wrk.format("GET", fixed[4])
  elseif r <= 77 then return wrk.format("GET", timelines[math.random(#timelines)])
  elseif r <= 79 then return wrk.format("GET", fixed[5])
  elseif r <= 80 then return wrk.format("GET", fixed[6])
  else
    counter = counter + 1
    local body = string.format('{{"kind":"individual","name":"浸泡测试%d-%d","lifecycle_stage":"prospect","province":"上海市","city":"上海市","district":"徐汇区","phone":"139 1234 %04d"}}', thread_tag, counter, counter % 10000)
    return wrk.format("POST", "/api/v1/customers", nil, body)
  end
end
"#,
        paths = lua_paths(&ids_file),
        timelines = busy.iter().map(|id| format!("\"/api/v1/customers/{id}/timeline?limit=50\"")).collect::<Vec<_>>().join(", "),
    );

    use report::Target;
    let s = args.seconds;
    let list_scenarios = [
        Scenario {
            id: "W1a",
            what: "list customers, stage + owner filter, page 1".into(),
            lua: fixed(&list),
            seconds: s,
            target: Target::P95(20.0),
        },
        Scenario {
            id: "W1b",
            what: format!("same list, page {deep_page} via cursors"),
            lua: fixed(&deep),
            seconds: s,
            target: Target::P95(20.0),
        },
        Scenario {
            id: "W2",
            what: format!("get customer by id ({} random ids in scope)", ids.len()),
            lua: get_lua,
            seconds: s,
            target: Target::ReadCeiling { share: 0.5, p99: 10.0 },
        },
        Scenario {
            id: "W3",
            what: "create customer (with tags, stage history, timeline, audit, event)".into(),
            lua: create_lua.into(),
            seconds: s,
            target: Target::Throughput { rps: 2000.0, p99: 25.0 },
        },
        Scenario {
            id: "W3e",
            what: "W3 as an individual with every sealed field (address, phone, email, birthday, ID card number, bank account)".into(),
            lua: create_sealed_lua.into(),
            seconds: s,
            target: Target::ShareOf { scenario: "W3", share: 0.85 },
        },
        Scenario {
            id: "W4a",
            what: format!("search q={name_fragment} (name fragment)"),
            lua: fixed(&search_name),
            seconds: s,
            target: Target::P95(50.0),
        },
        Scenario {
            id: "W4b",
            what: format!("search q={phone_fragment} (phone fragment)"),
            lua: fixed(&search_phone),
            seconds: s,
            target: Target::P95(50.0),
        },
        Scenario {
            id: "W5",
            what: format!("timeline page 1 of the {} busiest customers (top: {busy_items} items)", busy.len()),
            lua: timeline_lua,
            seconds: s,
            target: Target::P95(20.0),
        },
        Scenario {
            id: "W6a",
            what: format!("sales report by region, {from} – {to}"),
            lua: fixed(&report_region),
            seconds: s,
            target: Target::P95(150.0),
        },
        Scenario {
            id: "W6b",
            what: format!("sales report by month, {from} – {to}"),
            lua: fixed(&report_month),
            seconds: s,
            target: Target::P95(150.0),
        },
        Scenario {
            id: "W6c",
            what: "pipeline board (default pipeline)".into(),
            lua: fixed(&board),
            seconds: s,
            target: Target::P95(150.0),
        },
        Scenario {
            id: "W7",
            what: format!("mixed soak: 35% get, 20% lists, 12% search, 10% timeline, 3% board/report, 20% create; {} s", args.soak),
            lua: mixed_lua,
            seconds: args.soak,
            target: Target::NoErrors,
        },
    ];

    let mut outcomes = Vec::new();
    for scenario in list_scenarios {
        if !wanted(scenario.id) {
            continue;
        }
        let token = sign_in(&client, base_url, &state.manager_email).await?;
        let script = Script { name: scenario.id.to_owned(), lua: format!("{}{}", lua_headers(&token), scenario.lua) };
        // Each scenario's URL answers 2xx before it is measured.
        if let Some(path) = scenario.lua.strip_prefix("wrk.path = \"").and_then(|p| p.split('"').next()) {
            get_json(&client, &format!("{base_url}{path}"), &token).await.with_context(|| format!("{} input", scenario.id))?;
        }
        eprintln!("{}: {} (warm-up {} s, measured {} s)", scenario.id, scenario.what, args.warmup, scenario.seconds);
        if args.warmup > 0 {
            let _ = wrk(work, base_url, &script, args.warmup, args.connections)?;
        }
        server.reset_peak();
        let measured = wrk(work, base_url, &script, scenario.seconds, args.connections)?;
        let peak = server.peak_rss_kib();
        eprintln!(
            "  {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, errors {}, peak RSS {} MiB",
            measured.rps(),
            measured.p50_ms,
            measured.p95_ms,
            measured.p99_ms,
            measured.errors,
            peak.unwrap_or(0) / 1024
        );
        outcomes.push(Outcome { id: scenario.id.into(), what: scenario.what, measured, peak_rss_kib: peak, target: scenario.target });
        if scenario.id.starts_with("W3") {
            forget_scenario_writes(direct, &state.manager_email).await?;
        }
    }
    if wanted("W8") {
        let token = sign_in(&client, base_url, &state.manager_email).await?;
        let customers = args.batch_customers;
        eprintln!("W8: {customers} customers with two contacts each in batches of {}, then the 2,000-customer sync twice", batches::BATCH);
        server.reset_peak();
        let [created, first_sync, again] = batches::measure(&api, &token, customers).await?;
        let peak = server.peak_rss_kib();
        for (id, what, measured, target) in [
            (
                "W8a",
                format!("{customers} customers + 2 contacts each, POST /customers/batch of 1,000 (customers/s; latency per batch)"),
                created,
                Target::Throughput { rps: 5000.0, p99: 1000.0 },
            ),
            (
                "W8b",
                "the 2,000-customer sync: 2 batches of 1,000 upserts by erp id, with 2 contacts each, creating them (< 2 s ⇔ ≥ 1,000/s)"
                    .to_owned(),
                first_sync,
                Target::Throughput { rps: 1000.0, p99: 2000.0 },
            ),
            ("W8c", "the same sync again, finding all 2,000 unchanged".to_owned(), again, Target::Throughput { rps: 1000.0, p99: 2000.0 }),
        ] {
            eprintln!(
                "  {id}: {:.0} customers/s in {:.2} s, batch p50 {:.0} ms, p99 {:.0} ms, failed items {}",
                measured.rps(),
                measured.seconds,
                measured.p50_ms,
                measured.p99_ms,
                measured.errors
            );
            outcomes.push(Outcome { id: id.into(), what, measured, peak_rss_kib: peak, target });
        }
        forget_scenario_writes(direct, &state.manager_email).await?;
    }
    if wanted("W9") {
        let token = sign_in(&client, base_url, &state.manager_email).await?;
        let rows = args.import_rows;
        eprintln!("W9: importing a spreadsheet of {rows} new customers, matched by phone and email against every stored one");
        server.reset_peak();
        let measured = imports::measure(&api, &token, rows).await?;
        let peak = server.peak_rss_kib();
        eprintln!(
            "  W9: {:.0} rows/s, {:.1} s, failed rows {}, peak RSS {} MiB",
            measured.rps(),
            measured.seconds,
            measured.errors,
            peak.unwrap_or(0) / 1024
        );
        let what = format!(
            "import of {rows} customer rows (CSV, mapping, validation, duplicate check by phone and email), from run to completed (rows/s)"
        );
        // 100,000 rows in ≤ 10 s.
        outcomes.push(Outcome {
            id: "W9".into(),
            what,
            measured,
            peak_rss_kib: peak,
            target: Target::Throughput { rps: 10_000.0, p99: 10_000.0 },
        });
        forget_scenario_writes(direct, &state.manager_email).await?;
    }
    if wanted("X1") {
        let token = sign_in(&client, base_url, export::EXPORT_EMAIL).await?;
        let live = direct
            .query_one_raw(Statement::from_string(
                direct.get_database_backend(),
                "SELECT COUNT(*) AS n FROM customers WHERE deleted_at IS NULL",
            ))
            .await?
            .context("counting customers")?
            .try_get::<i64>("", "n")? as u64;
        eprintln!("X1: exporting all {live} customers as NDJSON");
        server.reset_peak();
        let measured = export::measure(&api, &token, live).await?;
        let peak = server.peak_rss_kib();
        eprintln!(
            "  {:.0} rows/s, {} rows in {:.1} s, first bytes after {:.0} ms, rows missing {}, peak RSS {} MiB",
            measured.rps(),
            measured.requests,
            measured.seconds,
            measured.p50_ms,
            measured.errors,
            peak.unwrap_or(0) / 1024
        );
        let what = format!(
            "GET /customers/export?format=ndjson as an administrator: all {live} customers in one stream (rows/s; p50 = first bytes, p99 = whole stream)"
        );
        outcomes.push(Outcome { id: "X1".into(), what, measured, peak_rss_kib: peak, target: Target::NoErrors });
    }
    Ok((healthz, outcomes))
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}
