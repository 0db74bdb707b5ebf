//! `edgehook bench history`: the history writer's rate and the history store's reads at
//! mission scale (issue 15).
//!
//! Why it publishes attempt records itself instead of delivering events: the numbers asked for
//! are the writer's and the store's (records/s into PostgreSQL, bytes on disk, read latency with
//! millions of rows), and delivering 10 million events through this 2-core machine would take
//! an hour and measure the relay instead. So the bench publishes what relays publish: the
//! batched attempt-record messages of `edgehook_nats::attempt_log`, on
//! `rgn.local.attempts.<client>.<webhook>`, grouped per webhook within 3 ms of traffic as the
//! relay's recorder does, over `--clients` clients and `--webhooks` webhooks registered through
//! the API (traffic spread by a Zipf law, s = 1: a few webhooks get most of it), 1.2 attempts per
//! event. The writer of an `edgehook up` started with `--history-url` (a PostgreSQL database the
//! bench creates and drops) drains them; then the SQLite store of a second `up` gets
//! `--sqlite-records` the same way. Each phase samples the writer's counter
//! (`edgehook_history_records_written_total` on /metrics) and the processes' memory every
//! second, reads CPU from /proc (PostgreSQL's processes included), measures the store's size
//! per attempt, and times `GET …/webhooks/{id}/deliveries` and `GET …/events/{id}/deliveries`.

use std::collections::{BTreeMap, HashMap};
use std::future::IntoFuture;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use async_nats::jetstream;
use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_nats::streams::ATTEMPTS;
use edgehook_nats::{attempt_log, subjects};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::deployment::{self, Deployment, Process, Window};
use super::{BenchArgs, progress};

/// Records of one 3-ms window when publishing as fast as possible (60,000 records/s).
const WINDOW: Duration = Duration::from_millis(3);
const MAX_PACE_WINDOW_RECORDS: usize = 180;
/// Publishes awaiting JetStream's ack at once.
const PUBLISHES_IN_FLIGHT: usize = 4096;
/// Events kept aside to read their deliveries back.
const EVENT_SAMPLE: usize = 2000;
const REGION: &str = "local";

#[derive(Serialize)]
struct Report {
    scenario: &'static str,
    webhooks: usize,
    clients: usize,
    postgres: Option<StoreReport>,
    sqlite: Option<StoreReport>,
    load_average_before: Option<f64>,
}

#[derive(Serialize)]
struct StoreReport {
    store: &'static str,
    records_published: u64,
    messages_published: u64,
    records_written: u64,
    /// Written records / seconds from the first publish to the last record written.
    written_per_s: f64,
    /// While the bench was still publishing.
    written_per_s_during_publish: f64,
    /// After the last publish (the writer alone with its backlog); `None` without one.
    written_per_s_after_publish: Option<f64>,
    /// The best 10 s of the run.
    written_per_s_best_10s: f64,
    published_per_s: f64,
    seconds: f64,
    complete: bool,
    nats_server_rss_mb: Rss,
    edgehook_rss_mb: Rss,
    /// CPU µs per record written, by process (`postgres`: every PostgreSQL process).
    cpu_us_per_record: BTreeMap<String, f64>,
    cpu_cores: BTreeMap<String, f64>,
    store_bytes: u64,
    bytes_per_attempt: f64,
    /// PostgreSQL: table (heap and TOAST) and index bytes per attempt.
    heap_bytes_per_attempt: Option<f64>,
    index_bytes_per_attempt: Option<f64>,
    webhook_deliveries_ms: Latency,
    event_deliveries_ms: Latency,
    read_errors: u64,
}

#[derive(Serialize, Default, Clone, Copy)]
struct Rss {
    start: f64,
    peak: f64,
    end: f64,
}

impl Rss {
    fn sample(&mut self, value: Option<f64>) {
        let Some(value) = value else { return };
        if self.start == 0.0 {
            self.start = value;
        }
        self.peak = self.peak.max(value);
        self.end = value;
    }
}

#[derive(Serialize, Default)]
struct Latency {
    requests: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

/// A registered client and its webhooks (indexes into the run's webhook list).
struct Tenant {
    id: ClientId,
    token: String,
}

struct Registered {
    tenants: Vec<Tenant>,
    /// (tenant index, webhook id), in Zipf rank order.
    webhooks: Vec<(usize, WebhookId)>,
}

pub async fn run(args: &BenchArgs, json_output: bool) -> anyhow::Result<()> {
    // reqwest is built with rustls and no default provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let webhooks = args.webhooks.unwrap_or(1000);
    let clients = args.clients.min(webhooks).max(1);
    let load_average_before = deployment::load_average();
    let mut report =
        Report { scenario: "history", webhooks, clients, postgres: None, sqlite: None, load_average_before };
    if args.records > 0 {
        let database = format!("edgehook_bench_{}_{:08x}", std::process::id(), rand::random::<u32>());
        let admin = sqlx::PgPool::connect(&args.postgres_url)
            .await
            .with_context(|| format!("connecting to PostgreSQL at {}", args.postgres_url))?;
        sqlx::raw_sql(&format!("CREATE DATABASE {database}"))
            .execute(&admin)
            .await
            .context("creating the bench's database")?;
        let url = database_url(&args.postgres_url, &database)?;
        let measured = phase(args, "postgres", args.records, Some(&url), webhooks, clients).await;
        let dropped = sqlx::raw_sql(&format!("DROP DATABASE {database} WITH (FORCE)")).execute(&admin).await;
        if let Err(error) = dropped {
            progress(format_args!("dropping database {database}: {error}"));
        }
        report.postgres = Some(measured?);
    }
    if args.sqlite_records > 0 {
        report.sqlite = Some(phase(args, "sqlite", args.sqlite_records, None, webhooks, clients).await?);
    }
    if json_output {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_summary(&report);
    }
    Ok(())
}

/// `admin` (a URL to any database of the server) with its database replaced by `database`.
fn database_url(admin: &str, database: &str) -> anyhow::Result<String> {
    let (server, _) = admin.rsplit_once('/').context("--postgres-url: postgres://user@host:port/database")?;
    Ok(format!("{server}/{database}"))
}

/// One store: starts `up`, registers, publishes `records`, waits for the writer, measures.
async fn phase(
    args: &BenchArgs,
    store: &'static str,
    records: u64,
    history_url: Option<&str>,
    webhooks: usize,
    clients: usize,
) -> anyhow::Result<StoreReport> {
    let up_args: Vec<String> = match history_url {
        Some(url) => vec!["--history-url".to_owned(), url.to_owned()],
        None => vec![],
    };
    let deployment = Deployment::open_with(args, &up_args).await?;
    let measured = measure(args, store, records, history_url, &deployment, webhooks, clients).await;
    if let Err(error) = &measured
        && let Some(log) = deployment.log_path()
    {
        progress(format_args!("edgehook's log: {}", log.display()));
        progress(format_args!("{error:#}"));
    }
    deployment.stop().await?;
    measured
}

async fn measure(
    args: &BenchArgs,
    store: &'static str,
    records: u64,
    history_url: Option<&str>,
    deployment: &Deployment,
    webhooks: usize,
    clients: usize,
) -> anyhow::Result<StoreReport> {
    let credentials = &deployment.credentials;
    let http = reqwest::Client::new();
    progress(format_args!("{store}: registering {clients} clients and {webhooks} webhooks"));
    let registered = register(&http, credentials, clients, webhooks).await?;
    let nats_url =
        credentials.nats_service_url.clone().context("the deployment's credentials have no service URL")?;
    let client = edgehook::services::nats_client(&nats_url).await?;
    let jetstream = jetstream::new(client);
    let deadline = Instant::now() + Duration::from_secs(30);
    while jetstream.get_stream_no_info(ATTEMPTS).await.is_err() {
        if Instant::now() > deadline {
            bail!("the hub's ATTEMPTS stream did not appear");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let processes = deployment.processes();
    let pid_of = |label: &str| processes.iter().find(|p| p.label.contains(label)).map(|p| p.pid);
    let (edgehook_pid, nats_pid) = (pid_of("edgehook"), pid_of("nats-server"));
    let mut measured = processes.clone();
    measured.push(Process { label: "bench".to_owned(), pid: std::process::id() });
    let postgres_before: HashMap<u32, f64> = deployment::processes_named("postgres")
        .into_iter()
        .filter_map(|p| Some((p.pid, deployment::cpu_seconds(p.pid)?)))
        .collect();
    let window = Window::open(measured);
    let metrics_url = format!("{}/metrics", credentials.control_plane_url);
    let written_at_start = written(&http, &metrics_url).await.unwrap_or(0);

    let published = Arc::new(AtomicU64::new(0));
    let messages = Arc::new(AtomicU64::new(0));
    let time_limit = Duration::from_secs_f64(args.time_limit);
    let started = Instant::now();
    progress(format_args!("{store}: publishing {records} attempt records"));
    let publisher = tokio::spawn(publish(
        jetstream.clone(),
        Arc::new(
            registered.webhooks.iter().map(|(t, w)| (registered.tenants[*t].id.clone(), w.clone())).collect(),
        ),
        records,
        args.rate,
        started + time_limit,
        published.clone(),
        messages.clone(),
    ));
    let mut publisher = Some(publisher);
    let mut sample = Vec::new();
    let (mut nats_rss, mut edgehook_rss) = (Rss::default(), Rss::default());
    let mut samples: Vec<(f64, u64)> = vec![(0.0, 0)];
    let mut publish_end: Option<(f64, u64)> = None;
    let mut last_report = Instant::now();
    let complete = loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        nats_rss.sample(nats_pid.and_then(deployment::rss_mb));
        edgehook_rss.sample(edgehook_pid.and_then(deployment::rss_mb));
        let now = written(&http, &metrics_url)
            .await
            .unwrap_or(samples.last().map_or(0, |s| s.1 + written_at_start))
            - written_at_start;
        let elapsed = started.elapsed().as_secs_f64();
        samples.push((elapsed, now));
        if publisher.as_ref().is_some_and(|task| task.is_finished()) {
            sample = publisher.take().expect("the publisher").await.context("the publisher")??;
            publish_end = Some((elapsed, now));
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            progress(format_args!(
                "{store}: {elapsed:.0} s: {} published, {now} written, nats-server {:.0} MiB, edgehook {:.0} MiB",
                published.load(Ordering::Relaxed),
                nats_rss.end,
                edgehook_rss.end
            ));
        }
        let target = published.load(Ordering::Relaxed);
        if publisher.is_none() && now >= target {
            break true;
        }
        if started.elapsed() > time_limit + Duration::from_secs(60) {
            progress(format_args!("{store}: time limit: {now} of {target} records written"));
            break false;
        }
    };
    if let Some(task) = publisher.take() {
        task.abort();
    }
    let mut usage = window.close();
    let postgres_cpu: f64 = deployment::processes_named("postgres")
        .into_iter()
        .filter_map(|p| {
            Some(deployment::cpu_seconds(p.pid)? - postgres_before.get(&p.pid).copied().unwrap_or(0.0))
        })
        .sum();
    // The window counts PostgreSQL in the rest of the machine: it is reported on its own.
    if let Some(rest) = usage.iter_mut().find(|used| used.process == deployment::REST_OF_MACHINE) {
        rest.cpu_s = (rest.cpu_s - postgres_cpu).max(0.0);
        rest.cpu_cores = (rest.cpu_s / started.elapsed().as_secs_f64().max(1e-9) * 1000.0).round() / 1000.0;
    }
    let (seconds, records_written) = *samples.last().expect("a sample");
    let (publish_seconds, written_at_publish_end) = publish_end.unwrap_or((seconds, records_written));
    let best = samples
        .iter()
        .filter_map(|(at, count)| {
            let later = samples.iter().find(|(t, _)| *t >= at + 10.0)?;
            Some((later.1 - count) as f64 / (later.0 - at))
        })
        .fold(0.0, f64::max);
    let mut cpu_us_per_record = BTreeMap::new();
    let mut cpu_cores = BTreeMap::new();
    let per_record = |cpu_s: f64| (cpu_s / records_written.max(1) as f64 * 1e7).round() / 10.0;
    for used in &usage {
        cpu_us_per_record.insert(used.process.clone(), per_record(used.cpu_s));
        cpu_cores.insert(used.process.clone(), used.cpu_cores);
    }
    cpu_us_per_record.insert("postgres".to_owned(), per_record(postgres_cpu));
    cpu_cores.insert("postgres".to_owned(), (postgres_cpu / seconds * 1000.0).round() / 1000.0);

    let (store_bytes, heap, index) = match history_url {
        Some(url) => postgres_size(url).await?,
        None => (sqlite_size(deployment), None, None),
    };
    let per = |bytes: u64| (bytes as f64 / records_written.max(1) as f64 * 10.0).round() / 10.0;
    progress(format_args!("{store}: reading deliveries back ({} requests each)", args.reads));
    let (webhook_deliveries_ms, event_deliveries_ms, read_errors) =
        read_back(&http, credentials, &registered, &sample, args.reads).await;
    let rate = |count: u64, seconds: f64| (count as f64 / seconds.max(1e-9)).round();
    Ok(StoreReport {
        store,
        records_published: published.load(Ordering::Relaxed),
        messages_published: messages.load(Ordering::Relaxed),
        records_written,
        written_per_s: rate(records_written, seconds),
        written_per_s_during_publish: rate(written_at_publish_end, publish_seconds),
        written_per_s_after_publish: (seconds - publish_seconds > 1.5)
            .then(|| rate(records_written - written_at_publish_end, seconds - publish_seconds)),
        written_per_s_best_10s: best.round(),
        published_per_s: rate(published.load(Ordering::Relaxed), publish_seconds),
        seconds: (seconds * 10.0).round() / 10.0,
        complete,
        nats_server_rss_mb: nats_rss,
        edgehook_rss_mb: edgehook_rss,
        cpu_us_per_record,
        cpu_cores,
        store_bytes,
        bytes_per_attempt: per(store_bytes),
        heap_bytes_per_attempt: heap.map(per),
        index_bytes_per_attempt: index.map(per),
        webhook_deliveries_ms,
        event_deliveries_ms,
        read_errors,
    })
}

/// The writer's counter on /metrics.
async fn written(http: &reqwest::Client, url: &str) -> Option<u64> {
    let text = http.get(url).send().await.ok()?.text().await.ok()?;
    let line = text.lines().find(|line| line.starts_with("edgehook_history_records_written_total"))?;
    line.split_whitespace().last()?.parse::<f64>().ok().map(|value| value as u64)
}

#[derive(Deserialize)]
struct Created {
    client_id: Option<String>,
    token: Option<String>,
    webhook_id: Option<String>,
}

async fn register(
    http: &reqwest::Client,
    credentials: &deployment::Credentials,
    clients: usize,
    webhooks: usize,
) -> anyhow::Result<Registered> {
    let cp = &credentials.control_plane_url;
    let mut tenants = Vec::with_capacity(clients);
    for n in 0..clients {
        let body = json!({"name": format!("bench-history-{n}")});
        let created: Created =
            super::setup::post(http, &format!("{cp}/api/v1/clients"), &credentials.admin_token, body).await?;
        tenants.push(Tenant {
            id: created
                .client_id
                .context("no client_id")?
                .parse()
                .map_err(|_| anyhow::anyhow!("client id"))?,
            token: created.token.context("no token")?,
        });
    }
    // Webhooks dealt round-robin: every client has some of the busy ones and some of the quiet.
    let mut registered = Vec::with_capacity(webhooks);
    for n in 0..webhooks {
        let tenant = n % clients;
        let body = json!({"callback_url": format!("http://127.0.0.1:9/wh/{n}")});
        let created: Created =
            super::setup::post(http, &format!("{cp}/api/v1/webhooks"), &tenants[tenant].token, body).await?;
        let id: WebhookId = created
            .webhook_id
            .context("no webhook_id")?
            .parse()
            .map_err(|_| anyhow::anyhow!("webhook id"))?;
        registered.push((tenant, id));
    }
    Ok(Registered { tenants, webhooks: registered })
}

/// Publishes `records` attempt records as relays do (one message per webhook per 3-ms window),
/// paced at `rate` records/s or as fast as JetStream acknowledges. Returns a sample of the
/// events published (tenant's client, event id).
async fn publish(
    jetstream: jetstream::Context,
    webhooks: Arc<Vec<(ClientId, WebhookId)>>,
    records: u64,
    rate: Option<f64>,
    deadline: Instant,
    published: Arc<AtomicU64>,
    messages: Arc<AtomicU64>,
) -> anyhow::Result<Vec<(ClientId, String)>> {
    let window_records =
        rate.map_or(MAX_PACE_WINDOW_RECORDS, |rate| ((rate * WINDOW.as_secs_f64()).ceil() as usize).max(1));
    // Zipf (s = 1) over the webhooks, by rank.
    let weights: Vec<f64> = (1..=webhooks.len()).map(|rank| 1.0 / rank as f64).collect();
    let total: f64 = weights.iter().sum();
    let mut cumulative = 0.0;
    let cdf: Vec<f64> = weights
        .iter()
        .map(|w| {
            cumulative += w / total;
            cumulative
        })
        .collect();
    let subjects: Vec<String> =
        webhooks.iter().map(|(client, webhook)| subjects::attempt(REGION, client, webhook)).collect();
    let mut acks = FuturesUnordered::new();
    let mut sample: Vec<(ClientId, String)> = Vec::with_capacity(EVENT_SAMPLE);
    let mut events_seen: u64 = 0;
    let started = Instant::now();
    let mut count: u64 = 0;
    let mut windows: u32 = 0;
    while count < records && Instant::now() < deadline {
        let now = edgehook_domain::now();
        let mut groups: HashMap<usize, Vec<AttemptRecord>> = HashMap::new();
        let mut in_window = 0;
        while in_window < window_records && count + (in_window as u64) < records {
            let draw: f64 = rand::random();
            let webhook = cdf.partition_point(|c| *c < draw).min(webhooks.len() - 1);
            let (client, webhook_id) = &webhooks[webhook];
            let event_id = format!("evt_{}", &MessageId::generate().as_str()[4..]);
            let record = |attempt: u32, outcome: AttemptOutcome| AttemptRecord {
                message_id: MessageId::generate(),
                event_id: event_id.clone(),
                event_type: "order.created".to_owned(),
                webhook_id: webhook_id.clone(),
                client_id: client.clone(),
                attempt,
                attempted_at: now,
                status_code: Some(if outcome == AttemptOutcome::Succeeded { 200 } else { 503 }),
                latency_ms: 20 + (rand::random::<u64>() % 200),
                error: (outcome != AttemptOutcome::Succeeded).then(|| "HTTP 503".to_owned()),
                outcome,
                next_attempt_at: (outcome == AttemptOutcome::Retrying).then(|| now + Duration::from_secs(5)),
                region: REGION.to_owned(),
            };
            let group = groups.entry(webhook).or_default();
            // 1.2 attempts per event: one event in five fails once, then succeeds.
            if rand::random::<u8>() % 5 == 0 {
                group.push(record(1, AttemptOutcome::Retrying));
                let mut second = record(2, AttemptOutcome::Succeeded);
                second.message_id = group.last().expect("the first attempt").message_id.clone();
                group.push(second);
                in_window += 2;
            } else {
                group.push(record(1, AttemptOutcome::Succeeded));
                in_window += 1;
            }
            // A uniform sample of the events (reservoir).
            events_seen += 1;
            if sample.len() < EVENT_SAMPLE {
                sample.push((client.clone(), event_id));
            } else if let Some(slot) = sample.get_mut((rand::random::<u64>() % events_seen) as usize) {
                *slot = (client.clone(), event_id);
            }
        }
        for (webhook, group) in groups {
            let body = attempt_log::encode(&group);
            let ack =
                jetstream.publish(subjects[webhook].clone(), body.into()).await.context("publishing")?;
            acks.push(ack.into_future());
            messages.fetch_add(1, Ordering::Relaxed);
            while acks.len() >= PUBLISHES_IN_FLIGHT {
                acks.next().await.expect("an ack").context("JetStream refused an attempt record")?;
            }
        }
        count += in_window as u64;
        published.store(count, Ordering::Relaxed);
        windows += 1;
        if rate.is_some() {
            tokio::time::sleep_until((started + WINDOW * windows).into()).await;
        }
    }
    while let Some(ack) = acks.next().await {
        ack.context("JetStream refused an attempt record")?;
    }
    Ok(sample)
}

/// PostgreSQL: total, table and index bytes of the attempts' partitions.
async fn postgres_size(url: &str) -> anyhow::Result<(u64, Option<u64>, Option<u64>)> {
    let pool = sqlx::PgPool::connect(url).await.context("connecting to the bench's database")?;
    let (total, heap, index): (i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::int8, \
         coalesce(sum(pg_table_size(i.inhrelid)), 0)::int8, \
         coalesce(sum(pg_indexes_size(i.inhrelid)), 0)::int8 \
         FROM pg_inherits i WHERE i.inhparent = 'attempts'::regclass",
    )
    .fetch_one(&pool)
    .await
    .context("measuring the attempts' partitions")?;
    pool.close().await;
    Ok((total as u64, Some(heap as u64), Some(index as u64)))
}

/// SQLite: the database file and its WAL.
fn sqlite_size(deployment: &Deployment) -> u64 {
    let Some(dir) = deployment.log_path().and_then(|log| log.parent().map(PathBuf::from)) else { return 0 };
    ["history.db", "history.db-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|meta| meta.len())
        .sum()
}

/// Times `GET /api/v1/webhooks/{id}/deliveries` for random webhooks and
/// `GET /api/v1/events/{id}/deliveries` for sampled events, one request at a time.
async fn read_back(
    http: &reqwest::Client,
    credentials: &deployment::Credentials,
    registered: &Registered,
    sample: &[(ClientId, String)],
    reads: usize,
) -> (Latency, Latency, u64) {
    let cp = &credentials.control_plane_url;
    let token_of: HashMap<&ClientId, &str> =
        registered.tenants.iter().map(|tenant| (&tenant.id, tenant.token.as_str())).collect();
    let mut errors = 0;
    let mut webhook_times = Vec::with_capacity(reads);
    for _ in 0..reads {
        let (tenant, webhook) =
            &registered.webhooks[rand::random::<u64>() as usize % registered.webhooks.len()];
        let url = format!("{cp}/api/v1/webhooks/{webhook}/deliveries");
        let started = Instant::now();
        let ok = get(http, &url, &registered.tenants[*tenant].token).await;
        webhook_times.push(started.elapsed().as_secs_f64() * 1000.0);
        errors += u64::from(!ok);
    }
    let mut event_times = Vec::with_capacity(reads);
    for n in 0..reads.min(sample.len() * 4) {
        let (client, event) = &sample[n % sample.len()];
        let url = format!("{cp}/api/v1/events/{event}/deliveries");
        let started = Instant::now();
        let ok = get(http, &url, token_of.get(client).copied().unwrap_or_default()).await;
        event_times.push(started.elapsed().as_secs_f64() * 1000.0);
        errors += u64::from(!ok);
    }
    (latency(webhook_times), latency(event_times), errors)
}

/// A GET that answers 200 with at least one attempt.
async fn get(http: &reqwest::Client, url: &str, token: &str) -> bool {
    let Ok(response) = http.get(url).bearer_auth(token).send().await else { return false };
    if !response.status().is_success() {
        return false;
    }
    let Ok(body) = response.json::<serde_json::Value>().await else { return false };
    body["data"].as_array().is_some_and(|data| !data.is_empty())
}

fn latency(mut times: Vec<f64>) -> Latency {
    if times.is_empty() {
        return Latency::default();
    }
    times.sort_by(f64::total_cmp);
    let rank = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    let round = |ms: f64| (ms * 100.0).round() / 100.0;
    Latency { requests: times.len(), p50: round(rank(0.5)), p99: round(rank(0.99)), max: round(rank(1.0)) }
}

fn print_summary(report: &Report) {
    println!(
        "history: {} clients, {} webhooks (Zipf, s = 1), 1.2 attempts per event; load average before {:.2}",
        report.clients,
        report.webhooks,
        report.load_average_before.unwrap_or(f64::NAN)
    );
    for store in [&report.postgres, &report.sqlite].into_iter().flatten() {
        println!("\n{}:", store.store);
        println!(
            "  records: {} published in {} messages ({:.1} per message), {} written{}",
            store.records_published,
            store.messages_published,
            store.records_published as f64 / store.messages_published.max(1) as f64,
            store.records_written,
            if store.complete { "" } else { " (time limit: not all written)" }
        );
        println!(
            "  written/s: {:.0} overall ({:.1} s), {:.0} while publishing ({:.0} published/s), {} after, best 10 s {:.0}",
            store.written_per_s,
            store.seconds,
            store.written_per_s_during_publish,
            store.published_per_s,
            store.written_per_s_after_publish.map_or("-".to_owned(), |rate| format!("{rate:.0}")),
            store.written_per_s_best_10s
        );
        let rss = |rss: &Rss| format!("{:.0} / {:.0} / {:.0} MiB", rss.start, rss.peak, rss.end);
        println!(
            "  RSS start / peak / end: nats-server {}, edgehook {}",
            rss(&store.nats_server_rss_mb),
            rss(&store.edgehook_rss_mb)
        );
        let cpu: Vec<String> = store
            .cpu_us_per_record
            .iter()
            .map(|(process, us)| {
                format!(
                    "{process} {us} µs ({} cores)",
                    store.cpu_cores.get(process).copied().unwrap_or(f64::NAN)
                )
            })
            .collect();
        println!("  CPU per record: {}", cpu.join(", "));
        println!(
            "  on disk: {:.1} MiB, {:.1} bytes per attempt{}",
            store.store_bytes as f64 / 1_048_576.0,
            store.bytes_per_attempt,
            match (store.heap_bytes_per_attempt, store.index_bytes_per_attempt) {
                (Some(heap), Some(index)) => format!(" (table {heap}, indexes {index})"),
                _ => String::new(),
            }
        );
        let latency = |l: &Latency| {
            format!("p50 {} / p99 {} / max {} ms ({} requests)", l.p50, l.p99, l.max, l.requests)
        };
        println!("  GET /webhooks/{{id}}/deliveries: {}", latency(&store.webhook_deliveries_ms));
        println!("  GET /events/{{id}}/deliveries:   {}", latency(&store.event_deliveries_ms));
        if store.read_errors > 0 {
            println!("  read errors (not 200 or no attempt): {}", store.read_errors);
        }
    }
}
