//! `edgehook-bench` (also run as `edgehook bench`, which hands its arguments to this binary):
//! drives a deployment with events and checks every delivery.
//!
//! The bench is a crate of its own so that the production `edgehook` binary carries none of its
//! code or dependencies; it starts the `edgehook` binary beside it (`edgehook up`) unless
//! `--target` names a running deployment. It reuses the product's own pieces rather than copies:
//! ingest's batch limit and source signature (`edgehook-ingest`), the Standard Webhooks signer
//! and verifier (`edgehook-security`), and the root package's library for free ports, the
//! nats-server child and the hub's logins (`jetstream-baseline`).
//!
//! This file holds the flags, their validation and the dispatch to a scenario. The pieces:
//! `deployment.rs` starts (or attaches to) edgehook and reads its processes' CPU and memory,
//! `setup.rs` registers a client, a source and the webhooks, `receiver.rs` is the HTTP endpoint
//! that verifies and records every delivery, `driver.rs` sends events to ingest (HTTP batches or
//! NATS requests) at a pace, `baseline.rs` drives the receiver directly with a plain HTTP client,
//! `jetstream_baseline.rs` moves events through the pipeline's streams with no edgehook around,
//! `scenarios.rs` runs one measurement from start to drain and `report.rs` turns what was
//! recorded into numbers (human summary or one JSON object).

mod baseline;
mod dedup;
mod deployment;
mod driver;
mod history;
mod idle;
mod jetstream_baseline;
mod receiver;
mod report;
mod scenarios;
mod setup;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::bail;
use clap::{Parser, ValueEnum};
use edgehook_ingest::validate::MAX_BATCH;

use self::driver::Pace;

/// Every delivery the receiver verifies and every event the driver makes allocates, on many
/// threads: the same allocator as edgehook's, so that the bench's own share of the CPU is
/// comparable with the numbers measured when it ran inside the `edgehook` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Largest body ingest accepts (its default `max_body_bytes`).
const MAX_BODY: usize = edgehook_ingest::DEFAULT_MAX_BODY_BYTES as usize;
/// Bound on events x webhooks recorded in one run (memory: ~16 bytes each).
const MAX_PAIRS: u64 = 50_000_000;

#[derive(Parser)]
#[command(
    name = "edgehook-bench",
    bin_name = "edgehook bench",
    version,
    about = "Measure a deployment: drive events, check every delivery, print the numbers"
)]
pub struct BenchArgs {
    /// What to measure (also `--scenario`).
    #[arg(value_enum, conflicts_with = "scenario_flag")]
    scenario: Option<Scenario>,
    /// What to measure (same as the positional argument).
    #[arg(long = "scenario", value_enum, id = "scenario_flag", value_name = "SCENARIO")]
    scenario_flag: Option<Scenario>,
    /// How events reach ingest: the HTTP batch endpoint, or NATS requests.
    #[arg(long, value_enum, default_value = "http")]
    via: Via,
    /// Seconds of load.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Events per second (steady: default 2000; max, fanout, slow-endpoint, failing-endpoint and
    /// baseline: as fast as it goes unless given).
    #[arg(long)]
    rate: Option<f64>,
    /// Events per ingest request (1 to 1000).
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// Ingest requests in flight (default 4); for `baseline`, deliveries in flight (default 256,
    /// the relay's default).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Webhooks registered (default 1; fanout 10; slow-endpoint and failing-endpoint 4, one of
    /// them the bad one).
    #[arg(long)]
    webhooks: Option<usize>,
    /// Approximate size of each event's `data`, in bytes.
    #[arg(long, default_value_t = 200)]
    payload_bytes: usize,
    /// Seconds to wait, after the load, for the last deliveries.
    #[arg(long, default_value_t = 60.0)]
    drain_timeout: f64,
    /// burst: events in each burst.
    #[arg(long, default_value_t = 10_000)]
    burst_events: usize,
    /// burst: seconds between the starts of two bursts.
    #[arg(long, default_value_t = 5.0)]
    burst_every: f64,
    /// slow-endpoint: milliseconds the slow endpoint takes to answer.
    #[arg(long, default_value_t = 2000)]
    slow_ms: u64,
    /// fifo: order per value of `seq` (the webhook's `ordering_key`) instead of one lane.
    #[arg(long)]
    ordering_key: bool,
    /// jetstream-baseline: JetStream stores per event: 3 as edgehook (EVENTS, DELIVERIES,
    /// ATTEMPTS), 2 without the attempt record, 1 with EVENTS alone.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    stores: Option<u8>,
    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    json: bool,
    /// An existing deployment's control plane URL (instead of starting `edgehook up`).
    #[arg(long, requires_all = ["ingest_url", "admin_token"])]
    target: Option<String>,
    /// The existing deployment's ingest URL (with --target).
    #[arg(long)]
    ingest_url: Option<String>,
    /// An admin token of the existing deployment (with --target).
    #[arg(long, env = "EDGEHOOK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// The existing deployment's NATS URL (with --target and --via nats).
    #[arg(long)]
    nats_url: Option<String>,
    /// nats-server binary for the started deployment (passed to `edgehook up`).
    #[arg(long)]
    nats_server: Option<PathBuf>,
    /// The started deployment's relay concurrency (`edgehook up --concurrency`).
    #[arg(long)]
    relay_concurrency: Option<usize>,
    /// Log filter of the started deployment (its EDGEHOOK_LOG); logs go to <data-dir>/edgehook.log.
    #[arg(long)]
    edgehook_log: Option<String>,
    /// Data dir of the started deployment (default: a new directory under the system temp dir,
    /// removed at the end).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep the started deployment's data dir (and its log) at the end.
    #[arg(long)]
    keep_data: bool,
    /// Skip the warm-up (one batch sent and delivered before the measurement starts).
    #[arg(long)]
    no_warmup: bool,
    /// history: attempt records published and written to PostgreSQL (0: skip PostgreSQL).
    #[arg(long, default_value_t = 10_000_000)]
    records: u64,
    /// history: attempt records for the SQLite store afterwards (0: skip SQLite).
    #[arg(long, default_value_t = 1_000_000)]
    sqlite_records: u64,
    /// history: clients the webhooks are spread over.
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// history: requests timed for each of the two history reads.
    #[arg(long, default_value_t = 1000)]
    reads: usize,
    /// history: seconds a store's publishing may take (the writer gets 60 s more to finish).
    #[arg(long, default_value_t = 1800.0)]
    time_limit: f64,
    /// history: a PostgreSQL database URL the bench may create and drop a database with.
    #[arg(
        long,
        env = "EDGEHOOK_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// Write every (endpoint, event) record as CSV to this file: endpoint, seq, accepted_us,
    /// first_arrival_us (0: never), count.
    #[arg(long)]
    dump_csv: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum Scenario {
    /// A fixed rate (--rate, default 2000 events/s).
    Steady,
    /// As fast as ingest takes them.
    Max,
    /// Every event to --webhooks endpoints (default 10).
    Fanout,
    /// One endpoint answers after 2 s, the others at once.
    SlowEndpoint,
    /// One endpoint always answers 500, the others 200.
    FailingEndpoint,
    /// Bursts of --burst-events every --burst-every seconds.
    Burst,
    /// No edgehook: a plain HTTP client delivers signed requests to the same receiver.
    Baseline,
    /// No edgehook: events through the pipeline's streams and consumers (EVENTS, DELIVERIES,
    /// ATTEMPTS) on a nats-server of its own, as fast as they go (or at --rate), with nothing
    /// else done.
    JetstreamBaseline,
    /// --records attempt records (batched as relays publish them) through the history writer
    /// into PostgreSQL, then --sqlite-records into SQLite: write rate, memory, CPU, bytes on
    /// disk and the history reads' latency (--rate: records/s; default as fast as it goes).
    History,
    /// No edgehook: nats-server memory per message id held in a duplicate window (--records
    /// messages, default 1,000,000 here, with and without ids, each on a fresh nats-server).
    Dedup,
    /// No traffic: the CPU a quiet deployment (one webhook registered) uses over --duration.
    Idle,
    /// One FIFO webhook (`"ordering": "fifo"`) at --rate (default 100 events/s): deliveries
    /// one at a time in ingest order; with --ordering-key, FIFO per value of `seq` (every event
    /// its own key: the 16 lanes in parallel). Reports deliveries out of order (0 expected).
    Fifo,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum Via {
    Http,
    Nats,
}

/// How one endpoint of the receiver answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Behavior {
    Healthy,
    Slow(Duration),
    Failing,
}

/// The validated flags of one run.
struct Settings {
    scenario: Scenario,
    via: Via,
    duration: Duration,
    pace: Pace,
    batch_size: usize,
    concurrency: usize,
    behaviors: Vec<Behavior>,
    payload_bytes: usize,
    drain_timeout: Duration,
    max_events: u64,
    json: bool,
    warmup: bool,
    dump_csv: Option<PathBuf>,
    /// The fifo scenario's ordering (None: the webhooks are not FIFO).
    fifo: Option<Fifo>,
}

/// How the fifo scenario's webhook is ordered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fifo {
    /// One lane: every event after the one before.
    OneLane,
    /// `ordering_key` `seq`: every event its own key, the lanes in parallel.
    PerSeq,
}

impl Fifo {
    /// The webhook fields that make it.
    fn webhook_fields(self) -> serde_json::Value {
        match self {
            Fifo::OneLane => serde_json::json!({"ordering": "fifo"}),
            Fifo::PerSeq => serde_json::json!({"ordering": "fifo", "ordering_key": "seq"}),
        }
    }

    /// The lane event `seq` takes (the relay's own function).
    fn lane(self, seq: u64) -> u32 {
        let key = match self {
            Fifo::OneLane => None,
            Fifo::PerSeq => Some("seq"),
        };
        edgehook_domain::ordering::lane(key, &serde_json::json!({"seq": seq}).into())
    }
}

/// Microseconds since the start of the run, plus one: 0 means "never".
#[derive(Clone, Copy)]
struct Clock(Instant);

impl Clock {
    fn stamp(&self) -> u64 {
        self.stamp_of(Instant::now())
    }

    fn stamp_of(&self, instant: Instant) -> u64 {
        u64::try_from(instant.saturating_duration_since(self.0).as_micros()).unwrap_or(u64::MAX - 1) + 1
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = BenchArgs::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("edgehook bench: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let settings = settings(&args)?;
    if settings.scenario == Scenario::History {
        if args.target.is_some() {
            bail!("history starts its own deployments: drop --target");
        }
        return history::run(&args, settings.json).await;
    }
    if settings.scenario == Scenario::Dedup {
        let messages = if args.records == 10_000_000 { 1_000_000 } else { args.records };
        return dedup::run(messages, args.nats_server.as_deref(), settings.json).await;
    }
    if settings.scenario == Scenario::Baseline {
        return baseline::run(&settings).await;
    }
    if settings.scenario == Scenario::Idle {
        return idle::run(&settings, &args).await;
    }
    if settings.scenario == Scenario::JetstreamBaseline {
        let stores = args.stores.unwrap_or(3);
        return jetstream_baseline::run(&settings, stores, args.nats_server.as_deref()).await;
    }
    scenarios::run(&settings, &args).await
}

fn seconds(name: &str, value: f64, max: f64) -> anyhow::Result<Duration> {
    if !value.is_finite() || value <= 0.0 || value > max {
        bail!("--{name} must be more than 0 and at most {max} seconds (got {value})");
    }
    Ok(Duration::from_secs_f64(value))
}

fn settings(args: &BenchArgs) -> anyhow::Result<Settings> {
    let Some(scenario) = args.scenario.or(args.scenario_flag) else {
        bail!(
            "name a scenario: steady, max, fanout, slow-endpoint, failing-endpoint, burst, \
             baseline, jetstream-baseline, history, dedup, idle or fifo (e.g. `edgehook bench steady --rate 2000`)"
        );
    };
    let duration = seconds("duration", args.duration, 3600.0)?;
    let drain_timeout = seconds("drain-timeout", args.drain_timeout, 3600.0)?;
    if !(1..=MAX_BATCH).contains(&args.batch_size) {
        bail!("--batch-size must be 1 to {MAX_BATCH} (got {})", args.batch_size);
    }
    if args.payload_bytes > 100_000 {
        bail!("--payload-bytes must be at most 100000 (got {})", args.payload_bytes);
    }
    // ~120 bytes of JSON around each event's data.
    if args.batch_size * (args.payload_bytes + 160) > MAX_BODY {
        bail!("--batch-size x --payload-bytes make batches larger than ingest's 1 MiB limit");
    }
    let concurrency = args.concurrency.unwrap_or(if scenario == Scenario::Baseline { 256 } else { 4 });
    if !(1..=4096).contains(&concurrency) {
        bail!("--concurrency must be 1 to 4096 (got {concurrency})");
    }
    if args.rate.is_some_and(|rate| !rate.is_finite() || rate <= 0.0 || rate > 10_000_000.0) {
        let rate = args.rate.unwrap_or_default();
        bail!("--rate must be a positive number of events per second (got {rate})");
    }
    let webhooks = args.webhooks.unwrap_or(match scenario {
        Scenario::Fanout => 10,
        Scenario::SlowEndpoint | Scenario::FailingEndpoint => 4,
        _ => 1,
    });
    if !(1..=1000).contains(&webhooks) {
        bail!("--webhooks must be 1 to 1000 (got {webhooks})");
    }
    let bad = match scenario {
        Scenario::SlowEndpoint => Some(Behavior::Slow(Duration::from_millis(args.slow_ms))),
        Scenario::FailingEndpoint => Some(Behavior::Failing),
        _ => None,
    };
    if bad.is_some() && webhooks < 2 {
        bail!("this scenario needs at least 2 webhooks: one bad, the others healthy");
    }
    if args.slow_ms > 60_000 {
        bail!("--slow-ms must be at most 60000 (got {})", args.slow_ms);
    }
    let mut behaviors = vec![Behavior::Healthy; webhooks];
    if let Some(bad) = bad {
        behaviors[0] = bad;
    }
    let pace = match (scenario, args.rate) {
        (Scenario::Steady, rate) => Pace::Rate(rate.unwrap_or(2000.0)),
        (Scenario::Fifo, rate) => Pace::Rate(rate.unwrap_or(100.0)),
        (Scenario::Burst, _) => {
            if !(1..=1_000_000).contains(&args.burst_events) {
                bail!("--burst-events must be 1 to 1000000 (got {})", args.burst_events);
            }
            Pace::Burst {
                events: args.burst_events,
                every: seconds("burst-every", args.burst_every, 3600.0)?,
            }
        }
        (_, Some(rate)) => Pace::Rate(rate),
        (_, None) => Pace::Max,
    };
    if scenario == Scenario::JetstreamBaseline && args.target.is_some() {
        bail!("jetstream-baseline runs on a nats-server of its own: drop --target");
    }
    if scenario != Scenario::Fifo && args.ordering_key {
        bail!("--ordering-key is for fifo");
    }
    if scenario == Scenario::Fifo && webhooks != 1 {
        bail!("fifo measures one FIFO webhook: drop --webhooks");
    }
    if scenario != Scenario::JetstreamBaseline && args.stores.is_some() {
        bail!("--stores is for jetstream-baseline");
    }
    if args.target.is_some() && args.via == Via::Nats && args.nats_url.is_none() {
        bail!("--via nats with --target needs --nats-url");
    }
    if args.relay_concurrency.is_some_and(|concurrency| args.target.is_some() || concurrency == 0) {
        bail!("--relay-concurrency is for the started deployment and must be at least 1");
    }
    Ok(Settings {
        scenario,
        via: args.via,
        duration,
        pace,
        batch_size: args.batch_size,
        concurrency,
        payload_bytes: args.payload_bytes,
        drain_timeout,
        max_events: MAX_PAIRS / webhooks as u64,
        behaviors,
        json: args.json,
        warmup: !args.no_warmup,
        dump_csv: args.dump_csv.clone(),
        fifo: (scenario == Scenario::Fifo).then_some(if args.ordering_key {
            Fifo::PerSeq
        } else {
            Fifo::OneLane
        }),
    })
}

/// Progress on stderr (stdout is the summary or the JSON object).
fn progress(message: impl std::fmt::Display) {
    eprintln!("bench: {message}");
}
