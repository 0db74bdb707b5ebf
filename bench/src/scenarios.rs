//! One measurement through edgehook: receiver up, deployment up (or attached), registration,
//! the load, the drain (until every healthy delivery arrived or `--drain-timeout`), usage of the
//! processes, the report, and everything stopped again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use edgehook_nats::connection::NatsUrl;

use super::deployment::{self, Deployment, Process, Window};
use super::driver::{self, AcceptLog, Door, Events, Load, Plan};
use super::receiver::Receiver;
use super::report::{self, Inputs};
use super::setup;
use super::{Behavior, BenchArgs, Clock, Settings, Via, progress};

/// After every healthy delivery arrived, how long to keep listening for duplicates.
const SETTLE: Duration = Duration::from_secs(1);
const WARMUP_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

pub async fn run(settings: &Settings, args: &BenchArgs) -> anyhow::Result<()> {
    let http = http_client(settings.concurrency)?;
    let run_id = format!("b{:08x}", rand::random::<u32>());
    let clock = Clock(Instant::now());
    let receiver = Receiver::start(&settings.behaviors, &run_id, clock).await?;
    let deployment = Deployment::open(args).await?;
    let measured = measure(settings, &deployment, &receiver, &http, run_id, clock).await;
    receiver.stop();
    let log_path = deployment.log_path();
    if let Err(error) = deployment.stop().await {
        progress(format_args!("stopping the deployment: {error:#}"));
    }
    let report = measured.with_context(|| match log_path {
        Some(path) => format!("(edgehook's log: {}; keep it with --keep-data)", path.display()),
        None => "measuring the target".to_owned(),
    })?;
    report.print(settings.json)?;
    report.verdict()
}

pub fn http_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    // rustls with ring, as the relay does; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency.max(16))
        .build()
        .context("building the HTTP client")
}

async fn measure(
    settings: &Settings,
    deployment: &Deployment,
    receiver: &Receiver,
    http: &reqwest::Client,
    run_id: String,
    clock: Clock,
) -> anyhow::Result<report::Report> {
    let credentials = &deployment.credentials;
    let urls: Vec<String> = (0..settings.behaviors.len()).map(|index| receiver.url(index)).collect();
    progress(format_args!("registering a client, a source and {} webhooks", urls.len()));
    let fields = settings.fifo.map_or_else(|| serde_json::json!({}), |fifo| fifo.webhook_fields());
    let registered = setup::register(http, credentials, &run_id, &urls, &fields).await?;
    receiver.set_secrets(&registered.webhook_secrets)?;
    let door = match settings.via {
        Via::Http => Door::Http {
            http: http.clone(),
            batch_url: format!("{}/api/v1/events/batch", credentials.ingest_url),
            single_url: format!("{}/api/v1/events/ingest", credentials.ingest_url),
            api_key: registered.api_key.clone(),
            secret: registered.source_secret.clone(),
        },
        Via::Nats => {
            let url = credentials.nats_url.as_deref().context("the deployment has no NATS URL")?;
            let url = NatsUrl::parse(url).context("--nats-url")?.with_token(&registered.api_key);
            let login = url.options().custom_inbox_prefix(&registered.nats_inbox_prefix);
            let client =
                url.connect(login).await.with_context(|| format!("connecting to {url} as the source"))?;
            Door::Nats { client, subject: registered.nats_subject.clone() }
        }
    };
    let accepted = Arc::new(AcceptLog::default());
    let load = Arc::new(Load {
        door,
        events: Events::new(run_id, registered.client_id.clone(), settings.payload_bytes),
        plan: Plan {
            pace: settings.pace,
            batch_size: settings.batch_size,
            duration: settings.duration,
            max_events: settings.max_events,
        },
        accepted: accepted.clone(),
        clock,
    });
    if settings.warmup {
        let count = settings.batch_size as u64;
        driver::warm_up(&load, count).await?;
        if !warmed_up(receiver, &settings.behaviors, count).await {
            progress("the warm-up events were not all delivered within 30 s; measuring anyway");
        }
    }
    let mut processes = deployment.processes();
    processes.push(Process { label: "bench".to_owned(), pid: std::process::id() });
    let load_average_before = deployment::load_average();
    let window = Window::open(processes);
    progress(format_args!("load for {:.0} s", settings.duration.as_secs_f64()));
    let drive_start = clock.stamp();
    let outcome = driver::drive(load, settings.concurrency).await;
    let drive_end = clock.stamp();
    let expected = accepted.accepted();
    progress(format_args!(
        "{expected} events accepted in {:.1} s; waiting for their deliveries",
        outcome.elapsed.as_secs_f64()
    ));
    let complete = drain(receiver, &settings.behaviors, expected, settings.drain_timeout).await;
    let drain_end = clock.stamp();
    let usage = window.close();
    let load_average_after = deployment::load_average();
    if complete {
        tokio::time::sleep(SETTLE).await;
    } else {
        progress("drain timeout: some deliveries did not arrive");
    }
    if deployment.is_attached() {
        setup::unregister(http, credentials, &registered).await;
    }
    let accepted = accepted.take();
    if let Some(path) = &settings.dump_csv {
        report::dump_csv(path, &accepted, receiver.endpoints())?;
    }
    Ok(report::build(Inputs {
        settings,
        accepted: &accepted,
        endpoints: receiver.endpoints(),
        stray_requests: receiver.stray(),
        driver: &outcome,
        drive_start,
        drive_end,
        drain_end,
        usage,
        load_average_before,
        load_average_after,
    }))
}

/// Waits until each healthy endpoint received the `count` warm-up events (30 s at most).
async fn warmed_up(receiver: &Receiver, behaviors: &[Behavior], count: u64) -> bool {
    let deadline = Instant::now() + WARMUP_TIMEOUT;
    while Instant::now() < deadline {
        let done = receiver
            .endpoints()
            .iter()
            .zip(behaviors)
            .all(|(endpoint, behavior)| *behavior != Behavior::Healthy || endpoint.warmup() >= count);
        if done {
            return true;
        }
        tokio::time::sleep(POLL).await;
    }
    false
}

/// Waits until each healthy endpoint received `expected` distinct events, or `timeout`; true if
/// they all did.
pub async fn drain(receiver: &Receiver, behaviors: &[Behavior], expected: u64, timeout: Duration) -> bool {
    let healthy: Vec<_> = receiver
        .endpoints()
        .iter()
        .zip(behaviors)
        .filter(|(_, behavior)| **behavior == Behavior::Healthy)
        .map(|(endpoint, _)| endpoint)
        .collect();
    let wanted = expected * healthy.len() as u64;
    let started = Instant::now();
    let mut told = Instant::now();
    loop {
        let received: u64 = healthy.iter().map(|endpoint| endpoint.unique()).sum();
        if received >= wanted {
            return true;
        }
        if started.elapsed() >= timeout {
            return false;
        }
        if told.elapsed() >= Duration::from_secs(5) {
            progress(format_args!("drain: {received} of {wanted} deliveries"));
            told = Instant::now();
        }
        tokio::time::sleep(POLL).await;
    }
}
