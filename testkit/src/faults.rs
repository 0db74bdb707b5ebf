//! The fault suite's stage and measurements (`tests/faults.rs`, RELIABILITY.md).
//!
//! - [`ClusterStage`]: the production topology on one machine: a three-server hub cluster and
//!   a three-server region cluster (`eu`) from the repository's configurations plus terraform's
//!   cluster include ([`crate::cluster`]), the region's three leaf links through one
//!   [`Proxy`] in front of the hub's three leaf ports (a load balancer the test can cut), and
//!   the services as separate `edgehook` processes ([`Proc`]: two ingest nodes, the router, the
//!   control plane, two relays), each of which can be SIGKILLed and started again;
//! - [`Load`]: a source sending a bounded number of events at a steady rate over HTTP to any
//!   ingest node, resending (the same `event_id`) whatever was not accepted, as a real source
//!   does; [`LoadOutcome`] keeps what was accepted and every refusal;
//! - [`Phase`]: one fault's own webhooks (two per phase, one for every event type of the phase,
//!   one for half of them) and the checks after it: every accepted event delivered to every
//!   matching webhook ([`DeliveryCheck`]: lost, duplicates, the longest delivery gap), the
//!   attempt history complete (read back through the API), no consumer left behind;
//! - [`FaultResult`] and [`Report`]: one row per fault, printed and written as JSON under
//!   `target/faults/`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use tempfile::TempDir;

use super::api::sign;
use super::cluster::{ClusterPorts, ClusterServer, start_cluster, wait_for, wait_healthy};
use super::nats::{leaf_url_at, test_logins};
use super::processes::DevCredentials;
use super::proxy::Proxy;
use super::receiver::Receiver;
use super::topology::{JWT_SECRET, admin_token};
use super::{Api, NatsServer, Service, Source, free_port, project_root, until_healthy};

pub const HUB_CONF: &str = "nats/conf/hub.conf";
pub const REGION_CONF: &str = "nats/conf/region.conf";
/// The region of the cluster stage.
pub const REGION: &str = "eu";

/// A standalone `edgehook <service>` the suite can SIGKILL and start again with the same flags;
/// each run logs to a file of its own (`<name>-<run>.log`).
pub struct Proc {
    pub name: String,
    /// Its /healthz is here (set by whoever starts it).
    pub health_url: String,
    args: Vec<String>,
    log_dir: PathBuf,
    runs: usize,
    service: Option<Service>,
}

impl Proc {
    pub fn start(log_dir: &Path, name: &str, args: Vec<String>) -> Self {
        let mut proc = Self {
            name: name.to_owned(),
            health_url: String::new(),
            args,
            log_dir: log_dir.to_owned(),
            runs: 0,
            service: None,
        };
        proc.start_again();
        proc
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(service) = self.service.take() {
            service.kill();
        }
    }

    pub fn start_again(&mut self) {
        assert!(self.service.is_none(), "{} is running", self.name);
        self.runs += 1;
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        self.service = Some(Service::start(&self.log_dir, &format!("{}-{}", self.name, self.runs), &args));
    }

    /// Waits until its /healthz, then its /readyz answers 200 (its streams and consumers set
    /// up: a relay's /healthz answers while it still waits for its cluster).
    pub async fn until_healthy(&self) {
        if !self.health_url.is_empty() {
            until_healthy(&self.health_url).await;
            let ready = format!("{}/readyz", self.health_url);
            super::eventually_within(&format!("{ready} to answer 200"), FORMING, || {
                let ready = ready.clone();
                async move {
                    reqwest::get(&ready).await.ok().filter(|response| response.status() == 200).map(|_| ())
                }
            })
            .await;
        }
    }

    /// The last `lines` lines of the current run's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let path = self.log_dir.join(format!("{}-{}.log", self.name, self.runs));
        let log = std::fs::read_to_string(path).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        format!(
            "--- {} (run {}) ---\n{}",
            self.name,
            self.runs,
            all[all.len().saturating_sub(lines)..].join("\n")
        )
    }
}

/// A redis-server of the suite's own (never the machine's), empty at every start: no snapshot,
/// no append-only file.
pub struct RedisServer {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl RedisServer {
    pub async fn start() -> Self {
        let mut redis = Self { port: free_port(), child: None };
        redis.start_again().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "redis-server is running");
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package)");
        self.child = Some(child);
        let port = self.port;
        super::eventually("redis-server to listen", || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok().map(|_| ())
        })
        .await;
    }

    /// SIGKILL: what it held is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// How many keys match `pattern` (`redis-cli --scan`).
    pub fn keys(&self, pattern: &str) -> usize {
        let output = std::process::Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--scan", "--pattern", pattern])
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&output.stdout).lines().filter(|line| !line.is_empty()).count()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The sum of a counter's series in a service's /metrics.
pub async fn counter(admin_url: &str, name: &str) -> f64 {
    let Ok(response) = reqwest::get(format!("{admin_url}/metrics")).await else { return 0.0 };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .filter(|line| line.starts_with(name) && line[name.len()..].starts_with(['{', ' ']))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The production topology on one machine (see the module's documentation).
pub struct ClusterStage {
    pub hub: Vec<ClusterServer>,
    pub region: Vec<ClusterServer>,
    /// Between the region's servers and the hub's leaf ports.
    pub link: Proxy,
    /// The services' hub URL: all three servers, with the services' login.
    pub hub_url: String,
    /// The relays' URL: the region's three servers.
    pub region_url: String,
    pub credentials: DevCredentials,
    pub ingest_urls: Vec<String>,
    pub control_plane: Proc,
    pub ingest: Vec<Proc>,
    pub router: Proc,
    pub relays: Vec<Proc>,
    /// The region's Redis, which the relays share rate limits through.
    pub redis: RedisServer,
    hub_js: async_nats::jetstream::Context,
    region_js: async_nats::jetstream::Context,
    logs: TempDir,
}

/// Where a stage's services log: a temporary directory, kept after the run (its path printed)
/// when `EDGEHOOK_FAULTS_KEEP_LOGS` is set.
fn service_logs_dir() -> TempDir {
    let mut logs = tempfile::tempdir().unwrap();
    if std::env::var_os("EDGEHOOK_FAULTS_KEEP_LOGS").is_some() {
        logs.disable_cleanup(true);
        println!("services' logs kept in {}", logs.path().display());
    }
    logs
}

/// How long a cluster may take to form (elections on a loaded 2-core machine).
const FORMING: Duration = Duration::from_secs(90);

impl ClusterStage {
    pub async fn start() -> Self {
        super::install_crypto_provider();
        let logins = test_logins();
        let login_env = logins.server_env().expect("the test logins are valid");
        let hub_ports = ClusterPorts::new();
        let leaf_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let hub = start_cluster(HUB_CONF, &[], "hub", "edgehook-hub", &hub_ports, |i| {
            let mut env = login_env.clone();
            env.push(("EDGEHOOK_NATS_LEAF_PORT", leaf_ports[i].to_string()));
            env
        })
        .await;
        let targets: Vec<SocketAddr> =
            leaf_ports.iter().map(|port| SocketAddr::from(([127, 0, 0, 1], *port))).collect();
        let link = Proxy::start_to_any(targets).await;
        let region_ports = ClusterPorts::new();
        let region = start_cluster(REGION_CONF, &[], REGION, "edgehook-eu", &region_ports, |_| {
            vec![("EDGEHOOK_REGION", REGION.to_owned()), ("EDGEHOOK_HUB_LEAF_URL", leaf_url_at(link.port))]
        })
        .await;
        {
            let hub: Vec<&ClusterServer> = hub.iter().collect();
            wait_healthy(&hub, "hub", 3, FORMING).await;
            let region: Vec<&ClusterServer> = region.iter().collect();
            wait_healthy(&region, REGION, 3, FORMING).await;
        }
        let all: Vec<&ClusterServer> = hub.iter().chain(&region).collect();
        wait_for("the three regional servers to link to the hub", &all, FORMING, || async {
            let mut linked = 0;
            for server in &hub {
                let leafz = server.monitor_json("/leafz").await.ok_or("no /leafz")?;
                linked += leafz["leafs"].as_array().map_or(0, Vec::len);
            }
            if linked == 3 { Ok(()) } else { Err(format!("{linked} leaf connections")) }
        })
        .await;

        let hub_url = hub_ports
            .client
            .iter()
            .map(|port| logins.service_url(&format!("127.0.0.1:{port}")))
            .collect::<Vec<_>>()
            .join(",");
        let region_url = region_ports
            .client
            .iter()
            .map(|port| format!("nats://127.0.0.1:{port}"))
            .collect::<Vec<_>>()
            .join(",");
        let logs = service_logs_dir();
        let control_addr = format!("127.0.0.1:{}", free_port());
        let guard = ["--allow-private-callbacks".to_owned()];
        let mut control_args: Vec<String> = [
            "control-plane",
            "--nats-url",
            &hub_url,
            "--addr",
            &control_addr,
            "--jwt-secret",
            JWT_SECRET,
            "--regions",
            REGION,
            "--allow-http-callbacks",
        ]
        .map(String::from)
        .to_vec();
        control_args.extend(guard.clone());
        let mut control_plane = Proc::start(logs.path(), "control-plane", control_args);
        control_plane.health_url = format!("http://{control_addr}");
        let ingest_addrs: Vec<String> = (0..2).map(|_| format!("127.0.0.1:{}", free_port())).collect();
        let ingest: Vec<Proc> = ingest_addrs
            .iter()
            .enumerate()
            .map(|(i, addr)| {
                let args = ["ingest", "--nats-url", &hub_url, "--addr", addr].map(String::from).to_vec();
                let mut proc = Proc::start(logs.path(), &format!("ingest-{}", i + 1), args);
                proc.health_url = format!("http://{addr}");
                proc
            })
            .collect();
        let router_admin = format!("127.0.0.1:{}", free_port());
        let mut router = Proc::start(
            logs.path(),
            "router",
            ["router", "--nats-url", &hub_url, "--admin-addr", &router_admin].map(String::from).to_vec(),
        );
        router.health_url = format!("http://{router_admin}");
        let redis = RedisServer::start().await;
        let relays: Vec<Proc> = (0..2)
            .map(|i| {
                let admin = format!("127.0.0.1:{}", free_port());
                let mut args =
                    ["relay", "--nats-url", &region_url, "--region", REGION, "--admin-addr", &admin]
                        .map(String::from)
                        .to_vec();
                args.extend(guard.clone());
                args.extend(["--delivery-timeout-ms", "5000", "--redis-url", &redis.url()].map(String::from));
                let mut proc = Proc::start(logs.path(), &format!("relay-{}", i + 1), args);
                proc.health_url = format!("http://{admin}");
                proc
            })
            .collect();
        let ingest_urls: Vec<String> = ingest_addrs.iter().map(|addr| format!("http://{addr}")).collect();
        let credentials = DevCredentials {
            control_plane_url: format!("http://{control_addr}"),
            ingest_url: ingest_urls[0].clone(),
            nats_url: format!("nats://127.0.0.1:{}", hub_ports.client[0]),
            nats_service_url: hub_url.clone(),
            admin_token: admin_token(),
        };
        control_plane.until_healthy().await;
        for proc in &ingest {
            proc.until_healthy().await;
        }
        router.until_healthy().await;
        for relay in &relays {
            relay.until_healthy().await;
        }
        let hub_js = async_nats::jetstream::new(super::connect_service(&hub_url).await);
        let region_js = async_nats::jetstream::new(super::connect_service(&region_url).await);
        Self {
            hub,
            region,
            link,
            hub_url,
            region_url,
            credentials,
            ingest_urls,
            control_plane,
            ingest,
            router,
            relays,
            redis,
            hub_js,
            region_js,
            logs,
        }
    }

    pub fn api(&self) -> Api {
        Api::new(&self.credentials)
    }

    /// Where the services' logs are.
    pub fn log_dir(&self) -> &Path {
        self.logs.path()
    }

    /// The server leading `stream` at the hub (its RAFT leader; for a one-replica stream, the
    /// server that holds it).
    pub async fn hub_stream_leader(&self, stream: &str) -> Option<String> {
        stream_leader(&self.hub_js, stream).await
    }

    pub async fn region_stream_leader(&self, stream: &str) -> Option<String> {
        stream_leader(&self.region_js, stream).await
    }

    /// Every stream at the hub and in the region with its replica count, e.g. `EVENTS R1 @hub-2`.
    pub async fn placement(&self) -> Vec<String> {
        let mut all = Vec::new();
        let hub = ["EVENTS", "DELIVERIES", "ATTEMPTS", "DEAD_LETTERS"].map(String::from);
        let region = ["DLV", "PARK", "ATT", "DLQ"].map(|name| format!("{name}_{REGION}"));
        for (side, js, names) in [("hub", &self.hub_js, hub), (REGION, &self.region_js, region)] {
            for name in names {
                let request = async { js.get_stream(&name).await.ok()?.info().await.ok().cloned() };
                let Ok(Some(info)) = tokio::time::timeout(Duration::from_secs(5), request).await else {
                    all.push(format!("{side}:{name} unavailable"));
                    continue;
                };
                let leader = info.cluster.and_then(|cluster| cluster.leader).unwrap_or_default();
                all.push(format!("{side}:{name} R{} @{leader}", info.config.num_replicas));
            }
        }
        all
    }

    /// None once every hub stream has all its replicas current (a restarted server caught up);
    /// otherwise which are not.
    pub async fn hub_replicas_behind(&self) -> Option<String> {
        let mut behind = Vec::new();
        for name in ["EVENTS", "DELIVERIES", "ATTEMPTS", "DEAD_LETTERS"] {
            let request = async { self.hub_js.get_stream(name).await.ok()?.info().await.ok().cloned() };
            let Ok(Some(info)) = tokio::time::timeout(Duration::from_secs(5), request).await else {
                behind.push(format!("{name} unavailable"));
                continue;
            };
            let Some(cluster) = info.cluster else { continue };
            let current = cluster.replicas.iter().filter(|peer| peer.current && !peer.offline).count();
            if current + 1 < info.config.num_replicas {
                behind.push(format!("{name}: {} of {} current", current + 1, info.config.num_replicas));
            }
        }
        (!behind.is_empty()).then(|| behind.join("; "))
    }

    /// None once the router's consumer on EVENTS and the region's dispatch consumers have nothing
    /// pending and nothing unacknowledged and the region's task stream has all its sources' messages;
    /// otherwise what is left.
    pub async fn consumers_behind(&self) -> Option<String> {
        let mut consumers = vec![(&self.hub_js, "EVENTS".to_owned(), "router".to_owned())];
        for tier in ["high", "standard", "bulk"] {
            consumers.push((&self.region_js, format!("DLV_{REGION}"), format!("dispatch-{tier}")));
        }
        let mut behind: Vec<String> = consumers_behind(&consumers).await.into_iter().collect();
        // The region's copy of its tasks: DLV_eu's sources (the hub's DELIVERIES, PARK_eu).
        let stream = format!("DLV_{REGION}");
        let request = async { self.region_js.get_stream(&stream).await.ok()?.info().await.ok().cloned() };
        match tokio::time::timeout(Duration::from_secs(5), request).await {
            Ok(Some(info)) => behind.extend(
                info.sources
                    .iter()
                    .filter(|source| source.lag > 0)
                    .map(|source| format!("{stream} source {}: {} behind", source.name, source.lag)),
            ),
            _ => behind.push(format!("{stream} unavailable")),
        }
        (!behind.is_empty()).then(|| behind.join("; "))
    }

    pub fn hub_server(&mut self, name: &str) -> &mut ClusterServer {
        self.hub
            .iter_mut()
            .find(|server| server.nats.name() == name)
            .unwrap_or_else(|| panic!("no hub server {name}"))
    }

    pub fn region_server(&mut self, name: &str) -> &mut ClusterServer {
        self.region
            .iter_mut()
            .find(|server| server.nats.name() == name)
            .unwrap_or_else(|| panic!("no region server {name}"))
    }

    /// The services' log tails, for a failure.
    pub fn service_logs(&self, lines: usize) -> String {
        let mut all = vec![self.control_plane.log_tail(lines), self.router.log_tail(lines)];
        all.extend(self.ingest.iter().map(|proc| proc.log_tail(lines)));
        all.extend(self.relays.iter().map(|proc| proc.log_tail(lines)));
        all.join("\n")
    }
}

/// None once each `(jetstream, stream, consumer)` has nothing pending and nothing
/// unacknowledged; otherwise what is left.
pub async fn consumers_behind(
    consumers: &[(&async_nats::jetstream::Context, String, String)],
) -> Option<String> {
    let mut behind = Vec::new();
    for (js, stream, consumer) in consumers {
        match consumer_info(js, stream, consumer).await {
            Ok((0, 0)) => {}
            Ok((pending, ack_pending)) => {
                behind.push(format!("{stream}/{consumer}: {pending} pending, {ack_pending} unacknowledged"))
            }
            Err(error) => behind.push(format!("{stream}/{consumer}: {error}")),
        }
    }
    (!behind.is_empty()).then(|| behind.join("; "))
}

/// One hub server (the repository's hub.conf) with its JetStream store limited by an include
/// that restates the `jetstream` block with `max_file_store`, as an operator would size a disk;
/// [`HubStage::set_store_limit`] changes the limit and reloads the server (SIGHUP).
pub struct HubStage {
    pub hub: NatsServer,
    pub credentials: DevCredentials,
    pub services: Vec<Proc>,
    hub_js: async_nats::jetstream::Context,
    _logs: TempDir,
}

const STORE_LIMIT_FILE: &str = "store-limit.conf";

fn store_limit(bytes: u64) -> String {
    format!(
        "jetstream {{\n  store_dir: $EDGEHOOK_NATS_STORE_DIR\n  domain: hub\n  max_file_store: {bytes}\n}}\n"
    )
}

impl HubStage {
    /// The hub with `max_file_store` bytes, and control plane, ingest, router and a relay of the
    /// co-located region as processes.
    pub async fn start(max_file_store: u64) -> Self {
        super::install_crypto_provider();
        let logins = test_logins();
        let (port, leaf_port) = (free_port(), free_port());
        let conf = format!("include ./edgehook.conf\ninclude ./{STORE_LIMIT_FILE}\n");
        let spec = edgehook::nats_server::ServerSpec::new("hub", conf, port)
            .file("edgehook.conf", super::tools::read(HUB_CONF))
            .file(STORE_LIMIT_FILE, store_limit(max_file_store))
            .env("EDGEHOOK_NATS_LEAF_PORT", leaf_port.to_string())
            .envs(logins.server_env().expect("the test logins are valid"));
        let hub = NatsServer::start(spec).await;
        let url = logins.service_url(&format!("127.0.0.1:{port}"));
        let logs = service_logs_dir();
        let [control_addr, ingest_addr, router_admin, relay_admin]: [String; 4] =
            std::array::from_fn(|_| format!("127.0.0.1:{}", free_port()));
        let guard = "--allow-private-callbacks";
        let specs: [(&str, Vec<&str>, &str); 4] = [
            (
                "control-plane",
                vec![
                    "control-plane",
                    "--nats-url",
                    &url,
                    "--addr",
                    &control_addr,
                    "--jwt-secret",
                    JWT_SECRET,
                    "--allow-http-callbacks",
                    guard,
                ],
                &control_addr,
            ),
            ("ingest", vec!["ingest", "--nats-url", &url, "--addr", &ingest_addr], &ingest_addr),
            ("router", vec!["router", "--nats-url", &url, "--admin-addr", &router_admin], &router_admin),
            (
                "relay",
                vec![
                    "relay",
                    "--nats-url",
                    &url,
                    "--admin-addr",
                    &relay_admin,
                    "--delivery-timeout-ms",
                    "5000",
                    guard,
                ],
                &relay_admin,
            ),
        ];
        let mut services = Vec::new();
        for (name, args, health) in specs {
            let mut proc = Proc::start(logs.path(), name, args.into_iter().map(String::from).collect());
            proc.health_url = format!("http://{health}");
            services.push(proc);
        }
        for proc in &services {
            proc.until_healthy().await;
        }
        let credentials = DevCredentials {
            control_plane_url: format!("http://{control_addr}"),
            ingest_url: format!("http://{ingest_addr}"),
            nats_url: hub.source_url(),
            nats_service_url: url.clone(),
            admin_token: admin_token(),
        };
        let hub_js = async_nats::jetstream::new(super::connect_service(&url).await);
        Self { hub, credentials, services, hub_js, _logs: logs }
    }

    pub fn api(&self) -> Api {
        Api::new(&self.credentials)
    }

    /// Writes a new `max_file_store` and reloads the server.
    pub fn set_store_limit(&self, bytes: u64) {
        std::fs::write(self.hub.config_dir().join(STORE_LIMIT_FILE), store_limit(bytes)).unwrap();
        self.hub.reload();
    }

    pub async fn consumers_behind(&self) -> Option<String> {
        let mut consumers = vec![(&self.hub_js, "EVENTS".to_owned(), "router".to_owned())];
        for tier in ["high", "standard", "bulk"] {
            consumers.push((&self.hub_js, "DELIVERIES".to_owned(), format!("dispatch-{tier}")));
        }
        consumers_behind(&consumers).await
    }

    pub fn service_logs(&self, lines: usize) -> String {
        self.services.iter().map(|proc| proc.log_tail(lines)).collect::<Vec<_>>().join("\n")
    }
}

/// The services go first, at once: they would otherwise wait for the servers dropped before them.
impl Drop for ClusterStage {
    fn drop(&mut self) {
        self.control_plane.kill();
        self.router.kill();
        for proc in self.ingest.iter_mut().chain(&mut self.relays) {
            proc.kill();
        }
    }
}

impl Drop for HubStage {
    fn drop(&mut self) {
        for proc in &mut self.services {
            proc.kill();
        }
    }
}

async fn stream_leader(js: &async_nats::jetstream::Context, stream: &str) -> Option<String> {
    let request = async { js.get_stream(stream).await.ok()?.info().await.ok()?.cluster.clone()?.leader };
    tokio::time::timeout(Duration::from_secs(5), request).await.ok().flatten()
}

async fn consumer_info(
    js: &async_nats::jetstream::Context,
    stream: &str,
    consumer: &str,
) -> Result<(u64, usize), String> {
    let request = async {
        let stream = js.get_stream(stream).await.map_err(|error| error.to_string())?;
        let mut consumer: async_nats::jetstream::consumer::PullConsumer =
            stream.get_consumer(consumer).await.map_err(|error| error.to_string())?;
        let info = consumer.info().await.map_err(|error| error.to_string())?;
        Ok((info.num_pending, info.num_ack_pending))
    };
    tokio::time::timeout(Duration::from_secs(5), request)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()))
}

/// A client and its source (allowed every event type), as the phases share them.
#[derive(Clone)]
pub struct Tenant {
    pub client_id: String,
    pub token: String,
    pub source: Source,
}

impl Tenant {
    pub async fn create(api: &Api) -> Self {
        let (client_id, token) = api.create_client("faults").await;
        let source = api.create_source(&["*"]).await;
        Self { client_id, token, source }
    }
}

/// A steady source: `count` events at `rate` per second, `event_id`s `<prefix>-<n>`, the event
/// types `<prefix>.created` and `<prefix>.updated` in turn.
#[derive(Clone, Debug)]
pub struct Load {
    pub prefix: String,
    pub rate: u32,
    pub count: usize,
    /// Padding in each event's `data`, for events of a size.
    pub data_bytes: usize,
    /// Gives up on events still refused this long after the last one was due.
    pub patience: Duration,
}

impl Load {
    pub fn event_type(&self, n: usize) -> String {
        format!("{}.{}", self.prefix, if n % 2 == 0 { "created" } else { "updated" })
    }

    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.count as f64 / f64::from(self.rate))
    }

    /// Starts sending; the ingest URLs may change while it runs (an `edgehook up` restarted on
    /// new ports).
    pub fn start(
        &self,
        tenant: &Tenant,
        ingest_urls: Arc<RwLock<Vec<String>>>,
    ) -> tokio::task::JoinHandle<LoadOutcome> {
        let load = self.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move { load.run(tenant, ingest_urls).await })
    }

    async fn run(self, tenant: Tenant, ingest_urls: Arc<RwLock<Vec<String>>>) -> LoadOutcome {
        const SENDERS: usize = 32;
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let (queue, receive) = tokio::sync::mpsc::unbounded_channel::<usize>();
        let receive = Arc::new(tokio::sync::Mutex::new(receive));
        let shared = Arc::new(Mutex::new(LoadOutcome { started: Instant::now(), ..LoadOutcome::default() }));
        let started = Instant::now();
        let give_up_at = started + self.duration() + self.patience;
        let mut senders = Vec::new();
        for worker in 0..SENDERS {
            let (receive, shared, http, urls, tenant, load) = (
                receive.clone(),
                shared.clone(),
                http.clone(),
                ingest_urls.clone(),
                tenant.clone(),
                self.clone(),
            );
            senders.push(tokio::spawn(async move {
                let mut node = worker;
                loop {
                    let Some(n) = receive.lock().await.recv().await else { return };
                    let event_id = format!("{}-{n:06}", load.prefix);
                    let event_type = load.event_type(n);
                    let body = serde_json::to_vec(&super::event(
                        &tenant.client_id,
                        &event_id,
                        &event_type,
                        json!({"n": n, "phase": load.prefix, "padding": "x".repeat(load.data_bytes)}),
                    ))
                    .unwrap();
                    let first_sent = Instant::now();
                    loop {
                        let url = {
                            let urls = urls.read().unwrap();
                            format!("{}/api/v1/events/ingest", urls[node % urls.len()])
                        };
                        let accepted = post(&http, &url, &tenant.source, &body).await;
                        let done = {
                            let now = Instant::now();
                            let mut outcome = shared.lock().unwrap();
                            outcome.attempts.push((now, accepted.is_ok()));
                            match accepted {
                                Ok(()) => {
                                    outcome.accepted.insert(event_id.clone(), event_type.clone());
                                    outcome.accepted_at.entry(event_id.clone()).or_insert(now);
                                    outcome.longest_wait = outcome.longest_wait.max(now - first_sent);
                                    true
                                }
                                Err((why, body)) => {
                                    outcome.refusal_bodies.entry(why.clone()).or_insert(body);
                                    *outcome.refusals.entry(why).or_default() += 1;
                                    let give_up = now >= give_up_at;
                                    if give_up {
                                        outcome.longest_wait = outcome.longest_wait.max(now - first_sent);
                                        outcome.never_accepted.push(event_id.clone());
                                    }
                                    give_up
                                }
                            }
                        };
                        if done {
                            break;
                        }
                        node += 1; // the other ingest node next
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }));
        }
        let interval = Duration::from_secs_f64(1.0 / f64::from(self.rate));
        for n in 0..self.count {
            tokio::time::sleep_until((started + interval * n as u32).into()).await;
            queue.send(n).unwrap();
        }
        drop(queue);
        for sender in senders {
            sender.await.unwrap();
        }
        let mut outcome = std::mem::take(&mut *shared.lock().unwrap());
        outcome.finished = Some(Instant::now());
        outcome.attempts.sort_by_key(|(at, _)| *at);
        outcome
    }
}

/// Ok when accepted; otherwise the reason (`<status> <error code>`, `timeout`, `connection`) and
/// the answer's body.
async fn post(
    http: &reqwest::Client,
    url: &str,
    source: &Source,
    body: &[u8],
) -> Result<(), (String, String)> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let response = http
        .post(url)
        .bearer_auth(&source.api_key)
        .header("x-source-signature", sign(&source.signing_secret, body))
        .header("x-source-timestamp", now.to_string())
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .map_err(|error| {
            let why = if error.is_timeout() { "timeout" } else { "connection" };
            (why.to_owned(), error.to_string())
        })?;
    match response.status().as_u16() {
        202 => Ok(()),
        status => {
            let text = response.text().await.unwrap_or_default();
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let code = body["error"]["code"].as_str().unwrap_or("-").to_owned();
            Err((format!("{status} {code}"), text))
        }
    }
}

/// What a [`Load`] did.
#[derive(Debug)]
pub struct LoadOutcome {
    pub started: Instant,
    pub finished: Option<Instant>,
    /// Accepted (202) event ids and their types.
    pub accepted: BTreeMap<String, String>,
    /// When each was accepted.
    pub accepted_at: HashMap<String, Instant>,
    /// The longest time from an event's first send to its 202 (through refusals, timeouts and
    /// slow answers), or to giving up on it.
    pub longest_wait: Duration,
    /// Still refused when the load gave up.
    pub never_accepted: Vec<String>,
    /// Every request: when it was answered and whether it was accepted, in time order.
    pub attempts: Vec<(Instant, bool)>,
    /// Refusals by reason (`503 unavailable`, `connection`, `timeout`).
    pub refusals: BTreeMap<String, usize>,
    /// The first answer's body of each reason.
    pub refusal_bodies: BTreeMap<String, String>,
}

impl Default for LoadOutcome {
    fn default() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            finished: None,
            accepted: BTreeMap::new(),
            accepted_at: HashMap::new(),
            longest_wait: Duration::ZERO,
            never_accepted: Vec::new(),
            attempts: Vec::new(),
            refusals: BTreeMap::new(),
            refusal_bodies: BTreeMap::new(),
        }
    }
}

impl LoadOutcome {
    /// The longest time from a refused request to the next accepted one of any sender (with no
    /// acceptance in between): how long the source could hand nothing over at all.
    pub fn longest_stall(&self) -> Duration {
        let mut longest = Duration::ZERO;
        let mut refused_since: Option<Instant> = None;
        for (at, accepted) in &self.attempts {
            match (accepted, refused_since) {
                (false, None) => refused_since = Some(*at),
                (true, Some(since)) => {
                    longest = longest.max(*at - since);
                    refused_since = None;
                }
                _ => {}
            }
        }
        if let Some(since) = refused_since {
            longest = longest.max(self.finished.unwrap_or_else(Instant::now) - since);
        }
        longest
    }
}

/// One fault's webhooks: `all` wants every event type of the phase, `created` only
/// `<prefix>.created`.
pub struct Phase {
    pub prefix: String,
    pub webhooks: Vec<PhaseWebhook>,
}

pub struct PhaseWebhook {
    pub id: String,
    pub path: String,
    pub pattern: String,
}

impl Phase {
    pub async fn prepare(
        api: &Api,
        tenant: &Tenant,
        receiver: &Receiver,
        prefix: &str,
        region: Option<&str>,
    ) -> Self {
        let mut webhooks = Vec::new();
        for (name, pattern) in [("all", format!("{prefix}.*")), ("created", format!("{prefix}.created"))] {
            let path = format!("/{prefix}/{name}");
            let mut body = json!({
                "callback_url": receiver.url(&path),
                "event_types": [pattern],
                "retry_config": {"max_retries": 30, "initial_delay_ms": 300, "max_delay_ms": 1000, "backoff_multiplier": 2.0},
            });
            if let Some(region) = region {
                body["region"] = json!(region);
            }
            let created = api.create_webhook(&tenant.token, body).await;
            webhooks.push(PhaseWebhook {
                id: created["webhook_id"].as_str().unwrap().to_owned(),
                path,
                pattern,
            });
        }
        Self { prefix: prefix.to_owned(), webhooks }
    }

    /// Which accepted events each webhook must receive.
    pub fn expected(&self, outcome: &LoadOutcome) -> Vec<(&PhaseWebhook, BTreeSet<String>)> {
        self.webhooks
            .iter()
            .map(|webhook| {
                let wanted = outcome
                    .accepted
                    .iter()
                    .filter(|(_, event_type)| pattern_matches(&webhook.pattern, event_type))
                    .map(|(id, _)| id.clone())
                    .collect();
                (webhook, wanted)
            })
            .collect()
    }

    /// Polls the receiver until every expected delivery arrived or `patience` passed.
    pub async fn deliveries(
        &self,
        receiver: &Receiver,
        outcome: &LoadOutcome,
        patience: Duration,
    ) -> DeliveryCheck {
        let deadline = Instant::now() + patience;
        let expected = self.expected(outcome);
        loop {
            let check = self.count(receiver, &expected, outcome);
            if check.lost == 0 || Instant::now() >= deadline {
                return check;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    fn count(
        &self,
        receiver: &Receiver,
        expected: &[(&PhaseWebhook, BTreeSet<String>)],
        outcome: &LoadOutcome,
    ) -> DeliveryCheck {
        let mut check = DeliveryCheck::default();
        let mut times = Vec::new();
        for (webhook, wanted) in expected {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for request in receiver.received(&webhook.path) {
                times.push(request.at);
                let id = serde_json::from_slice::<Value>(&request.body)
                    .ok()
                    .and_then(|body| body["event_id"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let count = seen.entry(id.clone()).or_default();
                *count += 1;
                let first_of_accepted = if *count == 1 { outcome.accepted_at.get(&id) } else { None };
                if let Some(accepted) = first_of_accepted {
                    let delay = request.at.saturating_duration_since(*accepted);
                    if delay > check.longest_delay {
                        check.longest_delay = delay;
                        check.slowest = format!("{}:{id}", webhook.path);
                    }
                }
            }
            check.expected += wanted.len();
            check.deliveries += seen.values().sum::<usize>();
            check.duplicates += seen.values().map(|n| n - 1).sum::<usize>();
            check.unacknowledged_delivered += seen.keys().filter(|id| !wanted.contains(*id)).count();
            let missing: Vec<&String> = wanted.iter().filter(|id| !seen.contains_key(*id)).collect();
            check.lost += missing.len();
            check.lost_examples.extend(missing.iter().take(5).map(|id| format!("{}:{id}", webhook.path)));
        }
        times.retain(|at| *at >= outcome.started);
        times.sort();
        check.longest_gap = times.windows(2).map(|pair| pair[1] - pair[0]).max().unwrap_or_default();
        check
    }

    /// Reads each webhook's attempt history through the API until every expected event has a
    /// succeeded attempt or `patience` passed; returns the events without one.
    pub async fn history_missing(
        &self,
        api: &Api,
        tenant: &Tenant,
        outcome: &LoadOutcome,
        patience: Duration,
    ) -> (usize, usize) {
        let deadline = Instant::now() + patience;
        let expected = self.expected(outcome);
        loop {
            let (mut missing, mut records) = (0, 0);
            for (webhook, wanted) in &expected {
                let (succeeded, count) = succeeded_attempts(api, &tenant.token, &webhook.id).await;
                records += count;
                missing += wanted.iter().filter(|id| !succeeded.contains(*id)).count();
            }
            if missing == 0 || Instant::now() >= deadline {
                return (missing, records);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

fn pattern_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => true,
        Some(prefix) => name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == name,
    }
}

/// The event ids with a succeeded attempt in a webhook's history, and how many records it has
/// (every page of `GET /api/v1/webhooks/{id}/deliveries`).
async fn succeeded_attempts(api: &Api, token: &str, webhook_id: &str) -> (BTreeSet<String>, usize) {
    let (mut succeeded, mut records) = (BTreeSet::new(), 0);
    let mut after: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/webhooks/{webhook_id}/deliveries?limit=500");
        if let Some(cursor) = &after {
            path.push_str(&format!("&after={cursor}"));
        }
        let response = reqwest::Client::new()
            .get(format!("{}{path}", api.control_plane))
            .bearer_auth(token)
            .send()
            .await;
        let body: Value = match response {
            Ok(response) if response.status() == 200 => response.json().await.unwrap_or(Value::Null),
            _ => return (succeeded, records),
        };
        let page = body["data"].as_array().cloned().unwrap_or_default();
        records += page.len();
        for record in &page {
            if record["outcome"] == "succeeded" {
                succeeded.insert(record["event_id"].as_str().unwrap_or_default().to_owned());
            }
        }
        match body["next_cursor"].as_str() {
            Some(cursor) if !page.is_empty() => after = Some(cursor.to_owned()),
            _ => return (succeeded, records),
        }
    }
}

/// Deliveries as the receiver saw them, against what was accepted.
#[derive(Debug, Default)]
pub struct DeliveryCheck {
    /// (event, webhook) pairs that must be delivered.
    pub expected: usize,
    pub deliveries: usize,
    pub lost: usize,
    pub lost_examples: Vec<String>,
    /// Deliveries beyond the first of the same event to the same webhook.
    pub duplicates: usize,
    /// Delivered events the source never saw accepted (an answer lost in a crash).
    pub unacknowledged_delivered: usize,
    pub longest_gap: Duration,
    /// The longest time from an event's acceptance to its first delivery to a webhook.
    pub longest_delay: Duration,
    /// Which delivery that was (`<path>:<event id>`).
    pub slowest: String,
}

/// One fault's row of the matrix.
#[derive(Debug, Serialize)]
pub struct FaultResult {
    pub fault: String,
    pub events_sent: usize,
    pub accepted: usize,
    pub never_accepted: usize,
    pub expected_deliveries: usize,
    pub deliveries: usize,
    pub lost: usize,
    pub duplicates: usize,
    /// The longest time one event took from its first send to its 202.
    pub longest_ingest_refusal_ms: u128,
    /// The longest time no sender got a 202 after a refusal.
    pub longest_ingest_stall_ms: u128,
    pub longest_delivery_gap_ms: u128,
    pub longest_delivery_delay_ms: u128,
    pub history_missing: usize,
    pub attempt_records: usize,
    pub consumers_settled: bool,
    pub refusals: BTreeMap<String, usize>,
    pub wall_s: f64,
    pub passed: bool,
    pub notes: Vec<String>,
}

impl FaultResult {
    pub const HEADER: &str = "| fault | accepted | lost | duplicates | longest ingest refusal | longest delivery gap | longest delivery delay | history missing | consumers settled | passed |";

    pub fn row(&self) -> String {
        format!(
            "| {} | {}/{} | {} | {} | {:.1} s | {:.1} s | {:.1} s | {} | {} | {} |",
            self.fault,
            self.accepted,
            self.events_sent,
            self.lost,
            self.duplicates,
            self.longest_ingest_refusal_ms as f64 / 1000.0,
            self.longest_delivery_gap_ms as f64 / 1000.0,
            self.longest_delivery_delay_ms as f64 / 1000.0,
            self.history_missing,
            if self.consumers_settled { "yes" } else { "NO" },
            if self.passed { "yes" } else { "NO" },
        )
    }
}

/// The rows of one run, printed as they come and written to `target/faults/<name>.json`.
pub struct Report {
    name: String,
    pub results: Vec<FaultResult>,
    started: Instant,
}

impl Report {
    pub fn new(name: &str) -> Self {
        println!("{}", FaultResult::HEADER);
        Self { name: name.to_owned(), results: Vec::new(), started: Instant::now() }
    }

    pub fn push(&mut self, result: FaultResult) {
        println!("{}", result.row());
        for note in &result.notes {
            println!("    {}: {note}", result.fault);
        }
        self.results.push(result);
        self.write();
    }

    pub fn path(&self) -> PathBuf {
        let root = project_root().canonicalize().unwrap_or_else(|_| project_root());
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        target.join("faults").join(format!("{}.json", self.name))
    }

    /// Writes what was measured so far (after every row: a run that dies still leaves its rows).
    pub fn write(&self) {
        let path = self.path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let report = json!({
            "topology": self.name,
            "finished_at": time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap(),
            "wall_s": self.started.elapsed().as_secs_f64(),
            "faults": self.results,
        });
        std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    }

    pub fn table(&self) -> String {
        let mut table = vec![FaultResult::HEADER.to_owned()];
        table.extend(self.results.iter().map(FaultResult::row));
        table.join("\n")
    }

    pub fn failed(&self) -> Vec<&FaultResult> {
        self.results.iter().filter(|result| !result.passed).collect()
    }
}
