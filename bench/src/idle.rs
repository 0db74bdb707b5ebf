//! `edgehook bench idle`: what a deployment with nothing to do costs.
//!
//! Why: most deployments spend most of their time quiet, and a service that polls (pull
//! requests, heartbeats, gauges, KV watches, retention) pays for it on every core it runs on.
//! The scenario starts `edgehook up` with a client, a source and one webhook registered (so
//! every consumer and watch is live), lets it settle for [`SETTLE`], then reads the CPU that
//! edgehook and its nats-server use over `--duration` (default 60 s) with no traffic at all.
//! The target is under 1 % of a core for both together.

use std::time::Duration;

use serde::Serialize;

use super::deployment::{Deployment, Window};
use super::{BenchArgs, Settings, progress, scenarios, setup};

/// Start-up work (stream creation, first pulls) left behind before the window opens.
const SETTLE: Duration = Duration::from_secs(10);
/// What a quiet deployment may use: 1 % of a core.
const TARGET_CORES: f64 = 0.01;

#[derive(Serialize)]
struct Process {
    process: String,
    cpu_s: f64,
    cpu_cores: f64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct Report {
    scenario: &'static str,
    seconds: f64,
    processes: Vec<Process>,
    /// edgehook and nats-server together, in cores.
    total_cores: f64,
    target_met: bool,
}

pub async fn run(settings: &Settings, args: &BenchArgs) -> anyhow::Result<()> {
    if args.target.is_some() {
        anyhow::bail!("idle starts its own deployment: drop --target");
    }
    let http = scenarios::http_client(1)?;
    let deployment = Deployment::open(args).await?;
    let run_id = format!("i{:08x}", rand::random::<u32>());
    // A callback nobody calls: no event is sent.
    let urls = vec!["http://127.0.0.1:9/idle".to_owned()];
    let measured = async {
        setup::register(&http, &deployment.credentials, &run_id, &urls, &serde_json::json!({})).await?;
        progress(format_args!("settling for {} s", SETTLE.as_secs()));
        tokio::time::sleep(SETTLE).await;
        let window = Window::open(deployment.processes());
        progress(format_args!("idle for {:.0} s", settings.duration.as_secs_f64()));
        tokio::time::sleep(settings.duration).await;
        anyhow::Ok(window.close())
    }
    .await;
    deployment.stop().await?;
    let usage = measured?;
    let processes: Vec<Process> = usage
        .into_iter()
        .filter(|usage| usage.pid != 0)
        .map(|usage| Process {
            process: usage.process,
            cpu_s: usage.cpu_s,
            // Finer than the window's rounding: a quiet process uses thousandths of a core.
            cpu_cores: usage.cpu_s / settings.duration.as_secs_f64(),
            peak_rss_mb: usage.peak_rss_mb,
        })
        .collect();
    let total_cores = processes.iter().map(|process| process.cpu_cores).sum();
    let report = Report {
        scenario: "idle",
        seconds: settings.duration.as_secs_f64(),
        processes,
        total_cores,
        target_met: total_cores < TARGET_CORES,
    };
    if settings.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "edgehook bench idle ({:.0} s with no traffic, after {} s of settling)",
            report.seconds,
            SETTLE.as_secs()
        );
        for process in &report.processes {
            println!(
                "  {:<16} {:.2} CPU s ({:.4} cores, {:.2} % of a core), peak RSS {:.0} MiB",
                process.process,
                process.cpu_s,
                process.cpu_cores,
                process.cpu_cores * 100.0,
                process.peak_rss_mb
            );
        }
        let verdict = if report.target_met { "under" } else { "OVER" };
        println!("  together         {:.2} % of a core: {verdict} the 1 % target", total_cores * 100.0);
    }
    Ok(())
}
