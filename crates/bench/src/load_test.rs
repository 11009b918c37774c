//! Load scenarios run by `wrk` (Debian's package) with a Lua script each, and the two ceilings
//! measured on the same machine in the same run: `pgbench -S -M prepared` (the database's read
//! ceiling) and `wrk` against `/healthz` (the HTTP ceiling).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// What one run of the load generator measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Measured {
    pub requests: u64,
    pub seconds: f64,
    pub errors: u64,
    /// Non-2xx/3xx answers among the errors.
    pub status_errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Measured {
    pub fn rps(&self) -> f64 {
        if self.seconds > 0.0 { self.requests as f64 / self.seconds } else { 0.0 }
    }
}

#[derive(Deserialize)]
struct WrkJson {
    requests: u64,
    duration_us: u64,
    connect: u64,
    read: u64,
    write: u64,
    status: u64,
    timeout: u64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

/// How the scenario's requests are made: Lua that defines `request()` (and may use `init`).
pub struct Script {
    pub name: String,
    pub lua: String,
}

const DONE: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%.1f,"p95":%.1f,"p99":%.1f,"max":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"#;

/// Lua that reads one path per line from `file` into `paths` in every wrk thread.
pub fn lua_paths(file: &Path) -> String {
    format!(
        "local paths = {{}}\ninit = function(args)\n  for line in io.lines(\"{}\") do paths[#paths + 1] = line end\n  math.randomseed(os.time() + tonumber(tostring(paths):sub(-6), 16))\nend\n",
        file.display()
    )
}

pub fn lua_headers(token: &str) -> String {
    format!(
        "wrk.headers[\"Authorization\"] = \"Bearer {token}\"\nwrk.headers[\"Accept\"] = \"application/json\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    )
}

/// Runs `wrk` with the script for `seconds` seconds on `connections` connections.
pub fn wrk(dir: &Path, base_url: &str, script: &Script, seconds: u64, connections: u32) -> anyhow::Result<Measured> {
    let path: PathBuf = dir.join(format!("{}.lua", script.name));
    std::fs::write(&path, format!("{}\n{}", script.lua, DONE))?;
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--timeout", "10s", "-s"])
        .arg(&path)
        .arg(base_url)
        .output()
        .context("running wrk (apt-get install wrk)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("BENCH_JSON ")) else {
        bail!("wrk gave no result for {}: {}{}", script.name, stdout, String::from_utf8_lossy(&output.stderr));
    };
    let json: WrkJson = serde_json::from_str(line)?;
    Ok(Measured {
        requests: json.requests,
        seconds: json.duration_us as f64 / 1e6,
        errors: json.connect + json.read + json.write + json.status + json.timeout,
        status_errors: json.status,
        p50_ms: json.p50 / 1000.0,
        p95_ms: json.p95 / 1000.0,
        p99_ms: json.p99 / 1000.0,
        max_ms: json.max / 1000.0,
    })
}

/// `pgbench -S -M prepared` on a scratch database: selects by primary key, the database's read
/// ceiling on this machine. Returns transactions per second.
pub fn pgbench(host: &str, port: u16, user: &str, database: &str, seconds: u64, clients: u32) -> anyhow::Result<f64> {
    let base = |program: &str| {
        let mut command = Command::new(program);
        command.args(["-h", host, "-p", &port.to_string(), "-U", user]);
        command
    };
    let _ = base("dropdb").args(["--if-exists", database]).output();
    let created = base("createdb").arg(database).output().context("createdb")?;
    if !created.status.success() {
        bail!("createdb {database}: {}", String::from_utf8_lossy(&created.stderr));
    }
    let init = base("pgbench").args(["-i", "-q", "-s", "10", database]).output().context("pgbench -i")?;
    if !init.status.success() {
        bail!("pgbench -i: {}", String::from_utf8_lossy(&init.stderr));
    }
    let run = base("pgbench")
        .args(["-S", "-M", "prepared", "-n", "-c", &clients.to_string(), "-j", "2", "-T", &seconds.to_string(), database])
        .output()
        .context("pgbench -S")?;
    let _ = base("dropdb").args(["--if-exists", database]).output();
    let text = String::from_utf8_lossy(&run.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok());
    tps.with_context(|| format!("no tps in pgbench output: {text}{}", String::from_utf8_lossy(&run.stderr)))
}

/// The version line of wrk, for the report.
pub fn wrk_version() -> String {
    Command::new("wrk")
        .arg("-v")
        .output()
        .map(|o| {
            let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            text.lines().next().unwrap_or_default().split(" Copyright").next().unwrap_or_default().trim().to_owned()
        })
        .unwrap_or_default()
}
