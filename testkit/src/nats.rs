//! nats-server for tests: production's child process (`edgehook::nats_server`, what `edgehook
//! up` runs) on free ports and a temporary store, which a test can kill (SIGKILL, as in a crash)
//! and start again on the same store and ports. The hub and regions run the project's
//! configurations (`nats/conf/`) with the test logins; [`NatsServer::start`] runs any other (the
//! ops tests' production clusters).

use std::path::PathBuf;

use edgehook::nats_logins::HubLogins;
use edgehook::nats_server::{self, ServerSpec};
use tempfile::TempDir;

use super::{free_port, nats_server_binary};

/// The test hub's logins (what `edgehook nats-keys` makes for a deployment).
pub const TEST_NATS_PASSWORD: &str = "test-services-password";
pub const TEST_NATS_LEAF_PASSWORD: &str = "test-regions-password";
pub const TEST_NATS_AUTH_SEED: &str = "SAAP6HIKBCFEGVW6U224HQEZTXMGZNOLAETKYJ2BI2IUFHJNPATIZNFNEU";

/// The hub's logins in the tests.
pub fn test_logins() -> HubLogins {
    HubLogins {
        service_password: TEST_NATS_PASSWORD.to_owned(),
        issuer_seed: TEST_NATS_AUTH_SEED.to_owned(),
        leaf_password: TEST_NATS_LEAF_PASSWORD.to_owned(),
    }
}

/// The hub's leaf listener at `port` (itself or a proxy in front of it), with the regions' login.
pub fn leaf_url_at(port: u16) -> String {
    test_logins().leaf_url(&format!("127.0.0.1:{port}"))
}

/// A nats-server on a temporary store, stopped (SIGKILL) when dropped.
pub struct NatsServer {
    server: Option<nats_server::NatsServer>,
    store: TempDir,
    spec: ServerSpec,
    /// With the services' login, for the hub.
    pub url: String,
    pub port: u16,
    /// The hub's leaf node listener (0 for other servers).
    pub leaf_port: u16,
}

impl NatsServer {
    /// The hub (`nats/conf/hub.conf`), with the test logins.
    pub async fn hub() -> Self {
        let (port, leaf_port) = (free_port(), free_port());
        let logins = test_logins();
        let login_env = logins.server_env().expect("the test logins are valid");
        let mut hub = Self::start(ServerSpec::hub(port, leaf_port, login_env)).await;
        hub.url = logins.service_url(&format!("127.0.0.1:{port}"));
        hub.leaf_port = leaf_port;
        hub
    }

    /// A region (`nats/conf/region.conf`): a leaf node of the hub at `hub_leaf_url`.
    pub async fn region(name: &str, hub_leaf_url: &str) -> Self {
        Self::start(ServerSpec::region(name, free_port(), hub_leaf_url.to_owned())).await
    }

    /// Starts `spec` on a new temporary store; returns once it listens on its client port.
    pub async fn start(spec: ServerSpec) -> Self {
        let port = spec.port();
        let mut server = Self {
            server: None,
            store: tempfile::tempdir().unwrap(),
            spec,
            url: format!("nats://127.0.0.1:{port}"),
            port,
            leaf_port: 0,
        };
        server.start_again().await;
        server
    }

    /// The hub as sources reach it: no login in the URL.
    pub fn source_url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn leaf_url(&self) -> String {
        leaf_url_at(self.leaf_port)
    }

    pub fn name(&self) -> &str {
        self.spec.name()
    }

    /// Starts the server (again) on its store and ports.
    pub async fn start_again(&mut self) {
        assert!(self.server.is_none(), "already running");
        let started =
            nats_server::NatsServer::start(&nats_server_binary(), self.store.path(), self.spec.clone())
                .await
                .unwrap_or_else(|error| panic!("{error:#}\n{}", self.log_tail(30)));
        self.server = Some(started);
    }

    /// SIGKILL: the server is gone at once, as in a crash.
    pub fn kill(&mut self) {
        if let Some(server) = self.server.take() {
            server.kill();
        }
    }

    /// SIGHUP: the server reads its configuration (in [`Self::config_dir`]) again.
    pub fn reload(&self) {
        let pid = self.server.as_ref().and_then(|server| server.pid()).expect("running");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGHUP)
            .unwrap();
    }

    /// Where its configuration and the files it includes are written.
    pub fn config_dir(&self) -> PathBuf {
        self.store.path().join("nats").join(self.spec.name())
    }

    /// JetStream's store directory (what a lost disk loses).
    pub fn jetstream_dir(&self) -> PathBuf {
        self.store.path().join("nats").join(self.spec.name()).join("jetstream")
    }

    /// The server's log, kept over restarts.
    pub fn log(&self) -> PathBuf {
        self.store.path().join("nats").join(self.spec.name()).join("nats-server.log")
    }

    /// The last `lines` lines of the log, headed by the server's name: evidence for a failure.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        format!("--- {} ---\n{}", self.name(), all[all.len().saturating_sub(lines)..].join("\n"))
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
