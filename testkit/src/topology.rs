//! A hub and regions as separate processes, as deployed: a hub nats-server with control plane,
//! ingest and router; per region a nats-server (a leaf node of the hub, optionally behind a
//! [`Proxy`] the test can cut) and a relay.

use std::collections::BTreeMap;

use tempfile::TempDir;

use super::nats::leaf_url_at;
use super::processes::DevCredentials;
use super::proxy::Proxy;
use super::{Api, NatsServer, Service, edgehook_binary, free_port, until_healthy};

pub struct Region {
    pub nats: NatsServer,
    /// Between the region and the hub's leaf port, when asked for.
    pub link: Option<Proxy>,
    relays: Vec<Service>,
    /// The first relay's /healthz, /readyz and /metrics.
    pub relay_admin_url: String,
}

/// The SSRF guard's settings of the control plane and the relays: open to loopback by default
/// (the test receiver is there), or as strict as production with chosen exceptions.
pub struct Guard {
    pub control_plane: Vec<String>,
    pub relay: Vec<String>,
}

impl Default for Guard {
    fn default() -> Self {
        let open = vec!["--allow-private-callbacks".to_owned()];
        Self {
            control_plane: [open.clone(), vec!["--allow-http-callbacks".to_owned()]].concat(),
            relay: open,
        }
    }
}

pub struct Topology {
    pub hub: NatsServer,
    guard: Guard,
    pub regions: BTreeMap<String, Region>,
    pub credentials: DevCredentials,
    /// The router's /healthz, /readyz and /metrics.
    pub router_admin_url: String,
    logs: TempDir,
    _hub_services: Vec<Service>,
}

pub const JWT_SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

impl Topology {
    /// Starts the hub, then each region with its relay; `proxied` puts each leaf link behind a
    /// proxy.
    pub async fn start(region_names: &[&str], proxied: bool) -> Self {
        Self::start_guarded(region_names, proxied, Guard::default()).await
    }

    pub async fn start_guarded(region_names: &[&str], proxied: bool, guard: Guard) -> Self {
        let hub = NatsServer::hub().await;
        let logs = tempfile::tempdir().unwrap();
        let mut regions = BTreeMap::new();
        for name in region_names {
            let link =
                if proxied { Some(Proxy::start(([127, 0, 0, 1], hub.leaf_port).into()).await) } else { None };
            let leaf_url = link.as_ref().map_or_else(|| hub.leaf_url(), |proxy| leaf_url_at(proxy.port));
            let nats = NatsServer::region(name, &leaf_url).await;
            regions.insert(
                name.to_string(),
                Region { nats, link, relays: Vec::new(), relay_admin_url: String::new() },
            );
        }
        let (control_addr, ingest_addr) =
            (format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
        let region_list = region_names.join(",");
        let router_admin = format!("127.0.0.1:{}", free_port());
        let hub_services = vec![
            Service::start(
                logs.path(),
                "control-plane",
                &[
                    [
                        "control-plane",
                        "--nats-url",
                        &hub.url,
                        "--addr",
                        &control_addr,
                        "--jwt-secret",
                        JWT_SECRET,
                        "--regions",
                        &region_list,
                    ]
                    .as_slice(),
                    &guard.control_plane.iter().map(String::as_str).collect::<Vec<_>>(),
                ]
                .concat(),
            ),
            Service::start(
                logs.path(),
                "ingest",
                &["ingest", "--nats-url", &hub.url, "--addr", &ingest_addr],
            ),
            Service::start(
                logs.path(),
                "router",
                &["router", "--nats-url", &hub.url, "--admin-addr", &router_admin],
            ),
        ];
        let credentials = DevCredentials {
            control_plane_url: format!("http://{control_addr}"),
            ingest_url: format!("http://{ingest_addr}"),
            nats_url: hub.source_url(),
            nats_service_url: hub.url.clone(),
            admin_token: admin_token(),
        };
        until_healthy(&credentials.control_plane_url).await;
        until_healthy(&credentials.ingest_url).await;
        let router_admin_url = format!("http://{router_admin}");
        let mut topology =
            Self { hub, guard, regions, credentials, router_admin_url, logs, _hub_services: hub_services };
        for name in region_names {
            topology.start_relay(name);
        }
        topology
    }

    pub fn api(&self) -> Api {
        Api::new(&self.credentials)
    }

    pub fn region(&mut self, name: &str) -> &mut Region {
        self.regions.get_mut(name).expect("a region of this topology")
    }

    pub fn start_relay(&mut self, name: &str) {
        let admin_url = self.add_relay(name, &[]);
        self.region(name).relay_admin_url = admin_url;
    }

    /// Starts one more relay in the region, with more flags; returns its admin URL.
    pub fn add_relay(&mut self, name: &str, extra_args: &[&str]) -> String {
        let log_dir = self.logs.path().to_owned();
        let log_name = format!("relay-{name}-{}", free_port());
        let url = self.region(name).nats.url.clone();
        let admin = format!("127.0.0.1:{}", free_port());
        let mut args = vec!["relay", "--nats-url", &url, "--region", name, "--admin-addr", &admin];
        let guard: Vec<String> = self.guard.relay.clone();
        args.extend(guard.iter().map(String::as_str));
        args.extend(extra_args);
        let relay = Service::start(&log_dir, &log_name, &args);
        self.region(name).relays.push(relay);
        format!("http://{admin}")
    }

    /// Replaces the region's relays by `count` new ones with more flags, once they answer;
    /// returns their admin URLs.
    pub async fn replace_relays(&mut self, name: &str, count: usize, extra_args: &[&str]) -> Vec<String> {
        self.stop_relays(name);
        let admins: Vec<String> = (0..count).map(|_| self.add_relay(name, extra_args)).collect();
        for admin in &admins {
            until_healthy(admin).await;
        }
        admins
    }

    /// Stops the region's relays (its nats-server keeps running).
    pub fn stop_relays(&mut self, name: &str) {
        for relay in self.region(name).relays.drain(..) {
            relay.kill();
        }
    }

    /// Kills (SIGKILL) the region's relay started first; the others keep running.
    pub fn kill_one_relay(&mut self, name: &str) {
        let relays = &mut self.region(name).relays;
        assert!(!relays.is_empty(), "region {name} runs no relay");
        relays.remove(0).kill();
    }

    /// Kills the region: its relays, then its nats-server.
    pub fn kill_region(&mut self, name: &str) {
        self.stop_relays(name);
        self.region(name).nats.kill();
    }

    pub async fn restart_region(&mut self, name: &str) {
        self.region(name).nats.start_again().await;
        self.start_relay(name);
    }
}

/// `edgehook admin-token`, the CLI an operator mints the first admin token with.
pub fn admin_token() -> String {
    let output = std::process::Command::new(edgehook_binary())
        .args(["admin-token", "--jwt-secret", JWT_SECRET])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}
