//! X1: the export of every customer as an administrator reads it, streamed as NDJSON. The issue
//! asks that a million customers stream in constant memory: the server's peak RSS over the export
//! is the figure that matters, beside rows per second.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::load_test::Measured;

/// Who exports: an administrator (every customer is theirs to read).
pub const EXPORT_EMAIL: &str = "bench-admin@example.com";

/// Streams `GET /customers/export?format=ndjson` and counts its rows; `expected` rows should come.
/// `p50_ms` is the wait for the first bytes, the other latencies the whole stream's.
pub async fn measure(api: &str, token: &str, expected: u64) -> anyhow::Result<Measured> {
    // No overall timeout: a million rows take minutes; the connect bound stays.
    let client = reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).build()?;
    let started = Instant::now();
    let mut reply =
        client.get(format!("{api}/customers/export?format=ndjson")).bearer_auth(token).send().await.context("starting the export")?;
    if !reply.status().is_success() {
        bail!("the export answered {}", reply.status());
    }
    let mut first_bytes_ms = None;
    let mut rows: u64 = 0;
    while let Some(chunk) = reply.chunk().await.context("reading the export")? {
        first_bytes_ms.get_or_insert_with(|| started.elapsed().as_secs_f64() * 1000.0);
        rows += chunk.iter().filter(|byte| **byte == b'\n').count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(Measured {
        requests: rows,
        seconds,
        errors: expected.abs_diff(rows),
        status_errors: 0,
        p50_ms: first_bytes_ms.unwrap_or(0.0),
        p95_ms: seconds * 1000.0,
        p99_ms: seconds * 1000.0,
        max_ms: seconds * 1000.0,
    })
}
