//! The results file: the machine, the commit, the load, the ceilings and one row per scenario
//! with its ratio to the relevant ceiling and whether its target was met.

use std::fmt::Write as _;
use std::process::Command;

use crate::load_test::Measured;
use crate::world::LoadReport;

/// The target for a scenario.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    P95(f64),
    /// A share of the pgbench -S rate, with a p99 bound.
    ReadCeiling {
        share: f64,
        p99: f64,
    },
    Throughput {
        rps: f64,
        p99: f64,
    },
    /// At least a share of another scenario's throughput in the same run (the same work with
    /// something added: the added part may cost at most the rest).
    ShareOf {
        scenario: &'static str,
        share: f64,
    },
    NoErrors,
}

pub struct Ceilings {
    pub pgbench_tps: Option<f64>,
    pub healthz: Option<Measured>,
}

pub struct Outcome {
    pub id: String,
    pub what: String,
    pub measured: Measured,
    pub peak_rss_kib: Option<u64>,
    pub target: Target,
}

pub struct Run {
    pub backend: String,
    pub scale: f64,
    pub seed: u64,
    pub customers: u64,
    pub load: Option<LoadReport>,
    pub reused: bool,
    pub seconds: u64,
    pub warmup: u64,
    pub connections: u32,
    pub ceilings: Ceilings,
    pub outcomes: Vec<Outcome>,
    pub database_version: String,
    pub server_rss_end_kib: Option<u64>,
}

pub const RSS_LIMIT_MIB: u64 = 200;
pub const LOAD_TARGET: f64 = 50_000.0;

fn target_text(target: &Target) -> String {
    match target {
        Target::P95(ms) => format!("p95 ≤ {ms:.0} ms"),
        Target::ReadCeiling { share, p99 } => format!("≥ {:.0} % of pgbench -S, p99 ≤ {p99:.0} ms", share * 100.0),
        Target::Throughput { rps, p99 } => format!("≥ {rps:.0}/s, p99 ≤ {p99:.0} ms"),
        Target::ShareOf { scenario, share } => format!("≥ {:.0} % of {scenario}'s req/s", share * 100.0),
        Target::NoErrors => "0 errors".into(),
    }
}

/// Whether the target was met (`None` when the ceiling or scenario it needs was not measured).
fn met(outcome: &Outcome, ceilings: &Ceilings, outcomes: &[Outcome]) -> Option<bool> {
    let m = &outcome.measured;
    if m.requests == 0 {
        return Some(false);
    }
    let rss_ok = outcome.peak_rss_kib.is_none_or(|k| k / 1024 <= RSS_LIMIT_MIB);
    let ok = match outcome.target {
        Target::P95(ms) => m.p95_ms <= ms,
        Target::ReadCeiling { share, p99 } => m.rps() >= share * ceilings.pgbench_tps? && m.p99_ms <= p99,
        Target::Throughput { rps, p99 } => m.rps() >= rps && m.p99_ms <= p99,
        Target::ShareOf { scenario, share } => m.rps() >= share * outcomes.iter().find(|o| o.id == scenario)?.measured.rps(),
        Target::NoErrors => true,
    };
    Some(ok && m.errors == 0 && rss_ok)
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program).args(args).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok())
        })
        .map(|k| format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    let kernel = command_line("uname", &["-sr"]);
    format!("{cpu}, {cores} cores, {memory} RAM, {kernel}")
}

fn ms(v: f64) -> String {
    if v >= 100.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

pub fn markdown(run: &Run) -> String {
    let mut out = String::new();
    let commit = command_line("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !command_line("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let _ = writeln!(out, "# Benchmark results ({})\n", run.backend);
    let _ = writeln!(
        out,
        "Written by `make bench{}` (crates/bench). Figures drift between runs on shared machines; the ratios to the ceilings measured in the same run are the comparable part.\n",
        if run.backend == "sqlite" { "-sqlite" } else { "" }
    );
    let _ = writeln!(out, "- **Commit**: `{commit}`{}", if dirty { " (with uncommitted changes)" } else { "" });
    let _ = writeln!(out, "- **Date**: {date}");
    let _ = writeln!(out, "- **Machine**: {} — load generator, server and database on the same machine", machine());
    let _ = writeln!(out, "- **Database**: {}", run.database_version);
    let _ = writeln!(
        out,
        "- **Load generator**: {}, 2 threads, {} connections, {} s warm-up then {} s per scenario",
        crate::load_test::wrk_version(),
        run.connections,
        run.warmup,
        run.seconds
    );
    let _ = writeln!(
        out,
        "- **Server**: `crm serve` (release build), one worker per core, signed in as a sales manager (team scope: 华东大区, about a third of the data)"
    );
    let _ = writeln!(
        out,
        "- **Data**: scale {} ({} customers), seed {}{}\n",
        run.scale,
        run.customers,
        run.seed,
        if run.reused { ", database reused from an earlier load" } else { "" }
    );

    if let Some(load) = &run.load {
        let counts = &load.counts;
        let rate = counts.records() as f64 / load.seconds;
        let _ = writeln!(out, "## Data load\n");
        let _ = writeln!(
            out,
            "| customers | contacts | interactions | opportunities | orders | records | derived rows¹ | time² | records/s | all rows/s | ANALYZE | target ≥ 50,000 rows/s |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--:|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} s | {:.0} | {:.0} | {:.0} s | {} |\n",
            counts.customers,
            counts.contacts,
            counts.interactions,
            counts.opportunities,
            counts.orders,
            counts.records(),
            counts.derived,
            load.seconds,
            rate,
            (counts.records() + counts.derived) as f64 / load.seconds,
            load.analyze_seconds,
            if rate >= LOAD_TARGET { "met" } else { "**missed**" }
        );
        let _ = writeln!(
            out,
            "¹ tags, stage histories, order lines and timeline items written with the records (no audit entries or events: a bulk load is not an audited change).  "
        );
        let _ = writeln!(
            out,
            "² from the first batch to the last index, including {:.0} s to rebuild the secondary indexes set aside during the load (PostgreSQL); the target is judged on records/s.\n",
            load.index_seconds
        );
    }

    let _ = writeln!(out, "## Ceilings (same machine, same run)\n");
    let _ = writeln!(out, "| ceiling | req/s | p50 ms | p99 ms |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    match run.ceilings.pgbench_tps {
        Some(tps) => {
            let _ =
                writeln!(out, "| `pgbench -S -M prepared`, scale 10, {} clients (database read ceiling) | {tps:.0} | | |", run.connections);
        }
        None => {
            let _ = writeln!(
                out,
                "| database read ceiling | n/a ({}) | | |",
                if run.backend == "sqlite" { "no pgbench for SQLite" } else { "not measured" }
            );
        }
    }
    if let Some(h) = &run.ceilings.healthz {
        let _ = writeln!(out, "| `wrk` against `/healthz` (HTTP ceiling) | {:.0} | {} | {} |", h.rps(), ms(h.p50_ms), ms(h.p99_ms));
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Scenarios\n");
    let _ = writeln!(
        out,
        "| | scenario | req/s | p50 ms | p95 ms | p99 ms | errors | server peak RSS | ÷ HTTP ceiling | ÷ pgbench -S | target | met |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|:--:|");
    for o in &run.outcomes {
        let m = &o.measured;
        let http = run.ceilings.healthz.as_ref().map(|h| format!("{:.1} %", 100.0 * m.rps() / h.rps())).unwrap_or_else(|| "–".into());
        let db = run.ceilings.pgbench_tps.map(|t| format!("{:.1} %", 100.0 * m.rps() / t)).unwrap_or_else(|| "–".into());
        let rss = o.peak_rss_kib.map(|k| format!("{} MiB", k / 1024)).unwrap_or_else(|| "–".into());
        let verdict = match met(o, &run.ceilings, &run.outcomes) {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "–",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} | {} | {} | {rss} | {http} | {db} | {}, RSS ≤ 200 MiB | {verdict} |",
            o.id,
            o.what,
            m.rps(),
            ms(m.p50_ms),
            ms(m.p95_ms),
            ms(m.p99_ms),
            m.errors,
            target_text(&o.target),
        );
    }
    let peak = run.outcomes.iter().filter_map(|o| o.peak_rss_kib).max();
    let _ = writeln!(
        out,
        "\nServer peak RSS over all scenarios: {} (target ≤ {RSS_LIMIT_MIB} MiB){}.",
        peak.map(|k| format!("{} MiB", k / 1024)).unwrap_or_else(|| "–".into()),
        run.server_rss_end_kib.map(|k| format!("; resident at the end: {} MiB", k / 1024)).unwrap_or_default()
    );
    out
}
