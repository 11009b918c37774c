//! W8: what an ERP sync costs through the batch API. W8a creates customers with two contacts each
//! in batches of 1,000 (the integration engineer's 2,000 customers took 6,007 requests and 78 s
//! one by one); W8b is that sync itself done again by external id: 2,000 customers, each with two
//! contacts, upserted in two batches, timed whole. Each "request" in the figures is a customer
//! (with its contacts); the latencies are those of whole batches.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::load_test::Measured;

/// Customers per batch: the API's maximum.
pub const BATCH: usize = 1000;

/// One customer item as an ERP sends it: its own id, two contacts with theirs.
fn customer_item(run: &str, n: usize, op: &str) -> Value {
    let district = ["浦东新区", "徐汇区", "闵行区", "静安区"][n % 4];
    let body = json!({
        "kind": "company",
        "name": format!("批量同步客户 {run}-{n}"),
        "province": "上海市",
        "city": "上海市",
        "district": district,
        "phone": format!("021-{:08}", 60_000_000 + n),
        "lifecycle_stage": "prospect",
        "tags": ["ERP"],
    });
    // Each pass's contacts have ids of their own: W8a's belong to W8a's customers.
    let contact = |k: usize| json!({ "name": format!("联系人 {n}-{k}"), "mobile": format!("139{:08}", (n * 2 + k) % 100_000_000), "external_ids": { "erp": format!("{run}-{op}-P-{n}-{k}") } });
    let mut item = json!({ "op": op, "body": body, "contacts": [contact(0), contact(1)] });
    if op == "upsert" {
        item["system"] = json!("erp");
        item["external_id"] = json!(format!("{run}-C-{n}"));
    }
    item
}

/// Sends `customers` customers (two contacts each) in batches of [`BATCH`] and measures them.
async fn send(client: &reqwest::Client, api: &str, token: &str, run: &str, customers: usize, op: &str) -> anyhow::Result<Measured> {
    let mut latencies = Vec::new();
    let mut errors = 0;
    let started = Instant::now();
    for first in (0..customers).step_by(BATCH) {
        let items: Vec<Value> = (first..(first + BATCH).min(customers)).map(|n| customer_item(run, n, op)).collect();
        let sent = Instant::now();
        let reply = client
            .post(format!("{api}/customers/batch"))
            .bearer_auth(token)
            .json(&json!({ "items": items }))
            .send()
            .await
            .context("sending a batch")?;
        let status = reply.status();
        let body: Value = reply.json().await.context("reading a batch's results")?;
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            bail!("a batch answered {status}: {body}");
        }
        errors += body["failed"].as_u64().unwrap_or(0);
        if let Some(failed) = body["results"].as_array().and_then(|r| r.iter().find(|r| !r["error"].is_null())) {
            eprintln!("  a batch item failed: {failed}");
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |share: f64| latencies.get(((latencies.len() as f64 - 1.0) * share).round() as usize).copied().unwrap_or(0.0);
    Ok(Measured {
        requests: customers as u64,
        seconds,
        errors,
        status_errors: 0,
        p50_ms: at(0.5),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    })
}

/// W8a (`customers` created in batches), W8b (the 2,000-customer sync by external id, which
/// creates them) and W8c (the same sync again, the nightly run that finds them all unchanged).
pub async fn measure(api: &str, token: &str, customers: usize) -> anyhow::Result<[Measured; 3]> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build()?;
    let run = uuid::Uuid::now_v7().simple().to_string()[..8].to_owned();
    let created = send(&client, api, token, &run, customers, "create").await?;
    let first_sync = send(&client, api, token, &run, 2000, "upsert").await?;
    let again = send(&client, api, token, &run, 2000, "upsert").await?;
    Ok([created, first_sync, again])
}
