//! edgehook's delivery side: the hub's router and the regions' relays.
//!
//! - [`router`] runs at the hub: it reads `events.<client>`, matches each event against the
//!   client's webhooks and publishes one delivery task per matching webhook on
//!   `deliveries.<region>.<client>.<webhook>`, so each webhook's retries are its own and each
//!   region receives only its own deliveries.
//! - A relay runs in a region: [`dispatcher`] pulls the region's delivery tasks and schedules
//!   each attempt; [`sender`] makes the signed request; [`policy`] decides what its
//!   outcome means (done, retry with a delay by JetStream nak, dead letter); [`recorder`] writes
//!   the attempt and any dead letter to the region's streams, which the hub sources;
//!   [`heartbeat`] tells the hub the relay is alive.
//!
//! Neither keeps state of its own: kill one at any point and JetStream redelivers what it had
//! not acknowledged.

pub mod dispatcher;
pub mod endpoint_stats;
pub mod heartbeat;
pub mod payload;
pub mod policy;
pub mod recorder;
pub mod router;
pub mod sender;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use edgehook_nats::address_policy::AddressPolicy;
use edgehook_nats::sealing::SecretsKey;
use edgehook_nats::streams::{MAX_DELIVERY_TIMEOUT, RegionalContract};

#[derive(Clone, Debug)]
pub struct Config {
    /// Per HTTP attempt; at most [`MAX_DELIVERY_TIMEOUT`].
    pub delivery_timeout: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Which addresses a delivery may connect to (the SSRF guard).
    pub addresses: Arc<AddressPolicy>,
    /// Opens the sealed signing keys of the webhooks.
    pub secrets: SecretsKey,
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("delivery timeout {0:?} is above the maximum {MAX_DELIVERY_TIMEOUT:?}")]
    TimeoutTooLong(Duration),
    #[error("{context}: {source}")]
    Nats { context: &'static str, source: async_nats::Error },
}

/// Delivers the region's tasks until `shutdown` completes, then finishes the attempts in flight.
pub async fn run(
    config: Config,
    contract: RegionalContract,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RelayError> {
    if config.delivery_timeout > MAX_DELIVERY_TIMEOUT {
        return Err(RelayError::TimeoutTooLong(config.delivery_timeout));
    }
    let heartbeat = tokio::spawn(heartbeat::run(contract.clone()));
    let consumer =
        (contract.region.deliveries_stream(), edgehook_nats::streams::DISPATCH_CONSUMER.to_owned());
    let backlog =
        tokio::spawn(edgehook_nats::ops::report_backlog(contract.jetstream.clone(), vec![consumer]));
    let outcome = dispatcher::run(config, contract, shutdown).await;
    heartbeat.abort();
    backlog.abort();
    outcome
}
