//! `edgehook-testkit`: what the end-to-end tests (the root package's `tests/`), the ops tests and
//! the bench stand on. Real processes, real sockets, no mocks:
//!
//! - [`Up`]: an `edgehook up` process (with its own nats-server child) on free ports and a
//!   temporary data dir; [`Service`]: one standalone `edgehook <service>` process;
//! - [`NatsServer`]: a nats-server the test can kill and start again (production's child of
//!   `edgehook up`, `edgehook::nats_server`, on a temporary store), with the project's
//!   configurations or any other ([`nats`]);
//! - [`Topology`]: a hub and regions as separate processes, as deployed, with [`proxy::Proxy`]
//!   links a test can cut;
//! - [`Receiver`]: an HTTP endpoint that records every delivery and answers from a script;
//! - [`Api`]: a small client of the control plane and ingest APIs;
//! - [`verifiers`]: the Python libraries a client would check signatures and JWE with;
//! - [`metrics`] and [`tools`]: for the ops tests, the metrics the services export and the
//!   PromQL check of the alert rules and dashboard, and the external tools (promtool, openssl);
//! - [`eventually`]: polling until a deadline, for every state that arrives asynchronously;
//! - [`free_port`]: the root package's [`edgehook::ports`], which `edgehook up` uses too.
//!
//! Tests name it `support` (`use edgehook_testkit as support;`), the folder it grew out of.

pub mod api;
pub mod cluster;
pub mod faults;
pub mod metrics;
pub mod nats;
pub mod processes;
pub mod proxy;
pub mod receiver;
pub mod tools;
pub mod topology;
pub mod verifiers;

use std::path::PathBuf;
use std::time::Duration;

pub use api::{Api, Source, event};
pub use nats::NatsServer;
pub use processes::{Service, Up};
pub use receiver::{Receiver, Reply};
pub use topology::Topology;

/// Long enough for a slow CI machine, short enough that a hung test fails by itself.
pub const WAIT: Duration = Duration::from_secs(30);

/// The repository's root (the `edgehook` package's directory), where `.tools/`, `nats/conf/`,
/// `ops/` and `terraform/` are.
pub fn project_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The pinned nats-server `make tools` installs (or EDGEHOOK_NATS_SERVER), checked as `edgehook
/// up` checks it.
pub fn nats_server_binary() -> PathBuf {
    let path = std::env::var_os("EDGEHOOK_NATS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join(".tools/nats-server/bin/nats-server"));
    edgehook::nats_server::locate(Some(&path)).unwrap_or_else(|error| panic!("{error:#}"))
}

/// The `edgehook` binary of this build: beside the test executable's `deps/` directory, where
/// cargo puts it before it runs the root package's integration tests.
pub fn edgehook_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let binary = profile_dir.join("edgehook");
    assert!(
        binary.is_file(),
        "no edgehook binary at {}: `cargo build -p edgehook` (the root package's tests build it)",
        binary.display()
    );
    binary
}

/// The Python of the test venv `make tools` makes (Standard Webhooks reference library).
pub fn python() -> PathBuf {
    let path = project_root().join(".tools/venv/bin/python");
    assert!(path.exists(), "no test venv at {}: run `make tools` first", path.display());
    path
}

/// Connects with the login in `url`, as edgehook's services do.
pub async fn connect_service(url: &str) -> async_nats::Client {
    let url = edgehook_nats::connection::NatsUrl::parse(url).unwrap();
    url.connect(url.options()).await.unwrap()
}

/// How a source connects to the hub at `url`: its API key as the token, replies under its own
/// inbox prefix (the only one it may subscribe to).
pub fn source_login(source: &Source) -> async_nats::ConnectOptions {
    async_nats::ConnectOptions::with_token(source.api_key.clone())
        .custom_inbox_prefix(format!("_INBOX.{}", source.id))
}

/// A port nothing listens on right now, outside the range outgoing connections use.
pub fn free_port() -> u16 {
    edgehook::ports::free_port().expect("a free port")
}

/// Polls `check` until it returns `Some`, or panics with `what` after [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(what, WAIT, check).await
}

/// [`eventually`] with a patience of its own, for what JetStream retries on its own schedule.
pub async fn eventually_within<T, F, Fut>(what: &str, patience: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    match poll_until(patience, check).await {
        Ok((value, waited)) => {
            eprintln!("[{:>6} ms] {what}", waited.as_millis());
            value
        }
        Err(()) => panic!("timed out waiting for {what}"),
    }
}

/// Polls `check` every 100 ms until it returns `Some` (with how long that took), or gives up
/// after `patience`: for callers that explain a timeout themselves (e.g. with a server's log).
pub async fn poll_until<T, F, Fut>(patience: Duration, mut check: F) -> Result<(T, Duration), ()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    let started = std::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            return Ok((value, started.elapsed()));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `base_url/healthz` answers 200.
pub async fn until_healthy(base_url: &str) {
    install_crypto_provider();
    let health = format!("{base_url}/healthz");
    eventually(&format!("{health} to answer 200"), || {
        let health = health.clone();
        async move { reqwest::get(&health).await.ok().filter(|response| response.status() == 200).map(|_| ()) }
    })
    .await;
}

/// rustls' process-wide crypto provider (ring), which reqwest's clients need; idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The usual stage: `edgehook up`, a receiver, one client and one source allowed everything.
pub struct World {
    pub up: Up,
    pub api: Api,
    pub receiver: Receiver,
    pub client_id: String,
    pub token: String,
    pub source: Source,
}

impl World {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// The world on an `edgehook up` with more flags, e.g. `--endpoint-window 2`.
    pub async fn start_with(up_args: &[&str]) -> Self {
        let up = Up::start_with(up_args).await;
        let api = Api::new(&up.credentials);
        let receiver = Receiver::start().await;
        let (client_id, token) = api.create_client("acme").await;
        let source = api.create_source(&["*"]).await;
        Self { up, api, receiver, client_id, token, source }
    }

    /// Registers a webhook delivering to the receiver's `path`, with quick retries unless
    /// `fields` says otherwise; returns the 201 body.
    pub async fn webhook(&self, path: &str, fields: serde_json::Value) -> serde_json::Value {
        let mut webhook = serde_json::json!({
            "callback_url": self.receiver.url(path),
            "retry_config": {"max_retries": 3, "initial_delay_ms": 200, "max_delay_ms": 1000, "backoff_multiplier": 2.0},
        });
        webhook.as_object_mut().unwrap().extend(fields.as_object().cloned().unwrap_or_default());
        self.api.create_webhook(&self.token, webhook).await
    }

    /// Ingests one event for this world's client and asserts it was accepted.
    pub async fn send(&self, event_id: &str, event_type: &str, data: serde_json::Value) -> serde_json::Value {
        let (status, body) =
            self.api.ingest(&self.source, &event(&self.client_id, event_id, event_type, data)).await;
        assert_eq!(status, 202, "{body}");
        body
    }
}

/// Files under `dir` (but `skip`, the history store's) whose bytes contain `needle`.
pub fn files_holding(dir: &std::path::Path, needle: &[u8], skip: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if !path.file_name().unwrap().to_string_lossy().starts_with(skip)
                && std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            {
                found.push(path);
            }
        }
    }
    found
}
