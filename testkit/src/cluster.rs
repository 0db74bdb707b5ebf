//! Three-server NATS clusters started the way terraform's modules/nats-cluster installs them: the
//! repository's configuration (`nats/conf/hub.conf` or `region.conf`) as `edgehook.conf`, then
//! `terraform/modules/nats-cluster/conf/cluster.conf` and any other include, with the
//! environment the module writes (addresses on loopback here). Used by the ops test of the
//! production configurations (`tests/nats_clusters.rs`) and the fault suite (`tests/faults.rs`).

use std::time::Duration;

use edgehook::nats_server::ServerSpec;
use serde_json::Value;

use super::tools::read;
use super::{NatsServer, free_port, poll_until};

/// The include every production server adds to the repository's configuration.
pub const CLUSTER_INCLUDE: &str = "terraform/modules/nats-cluster/conf/cluster.conf";

/// The client, route and monitoring ports of a cluster's three servers.
pub struct ClusterPorts {
    pub client: Vec<u16>,
    pub cluster: Vec<u16>,
    pub monitor: Vec<u16>,
}

impl ClusterPorts {
    pub fn new() -> Self {
        let three = || (0..3).map(|_| free_port()).collect::<Vec<_>>();
        Self { client: three(), cluster: three(), monitor: three() }
    }

    /// Every member's route URL, as the NATS array cluster.conf reads.
    pub fn routes(&self) -> String {
        let urls: Vec<String> =
            self.cluster.iter().map(|port| format!("nats-route://127.0.0.1:{port}")).collect();
        format!("[{}]", urls.join(", "))
    }
}

impl Default for ClusterPorts {
    fn default() -> Self {
        Self::new()
    }
}

/// One server of a cluster, with its monitoring port.
pub struct ClusterServer {
    pub nats: NatsServer,
    pub monitor_port: u16,
}

impl ClusterServer {
    /// GET on this server's monitoring endpoint (`/jsz?...`, `/healthz`).
    pub async fn monitor_json(&self, path: &str) -> Option<Value> {
        monitor_json(self.monitor_port, path).await
    }
}

/// The specification of server `i` (named `<prefix>-<i+1>`) of a cluster: `base` (a repository
/// path) as edgehook.conf, cluster.conf, then each `(file name, repository path)` of `includes`.
pub fn cluster_server_spec(
    base: &str,
    includes: &[(&str, &str)],
    prefix: &str,
    cluster_name: &str,
    ports: &ClusterPorts,
    i: usize,
) -> ServerSpec {
    let name = format!("{prefix}-{}", i + 1);
    let mut conf = "include ./edgehook.conf\ninclude ./cluster.conf\n".to_owned();
    for (file, _) in includes {
        conf.push_str(&format!("include ./{file}\n"));
    }
    let mut spec = ServerSpec::new(name.clone(), conf, ports.client[i])
        .file("edgehook.conf", read(base))
        .file("cluster.conf", read(CLUSTER_INCLUDE));
    for (file, path) in includes {
        spec = spec.file(*file, read(path));
    }
    spec.env("EDGEHOOK_NATS_SERVER_NAME", name)
        .env("EDGEHOOK_NATS_CLUSTER_NAME", cluster_name)
        .env("EDGEHOOK_NATS_CLUSTER_PORT", ports.cluster[i].to_string())
        .env("EDGEHOOK_NATS_CLUSTER_ROUTES", ports.routes())
        .env("EDGEHOOK_NATS_MONITOR_PORT", ports.monitor[i].to_string())
}

/// Starts the three servers of one side (see [`cluster_server_spec`]), each with the extra
/// environment `environment(i)` gives it.
pub async fn start_cluster(
    base: &str,
    includes: &[(&str, &str)],
    prefix: &str,
    cluster_name: &str,
    ports: &ClusterPorts,
    environment: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<ClusterServer> {
    let mut servers = Vec::new();
    for i in 0..3 {
        let spec = cluster_server_spec(base, includes, prefix, cluster_name, ports, i).envs(environment(i));
        servers.push(ClusterServer { nats: NatsServer::start(spec).await, monitor_port: ports.monitor[i] });
    }
    servers
}

/// GET on a monitoring endpoint: the status and body, or None while it does not answer.
pub async fn monitor(port: u16, path: &str) -> Option<(u16, String)> {
    let response = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.text().await.ok()?))
}

pub async fn monitor_json(port: u16, path: &str) -> Option<Value> {
    match monitor(port, path).await? {
        (200, body) => serde_json::from_str(&body).ok(),
        _ => None,
    }
}

/// Polls `ready` until it holds, failing after `patience` with its last answer and the servers'
/// logs.
pub async fn wait_for<F, Fut>(what: &str, servers: &[&ClusterServer], patience: Duration, mut ready: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let last = std::sync::Mutex::new(String::new());
    let outcome = poll_until(patience, || {
        let (attempt, last) = (ready(), &last);
        async move {
            let answer = attempt.await;
            answer.map_err(|why| *last.lock().unwrap() = why).ok()
        }
    })
    .await;
    if outcome.is_err() {
        let logs: Vec<String> = servers.iter().map(|server| server.nats.log_tail(15)).collect();
        panic!("timed out waiting for {what}: {}\n{}", last.into_inner().unwrap(), logs.join("\n"));
    }
}

/// Waits until every server of `servers` is a healthy JetStream server of `domain` in a meta
/// group of `size` with a leader.
pub async fn wait_healthy(servers: &[&ClusterServer], domain: &str, size: u64, patience: Duration) {
    for server in servers {
        let what = format!("{} to be a healthy JetStream server of domain {domain}", server.nats.name());
        wait_for(&what, servers, patience, || async {
            match monitor(server.monitor_port, "/healthz").await {
                Some((200, _)) => {}
                other => return Err(format!("/healthz: {other:?}")),
            }
            let jsz = monitor_json(server.monitor_port, "/jsz").await.ok_or("no /jsz")?;
            if jsz["config"]["domain"] != domain {
                return Err(format!("domain {}", jsz["config"]["domain"]));
            }
            if jsz["meta_cluster"]["leader"].as_str().unwrap_or_default().is_empty() {
                return Err("no meta leader".to_owned());
            }
            match jsz["meta_cluster"]["cluster_size"].as_u64() {
                Some(found) if found == size => Ok(()),
                found => Err(format!("meta cluster size {found:?}")),
            }
        })
        .await;
    }
}
