//! What a relay reports of an endpoint it delivers to, in the hub's `endpoint_health` bucket
//! (key `<client_id>.<webhook_id>`): the rate it currently allows itself, its circuit, its
//! recent failure ratio and latency, since when it has been failing. The control plane shows it
//! with the webhook; a starting relay reads back only `failing_since`, so that restarting
//! relays does not restart the clock of auto-disable.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::WebhookId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    /// Deliveries flow.
    Closed,
    /// The endpoint failed repeatedly: deliveries wait in JetStream until a probe.
    Open,
    /// One probe delivery is allowed through to see whether the endpoint healed.
    HalfOpen,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EndpointHealth {
    pub webhook_id: WebhookId,
    pub region: String,
    /// Deliveries a second the relays allow themselves now: the webhook's `rate_limit`, cut
    /// while the endpoint is slow or failing, 0 while its circuit is open or it asked to wait.
    pub effective_rate_per_second: f64,
    /// The webhook's own limit, for comparison.
    pub configured_rate_per_second: f64,
    pub circuit: CircuitState,
    /// Share of recent attempts that failed (exponentially weighted).
    pub failure_ratio: f64,
    /// Recent attempt latency (exponentially weighted), in milliseconds.
    pub latency_ms: f64,
    /// Until when the endpoint asked not to be called (`Retry-After` on a 429 or 503).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub paused_until: Option<OffsetDateTime>,
    /// Since when every attempt failed (`None`: the last one succeeded).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub failing_since: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}
