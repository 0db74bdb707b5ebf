//! `edgehook status`: a running deployment at a glance, in a terminal. Reads only; it creates
//! nothing, so it is safe to point at production.
//!
//! Each stream shows its replicas as `current/configured` (the leader and the replicas
//! JetStream reports current), its leader, and which replicas lag or are offline: a stream below
//! its count still works but may not survive losing one more server; one without a leader takes
//! no writes.
//!
//! The history writer's lag comes from the same measurement as its own gauges
//! ([`history_feed::lag`]), so the terminal and the dashboard agree; a hub without the writer's
//! consumer says so, since its attempt records then reach no history store.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream;
use edgehook_domain::delivery::AttemptOutcome;
use edgehook_nats::attempt_log::{Cursor, read_records};
use edgehook_nats::connection::NatsUrl;
use edgehook_nats::history_feed::{self, HISTORY_WRITER_CONSUMER};
use edgehook_nats::region::{Region, RelayHeartbeat};
use edgehook_nats::region_backlog::{self, RegionBacklog};
use edgehook_nats::replication::ReplicaState;
use edgehook_nats::streams::{ATTEMPTS, REGIONS_BUCKET, RELAY_HEARTBEAT_TTL, RELAYS_BUCKET};
use futures::{StreamExt, TryStreamExt};

use crate::cli::StatusArgs;

/// Attempt-log messages the worst-endpoint ranking looks at (each holds one webhook's records
/// of a few ms), and at most this many records of them.
const RECENT_MESSAGES: u64 = 1_000;
const RECENT_ATTEMPTS: usize = 10_000;
const REGION_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn run(args: StatusArgs) -> anyhow::Result<()> {
    let url = NatsUrl::parse(&args.nats.nats_url).context("--nats-url")?;
    let client = url
        .connect(url.options().connection_timeout(Duration::from_secs(5)))
        .await
        .with_context(|| format!("connecting to NATS at {url}"))?;
    let hub = jetstream::new(client.clone());
    print_streams("HUB", &hub).await?;
    let regions = regions(&hub).await;
    for region in &regions {
        print_region(&hub, region).await;
        if !region.is_co_located() {
            let regional = jetstream::with_domain(client.clone(), &region.domain);
            let title = format!("REGION {}", region.name);
            match tokio::time::timeout(REGION_TIMEOUT, regional.streams().try_collect::<Vec<_>>()).await {
                Ok(Ok(streams)) => print_replicas(&title, &streams),
                _ => println!("{title} STREAMS  unreachable"),
            }
        }
    }
    print_history_writer(&hub).await;
    print_worst_endpoints(&hub, args.worst).await;
    Ok(())
}

/// The history writer's lag: messages of attempt records not yet delivered to it, delivered but
/// not yet stored, and the age of the oldest not stored.
async fn print_history_writer(hub: &jetstream::Context) {
    let consumer = format!("{ATTEMPTS}/{HISTORY_WRITER_CONSUMER}");
    println!("\nHISTORY WRITER {consumer:<33} {:>12} {:>12} {:>12}", "pending", "ack pending", "oldest age");
    match history_feed::lag(hub).await {
        Ok(Some(lag)) => println!(
            "  {:<46} {:>12} {:>12} {:>11.0}s",
            "attempt-log messages not stored yet",
            lag.pending,
            lag.ack_pending,
            lag.oldest_age.as_seconds_f64()
        ),
        Ok(None) => println!(
            "  NOT RUNNING: no {consumer} consumer, the history writer never started (`edgehook history`); attempt records are not stored in the history database"
        ),
        Err(error) => println!("  unreadable: {error}"),
    }
}

async fn print_streams(title: &str, jetstream: &jetstream::Context) -> anyhow::Result<()> {
    let streams: Vec<jetstream::stream::Info> =
        jetstream.streams().try_collect().await.context("listing streams")?;
    println!("{title} STREAMS {:>40} {:>12} {:>10}", "messages", "bytes", "consumers");
    for info in &streams {
        let state = &info.state;
        println!(
            "  {:<46} {:>12} {:>12} {:>10}",
            info.config.name, state.messages, state.bytes, state.consumer_count
        );
    }
    print_replicas(title, &streams);
    println!("{title} CONSUMERS {:>38} {:>12} {:>12}", "pending", "ack pending", "redelivered");
    for info in &streams {
        let stream = jetstream.get_stream_no_info(&info.config.name).await?;
        let consumers: Vec<_> = stream.consumers().filter_map(|c| async move { c.ok() }).collect().await;
        for consumer in consumers.iter().filter(|c| c.config.durable_name.is_some()) {
            let name = format!("{}/{}", info.config.name, consumer.name);
            println!(
                "  {:<46} {:>12} {:>12} {:>12}",
                name, consumer.num_pending, consumer.num_ack_pending, consumer.num_redelivered
            );
        }
    }
    println!();
    Ok(())
}

/// Each stream's replicas: `current/configured`, the leader, and what is behind.
fn print_replicas(title: &str, streams: &[jetstream::stream::Info]) {
    println!("{:<48} {:>7} {:<16} state", format!("{title} REPLICAS"), "current", "leader");
    for info in streams {
        let state = ReplicaState::of(info);
        let leader = match state.leader.as_deref() {
            None => "NONE",
            Some("") => "-",
            Some(leader) => leader,
        };
        let verdict = if state.leader.is_none() {
            "NO LEADER: takes no writes".to_owned()
        } else if state.is_complete() {
            "all current".to_owned()
        } else {
            let behind: Vec<String> = state
                .behind
                .iter()
                .map(|peer| match (peer.offline, peer.lag) {
                    (true, _) => format!("{} offline", peer.server),
                    (false, Some(lag)) => format!("{} behind by {lag}", peer.server),
                    (false, None) => format!("{} not current", peer.server),
                })
                .collect();
            format!("BELOW ITS REPLICA COUNT: {}", behind.join(", "))
        };
        let count = format!("{}/{}", state.current, state.replicas);
        println!("  {:<46} {:>7} {:<16} {verdict}", state.stream, count, leader);
    }
}

async fn regions(hub: &jetstream::Context) -> Vec<Region> {
    let Ok(bucket) = hub.get_key_value(REGIONS_BUCKET).await else { return vec![] };
    let Ok(keys) = bucket.keys().await else { return vec![] };
    let keys: Vec<String> = keys.filter_map(|key| async move { key.ok() }).collect().await;
    let mut regions = Vec::new();
    for key in keys {
        if let Ok(Some(value)) = bucket.get(&key).await {
            regions.extend(serde_json::from_slice::<Region>(&value).ok());
        }
    }
    regions
}

async fn print_region(hub: &jetstream::Context, region: &Region) {
    let alive = live_relays(hub, &region.name).await;
    match region_backlog::read(hub, region, REGION_TIMEOUT).await {
        Some(RegionBacklog { lag, pending, in_flight, .. }) => println!(
            "REGION {:<12} domain {:<8} replication lag {lag:>6}  backlog {pending:>8}  in flight {in_flight:>6}  relays alive {alive}",
            region.name, region.domain
        ),
        None => println!(
            "REGION {:<12} domain {:<8} UNREACHABLE  relays alive {alive}",
            region.name, region.domain
        ),
    }
}

async fn live_relays(hub: &jetstream::Context, region: &str) -> usize {
    let Ok(bucket) = hub.get_key_value(RELAYS_BUCKET).await else { return 0 };
    let Ok(keys) = bucket.keys().await else { return 0 };
    let keys: Vec<String> = keys.filter_map(|key| async move { key.ok() }).collect().await;
    let now = edgehook_domain::now();
    let mut alive = 0;
    for key in keys.iter().filter(|key| key.starts_with(&format!("{region}."))) {
        if let Ok(Some(value)) = bucket.get(key).await {
            let beat: Option<RelayHeartbeat> = serde_json::from_slice(&value).ok();
            alive += usize::from(beat.is_some_and(|beat| now - beat.last_seen < RELAY_HEARTBEAT_TTL));
        }
    }
    alive
}

#[derive(Default)]
struct EndpointTally {
    attempts: u32,
    failed: u32,
    last_error: Option<String>,
}

async fn print_worst_endpoints(hub: &jetstream::Context, worst: usize) {
    let Ok(stream) = hub.get_stream(ATTEMPTS).await else { return };
    let last = stream.cached_info().state.last_sequence;
    let start = Cursor { sequence: last.saturating_sub(RECENT_MESSAGES), passed: None };
    let filters = vec!["rgn.>".to_owned()];
    let read =
        read_records(hub, ATTEMPTS, filters, start, RECENT_ATTEMPTS, RECENT_MESSAGES as usize, |_| true);
    let Ok(page) = read.await else { return };
    let mut tally: BTreeMap<String, EndpointTally> = BTreeMap::new();
    for record in page.records {
        let entry = tally.entry(record.webhook_id.to_string()).or_default();
        entry.attempts += 1;
        if record.outcome != AttemptOutcome::Succeeded {
            entry.failed += 1;
            entry.last_error = record.error;
        }
    }
    let mut ranked: Vec<_> = tally.into_iter().filter(|(_, t)| t.failed > 0).collect();
    ranked.sort_by(|a, b| {
        (b.1.failed * a.1.attempts).cmp(&(a.1.failed * b.1.attempts)).then(b.1.failed.cmp(&a.1.failed))
    });
    println!(
        "\nWORST ENDPOINTS (recent attempts) {:>16} {:>8} {:>9}  last error",
        "attempts", "failed", "failure"
    );
    if ranked.is_empty() {
        println!("  none failing");
    }
    for (webhook, tally) in ranked.into_iter().take(worst) {
        let ratio = 100.0 * f64::from(tally.failed) / f64::from(tally.attempts);
        let error = tally.last_error.unwrap_or_default();
        println!(
            "  {webhook:<40} {:>8} {:>8} {ratio:>8.1}%  {}",
            tally.attempts,
            tally.failed,
            error.chars().take(60).collect::<String>()
        );
    }
}
