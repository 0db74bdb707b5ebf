//! `edgehook bench jetstream-baseline`: the JetStream work of a delivered event, with nothing of
//! edgehook's own around it. The counterpart of `baseline` (the HTTP part): together they are the
//! floor this machine sets under `max`.
//!
//! It starts its own hub nats-server with the embedded configuration and lays it out with the
//! same bootstrap as `edgehook up` (EVENTS, DELIVERIES, ATTEMPTS, the `router` and
//! `dispatch-standard` consumers, region `local` co-located). Then events take the path the
//! services give them, with messages of the same subjects and about the same sizes, but no
//! JSON, no KV lookups, no HTTP:
//! - `--concurrency` publishers store batches of `--batch-size` events in EVENTS with a
//!   `Nats-Msg-Id`, awaiting each batch's acks (ingest);
//! - a router stage pulls them from `router`, stores one task each in DELIVERIES (with its
//!   `Nats-Msg-Id`), and acks each event once its task is stored (the router);
//! - a relay stage pulls the tasks from `dispatch-standard`, stores one attempt record each in
//!   ATTEMPTS (on the webhook's subject; the recorder also packs a webhook's records of a few
//!   milliseconds into one message, which this leaves out) and acks the task once it is stored.
//!
//! With `--rate` the publishers keep that many events per second between them (`--batch-size 1`
//! is one event per publish, as ingest gets them one per request): at a moderate rate each
//! stage wakes for one message at a time, which is the floor of the pipeline's cost there.
//!
//! So three stores and two consumed, acknowledged messages per event. `--stores 2` leaves out the
//! attempt record (the relay stage only acks), `--stores 1` also the task (the router stage only
//! acks): what a leaner design would cost. Publishers stay at most [`MAX_IN_FLIGHT`] events ahead
//! of the last stage, so what is measured is the pipeline's steady pace, not a growing backlog.
//! Reported: events through per second, and the CPU per event of nats-server and of this process
//! (the client side, async-nats).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::{self, message::PublishMessage};
use bytes::Bytes;
use edgehook::nats_logins::HubLogins;
use edgehook::nats_server::{self, NatsServer, ServerSpec};
use edgehook::ports::free_port;
use edgehook::services::{connect, connect_region};
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::priority::Priority;
use edgehook_nats::streams::{DELIVERIES, EVENTS, ROUTER_CONSUMER, dispatch_consumer_name};
use edgehook_nats::subjects;
use futures::StreamExt;
use serde::Serialize;

use super::deployment::{self, Process, Usage, Window};
use super::driver::Pace;
use super::{Settings, progress};

const REGION: &str = "local";
/// Events published but not yet through the relay stage, at most.
const MAX_IN_FLIGHT: u64 = 20_000;
/// Messages a stage pulls and handles together (the router's batch).
const STAGE_BATCH: usize = 500;
/// Events through before the measurement starts (consumers and caches warm).
const WARMUP_EVENTS: u64 = 5_000;
const WARMUP_TIMEOUT: Duration = Duration::from_secs(30);
/// What a stored event, task and attempt record weigh besides the event's `data`, in bytes: read
/// off `edgehook up`'s file store after `bench steady` (an event carries ~280 bytes of envelope, a
/// task wraps the event in ~110 more, an attempt record is ~340).
const EVENT_ENVELOPE: usize = 280;
const TASK_ENVELOPE: usize = 110;
const ATTEMPT_RECORD: usize = 340;

/// The one JSON object of `--json`.
#[derive(Serialize)]
struct Report {
    scenario: &'static str,
    duration_s: f64,
    /// JetStream stores per event (3: EVENTS, DELIVERIES, ATTEMPTS, as edgehook).
    stores: u8,
    /// Events that went through every stage in the measured window.
    events: u64,
    events_per_s: f64,
    /// CPU microseconds per event, by process.
    cpu_us_per_event: CpuPerEvent,
    usage: Vec<Usage>,
    load_average_before: Option<f64>,
}

#[derive(Serialize)]
struct CpuPerEvent {
    nats_server: f64,
    bench: f64,
}

/// What the stages share: the stream context, the messages' contents, the event counters.
struct Pipeline {
    jetstream: jetstream::Context,
    client: ClientId,
    webhook: WebhookId,
    event: Bytes,
    task: Bytes,
    attempt: Bytes,
    published: AtomicU64,
    through: AtomicU64,
}

pub async fn run(
    settings: &Settings,
    stores: u8,
    nats_server: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let binary = nats_server::locate(nats_server)?;
    let data_dir = std::env::temp_dir().join(format!(
        "edgehook-bench-js-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let logins = HubLogins::generate();
    let port = free_port().context("finding a free port")?;
    let leaf_port = free_port().context("finding a free port")?;
    // As `edgehook up` runs it, on a machine shared with its clients.
    let spec = ServerSpec::hub(port, leaf_port, logins.server_env()?).embedded();
    let server = NatsServer::start(&binary, &data_dir, spec).await?;
    let measured = measure(settings, stores, &server, &logins, port).await;
    server.stop().await;
    remove_dir(data_dir);
    let report = measured?;
    if settings.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_summary(&report);
    }
    Ok(())
}

fn remove_dir(dir: PathBuf) {
    if let Err(error) = std::fs::remove_dir_all(&dir) {
        progress(format_args!("removing {}: {error}", dir.display()));
    }
}

async fn measure(
    settings: &Settings,
    stores: u8,
    server: &NatsServer,
    logins: &HubLogins,
    port: u16,
) -> anyhow::Result<Report> {
    let url = logins.service_url(&format!("127.0.0.1:{port}"));
    let starting = edgehook_nats::readiness::Readiness::starting("connecting");
    let contract = connect(&url, None, &starting).await?;
    let region = connect_region(&url, REGION, None, &starting).await?;
    let data = settings.payload_bytes;
    let pipeline = Arc::new(Pipeline {
        jetstream: contract.jetstream.clone(),
        client: ClientId::generate(),
        webhook: WebhookId::generate(),
        event: filler(data + EVENT_ENVELOPE),
        task: filler(data + EVENT_ENVELOPE + TASK_ENVELOPE),
        attempt: filler(ATTEMPT_RECORD),
        published: AtomicU64::new(0),
        through: AtomicU64::new(0),
    });
    let router: PullConsumer = contract
        .jetstream
        .get_consumer_from_stream(ROUTER_CONSUMER, EVENTS)
        .await
        .context("opening the router consumer")?;
    let dispatch: PullConsumer = region
        .jetstream
        .get_consumer_from_stream(dispatch_consumer_name(Priority::Standard), DELIVERIES)
        .await
        .context("opening the dispatch consumer")?;

    let mut tasks = tokio::task::JoinSet::new();
    // 1: the router stage stores nothing and is the last; 2: the relay stage stores nothing.
    tasks.spawn(stage(pipeline.clone(), router, (stores >= 2).then_some(Store::Task), stores == 1));
    if stores >= 2 {
        tasks.spawn(stage(pipeline.clone(), dispatch, (stores == 3).then_some(Store::Attempt), true));
    }
    // A publisher's pause between batches when the run has a rate.
    let period = match settings.pace {
        Pace::Rate(rate) => {
            Some(Duration::from_secs_f64((settings.batch_size * settings.concurrency) as f64 / rate))
        }
        _ => None,
    };
    for publisher in 0..settings.concurrency {
        tasks.spawn(publish_events(pipeline.clone(), publisher, settings.batch_size, period));
    }

    let server_pid = server.pid().context("nats-server has exited")?;
    let processes = vec![
        Process { label: "nats-server".to_owned(), pid: server_pid },
        Process { label: "bench".to_owned(), pid: std::process::id() },
    ];
    let outcome = async {
        warm_up(&pipeline, &mut tasks).await?;
        let load_average_before = deployment::load_average();
        progress(format_args!(
            "jetstream-baseline: events through {} JetStream stores for {:.0} s",
            stores,
            settings.duration.as_secs_f64()
        ));
        let window = Window::open(processes);
        let started = Instant::now();
        let before = pipeline.through.load(Ordering::Relaxed);
        watch(&mut tasks, settings.duration).await?;
        let events = pipeline.through.load(Ordering::Relaxed) - before;
        let usage = window.close();
        Ok(report(stores, started.elapsed(), events, usage, load_average_before))
    }
    .await;
    tasks.abort_all();
    outcome
}

/// Waits until [`WARMUP_EVENTS`] went through, failing early if a stage failed.
async fn warm_up(
    pipeline: &Pipeline,
    tasks: &mut tokio::task::JoinSet<anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + WARMUP_TIMEOUT;
    while pipeline.through.load(Ordering::Relaxed) < WARMUP_EVENTS {
        if Instant::now() > deadline {
            anyhow::bail!("the warm-up's {WARMUP_EVENTS} events did not go through in {WARMUP_TIMEOUT:?}");
        }
        watch(tasks, Duration::from_millis(50)).await?;
    }
    Ok(())
}

/// Lets the stages run for `period`; the first error of one of them ends the measurement.
async fn watch(tasks: &mut tokio::task::JoinSet<anyhow::Result<()>>, period: Duration) -> anyhow::Result<()> {
    match tokio::time::timeout(period, tasks.join_next()).await {
        Err(_elapsed) => Ok(()),
        Ok(None) => anyhow::bail!("no stage is running"),
        Ok(Some(Ok(Ok(())))) => anyhow::bail!("a stage ended before the measurement did"),
        Ok(Some(Ok(Err(error)))) => Err(error),
        Ok(Some(Err(error))) => Err(error).context("a stage panicked"),
    }
}

/// One publisher: batches of events to EVENTS, each batch's acks awaited, as ingest does, one
/// batch every `period` when given; runs until the measurement aborts it.
async fn publish_events(
    pipeline: Arc<Pipeline>,
    publisher: usize,
    batch_size: usize,
    period: Option<Duration>,
) -> anyhow::Result<()> {
    let subject = subjects::event(&pipeline.client);
    let mut sequence = 0u64;
    let mut pace = period.map(|period| {
        let mut pace = tokio::time::interval(period);
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        pace
    });
    loop {
        if let Some(pace) = pace.as_mut() {
            pace.tick().await;
        }
        // `through` may pass `published` for a moment: a batch is counted once all its acks are in.
        let ahead = pipeline
            .published
            .load(Ordering::Relaxed)
            .saturating_sub(pipeline.through.load(Ordering::Relaxed));
        if ahead > MAX_IN_FLIGHT {
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        }
        let mut acks = Vec::with_capacity(batch_size);
        for _ in 0..batch_size {
            sequence += 1;
            let message = PublishMessage::build()
                .payload(pipeline.event.clone())
                .message_id(format!("{}:p{publisher}-{sequence}", pipeline.client.as_str()));
            acks.push(pipeline.jetstream.send_publish(subject.clone(), message).await?);
        }
        for ack in acks {
            ack.await.context("storing an event")?;
        }
        pipeline.published.fetch_add(batch_size as u64, Ordering::Relaxed);
    }
}

/// What a stage stores for each message it pulls.
#[derive(Clone, Copy)]
enum Store {
    /// A delivery task in DELIVERIES (the router).
    Task,
    /// An attempt record in ATTEMPTS (the relay's recorder).
    Attempt,
}

/// Pulls from `consumer`, stores what `store` says for each message pulled, then acks the pulled
/// ones; the last stage counts them as through.
async fn stage(
    pipeline: Arc<Pipeline>,
    consumer: PullConsumer,
    store: Option<Store>,
    last: bool,
) -> anyhow::Result<()> {
    let messages = consumer
        .stream()
        .max_messages_per_batch(STAGE_BATCH)
        .messages()
        .await
        .context("pulling from the consumer")?;
    let mut batches = messages.ready_chunks(STAGE_BATCH);
    while let Some(batch) = batches.next().await {
        let mut pulled = Vec::with_capacity(batch.len());
        let mut stored = Vec::with_capacity(batch.len());
        for message in batch {
            let message = message.context("pulling a message")?;
            let Some(store) = store else {
                pulled.push(message);
                continue;
            };
            let sequence = message.info().map_err(anyhow::Error::msg)?.stream_sequence;
            let (subject, publish) = match store {
                Store::Task => (
                    subjects::delivery(REGION, Priority::Standard, &pipeline.client, &pipeline.webhook),
                    PublishMessage::build()
                        .payload(pipeline.task.clone())
                        .message_id(format!("msg_{sequence}:{}", pipeline.webhook.as_str())),
                ),
                Store::Attempt => (
                    subjects::attempt(REGION, &pipeline.client, &pipeline.webhook),
                    PublishMessage::build().payload(pipeline.attempt.clone()),
                ),
            };
            stored.push(pipeline.jetstream.send_publish(subject, publish).await?);
            pulled.push(message);
        }
        for ack in stored {
            ack.await.context("storing a message")?;
        }
        for message in &pulled {
            message.ack().await.map_err(anyhow::Error::msg).context("acknowledging a message")?;
        }
        if last {
            pipeline.through.fetch_add(pulled.len() as u64, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// `len` bytes of JSON-ish text (the payload's content does not matter to JetStream).
fn filler(len: usize) -> Bytes {
    Bytes::from(vec![b'x'; len])
}

fn report(
    stores: u8,
    elapsed: Duration,
    events: u64,
    usage: Vec<Usage>,
    load_average_before: Option<f64>,
) -> Report {
    let seconds = elapsed.as_secs_f64();
    let per_event = |label: &str| {
        let cpu_s = usage.iter().find(|usage| usage.process == label).map_or(f64::NAN, |usage| usage.cpu_s);
        (cpu_s * 1e6 / events.max(1) as f64).round()
    };
    Report {
        scenario: "jetstream-baseline",
        stores,
        duration_s: (seconds * 100.0).round() / 100.0,
        events,
        events_per_s: (events as f64 / seconds).round(),
        cpu_us_per_event: CpuPerEvent { nats_server: per_event("nats-server"), bench: per_event("bench") },
        usage,
        load_average_before,
    }
}

fn print_summary(report: &Report) {
    let path = ["EVENTS", "DELIVERIES", "ATTEMPTS"][..usize::from(report.stores)].join(" → ");
    println!("jetstream-baseline: {:.1} s, {} events through {path}", report.duration_s, report.events);
    println!("  events/s           {}", report.events_per_s);
    println!(
        "  CPU per event      nats-server {} µs, client side {} µs",
        report.cpu_us_per_event.nats_server, report.cpu_us_per_event.bench
    );
    for usage in &report.usage {
        print!("  {:<18} {:.3} cores", usage.process, usage.cpu_cores);
        if usage.peak_rss_mb.is_finite() {
            print!(", peak RSS {:.1} MiB", usage.peak_rss_mb);
        }
        println!();
    }
}
