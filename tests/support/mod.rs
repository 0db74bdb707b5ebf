//! What the end-to-end tests stand on: real processes, real sockets.
//!
//! - [`Up`]: an `edgehook up` process (with its own nats-server child) on free ports and a
//!   temporary data dir;
//! - [`NatsServer`]: a bare nats-server for tests that run the services one by one;
//! - [`Receiver`]: an HTTP endpoint that records every delivery and answers from a script;
//! - [`Api`]: a small client of the control plane and ingest APIs.

#![allow(dead_code)]

pub mod api;
pub mod processes;
pub mod proxy;
pub mod receiver;
pub mod topology;
pub mod verifiers;

use std::path::PathBuf;
use std::time::Duration;

#[allow(unused_imports)]
pub use api::{Api, Source, event};
#[allow(unused_imports)]
pub use processes::{NatsServer, Service, Up};
#[allow(unused_imports)]
pub use receiver::{Receiver, Reply};
#[allow(unused_imports)]
pub use topology::Topology;

/// Long enough for a slow CI machine, short enough that a hung test fails by itself.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The pinned nats-server `make tools` installs (or EDGEHOOK_NATS_SERVER).
pub fn nats_server_binary() -> PathBuf {
    let path = std::env::var_os("EDGEHOOK_NATS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join(".tools/nats-server/bin/nats-server"));
    assert!(path.exists(), "no nats-server at {}: run `make tools` first", path.display());
    path
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

#[path = "../../src/ports.rs"]
mod ports;

/// A port nothing listens on right now, outside the range outgoing connections use.
pub fn free_port() -> u16 {
    ports::free_port().expect("a free port")
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
pub async fn eventually_within<T, F, Fut>(what: &str, patience: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    let started = std::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            eprintln!("[{:>6} ms] {what}", started.elapsed().as_millis());
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `base_url/healthz` answers 200.
pub async fn until_healthy(base_url: &str) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let health = format!("{base_url}/healthz");
    eventually(&format!("{health} to answer 200"), || {
        let health = health.clone();
        async move { reqwest::get(&health).await.ok().filter(|response| response.status() == 200).map(|_| ()) }
    })
    .await;
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
