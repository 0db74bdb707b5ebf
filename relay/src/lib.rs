//! edgehook's relay, in a region: it delivers the region's tasks (which the hub's router,
//! `edgehook-router`, made) to the clients' endpoints.
//!
//! - [`dispatcher`] pulls the region's delivery tasks (the three tiers' consumers merged by
//!   [`tiers`]), looks each one's webhook up, asks [`endpoints`] and [`rate_limit`] whether it
//!   may go now, and has [`sender`] make the signed request ([`payload`]: the body; [`verdict`]:
//!   what the answer means for retrying; [`endpoint_auth`]: the webhook's static headers,
//!   OAuth2 token or mTLS client).
//! - [`settlement`] is what becomes of the task then. [`settlement::decision`] decides it,
//!   purely: ack, `nak` with a delay, park, dead-letter or forward to the webhook's new region
//!   (the retry budget and backoff live there). [`settlement::settler`] applies it, the only
//!   code that acks or naks a task: it owns the attempt count ([`settlement::deferrals`] keeps
//!   deferrals from counting as attempts, and expires them), records the attempt and any dead
//!   letter through [`recorder`] (the region's streams, which the hub sources), parks long
//!   waits ([`settlement::parking`]), and acknowledges only once what it produced is stored.
//! - Per endpoint, inside the relay: [`endpoints`] holds each endpoint's state as small state
//!   machines that take the time as an argument (in-flight window, pace (AIMD), `Retry-After`
//!   pause, circuit breaker, failure clock, health averages), one lock per endpoint, and
//!   answers whether a delivery may go now or how long to defer it; [`rate_limit`] enforces
//!   each webhook's `rate_limit` across the region's relays (Redis) or in the relay;
//!   [`health_reports`] tells the hub how each endpoint is doing; [`auto_disable`] turns off an
//!   endpoint that failed too long.
//! - [`fifo`] runs the lanes of the region's FIFO webhooks: each lane's tasks one at a time from
//!   the hub's FIFO queue, through the same dispatcher, never parked.
//! - [`heartbeat`] tells the hub the relay is alive; [`attempt_metrics`] are the per-attempt
//!   metrics, their handles made once.
//!
//! It keeps no state of its own that matters: kill one at any point and JetStream redelivers
//! what it had not acknowledged.

pub mod attempt_metrics;
pub mod auto_disable;
pub mod dispatcher;
pub mod endpoint_auth;
pub mod endpoints;
pub mod fifo;
pub mod health_reports;
pub mod heartbeat;
pub mod payload;
pub mod rate_limit;
pub mod recorder;
pub mod sender;
pub mod settlement;
pub mod tiers;
pub mod verdict;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use edgehook_nats::streams::{MAX_DELIVERY_TIMEOUT, RegionalContract};
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;

use crate::endpoints::{EndpointLimits, Endpoints};
use crate::rate_limit::RateLimiter;
use crate::settlement::DeferReason;
use crate::settlement::deferrals::{self, Deferrals};

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
    /// Per-endpoint windows, circuit breaker, auto-disable.
    pub endpoint_limits: EndpointLimits,
    /// The region's Redis, shared by its relays for rate limits; none: limits per relay.
    pub redis_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("delivery timeout {0:?} is above the maximum {MAX_DELIVERY_TIMEOUT:?}")]
    TimeoutTooLong(Duration),
    #[error("{context}: {source}")]
    Nats { context: &'static str, source: async_nats::Error },
    #[error("connecting to Redis at {url}: {source}")]
    Redis { url: String, source: redis::RedisError },
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
    let redis = match &config.redis_url {
        Some(url) => Some(connect_redis(url).await?),
        None => None,
    };
    let rate_limiter = RateLimiter::new(&contract.region.name, redis);
    declare_metrics(&contract.region.name);
    let endpoints = Endpoints::new(config.endpoint_limits.clone());
    health_reports::recall_failing(&contract, &endpoints).await;
    let heartbeat = tokio::spawn(heartbeat::run(contract.clone()));
    let health = tokio::spawn(health_reports::run(contract.clone(), endpoints.clone()));
    let consumers = edgehook_domain::priority::Priority::ALL
        .into_iter()
        .map(|tier| {
            (contract.region.deliveries_stream(), edgehook_nats::streams::dispatch_consumer_name(tier))
        })
        .collect();
    let backlog = tokio::spawn(edgehook_service::ops::report_backlog(contract.jetstream.clone(), consumers));
    let deferrals = Arc::new(Deferrals::default());
    // FIFO lanes' tasks are in another stream, whose sequences are their own: their own map.
    let fifo_deferrals = Arc::new(Deferrals::default());
    let maps = vec![deferrals.clone(), fifo_deferrals.clone()];
    let expiry = tokio::spawn(deferrals::keep_bounded(maps, contract.region.name.clone()));
    let outcome =
        dispatcher::run(config, contract, endpoints, rate_limiter, deferrals, fifo_deferrals, shutdown).await;
    heartbeat.abort();
    health.abort();
    backlog.abort();
    expiry.abort();
    outcome
}

async fn connect_redis(url: &str) -> Result<redis::aio::ConnectionManager, RelayError> {
    let failed = |source| RelayError::Redis { url: url.to_owned(), source };
    let client = redis::Client::open(url).map_err(failed)?;
    client.get_connection_manager().await.map_err(failed)
}

/// Counters of rare events exist from the start (at 0), so dashboards and alerts see them
/// before the first one happens.
fn declare_metrics(region: &str) {
    for reason in DeferReason::ALL {
        let labels = [("region", region.to_owned()), ("reason", reason.as_str().to_owned())];
        metrics::counter!("edgehook_deliveries_deferred_total", &labels).increment(0);
    }
    metrics::counter!("edgehook_endpoints_disabled_total", "region" => region.to_owned()).increment(0);
    metrics::counter!("edgehook_rate_limit_fallbacks_total", "region" => region.to_owned()).increment(0);
    metrics::gauge!("edgehook_deferred_tasks_tracked", "region" => region.to_owned()).set(0.0);
}
