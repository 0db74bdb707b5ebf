//! Per-endpoint scheduling and health, inside one relay: who may be called now, and what the
//! last answers say about each endpoint.
//!
//! Every webhook's endpoint has its own bounded in-flight window, its own pace (the webhook's
//! `rate_limit`, cut multiplicatively while the endpoint is slow or failing and restored
//! additively as it heals), its own pause when it answers 429/503 with `Retry-After`, and its
//! own circuit breaker (open after consecutive failures, one probe after a cooldown that
//! doubles while probes fail). A delivery that may not go now is not waited for: [`admit`]
//! answers how long to put it back in JetStream for, spreading the deferred ones at the pace
//! the endpoint can take, so a slow or broken endpoint never holds a worker another could use.
//!
//! [`admit`]: Endpoints::admit

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use edgehook_domain::endpoint_health::{CircuitState, EndpointHealth};
use edgehook_domain::webhook::Webhook;
use time::OffsetDateTime;

use crate::policy::Verdict;
use crate::sender::Attempt;

/// An endpoint answering faster than this on average may use [`EndpointLimits::fast_window`]:
/// it frees its slots too quickly to hold anyone back, and deferring its excess would only
/// churn through JetStream. One that has had deliveries in flight this long without answering
/// any counts as slow at once, before its slow answers come in.
const FAST: Duration = Duration::from_millis(100);
/// An attempt slower than this marks the endpoint unhealthy.
const SLOW: Duration = Duration::from_secs(5);
/// A failure ratio above this marks the endpoint unhealthy.
const FAILING_RATIO: f64 = 0.05;
/// Weight of the newest attempt in the moving averages: about the last 20 attempts count.
const SMOOTHING: f64 = 0.1;
/// Multiplicative decrease, at most once per [`CUT_INTERVAL`].
const DECREASE: f64 = 0.5;
const CUT_INTERVAL: Duration = Duration::from_secs(1);
/// Additive increase: the share of the configured rate regained per healthy second.
const INCREASE_PER_SECOND: f64 = 0.05;
/// The pace never drops below this share of the configured rate.
const MIN_FACTOR: f64 = 0.01;
/// A deferral is at least this long (a nak round trip is not free) and at most this long.
const MIN_DEFERRAL: Duration = Duration::from_millis(20);
const MAX_DEFERRAL: Duration = Duration::from_secs(600);
/// The longest `Retry-After` honoured.
const MAX_PAUSE: Duration = Duration::from_secs(3600);
/// The longest an open circuit waits before its next probe.
const MAX_COOLDOWN: Duration = Duration::from_secs(300);
/// A state not used for this long is dropped.
const IDLE: Duration = Duration::from_secs(3600);

#[derive(Clone, Debug)]
pub struct EndpointLimits {
    /// Deliveries in flight to one endpoint at once, per relay.
    pub window: usize,
    /// The same for an endpoint that answers fast (the relay's whole concurrency, usually).
    pub fast_window: usize,
    /// Consecutive failed attempts that open the circuit.
    pub circuit_failures: u32,
    /// How long the circuit stays open before the first probe.
    pub circuit_cooldown: Duration,
    /// How long an endpoint may fail without one success before it is disabled.
    pub disable_after: Duration,
}

impl Default for EndpointLimits {
    fn default() -> Self {
        Self {
            window: 64,
            fast_window: 256,
            circuit_failures: 20,
            circuit_cooldown: Duration::from_secs(5),
            disable_after: Duration::from_secs(5 * 24 * 3600),
        }
    }
}

/// Why a delivery was put back without an attempt (the `reason` label of
/// `edgehook_deliveries_deferred_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferReason {
    /// The endpoint's in-flight window is full.
    Saturated,
    /// The endpoint asked to wait (`Retry-After`).
    Paused,
    CircuitOpen,
    RateLimited,
    /// edgehook disabled the webhook; deliveries wait for it to be enabled again.
    Disabled,
    /// The webhook has not reached the region's copy of the webhooks bucket yet.
    NotReplicated,
}

impl DeferReason {
    pub const ALL: [DeferReason; 6] = [
        Self::Saturated,
        Self::Paused,
        Self::CircuitOpen,
        Self::RateLimited,
        Self::Disabled,
        Self::NotReplicated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saturated => "saturated",
            Self::Paused => "paused",
            Self::CircuitOpen => "circuit_open",
            Self::RateLimited => "rate_limited",
            Self::Disabled => "disabled",
            Self::NotReplicated => "not_replicated",
        }
    }
}

pub enum Admission {
    /// Attempt now, holding the slot until the attempt ends.
    Go(Slot),
    Defer {
        delay: Duration,
        reason: DeferReason,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Circuit {
    Closed { consecutive_failures: u32 },
    Open { until: Instant, cooldown: Duration },
    HalfOpen { probing: bool, cooldown: Duration },
}

struct EndpointState {
    webhook: Arc<Webhook>,
    in_flight: usize,
    /// Since when deliveries have been in flight with no answer (`None`: none in flight).
    unanswered_since: Option<Instant>,
    /// When the next deferred delivery is due back, so that deferred ones return spread out.
    next_due: Instant,
    latency_seconds: f64,
    failure_ratio: f64,
    /// Share of the configured rate allowed now (AIMD).
    pace: f64,
    last_cut: Option<Instant>,
    last_paced: Instant,
    paused_until: Option<Instant>,
    circuit: Circuit,
    /// Since when every attempt failed (wall clock: it is compared with days).
    failing_since: Option<OffsetDateTime>,
    last_used: Instant,
    /// Changed since the last health report.
    changed: bool,
}

impl EndpointState {
    fn new(webhook: Arc<Webhook>, now: Instant) -> Self {
        Self {
            webhook,
            in_flight: 0,
            unanswered_since: None,
            next_due: now,
            latency_seconds: 0.0,
            failure_ratio: 0.0,
            pace: 1.0,
            last_cut: None,
            last_paced: now,
            paused_until: None,
            circuit: Circuit::Closed { consecutive_failures: 0 },
            failing_since: None,
            last_used: now,
            changed: true,
        }
    }

    fn configured_rate(&self) -> f64 {
        f64::from(self.webhook.rate_limit.requests_per_minute) / 60.0
    }

    fn effective_rate(&self, now: Instant) -> f64 {
        let paused = self.paused_until.is_some_and(|until| until > now);
        match self.circuit {
            Circuit::Open { .. } => 0.0,
            _ if paused => 0.0,
            _ => self.configured_rate() * self.pace,
        }
    }

    /// The delay for one more deferred delivery: not before `earliest`, then one `spacing`
    /// after the previous deferred one.
    fn defer(
        &mut self,
        now: Instant,
        earliest: Duration,
        spacing: Duration,
        reason: DeferReason,
    ) -> Admission {
        let due = self.next_due.max(now + earliest);
        self.next_due = due + spacing;
        let delay = due.saturating_duration_since(now).clamp(MIN_DEFERRAL, MAX_DEFERRAL);
        Admission::Defer { delay, reason }
    }

    /// How far apart deferred deliveries come back when the window is full: the pace at
    /// which the endpoint frees slots.
    fn slot_spacing(&self, window: usize) -> Duration {
        Duration::from_secs_f64(self.latency_seconds.max(0.001) / window.max(1) as f64)
    }
}

/// What an attempt's answer calls for beyond the delivery itself.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// The webhook should be disabled, for this reason.
    pub disable: Option<String>,
}

#[derive(Clone)]
pub struct Endpoints {
    limits: EndpointLimits,
    states: Arc<Mutex<HashMap<String, EndpointState>>>,
    /// Since when endpoints this relay has not seen yet were failing, as the last health reports
    /// said: taken over when each is first seen.
    failing_before: Arc<Mutex<HashMap<String, OffsetDateTime>>>,
}

impl Endpoints {
    pub fn new(limits: EndpointLimits) -> Self {
        Self { limits, states: Arc::default(), failing_before: Arc::default() }
    }

    /// An endpoint reported failing since `since` (by this relay before a restart, or another).
    pub fn remember_failing(&self, webhook_id: &str, since: OffsetDateTime) {
        self.failing_before
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(webhook_id.to_owned(), since);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, EndpointState>> {
        self.states.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// May a delivery to `webhook` be attempted now?
    pub fn admit(&self, webhook: &Arc<Webhook>) -> Admission {
        let now = Instant::now();
        let mut states = self.lock();
        let state = states.entry(webhook.id.to_string()).or_insert_with(|| {
            let mut state = EndpointState::new(webhook.clone(), now);
            let mut failing_before =
                self.failing_before.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            state.failing_since = failing_before.remove(webhook.id.as_str());
            state
        });
        state.webhook = webhook.clone();
        state.last_used = now;
        if let Some(until) = state.paused_until {
            if until > now {
                return state.defer(now, until - now, MIN_DEFERRAL, DeferReason::Paused);
            }
            state.paused_until = None;
            state.changed = true;
        }
        let mut probe = false;
        match state.circuit {
            Circuit::Open { until, .. } if until > now => {
                return state.defer(now, until - now, MIN_DEFERRAL, DeferReason::CircuitOpen);
            }
            Circuit::Open { cooldown, .. } | Circuit::HalfOpen { probing: false, cooldown } => {
                state.circuit = Circuit::HalfOpen { probing: true, cooldown };
                state.changed = true;
                probe = true;
            }
            Circuit::HalfOpen { probing: true, cooldown } => {
                return state.defer(now, cooldown, MIN_DEFERRAL, DeferReason::CircuitOpen);
            }
            Circuit::Closed { .. } => {}
        }
        let waiting_long = state.unanswered_since.is_some_and(|since| now.duration_since(since) >= FAST);
        let window = if state.latency_seconds < FAST.as_secs_f64() && !waiting_long {
            self.limits.window.max(self.limits.fast_window)
        } else {
            self.limits.window
        };
        if !probe && state.in_flight >= window {
            let spacing = state.slot_spacing(window);
            return state.defer(now, spacing, spacing, DeferReason::Saturated);
        }
        state.in_flight += 1;
        state.unanswered_since.get_or_insert(now);
        Admission::Go(Slot { endpoints: self.clone(), key: webhook.id.to_string(), probe })
    }

    /// The rate deliveries to `webhook` may go at now (requests a second).
    pub fn effective_rate(&self, webhook: &Webhook) -> f64 {
        let states = self.lock();
        match states.get(webhook.id.as_str()) {
            Some(state) => state.effective_rate(Instant::now()),
            None => f64::from(webhook.rate_limit.requests_per_minute) / 60.0,
        }
    }

    /// The rate limiter says wait `wait`: the delay for this delivery, spread behind the other
    /// rate-limited ones at the allowed pace.
    pub fn rate_limited(&self, webhook: &Webhook, wait: Duration) -> Admission {
        let now = Instant::now();
        let mut states = self.lock();
        let Some(state) = states.get_mut(webhook.id.as_str()) else {
            return Admission::Defer { delay: wait.max(MIN_DEFERRAL), reason: DeferReason::RateLimited };
        };
        let spacing = Duration::from_secs_f64(1.0 / state.effective_rate(now).max(0.01));
        state.defer(now, wait, spacing, DeferReason::RateLimited)
    }

    /// Folds an attempt's answer into the endpoint's health.
    pub fn observe(&self, webhook: &Webhook, attempt: &Attempt) -> Observation {
        let now = Instant::now();
        let mut states = self.lock();
        let Some(state) = states.get_mut(webhook.id.as_str()) else { return Observation::default() };
        let limits = &self.limits;
        let failed = matches!(attempt.verdict, Verdict::Retryable { .. });
        let latency = attempt.latency.as_secs_f64();
        state.latency_seconds += SMOOTHING * (latency - state.latency_seconds);
        state.unanswered_since = Some(now);
        state.failure_ratio += SMOOTHING * (f64::from(u8::from(failed)) - state.failure_ratio);
        state.changed = true;

        if let (Some(429 | 503), Verdict::Retryable { retry_after: Some(wait) }) =
            (attempt.status_code, &attempt.verdict)
        {
            let until = now + (*wait).min(MAX_PAUSE);
            state.paused_until = Some(state.paused_until.map_or(until, |current| current.max(until)));
        }

        state.circuit = match (state.circuit, failed) {
            (Circuit::Closed { consecutive_failures }, true) => {
                let consecutive_failures = consecutive_failures + 1;
                if consecutive_failures >= limits.circuit_failures {
                    tracing::warn!(webhook_id = %webhook.id, "endpoint failing: circuit opened");
                    let cooldown = limits.circuit_cooldown;
                    Circuit::Open { until: now + cooldown, cooldown }
                } else {
                    Circuit::Closed { consecutive_failures }
                }
            }
            (Circuit::HalfOpen { cooldown, .. }, true) => {
                let cooldown = (cooldown * 2).min(MAX_COOLDOWN);
                Circuit::Open { until: now + cooldown, cooldown }
            }
            (open @ Circuit::Open { .. }, true) => open,
            (Circuit::Closed { .. }, false) => Circuit::Closed { consecutive_failures: 0 },
            (_, false) => {
                tracing::info!(webhook_id = %webhook.id, "endpoint answered: circuit closed");
                Circuit::Closed { consecutive_failures: 0 }
            }
        };

        let unhealthy = attempt.latency > SLOW || state.failure_ratio > FAILING_RATIO;
        if unhealthy {
            if state.last_cut.is_none_or(|cut| now.duration_since(cut) >= CUT_INTERVAL) {
                state.pace = (state.pace * DECREASE).max(MIN_FACTOR);
                state.last_cut = Some(now);
            }
        } else {
            let healthy_for = now.duration_since(state.last_paced).as_secs_f64();
            state.pace = (state.pace + INCREASE_PER_SECOND * healthy_for).min(1.0);
        }
        state.last_paced = now;

        let delivered = attempt.verdict == Verdict::Delivered;
        let wall_clock = edgehook_domain::now();
        state.failing_since = if delivered { None } else { Some(state.failing_since.unwrap_or(wall_clock)) };

        let disable = if attempt.status_code == Some(410) {
            Some("the endpoint answered 410 Gone".to_owned())
        } else {
            state.failing_since.filter(|since| wall_clock - *since >= limits.disable_after).map(|since| {
                format!("every attempt since {since} failed (longer than {:?})", limits.disable_after)
            })
        };
        Observation { disable }
    }

    /// The endpoints whose health changed since the last call, as the API shows them; drops
    /// the state of endpoints idle for long.
    pub fn changed_health(&self, region: &str) -> Vec<(Arc<Webhook>, EndpointHealth)> {
        let now = Instant::now();
        let wall_clock = edgehook_domain::now();
        let mut states = self.lock();
        states.retain(|_, state| state.in_flight > 0 || now.duration_since(state.last_used) < IDLE);
        states
            .values_mut()
            .filter_map(|state| std::mem::take(&mut state.changed).then_some(state))
            .map(|state| {
                let health = EndpointHealth {
                    webhook_id: state.webhook.id.clone(),
                    region: region.to_owned(),
                    effective_rate_per_second: state.effective_rate(now),
                    configured_rate_per_second: state.configured_rate(),
                    circuit: match state.circuit {
                        Circuit::Closed { .. } => CircuitState::Closed,
                        Circuit::Open { .. } => CircuitState::Open,
                        Circuit::HalfOpen { .. } => CircuitState::HalfOpen,
                    },
                    failure_ratio: state.failure_ratio,
                    latency_ms: state.latency_seconds * 1000.0,
                    paused_until: state
                        .paused_until
                        .filter(|until| *until > now)
                        .map(|until| wall_clock + until.duration_since(now)),
                    failing_since: state.failing_since,
                    updated_at: wall_clock,
                };
                (state.webhook.clone(), health)
            })
            .collect()
    }

    fn release(&self, key: &str, probe: bool) {
        let mut states = self.lock();
        if let Some(state) = states.get_mut(key) {
            state.in_flight = state.in_flight.saturating_sub(1);
            if state.in_flight == 0 {
                state.unanswered_since = None;
            }
            // A probe that ended without an answer (the attempt never happened) lets the next
            // delivery probe instead.
            if let (true, Circuit::HalfOpen { probing: true, cooldown }) = (probe, state.circuit) {
                state.circuit = Circuit::HalfOpen { probing: false, cooldown };
            }
        }
    }
}

/// A place in an endpoint's in-flight window, given back when dropped.
pub struct Slot {
    endpoints: Endpoints,
    key: String,
    probe: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.endpoints.release(&self.key, self.probe);
    }
}

#[cfg(test)]
mod tests;
