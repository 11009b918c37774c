//! The organisation the data belongs to, created through the persistence layer like an operator
//! would: four regions with five sales teams each, ten sales people per team, one sales manager
//! over 华东大区 (the benchmark's caller), a product catalogue; and the load of the customers.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crm_domain::sales::{Currency, Money, ProductFields};
use crm_domain::values::Email;
use crm_persistence::bulk::{self, BulkStage, LoadCounts};
use crm_persistence::identity::{roles, teams, users};
use crm_persistence::sales::{pipelines, products};
use crm_persistence::{Actor, Db, PageRequest};

use crate::generate::{Owner, Product, REGIONS, World};

pub const MANAGER_EMAIL: &str = "bench-manager@example.com";
pub const MANAGER_PASSWORD: &str = "bench-password-1";
const TEAMS_PER_REGION: usize = 5;
const SALES_PER_TEAM: usize = 10;
const TEAM_NUMBERS: [&str; 5] = ["一", "二", "三", "四", "五"];

/// What the scenarios need to know about the loaded data (kept next to the database, so a run
/// can reuse a loaded database).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub seed: u64,
    pub customers: u64,
    pub manager_email: String,
    /// The sales person owning most customers (in the manager's region).
    pub top_owner_id: Uuid,
    pub pipeline_id: Uuid,
    pub load: Option<LoadReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// What was written, stored flat beside the times as before.
    #[serde(flatten)]
    pub counts: LoadCounts,
    /// Total, including the index rebuild.
    pub seconds: f64,
    /// Rebuilding the indexes set aside during the load.
    #[serde(default)]
    pub index_seconds: f64,
    pub analyze_seconds: f64,
}

impl State {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(serde_json::from_str(&text)?)
    }
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string_pretty(self)?)?;
        Ok(())
    }
}

/// Creates the teams, users and products, and returns the generator's world.
async fn organise(db: &Db, seed: u64) -> anyhow::Result<World> {
    let system = Actor::system();
    let sales_role = roles::find_by_key(db, "sales").await?.context("the sales role is missing")?;
    let password_hash = crm_api::auth::hash_password(MANAGER_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut owners = Vec::new();
    let mut sales_teams: Vec<(usize, Uuid)> = Vec::new();
    for (r, region) in REGIONS.iter().enumerate() {
        let root = teams::create(db, &system, region.name.to_owned(), None).await?;
        let short = region.name.trim_end_matches("大区");
        for number in TEAM_NUMBERS.iter().take(TEAMS_PER_REGION) {
            let team = teams::create(db, &system, format!("{short}销售{number}组"), Some(root.id)).await?;
            sales_teams.push((r, team.id));
        }
    }
    // Sales person i works in region i % 4, so that the first (and busiest) is in 华东.
    let total = REGIONS.len() * TEAMS_PER_REGION * SALES_PER_TEAM;
    for i in 0..total {
        let region = i % REGIONS.len();
        let in_region: Vec<Uuid> = sales_teams.iter().filter(|(r, _)| *r == region).map(|(_, id)| *id).collect();
        let team_id = in_region[(i / REGIONS.len()) % in_region.len()];
        let name =
            format!("{}{}", SALES_SURNAMES[i % SALES_SURNAMES.len()], SALES_GIVEN[(i / SALES_SURNAMES.len() + i) % SALES_GIVEN.len()]);
        let user = users::create(
            db,
            &system,
            crm_domain::identity::NewUser {
                email: Email::parse(&format!("bench-sales{i}@example.com")).map_err(|e| anyhow::anyhow!("{e}"))?,
                display_name: name.clone(),
                password_hash: password_hash.clone(),
                role_id: sales_role.id,
                team_ids: vec![team_id],
                locale: "zh-CN".into(),
            },
        )
        .await?;
        owners.push(Owner { id: user.id, name, team_id, region });
    }
    crm_api::cli::create_user(db, MANAGER_EMAIL, "华东销售经理", "manager", MANAGER_PASSWORD, &[REGIONS[0].name]).await?;

    let mut catalogue = Vec::new();
    for (n, (name, price_yuan)) in PRODUCTS.iter().enumerate() {
        let record = products::create(
            db,
            &system,
            ProductFields {
                sku: format!("BENCH-{n:03}"),
                name: (*name).to_owned(),
                category: Some("设备与服务".into()),
                description: None,
                unit_price: Money { amount_minor: price_yuan * 100, currency: Currency::cny() },
                active: true,
                custom_fields: Default::default(),
            },
            &Default::default(),
        )
        .await?;
        catalogue.push(Product { id: record.id, sku: record.fields.sku, name: record.fields.name, unit_price_minor: price_yuan * 100 });
    }

    let pipelines = pipelines::list(db, &system, &PageRequest { limit: 50, ..Default::default() }).await?;
    let pipeline = pipelines.data.into_iter().find(|p| p.is_default).context("no default pipeline")?;
    let stages = pipeline
        .stages
        .iter()
        .filter(|s| !s.retired)
        .map(|s| BulkStage { id: s.id, key: s.key.clone(), name: s.name.clone(), kind: s.kind })
        .collect();
    let mut world = World::new(seed, owners, pipeline.id, stages, catalogue);
    world.created_by = world.owners.first().map(|o| o.id);
    Ok(world)
}

/// Migrates an empty database, creates the organisation and loads `customers` customers with
/// everything under them in batches, generating the next batch while the last one is written.
pub async fn load(db: &Db, seed: u64, customers: u64, batch: u64) -> anyhow::Result<State> {
    db.migrate().await?;
    if users::find_id_by_email(db, MANAGER_EMAIL).await?.is_some() {
        bail!("the database already holds bench data; start from an empty one");
    }
    // Blind indexes as long as the loaded records call for, rather than an empty database's; and
    // the empty database noted as sealed (the load seals what it writes), so that the server
    // does not start a pass over it.
    db.choose_blind_index_lengths(Some(customers)).await?;
    crm_persistence::personal_data::seal_what_is_not_sealed(db).await?;
    let world = std::sync::Arc::new(organise(db, seed).await?);
    let started = Instant::now();
    let deferred = bulk::defer_indexes(db).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<crm_persistence::bulk::CustomerGraph>>(2);
    let generator = {
        let world = world.clone();
        tokio::task::spawn_blocking(move || {
            let mut start = 0;
            while start < customers {
                let end = (start + batch).min(customers);
                let graphs: Vec<_> = (start..end).map(|i| world.customer(i, customers)).collect();
                if sender.blocking_send(graphs).is_err() {
                    break;
                }
                start = end;
            }
        })
    };
    // Two writers: the database does most of the work, and one backend uses one core.
    let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
    let progress = std::sync::Arc::new(std::sync::Mutex::new((LoadCounts::default(), Instant::now())));
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let (db, receiver, progress) = (db.clone(), receiver.clone(), progress.clone());
        writers.spawn(async move {
            loop {
                let next = receiver.lock().await.recv().await;
                let Some(graphs) = next else { return anyhow::Ok(()) };
                let written = bulk::load(&db, &graphs).await?;
                if let Ok(mut progress) = progress.lock() {
                    progress.0.add(written);
                    if progress.1.elapsed() > Duration::from_secs(10) {
                        progress.1 = Instant::now();
                        let seconds = started.elapsed().as_secs_f64();
                        let counts = progress.0;
                        eprintln!(
                            "  loaded {} of {customers} customers, {} records, {:.0} records/s",
                            counts.customers,
                            counts.records(),
                            counts.records() as f64 / seconds
                        );
                    }
                }
            }
        });
    }
    while let Some(result) = writers.join_next().await {
        result??;
    }
    let counts = progress.lock().map(|p| p.0).unwrap_or_default();
    generator.await?;
    let rebuilt = Instant::now();
    let deferred_count = deferred.len();
    bulk::rebuild_indexes(db, deferred).await?;
    let index_seconds = rebuilt.elapsed().as_secs_f64();
    eprintln!("  rebuilt {deferred_count} deferred indexes in {index_seconds:.1} s");
    let summed = Instant::now();
    crm_persistence::analytics::rebuild_sales_rollups(db).await?;
    eprintln!("  summed the sales rollups in {:.1} s", summed.elapsed().as_secs_f64());
    let seconds = started.elapsed().as_secs_f64();
    let analyzed = Instant::now();
    bulk::analyze(db).await?;
    let analyze_seconds = analyzed.elapsed().as_secs_f64();

    Ok(State {
        seed,
        customers,
        manager_email: MANAGER_EMAIL.into(),
        top_owner_id: world.owners.first().map(|o| o.id).unwrap_or_default(),
        pipeline_id: world.pipeline_id,
        load: Some(LoadReport { counts, seconds, index_seconds, analyze_seconds }),
    })
}

const SALES_SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
const SALES_GIVEN: &[&str] = &["晓明", "建国", "丽华", "志强", "海燕", "文博", "佳怡", "子涵", "俊杰", "雨欣", "浩然", "思远", "婷婷"];
const PRODUCTS: &[(&str, i64)] = &[
    ("工业网关 G100", 3_980),
    ("数据采集终端 T20", 1_280),
    ("边缘计算服务器 E5", 28_800),
    ("PLC 控制模块", 6_500),
    ("智能仓储管理系统（年）", 96_000),
    ("CRM 企业版（年/用户）", 1_200),
    ("实施服务（人天）", 2_500),
    ("运维服务包（年）", 18_000),
    ("视觉检测相机 V3", 12_800),
    ("能耗监测传感器", 680),
    ("培训课程（场）", 8_000),
    ("定制开发（人天）", 3_200),
];
