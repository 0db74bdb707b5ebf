//! edgehook's relay, in a region: it delivers the region's tasks (which the hub's router,
//! `edgehook-router`, made) to the clients' endpoints.
//!
//! - [`dispatcher`] pulls the region's delivery tasks and schedules
//!   each attempt; [`sender`] makes the signed request; [`policy`] decides what its
//!   outcome means (done, retry with a delay by JetStream nak, dead letter); [`recorder`] writes
//!   the attempt and any dead letter to the region's streams, which the hub sources;
//!   [`heartbeat`] tells the hub the relay is alive.
//! - Per endpoint, inside the relay: [`endpoints`] keeps each endpoint's in-flight window,
//!   pace (AIMD), `Retry-After` pause and circuit breaker, and answers whether a delivery may
//!   go now or how long to defer it; [`rate_limit`] enforces each webhook's `rate_limit` across
//!   the region's relays (Redis) or in the relay; [`deferrals`] keeps deferrals from counting as
//!   attempts; [`health_reports`] tells the hub how each endpoint is doing; [`auto_disable`]
//!   turns off an endpoint that failed too long.
//!
//! It keeps no state of its own: kill one at any point and JetStream redelivers what it had
//! not acknowledged.

pub mod attempt_metrics;
pub mod auto_disable;
pub mod deferrals;
pub mod dispatcher;
pub mod endpoints;
pub mod health_reports;
pub mod heartbeat;
pub mod parking;
pub mod payload;
pub mod policy;
pub mod rate_limit;
pub mod recorder;
pub mod sender;
pub mod tiers;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use edgehook_nats::streams::{MAX_DELIVERY_TIMEOUT, RegionalContract};
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;

use crate::endpoints::{EndpointLimits, Endpoints};
use crate::rate_limit::RateLimiter;

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
    let outcome = dispatcher::run(config, contract, endpoints, rate_limiter, shutdown).await;
    heartbeat.abort();
    health.abort();
    backlog.abort();
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
    for reason in crate::endpoints::DeferReason::ALL {
        let labels = [("region", region.to_owned()), ("reason", reason.as_str().to_owned())];
        metrics::counter!("edgehook_deliveries_deferred_total", &labels).increment(0);
    }
    metrics::counter!("edgehook_endpoints_disabled_total", "region" => region.to_owned()).increment(0);
    metrics::counter!("edgehook_rate_limit_fallbacks_total", "region" => region.to_owned()).increment(0);
}
