//! Replication on a three-server hub cluster (nats/conf/hub.conf plus terraform's cluster
//! include, as production runs it): what the services create has three replicas; a deployment
//! an older edgehook made with one replica becomes R3 in place, nothing lost or sent again; and
//! losing the server that leads EVENTS stops ingest only for an election.
//!
//! Real nats-server processes and the real `edgehook` services; the upgrade test bootstraps the
//! contract in-process, as every service does at start, so that no service moves a consumer
//! while the test counts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer::PullConsumer};
use edgehook_nats::Contract;
use edgehook_nats::replication::ReplicaState;
use edgehook_nats::streams::{DELIVERIES, EVENTS, ROUTER_CONSUMER, RegionalContract, dispatch_consumer_name};
use edgehook_testkit::cluster::{ClusterPorts, ClusterServer, start_cluster, wait_healthy};
use edgehook_testkit::nats::test_logins;
use edgehook_testkit::processes::DevCredentials;
use edgehook_testkit::topology::{JWT_SECRET, admin_token};
use edgehook_testkit::{
    Api, Service, connect_service, event, eventually_within, free_port, install_crypto_provider, poll_until,
    until_healthy,
};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

/// Forming a cluster and electing on a loaded 2-core machine.
const FORMING: Duration = Duration::from_secs(90);

/// A three-server hub cluster and the services' URL listing all three servers.
struct HubCluster {
    servers: Vec<ClusterServer>,
    url: String,
}

/// A hub cluster's ports and URL, before it runs.
struct HubPlan {
    ports: ClusterPorts,
    leaf_ports: Vec<u16>,
    url: String,
}

impl HubPlan {
    fn new() -> Self {
        let ports = ClusterPorts::new();
        let leaf_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let logins = test_logins();
        let url = ports
            .client
            .iter()
            .map(|port| logins.service_url(&format!("127.0.0.1:{port}")))
            .collect::<Vec<_>>()
            .join(",");
        Self { ports, leaf_ports, url }
    }

    /// Starts the three servers and waits for their meta group.
    async fn start(self) -> HubCluster {
        install_crypto_provider();
        let login_env = test_logins().server_env().expect("the test logins are valid");
        let Self { ports, leaf_ports, url } = self;
        let servers = start_cluster("nats/conf/hub.conf", &[], "hub", "edgehook-hub", &ports, |i| {
            let mut env = login_env.clone();
            env.push(("EDGEHOOK_NATS_LEAF_PORT", leaf_ports[i].to_string()));
            env
        })
        .await;
        wait_healthy(&servers.iter().collect::<Vec<_>>(), "hub", 3, FORMING).await;
        HubCluster { servers, url }
    }
}

impl HubCluster {
    async fn start() -> Self {
        HubPlan::new().start().await
    }

    async fn jetstream(&self) -> jetstream::Context {
        jetstream::new(connect_service(&self.url).await)
    }

    fn logs(&self) -> String {
        self.servers.iter().map(|server| server.nats.log_tail(20)).collect::<Vec<_>>().join("\n")
    }
}

/// Every stream of the account with its replica state.
async fn replica_states(js: &jetstream::Context) -> BTreeMap<String, ReplicaState> {
    let streams: Vec<jetstream::stream::Info> = js.streams().try_collect().await.unwrap_or_default();
    streams.iter().map(|info| (info.config.name.clone(), ReplicaState::of(info))).collect()
}

/// Waits until every stream has `replicas` configured, a leader and every replica current.
async fn all_streams_at(js: &jetstream::Context, replicas: usize, expected: &[&str], hub: &HubCluster) {
    let last = std::sync::Mutex::new(String::new());
    let reached = poll_until(FORMING, || async {
        let states = replica_states(js).await;
        let missing: Vec<&&str> = expected.iter().filter(|name| !states.contains_key(**name)).collect();
        let off: Vec<&ReplicaState> =
            states.values().filter(|state| state.replicas != replicas || !state.is_complete()).collect();
        *last.lock().unwrap() = format!("missing {missing:?}; not at R{replicas} and current: {off:?}");
        (missing.is_empty() && off.is_empty()).then_some(())
    })
    .await;
    assert!(reached.is_ok(), "{}\n{}", last.into_inner().unwrap(), hub.logs());
}

/// How many servers hold each durable consumer of `streams` (its leader and replicas).
async fn consumer_peers(js: &jetstream::Context, streams: &[String]) -> BTreeMap<String, usize> {
    let mut peers = BTreeMap::new();
    for name in streams {
        let Ok(stream) = js.get_stream_no_info(name).await else { continue };
        let consumers: Vec<_> =
            stream.consumers().filter_map(|info| async move { info.ok() }).collect().await;
        for info in consumers.iter().filter(|info| info.config.durable_name.is_some()) {
            let held = info.cluster.as_ref().map_or(1, |cluster| {
                usize::from(cluster.leader.as_deref().is_some_and(|leader| !leader.is_empty()))
                    + cluster.replicas.len()
            });
            peers.insert(format!("{name}/{}", info.name), held);
        }
    }
    peers
}

async fn all_consumers_on(js: &jetstream::Context, servers: usize, expected: &[String], hub: &HubCluster) {
    let streams: Vec<String> = replica_states(js).await.into_keys().collect();
    let last = std::sync::Mutex::new(BTreeMap::new());
    let reached = poll_until(FORMING, || async {
        let peers = consumer_peers(js, &streams).await;
        let done = expected.iter().all(|name| peers.get(name) == Some(&servers))
            && peers.values().all(|held| *held == servers);
        *last.lock().unwrap() = peers;
        done.then_some(())
    })
    .await;
    assert!(
        reached.is_ok(),
        "consumers not on {servers} servers: {:?}\n{}",
        last.into_inner().unwrap(),
        hub.logs()
    );
}

/// The hub's and the co-located region's streams, buckets and consumers.
const HUB_STREAMS: &[&str] = &[
    "EVENTS",
    "DELIVERIES",
    "FIFO",
    "ATTEMPTS",
    "DEAD_LETTERS",
    "PARK_local",
    "KV_webhooks",
    "KV_sources",
    "KV_clients",
    "KV_regions",
    "KV_relays",
    "KV_endpoint_health",
    "KV_event_types",
    "KV_webhooks_local",
];

fn hub_consumers() -> Vec<String> {
    let mut consumers = vec![format!("{EVENTS}/{ROUTER_CONSUMER}")];
    for tier in edgehook_domain::priority::Priority::ALL {
        consumers.push(format!("{DELIVERIES}/{}", dispatch_consumer_name(tier)));
    }
    consumers
}

#[tokio::test]
async fn services_on_a_three_server_hub_create_everything_with_three_replicas() {
    let hub = HubCluster::start().await;
    let logs = tempfile::tempdir().unwrap();
    let control_addr = format!("127.0.0.1:{}", free_port());
    let ingest_addr = format!("127.0.0.1:{}", free_port());
    let (router_admin, relay_admin) =
        (format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
    let url = hub.url.as_str();
    let _services = [
        Service::start(
            logs.path(),
            "control-plane",
            &["control-plane", "--nats-url", url, "--addr", &control_addr, "--jwt-secret", JWT_SECRET],
        ),
        Service::start(logs.path(), "ingest", &["ingest", "--nats-url", url, "--addr", &ingest_addr]),
        Service::start(logs.path(), "router", &["router", "--nats-url", url, "--admin-addr", &router_admin]),
        Service::start(
            logs.path(),
            "relay",
            &["relay", "--nats-url", url, "--region", "local", "--admin-addr", &relay_admin],
        ),
    ];
    for base in [&control_addr, &ingest_addr, &router_admin, &relay_admin] {
        until_healthy(&format!("http://{base}")).await;
    }
    let js = hub.jetstream().await;
    all_streams_at(&js, 3, HUB_STREAMS, &hub).await;
    all_consumers_on(&js, 3, &hub_consumers(), &hub).await;
    let probes: Vec<String> =
        replica_states(&js).await.into_keys().filter(|name| name.contains("PROBE")).collect();
    assert!(probes.is_empty(), "replica probes left behind: {probes:?}");

    // /readyz shows each stream's replicas, all current.
    let body: Value = eventually_within("the relay ready", FORMING, || async {
        let response = reqwest::get(format!("http://{relay_admin}/readyz")).await.ok()?;
        if response.status() != 200 {
            return None;
        }
        response.json().await.ok()
    })
    .await;
    let streams = body["streams"].as_array().cloned().unwrap_or_default();
    let deliveries =
        streams.iter().find(|stream| stream["stream"] == DELIVERIES).expect("DELIVERIES in /readyz");
    assert_eq!(deliveries["replicas"], 3, "{body}");
    assert_eq!(deliveries["current"], 3, "{body}");
}

/// What must not change when a stream gains replicas: its messages and every consumer's place.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    streams: BTreeMap<String, (u64, u64, u64)>,
    consumers: BTreeMap<String, (u64, u64, u64, usize, usize)>,
}

async fn snapshot(js: &jetstream::Context) -> Snapshot {
    let infos: Vec<jetstream::stream::Info> = js.streams().try_collect().await.unwrap();
    let mut streams = BTreeMap::new();
    let mut consumers = BTreeMap::new();
    for info in infos {
        let state = &info.state;
        streams.insert(info.config.name.clone(), (state.messages, state.first_sequence, state.last_sequence));
        let stream = js.get_stream_no_info(&info.config.name).await.unwrap();
        let found: Vec<_> = stream.consumers().try_collect().await.unwrap();
        for consumer in found.iter().filter(|consumer| consumer.config.durable_name.is_some()) {
            consumers.insert(
                format!("{}/{}", info.config.name, consumer.name),
                (
                    consumer.delivered.stream_sequence,
                    consumer.ack_floor.stream_sequence,
                    consumer.num_pending,
                    consumer.num_ack_pending,
                    consumer.num_redelivered,
                ),
            );
        }
    }
    Snapshot { streams, consumers }
}

/// Takes `count` messages from `consumer` of `stream` and acknowledges them (each must be a
/// first delivery); returns their stream sequences.
async fn take(js: &jetstream::Context, stream: &str, consumer: &str, count: usize) -> Vec<u64> {
    let consumer: PullConsumer = js.get_consumer_from_stream(consumer, stream).await.unwrap();
    let mut sequences = Vec::new();
    while sequences.len() < count {
        let mut batch = consumer
            .fetch()
            .max_messages(count - sequences.len())
            .expires(Duration::from_secs(2))
            .messages()
            .await
            .unwrap();
        let mut got = 0;
        while let Some(message) = batch.next().await {
            let message = message.unwrap();
            let info = message.info().unwrap();
            assert_eq!(info.delivered, 1, "message {} of {stream} sent again", info.stream_sequence);
            sequences.push(info.stream_sequence);
            message.double_ack().await.unwrap();
            got += 1;
        }
        assert!(got > 0, "{stream}: only {} of {count} messages to take", sequences.len());
    }
    sequences
}

#[tokio::test]
async fn an_r1_deployment_becomes_r3_in_place_with_nothing_lost_or_sent_again() {
    let hub = HubCluster::start().await;
    let client = connect_service(&hub.url).await;

    // As an older edgehook (or `--replicas 1`) made it: everything on one server.
    let contract = Contract::bootstrap_with(client.clone(), Some(1)).await.unwrap();
    assert_eq!(contract.replication.replicas(), 1);
    let region = RegionalContract::bootstrap_with(client.clone(), "local", Some(1)).await.unwrap();
    let js = contract.jetstream.clone();
    all_streams_at(&js, 1, HUB_STREAMS, &hub).await;

    // It holds events and tasks, some of each taken already.
    const EVENTS_HELD: usize = 300;
    const TASKS_HELD: usize = 200;
    for i in 0..EVENTS_HELD {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("cli_r3:evt_{i}"));
        let payload = json!({"event_id": format!("evt_{i}")}).to_string();
        js.publish_with_headers("events.cli_r3", headers, payload.into()).await.unwrap().await.unwrap();
    }
    for i in 0..TASKS_HELD {
        let tier = ["high", "standard", "bulk"][i % 3];
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("msg_{i}:wh_r3"));
        let subject = format!("deliveries.local.{tier}.cli_r3.wh_r3");
        js.publish_with_headers(subject, headers, format!("task {i}").into()).await.unwrap().await.unwrap();
    }
    contract.webhooks.put("cli_r3.wh_r3", "a webhook".into()).await.unwrap();
    let mirrored = poll_until(FORMING, || async {
        let mirror = js.get_stream("KV_webhooks_local").await.ok()?;
        (mirror.cached_info().state.messages == 1).then_some(())
    })
    .await;
    assert!(mirrored.is_ok(), "the region's mirror did not take the webhook");
    let routed = take(&js, EVENTS, ROUTER_CONSUMER, 100).await;
    let delivered = take(&js, DELIVERIES, "dispatch-standard", 20).await;
    let before = snapshot(&js).await;
    drop(region);

    // Bootstrapped again by this edgehook, which measures the cluster: three servers.
    let upgraded = Contract::bootstrap(client.clone()).await.unwrap();
    assert_eq!(upgraded.replication.replicas(), 3);
    RegionalContract::bootstrap(client.clone(), "local").await.unwrap();
    all_streams_at(&js, 3, HUB_STREAMS, &hub).await;
    all_consumers_on(&js, 3, &hub_consumers(), &hub).await;

    let after = snapshot(&js).await;
    assert_eq!(after, before, "messages or consumer positions changed by the upgrade");
    assert_eq!(before.streams[EVENTS].0, EVENTS_HELD as u64);

    // What was not taken comes exactly once, from where each consumer stood.
    let rest = take(&js, EVENTS, ROUTER_CONSUMER, EVENTS_HELD - routed.len()).await;
    assert_eq!(rest.first(), Some(&(*routed.last().unwrap() + 1)));
    let standard = TASKS_HELD / 3 + usize::from(TASKS_HELD % 3 > 1);
    let rest = take(&js, DELIVERIES, "dispatch-standard", standard - delivered.len()).await;
    assert!(rest.iter().all(|sequence| !delivered.contains(sequence)));
    let webhook = upgraded.webhooks.get("cli_r3.wh_r3").await.unwrap();
    assert_eq!(webhook.as_deref(), Some(&b"a webhook"[..]));
    // Nothing else is waiting: not a message sent twice.
    let router: PullConsumer = js.get_consumer_from_stream(ROUTER_CONSUMER, EVENTS).await.unwrap();
    let mut router = router;
    assert_eq!(router.info().await.unwrap().num_pending, 0);
    assert_eq!(router.info().await.unwrap().num_redelivered, 0);
}

#[tokio::test]
async fn losing_the_server_that_leads_events_stops_ingest_only_for_an_election() {
    let mut hub = HubCluster::start().await;
    let logs = tempfile::tempdir().unwrap();
    let control_addr = format!("127.0.0.1:{}", free_port());
    let ingest_addr = format!("127.0.0.1:{}", free_port());
    let url = hub.url.clone();
    let _services = [
        Service::start(
            logs.path(),
            "control-plane",
            &["control-plane", "--nats-url", &url, "--addr", &control_addr, "--jwt-secret", JWT_SECRET],
        ),
        Service::start(logs.path(), "ingest", &["ingest", "--nats-url", &url, "--addr", &ingest_addr]),
    ];
    let credentials = DevCredentials {
        control_plane_url: format!("http://{control_addr}"),
        ingest_url: format!("http://{ingest_addr}"),
        nats_url: String::new(),
        nats_service_url: url.clone(),
        admin_token: admin_token(),
    };
    until_healthy(&credentials.control_plane_url).await;
    until_healthy(&credentials.ingest_url).await;
    let api = Api::new(&credentials);
    let (client_id, _) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let (status, body) = api.ingest(&source, &event(&client_id, "evt_0", "order.created", json!({}))).await;
    assert_eq!(status, 202, "{body}");

    let js = hub.jetstream().await;
    all_streams_at(&js, 3, &["EVENTS"], &hub).await;
    let leader = js.get_stream(EVENTS).await.unwrap().cached_info().cluster.clone().and_then(|c| c.leader);
    let leader = leader.expect("EVENTS has a leader");
    let server = hub.servers.iter_mut().find(|server| server.nats.name() == leader).expect("the leader");
    server.nats.kill();
    let killed = Instant::now();

    let mut n = 0;
    let accepted = poll_until(Duration::from_secs(30), || {
        n += 1;
        let event = event(&client_id, &format!("evt_after_{n}"), "order.created", json!({}));
        let api = &api;
        let source = &source;
        async move { (api.ingest(source, &event).await.0 == 202).then_some(()) }
    })
    .await;
    let outage = killed.elapsed();
    eprintln!("EVENTS leader {leader} killed: ingest accepted again after {outage:?}");
    assert!(accepted.is_ok(), "ingest still refusing 30 s after {leader} died\n{}", hub.logs());
    assert!(outage < Duration::from_secs(15), "ingest refused for {outage:?} after losing {leader}");
    let new_leader =
        js.get_stream(EVENTS).await.unwrap().cached_info().cluster.clone().and_then(|c| c.leader);
    assert!(new_leader.is_some_and(|new| new != leader));
}

#[tokio::test]
async fn a_relay_started_before_its_cluster_waits_and_becomes_ready_on_r3_streams() {
    install_crypto_provider();
    let plan = HubPlan::new();
    let logs = tempfile::tempdir().unwrap();
    let admin = format!("127.0.0.1:{}", free_port());
    let relay = Service::start(
        logs.path(),
        "relay",
        &["relay", "--nats-url", &plan.url, "--region", "local", "--admin-addr", &admin],
    );
    let readyz = format!("http://{admin}/readyz");
    let waiting: Value = eventually_within("the relay's /readyz saying why it waits", FORMING, || async {
        let response = reqwest::get(&readyz).await.ok()?;
        (response.status() == 503).then_some(())?;
        response.json().await.ok()
    })
    .await;
    assert!(waiting["reason"].as_str().is_some_and(|reason| reason.starts_with("starting")), "{waiting}");
    // It tries again, saying why, rather than exiting.
    let log = eventually_within("the relay to log why it waits", FORMING, || async {
        let log = std::fs::read_to_string(&relay.log).ok()?;
        log.contains("NATS is not ready").then_some(log)
    })
    .await;
    assert!(log.contains("trying again"), "{log}");
    until_healthy(&format!("http://{admin}")).await;
    let waiting: Value = reqwest::get(&readyz).await.unwrap().json().await.unwrap();
    assert!(waiting["reason"].as_str().is_some_and(|reason| reason.contains("timed out")), "{waiting}");

    let hub = plan.start().await;
    let ready: Value = eventually_within("the relay ready once the cluster is", FORMING, || async {
        let response = reqwest::get(&readyz).await.ok()?;
        (response.status() == 200).then_some(())?;
        response.json().await.ok()
    })
    .await;
    let streams = ready["streams"].as_array().cloned().unwrap_or_default();
    assert!(!streams.is_empty(), "{ready}");
    assert!(streams.iter().all(|stream| stream["replicas"] == 3), "{ready}\n{}", hub.logs());
}
