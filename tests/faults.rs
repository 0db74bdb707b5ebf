//! The fault suite (issue 14, RELIABILITY.md): under steady load, each fault in turn, then
//! every accepted event delivered at least once to every matching webhook (0 lost), duplicates
//! counted, the attempt history complete, no consumer left behind; per fault the longest time
//! ingest refused events and the longest delivery gap, printed as a table and written to
//! `target/faults/<topology>.json`.
//!
//! Real processes, nothing mocked: nats-server clusters from the repository's configurations,
//! the `edgehook` binary's services, a source over HTTP, a receiving endpoint
//! (`edgehook_testkit::faults`). `EDGEHOOK_FAULTS=ingest,link` runs only the named faults of the
//! cluster topology; `EDGEHOOK_FAULTS_RATE` sets the events per second (default 200).

use edgehook_testkit as support;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use support::faults::{
    ClusterStage, FaultResult, HubStage, Load, LoadOutcome, Phase, REGION, Report, Tenant, consumers_behind,
    counter,
};
use support::{Receiver, Up};

/// The stages share two cores: one topology at a time, so that each measures only its faults.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The load of one phase: how long it sends, and when the fault strikes.
const LOAD_SECS: u64 = 20;
const FAULT_AT: Duration = Duration::from_secs(5);
/// A killed service starts again after this.
const RESTART_AFTER: Duration = Duration::from_secs(3);
const LINK_CUT: Duration = Duration::from_secs(30);
const REDIS_DOWN: Duration = Duration::from_secs(20);
/// How long after the last event the checks wait for deliveries, history and consumers. The
/// wait ends as soon as everything arrived; a delivery later than this counts as lost. (Once,
/// 2026-12-07, with the three fault tests sharing two cores, two deliveries of the hub-leader
/// fault came 125.8 s after acceptance, just past the 120 s this was; their attempt records
/// showed them delivered: RELIABILITY.md.)
const DELIVERY_PATIENCE: Duration = Duration::from_secs(240);
const HISTORY_PATIENCE: Duration = Duration::from_secs(60);
const CONSUMER_PATIENCE: Duration = Duration::from_secs(30);
/// Losing one NATS server of three must not stop ingest longer than a leader election.
const ELECTION: Duration = Duration::from_secs(10);

fn rate() -> u32 {
    std::env::var("EDGEHOOK_FAULTS_RATE").ok().and_then(|rate| rate.parse().ok()).unwrap_or(200)
}

fn load(prefix: &str, seconds: u64) -> Load {
    Load {
        prefix: prefix.to_owned(),
        rate: rate(),
        count: (u64::from(rate()) * seconds) as usize,
        data_bytes: 0,
        patience: Duration::from_secs(60),
    }
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    KillIngest,
    KillRouter,
    KillRelay,
    KillControlPlane,
    StopRedis,
    CutLink,
    WipeHubServer,
    KillRegionServer,
    KillHubEventsLeader,
}

impl Fault {
    const ALL: [Fault; 9] = [
        Fault::KillIngest,
        Fault::KillRouter,
        Fault::KillRelay,
        Fault::KillControlPlane,
        Fault::StopRedis,
        Fault::CutLink,
        Fault::WipeHubServer,
        Fault::KillRegionServer,
        Fault::KillHubEventsLeader,
    ];

    /// Its name in `EDGEHOOK_FAULTS`.
    fn key(self) -> &'static str {
        match self {
            Fault::KillIngest => "ingest",
            Fault::KillRouter => "router",
            Fault::KillRelay => "relay",
            Fault::KillControlPlane => "control-plane",
            Fault::StopRedis => "redis",
            Fault::CutLink => "link",
            Fault::WipeHubServer => "hub-wipe",
            Fault::KillRegionServer => "region-server",
            Fault::KillHubEventsLeader => "hub-leader",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Fault::KillIngest => "SIGKILL one of two ingest nodes, restart after 3 s",
            Fault::KillRouter => "SIGKILL the router, restart after 3 s",
            Fault::KillRelay => "SIGKILL one of two relays, restart after 3 s",
            Fault::KillControlPlane => "SIGKILL the control plane, restart after 3 s",
            Fault::StopRedis => "SIGKILL the relays' Redis (rate limits), start it again empty after 20 s",
            Fault::CutLink => "leaf link hub-region cut for 30 s",
            Fault::WipeHubServer => "SIGKILL the hub server leading DELIVERIES, restart with its store wiped",
            Fault::KillRegionServer => "SIGKILL the region server leading DLV_eu, left dead",
            Fault::KillHubEventsLeader => "SIGKILL the hub server leading EVENTS, left dead",
        }
    }

    fn load_secs(self) -> u64 {
        match self {
            Fault::CutLink => LOAD_SECS + LINK_CUT.as_secs(),
            Fault::StopRedis => LOAD_SECS + REDIS_DOWN.as_secs(),
            _ => LOAD_SECS,
        }
    }

    /// The longest ingest refusal this fault may cause.
    fn max_refusal(self) -> Option<Duration> {
        match self {
            Fault::KillIngest => Some(Duration::from_secs(5)),
            Fault::WipeHubServer | Fault::KillHubEventsLeader => Some(ELECTION),
            _ => None,
        }
    }

    fn selected() -> Vec<Fault> {
        match std::env::var("EDGEHOOK_FAULTS") {
            Ok(list) if !list.trim().is_empty() => {
                let keys: Vec<&str> = list.split(',').map(str::trim).collect();
                Fault::ALL.into_iter().filter(|fault| keys.contains(&fault.key())).collect()
            }
            _ => Fault::ALL.to_vec(),
        }
    }

    /// Strikes (while the load runs) and, where the fault is temporary, repairs; returns what
    /// it did, for the report.
    async fn strike(self, stage: &mut ClusterStage) -> Vec<String> {
        let mut notes = Vec::new();
        match self {
            Fault::KillIngest => restart(&mut stage.ingest[0]).await,
            Fault::KillRouter => restart(&mut stage.router).await,
            Fault::KillRelay => restart(&mut stage.relays[0]).await,
            Fault::KillControlPlane => restart(&mut stage.control_plane).await,
            Fault::StopRedis => {
                let fallbacks = async |stage: &ClusterStage| {
                    let mut sum = 0.0;
                    for relay in &stage.relays {
                        sum += counter(&relay.health_url, "edgehook_rate_limit_fallbacks_total").await;
                    }
                    sum
                };
                let before = fallbacks(stage).await;
                stage.redis.kill();
                tokio::time::sleep(REDIS_DOWN).await;
                stage.redis.start_again().await;
                let during = fallbacks(stage).await - before;
                tokio::time::sleep(Duration::from_secs(5)).await;
                let keys = stage.redis.keys("edgehook:rate:*");
                notes.push(format!(
                    "{during} deliveries limited in-relay while Redis was down; {keys} rate keys in the new Redis 5 s after it came back"
                ));
                if keys == 0 {
                    notes.push("FAILED: the relays did not use Redis again".to_owned());
                }
            }
            Fault::CutLink => {
                stage.link.cut();
                tokio::time::sleep(LINK_CUT).await;
                stage.link.restore();
            }
            Fault::WipeHubServer => {
                let leader =
                    stage.hub_stream_leader("DELIVERIES").await.unwrap_or_else(|| "hub-1".to_owned());
                notes.push(format!("wiped {leader}"));
                let server = stage.hub_server(&leader);
                server.nats.kill();
                std::fs::remove_dir_all(server.nats.jetstream_dir()).unwrap();
                tokio::time::sleep(RESTART_AFTER).await;
                server.nats.start_again().await;
                let back = Instant::now();
                let caught_up = support::poll_until(Duration::from_secs(90), || async {
                    stage.hub_replicas_behind().await.is_none().then_some(())
                })
                .await;
                notes.push(match caught_up {
                    Ok(_) => format!(
                        "{leader} current again {:.1} s after it restarted",
                        back.elapsed().as_secs_f64()
                    ),
                    Err(()) => format!(
                        "FAILED: {leader} not current 90 s after it restarted: {}",
                        stage.hub_replicas_behind().await.unwrap_or_default()
                    ),
                });
            }
            Fault::KillRegionServer => {
                let leader = stage
                    .region_stream_leader(&format!("DLV_{REGION}"))
                    .await
                    .unwrap_or_else(|| format!("{REGION}-1"));
                notes.push(format!("killed {leader}"));
                stage.region_server(&leader).nats.kill();
            }
            Fault::KillHubEventsLeader => {
                let leader = stage.hub_stream_leader("EVENTS").await.unwrap_or_else(|| "hub-1".to_owned());
                notes.push(format!("killed {leader}"));
                stage.hub_server(&leader).nats.kill();
            }
        }
        notes
    }
}

async fn restart(proc: &mut support::faults::Proc) {
    proc.kill();
    tokio::time::sleep(RESTART_AFTER).await;
    proc.start_again();
    proc.until_healthy().await;
}

/// The checks after a phase's load: deliveries, history, consumers; the row of the matrix.
#[allow(clippy::too_many_arguments)]
async fn measure(
    name: String,
    phase: &Phase,
    load: &Load,
    outcome: &LoadOutcome,
    receiver: &Receiver,
    api: &support::Api,
    tenant: &Tenant,
    consumers_settled: impl AsyncFn() -> Option<String>,
    max_refusal: Option<Duration>,
    mut notes: Vec<String>,
    started: Instant,
) -> FaultResult {
    let deliveries = phase.deliveries(receiver, outcome, DELIVERY_PATIENCE).await;
    let (history_missing, attempt_records) =
        phase.history_missing(api, tenant, outcome, HISTORY_PATIENCE).await;
    let mut behind = consumers_settled().await;
    let consumer_deadline = Instant::now() + CONSUMER_PATIENCE;
    while behind.is_some() && Instant::now() < consumer_deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        behind = consumers_settled().await;
    }
    let refusal = outcome.longest_wait;
    if let Some(behind) = &behind {
        notes.push(format!("consumers behind: {behind}"));
    }
    notes.push(format!(
        "slowest first delivery {:.1} s after acceptance: {}",
        deliveries.longest_delay.as_secs_f64(),
        deliveries.slowest
    ));
    if deliveries.lost > 0 {
        notes.push(format!("lost, e.g. {:?}", deliveries.lost_examples));
    }
    if !outcome.never_accepted.is_empty() {
        notes.push(format!("{} events never accepted", outcome.never_accepted.len()));
    }
    if !outcome.refusals.is_empty() {
        notes.push(format!("refusals: {:?}", outcome.refusals));
    }
    if deliveries.unacknowledged_delivered > 0 {
        notes
            .push(format!("{} delivered events the source saw refused", deliveries.unacknowledged_delivered));
    }
    let refusal_ok = max_refusal.is_none_or(|max| refusal <= max);
    if !refusal_ok {
        notes.push(format!("ingest refused for longer than {max_refusal:?}"));
    }
    let passed = deliveries.lost == 0
        && history_missing == 0
        && behind.is_none()
        && outcome.never_accepted.is_empty()
        && refusal_ok
        && !notes.iter().any(|note| note.starts_with("FAILED"));
    FaultResult {
        fault: name,
        events_sent: load.count,
        accepted: outcome.accepted.len(),
        never_accepted: outcome.never_accepted.len(),
        expected_deliveries: deliveries.expected,
        deliveries: deliveries.deliveries,
        lost: deliveries.lost,
        duplicates: deliveries.duplicates,
        longest_ingest_refusal_ms: refusal.as_millis(),
        longest_ingest_stall_ms: outcome.longest_stall().as_millis(),
        longest_delivery_gap_ms: deliveries.longest_gap.as_millis(),
        longest_delivery_delay_ms: deliveries.longest_delay.as_millis(),
        history_missing,
        attempt_records,
        consumers_settled: behind.is_none(),
        refusals: outcome.refusals.clone(),
        wall_s: started.elapsed().as_secs_f64(),
        passed,
        notes,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_of_the_clustered_topology_loses_no_accepted_event() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let run = Instant::now();
    let mut stage = ClusterStage::start().await;
    println!(
        "cluster stage up in {:.1} s; logs in {}",
        run.elapsed().as_secs_f64(),
        stage.log_dir().display()
    );
    let api = stage.api();
    let tenant = Tenant::create(&api).await;
    let receiver = Receiver::start().await;
    let urls = Arc::new(RwLock::new(stage.ingest_urls.clone()));
    let mut report = Report::new("cluster");
    for (n, fault) in Fault::selected().into_iter().enumerate() {
        let started = Instant::now();
        let prefix = format!("f{}", n + 1);
        let phase = Phase::prepare(&api, &tenant, &receiver, &prefix, Some(REGION)).await;
        let mut notes = vec![format!("placement: {}", stage.placement().await.join(", "))];
        let load = load(&prefix, fault.load_secs());
        let running = load.start(&tenant, urls.clone());
        tokio::time::sleep(FAULT_AT).await;
        notes.extend(fault.strike(&mut stage).await);
        let outcome = running.await.unwrap();
        let stage_ref = &stage;
        let result = measure(
            format!("{}: {}", fault.key(), fault.describe()),
            &phase,
            &load,
            &outcome,
            &receiver,
            &api,
            &tenant,
            async || stage_ref.consumers_behind().await,
            fault.max_refusal(),
            notes,
            started,
        )
        .await;
        if !result.passed {
            eprintln!("{} failed; services' logs:\n{}", fault.key(), stage.service_logs(20));
        }
        report.push(result);
    }
    println!(
        "\n{}\n\nwall time {:.0} s; written to {}",
        report.table(),
        run.elapsed().as_secs_f64(),
        report.path().display()
    );
    let failed: Vec<&str> = report.failed().iter().map(|result| result.fault.as_str()).collect();
    assert!(
        failed.is_empty(),
        "faults that lost events or left something behind: {failed:?}\n{}",
        report.table()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_killed_at_once_on_a_single_node_loses_no_accepted_event() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let run = Instant::now();
    let mut up = Up::start().await;
    let api = support::Api::new(&up.credentials);
    let tenant = Tenant::create(&api).await;
    let receiver = Receiver::start().await;
    let urls = Arc::new(RwLock::new(vec![up.credentials.ingest_url.clone()]));
    let mut report = Report::new("single-node");
    let started = Instant::now();
    let phase = Phase::prepare(&api, &tenant, &receiver, "up1", None).await;
    let load = load("up1", LOAD_SECS);
    let running = load.start(&tenant, urls.clone());
    tokio::time::sleep(FAULT_AT).await;
    up.crash();
    tokio::time::sleep(Duration::from_secs(2)).await;
    up.start_again().await;
    *urls.write().unwrap() = vec![up.credentials.ingest_url.clone()];
    let api = support::Api::new(&up.credentials);
    let outcome = running.await.unwrap();
    let js = async_nats::jetstream::new(support::connect_service(&up.credentials.nats_service_url).await);
    let mut consumers = vec![(&js, "EVENTS".to_owned(), "router".to_owned())];
    for tier in ["high", "standard", "bulk"] {
        consumers.push((&js, "DELIVERIES".to_owned(), format!("dispatch-{tier}")));
    }
    let consumers = &consumers;
    let result = measure(
        "up-crash: SIGKILL edgehook up and its nats-server at once, restart on the same data dir".to_owned(),
        &phase,
        &load,
        &outcome,
        &receiver,
        &api,
        &tenant,
        async || consumers_behind(consumers).await,
        None,
        Vec::new(),
        started,
    )
    .await;
    report.push(result);
    println!(
        "\n{}\n\nwall time {:.0} s; written to {}",
        report.table(),
        run.elapsed().as_secs_f64(),
        report.path().display()
    );
    let failed: Vec<&str> = report.failed().iter().map(|result| result.fault.as_str()).collect();
    assert!(failed.is_empty(), "{failed:?}\n{}", report.table());
}

/// The hub's store this small fills within seconds of the load below.
const SMALL_STORE: u64 = 24 * 1024 * 1024;
/// What the operator gives it once it is full.
const LARGER_STORE: u64 = 1024 * 1024 * 1024;
const STORE_RAISED_AT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_event_store_refuses_with_503_and_accepts_again_when_space_returns() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let run = Instant::now();
    let stage = HubStage::start(SMALL_STORE).await;
    let api = stage.api();
    let tenant = Tenant::create(&api).await;
    let receiver = Receiver::start().await;
    let urls = Arc::new(RwLock::new(vec![stage.credentials.ingest_url.clone()]));
    let mut report = Report::new("store-full");
    let started = Instant::now();
    let phase = Phase::prepare(&api, &tenant, &receiver, "full1", None).await;
    // 100 events/s of 16 KB: EVENTS and DELIVERIES each store every one.
    let load = Load { rate: 100, count: 3000, data_bytes: 16 * 1024, ..load("full1", 30) };
    let running = load.start(&tenant, urls.clone());
    // The store fills within seconds; ingest refuses for a while; then space returns.
    tokio::time::sleep(STORE_RAISED_AT).await;
    stage.set_store_limit(LARGER_STORE);
    let mut notes = vec![format!(
        "store limit {} MiB, raised to {} MiB (SIGHUP) {} s into the load",
        SMALL_STORE >> 20,
        LARGER_STORE >> 20,
        STORE_RAISED_AT.as_secs()
    )];
    let outcome = running.await.unwrap();
    for (reason, body) in &outcome.refusal_bodies {
        notes.push(format!("{reason}: {body}"));
    }
    if !outcome.refusals.keys().any(|reason| reason.starts_with("503")) {
        notes.push("FAILED: ingest never answered 503 (did the store fill?)".to_owned());
    }
    let stage_ref = &stage;
    let result = measure(
        "store-full: the hub's JetStream store full (max_file_store), raised 15 s into the load".to_owned(),
        &phase,
        &load,
        &outcome,
        &receiver,
        &api,
        &tenant,
        async || stage_ref.consumers_behind().await,
        None,
        notes,
        started,
    )
    .await;
    if !result.passed {
        eprintln!("services' logs:\n{}\n{}", stage.service_logs(30), stage.hub.log_tail(30));
    }
    report.push(result);
    println!(
        "\n{}\n\nwall time {:.0} s; written to {}",
        report.table(),
        run.elapsed().as_secs_f64(),
        report.path().display()
    );
    let failed: Vec<&str> = report.failed().iter().map(|result| result.fault.as_str()).collect();
    assert!(failed.is_empty(), "{failed:?}\n{}", report.table());
}
