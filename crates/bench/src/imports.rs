//! W9: an import of a spreadsheet of new customers, as a company moving to this CRM brings one:
//! the file uploaded, its rows matched by phone and email against every stored customer (skip
//! the duplicates), then written by the background job in chunks, each record audited and told.
//! Timed from the start of the run to its end; "requests" are rows.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::load_test::Measured;

/// The file: a header row in Chinese and `rows` rows with unique names, phones and emails.
fn spreadsheet(run: &str, rows: usize) -> Vec<u8> {
    let mut file = String::with_capacity(rows * 90);
    file.push_str("客户名称,手机,邮箱,省份,城市,所属行业,标签\n");
    for n in 0..rows {
        let district = ["浦东新区", "徐汇区", "闵行区", "静安区"][n % 4];
        file.push_str(&format!(
            "导入基准客户 {run}-{n} {district},136{:08},import-{run}-{n}@example.com,上海市,上海市,制造业,导入\n",
            n % 100_000_000
        ));
    }
    file.into_bytes()
}

async fn json_of(reply: reqwest::Response, what: &str) -> anyhow::Result<Value> {
    let status = reply.status();
    let body: Value = reply.json().await.with_context(|| format!("reading {what}"))?;
    if !status.is_success() {
        bail!("{what} answered {status}: {body}");
    }
    Ok(body)
}

/// Uploads, configures and runs an import of `rows` rows; measures the run.
pub async fn measure(api: &str, token: &str, rows: usize) -> anyhow::Result<Measured> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build()?;
    let run = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() % 0xfffff);
    let uploaded = client
        .post(format!("{api}/imports?entity=customers&file_name=bench.csv"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(spreadsheet(&run, rows))
        .send()
        .await
        .context("uploading the file")?;
    let import = json_of(uploaded, "the upload").await?;
    let id = import["id"].as_str().context("the import's id")?.to_owned();
    let settings = json!({ "duplicate_handling": "skip", "match_keys": ["phone", "email"] });
    json_of(client.patch(format!("{api}/imports/{id}")).bearer_auth(token).json(&settings).send().await?, "the settings").await?;
    let started = Instant::now();
    json_of(client.post(format!("{api}/imports/{id}/run")).bearer_auth(token).send().await?, "the run").await?;
    let done = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let import = json_of(client.get(format!("{api}/imports/{id}")).bearer_auth(token).send().await?, "the progress").await?;
        match import["status"].as_str() {
            Some("running") => {}
            Some("completed") => break import,
            other => bail!("the import ended {other:?}: {import}"),
        }
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("the import did not finish in 30 minutes: {import}");
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let millis = seconds * 1000.0;
    Ok(Measured {
        requests: rows as u64,
        seconds,
        errors: done["failed"].as_u64().unwrap_or(0),
        status_errors: 0,
        p50_ms: millis,
        p95_ms: millis,
        p99_ms: millis,
        max_ms: millis,
    })
}
