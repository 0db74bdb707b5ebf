//! One endpoint as this relay sees it: its window, deferral spread, recent health, pace,
//! pause, circuit and failure clock together, and the answers they give as one.
//!
//! Why a composition: each part is a small state machine of its own (one file each, here),
//! but a delivery asks them in a fixed order (pause, circuit, window) and an answer updates
//! all of them, under one lock per endpoint ([`super::Endpoints`] holds them). Nothing here
//! reads a clock: every step takes `now`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use edgehook_domain::endpoint_health::EndpointHealth;
use edgehook_domain::webhook::Webhook;
use time::OffsetDateTime;

use super::circuit::{Change, Circuit, Gate};
use super::failure_clock::FailureClock;
use super::health::Health;
use super::pace::Pace;
use super::pause::{Pause, Remaining};
use super::spread::{MIN_DEFERRAL, Spread};
use super::window::Window;
use super::{EndpointLimits, Now, Observation};
use crate::sender::Attempt;
use crate::settlement::DeferReason;
use crate::verdict::Verdict;

/// An endpoint not used for this long (and with nothing in flight) is forgotten.
pub const IDLE: Duration = Duration::from_secs(3600);

pub struct Endpoint {
    webhook: Arc<Webhook>,
    limits: EndpointLimits,
    window: Window,
    spread: Spread,
    health: Health,
    pace: Pace,
    pause: Pause,
    circuit: Circuit,
    failing: FailureClock,
    last_used: Instant,
    /// Changed since the last health report.
    changed: bool,
}

impl Endpoint {
    /// First seen at `now`; failing since `failing_since` by the last health reports.
    pub fn new(
        webhook: Arc<Webhook>,
        limits: EndpointLimits,
        now: Instant,
        failing_since: Option<OffsetDateTime>,
    ) -> Self {
        Self {
            webhook,
            limits,
            window: Window::new(),
            spread: Spread::new(now),
            health: Health::default(),
            pace: Pace::new(now),
            pause: Pause::default(),
            circuit: Circuit::new(),
            failing: FailureClock::since(failing_since),
            last_used: now,
            changed: true,
        }
    }

    /// May a delivery to `webhook` go at `now`? `Ok(probe)`: it goes, as the circuit's probe
    /// if `probe`, and holds a place in the window until [`Endpoint::release`].
    pub fn admit(&mut self, webhook: &Arc<Webhook>, now: Instant) -> Result<bool, (Duration, DeferReason)> {
        if !Arc::ptr_eq(&self.webhook, webhook) {
            self.webhook = webhook.clone();
        }
        self.last_used = now;
        match self.pause.remaining(now) {
            Remaining::Wait(wait) => {
                return Err((self.spread.defer(now, wait, MIN_DEFERRAL), DeferReason::Paused));
            }
            Remaining::Ended => self.changed = true,
            Remaining::NotPaused => {}
        }
        let probe = match self.circuit.admit(now) {
            Gate::Wait(wait) => {
                return Err((self.spread.defer(now, wait, MIN_DEFERRAL), DeferReason::CircuitOpen));
            }
            Gate::Probe => {
                self.changed = true;
                true
            }
            Gate::Pass => false,
        };
        let latency = self.health.latency_seconds();
        let size = self.window.size(now, latency, self.limits.window, self.limits.fast_window);
        if !probe && self.window.is_full(size) {
            let spacing = Window::slot_spacing(latency, size);
            return Err((self.spread.defer(now, spacing, spacing), DeferReason::Saturated));
        }
        self.window.enter(now);
        Ok(probe)
    }

    /// The rate deliveries may go at now (requests a second): 0 while the circuit is open or
    /// the endpoint paused.
    pub fn effective_rate(&self, now: Instant) -> f64 {
        if self.circuit.is_open() || self.pause.is_paused(now) {
            0.0
        } else {
            self.configured_rate() * self.pace.factor()
        }
    }

    fn configured_rate(&self) -> f64 {
        f64::from(self.webhook.rate_limit.requests_per_minute) / 60.0
    }

    /// An admitted delivery the rate limiter says must wait `wait`: it leaves the window, and
    /// comes back spread behind the other rate-limited ones at the allowed pace.
    pub fn rate_limited(&mut self, now: Instant, wait: Duration, probe: bool) -> Duration {
        self.release(probe);
        let spacing = Duration::from_secs_f64(1.0 / self.effective_rate(now).max(0.01));
        self.spread.defer(now, wait, spacing)
    }

    /// Folds an attempt's answer into every part.
    pub fn observe(&mut self, now: Now, attempt: &Attempt) -> Observation {
        let failed = matches!(attempt.verdict, Verdict::Retryable { .. });
        self.changed = true;
        let unhealthy = self.health.observe(attempt.latency, failed);
        self.window.answered(now.instant);
        self.pause.observe(now.instant, attempt.status_code, &attempt.verdict);
        let limits = &self.limits;
        match self.circuit.observe(now.instant, failed, limits.circuit_failures, limits.circuit_cooldown) {
            Some(Change::Opened) => {
                tracing::warn!(webhook_id = %self.webhook.id, "endpoint failing: circuit opened")
            }
            Some(Change::Closed) => {
                tracing::info!(webhook_id = %self.webhook.id, "endpoint answered: circuit closed")
            }
            None => {}
        }
        self.pace.observe(now.instant, unhealthy);
        let delivered = attempt.verdict == Verdict::Delivered;
        let failing_too_long = self.failing.observe(delivered, now.wall, limits.disable_after);
        let disable = if attempt.status_code == Some(410) {
            Some("the endpoint answered 410 Gone".to_owned())
        } else {
            failing_too_long
        };
        Observation { disable }
    }

    /// A delivery left the window (`probe`: it was the circuit's probe).
    pub fn release(&mut self, probe: bool) {
        self.window.leave();
        if probe {
            self.circuit.probe_abandoned();
        }
    }

    pub fn is_idle(&self, now: Instant) -> bool {
        self.window.is_empty() && now.duration_since(self.last_used) >= IDLE
    }

    /// The health report, if anything changed since the last one.
    pub fn report(&mut self, now: Now, region: &str) -> Option<(Arc<Webhook>, EndpointHealth)> {
        if !std::mem::take(&mut self.changed) {
            return None;
        }
        let health = EndpointHealth {
            webhook_id: self.webhook.id.clone(),
            region: region.to_owned(),
            effective_rate_per_second: self.effective_rate(now.instant),
            configured_rate_per_second: self.configured_rate(),
            circuit: self.circuit.state(),
            failure_ratio: self.health.failure_ratio(),
            latency_ms: self.health.latency_seconds() * 1000.0,
            paused_until: self
                .pause
                .until(now.instant)
                .map(|until| now.wall + until.duration_since(now.instant)),
            failing_since: self.failing.failing_since(),
            updated_at: now.wall,
        };
        Some((self.webhook.clone(), health))
    }
}
