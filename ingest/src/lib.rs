//! edgehook's ingest: where sources hand over events.
//!
//! An event arrives over HTTP ([`http`], authenticated by [`source_auth`]) or over NATS
//! ([`nats_ingest`], authorized by NATS itself, which asks [`nats_auth`] who a source is). Either way [`accept::Ingestor`] validates it
//! (its `data` against its type's schema in the event-type catalogue too: [`catalogue`]),
//! publishes it to `events.<client>` with JetStream deduplication on `(client_id, event_id)`,
//! and only answers once JetStream has acknowledged it: an accepted event is never lost.

pub mod accept;
pub mod catalogue;
pub mod http;
pub mod nats_auth;
pub mod nats_ingest;
pub mod nats_jwt;
pub mod openapi;
#[cfg(test)]
mod properties;
pub mod source_auth;
pub mod throttle;
pub mod validate;

use std::future::Future;
use std::time::Duration;

use edgehook_nats::Contract;
use edgehook_nats::streams;
use edgehook_security::sealing::SecretsKey;
use tokio::net::TcpListener;

pub use accept::Ingestor;

#[derive(Clone, Debug)]
pub struct Config {
    /// Larger request bodies answer 413.
    pub max_body_bytes: u64,
    /// How far `X-Source-Timestamp` may be from now.
    pub timestamp_tolerance: Duration,
    /// Opens the sealed HMAC secrets of the sources.
    pub secrets: SecretsKey,
    /// Signs the NATS logins of sources (the hub's auth callout); without it this node does not
    /// answer the callout, and sources can log in to NATS only if another node does.
    pub nats_auth: Option<nats_auth::CalloutIssuer>,
    /// Refuse events whose type is not in the event-type catalogue (`--require-known-event-types`).
    pub require_known_event_types: bool,
}

/// The body limit of [`Config::new`]: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;

impl Config {
    /// A 1 MiB body limit and the 5-minute timestamp tolerance of the spec.
    pub fn new(secrets: SecretsKey) -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            timestamp_tolerance: Duration::from_secs(300),
            secrets,
            nats_auth: None,
            require_known_event_types: false,
        }
    }
}

/// Serves HTTP ingest on `listener`, NATS ingest on `ingest.*` and, with an issuer, the hub's
/// auth callout, until `shutdown` completes.
pub async fn serve(
    config: Config,
    contract: Contract,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let contract_readiness =
        contract.readiness(&[streams::EVENTS, "KV_sources", "KV_clients", "KV_event_types"], &[]);
    let ingestor = Ingestor::new(contract, config.require_known_event_types);
    let (stop_nats, nats_stopped) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut stopped = nats_stopped.clone();
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };
    let mut nats_tasks = vec![tokio::spawn(nats_ingest::run(ingestor.clone(), stopped()))];
    if let Some(issuer) = config.nats_auth.clone() {
        nats_tasks.push(tokio::spawn(nats_auth::run(ingestor.clone(), issuer, stopped())));
    }
    let ops = edgehook_service::ops::routes(contract_readiness);
    let routes = http::routes(ingestor, config, ops);
    warp::serve(routes).incoming(listener).graceful(shutdown).run().await;
    let _ = stop_nats.send(true);
    for task in nats_tasks {
        task.await.map_err(|error| ServeError(Box::new(error)))?.map_err(ServeError)?;
    }
    Ok(())
}

/// NATS ingest stopped: its subscription could not be made, or its task died.
#[derive(Debug, thiserror::Error)]
#[error("NATS ingest: {0}")]
pub struct ServeError(async_nats::Error);
