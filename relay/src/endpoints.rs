//! Per-endpoint scheduling and health, inside one relay: who may be called now, and what the
//! last answers say about each endpoint.
//!
//! Every webhook's endpoint has its own bounded in-flight window ([`window`]), its own pace
//! (the webhook's `rate_limit`, cut multiplicatively while the endpoint is slow or failing and
//! restored additively as it heals: [`pace`], from the averages of [`health`]), its own pause
//! when it answers 429/503 with `Retry-After` ([`pause`]), its own circuit breaker ([`circuit`])
//! and the clock of auto-disable ([`failure_clock`]); [`endpoint`] puts them together. A
//! delivery that may not go now is not waited for: [`Endpoints::admit`] answers how long to
//! put it back in JetStream for, spreading the deferred ones at the pace the endpoint can take
//! ([`spread`]), so a slow or broken endpoint never holds a worker another could use.
//!
//! Locking: the map of endpoints is read under a brief shared lock (written only when an
//! endpoint is first seen and when idle ones are dropped), then each endpoint has a lock of its
//! own. A delivery takes its endpoint's lock twice: to be admitted, and to fold in its answer
//! and leave the window ([`Slot::finish`]), so deliveries to different endpoints never wait
//! for each other. An endpoint dropped as idle just as a delivery reaches it merely starts
//! over, as it would have after being idle. The state machines take the time as an argument;
//! only this module's callers read the clock.

mod circuit;
mod endpoint;
mod failure_clock;
mod health;
mod pace;
mod pause;
mod spread;
mod window;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use edgehook_domain::endpoint_health::EndpointHealth;
use edgehook_domain::webhook::Webhook;
use time::OffsetDateTime;

use crate::sender::Attempt;
use crate::settlement::DeferReason;
use endpoint::Endpoint;

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

/// The time of a step, on both clocks: the monotonic one for the short waits, the wall clock
/// for what is compared with days or shown to people.
#[derive(Clone, Copy, Debug)]
pub struct Now {
    pub instant: Instant,
    pub wall: OffsetDateTime,
}

impl Now {
    pub fn read() -> Self {
        Self { instant: Instant::now(), wall: edgehook_domain::now() }
    }
}

impl std::ops::Add<Duration> for Now {
    type Output = Now;

    fn add(self, duration: Duration) -> Now {
        Now { instant: self.instant + duration, wall: self.wall + duration }
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

/// What an attempt's answer calls for beyond the delivery itself.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// The webhook should be disabled, for this reason.
    pub disable: Option<String>,
}

type Shared = Arc<Mutex<Endpoint>>;

#[derive(Clone)]
pub struct Endpoints {
    inner: Arc<Registry>,
}

struct Registry {
    limits: EndpointLimits,
    /// By webhook id.
    endpoints: RwLock<HashMap<String, Shared>>,
    /// Since when endpoints this relay has not seen yet were failing, as the last health reports
    /// said: taken over when each is first seen.
    failing_before: Mutex<HashMap<String, OffsetDateTime>>,
}

impl Endpoints {
    pub fn new(limits: EndpointLimits) -> Self {
        let registry = Registry { limits, endpoints: RwLock::default(), failing_before: Mutex::default() };
        Self { inner: Arc::new(registry) }
    }

    /// An endpoint reported failing since `since` (by this relay before a restart, or another).
    pub fn remember_failing(&self, webhook_id: &str, since: OffsetDateTime) {
        lock(&self.inner.failing_before).insert(webhook_id.to_owned(), since);
    }

    /// May a delivery to `webhook` be attempted at `now`?
    pub fn admit(&self, webhook: &Arc<Webhook>, now: Instant) -> Admission {
        let endpoint = self.endpoint(webhook, now);
        let mut state = lock(&endpoint);
        match state.admit(webhook, now) {
            Ok(probe) => {
                let rate = state.effective_rate(now);
                drop(state);
                Admission::Go(Slot { endpoint, probe, rate, released: false })
            }
            Err((delay, reason)) => Admission::Defer { delay, reason },
        }
    }

    fn endpoint(&self, webhook: &Arc<Webhook>, now: Instant) -> Shared {
        let id = webhook.id.as_str();
        if let Some(endpoint) = read(&self.inner.endpoints).get(id) {
            return endpoint.clone();
        }
        let mut endpoints = write(&self.inner.endpoints);
        endpoints
            .entry(id.to_owned())
            .or_insert_with(|| {
                let failing_since = lock(&self.inner.failing_before).remove(id);
                let endpoint = Endpoint::new(webhook.clone(), self.inner.limits.clone(), now, failing_since);
                Arc::new(Mutex::new(endpoint))
            })
            .clone()
    }

    /// The endpoints whose health changed since the last call, as the API shows them; drops
    /// the state of endpoints idle for long.
    pub fn changed_health(&self, region: &str, now: Now) -> Vec<(Arc<Webhook>, EndpointHealth)> {
        write(&self.inner.endpoints).retain(|_, endpoint| !lock(endpoint).is_idle(now.instant));
        read(&self.inner.endpoints)
            .values()
            .filter_map(|endpoint| lock(endpoint).report(now, region))
            .collect()
    }
}

/// A place in an endpoint's in-flight window, given back when the attempt ends
/// ([`Slot::finish`]), when the rate limiter defers it ([`Slot::rate_limited`]) or when dropped.
pub struct Slot {
    endpoint: Shared,
    probe: bool,
    rate: f64,
    released: bool,
}

impl Slot {
    /// The rate deliveries to the endpoint may go at (requests a second), as admitted.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The rate limiter says wait `wait`: the delay for this delivery, spread behind the other
    /// rate-limited ones at the allowed pace.
    pub fn rate_limited(mut self, wait: Duration, now: Instant) -> Admission {
        self.released = true;
        let delay = lock(&self.endpoint).rate_limited(now, wait, self.probe);
        Admission::Defer { delay, reason: DeferReason::RateLimited }
    }

    /// The attempt ended with `attempt`: folds its answer into the endpoint's state and gives
    /// the place back, under one lock.
    pub fn finish(mut self, attempt: &Attempt, now: Now) -> Observation {
        self.released = true;
        let mut endpoint = lock(&self.endpoint);
        let observation = endpoint.observe(now, attempt);
        endpoint.release(self.probe);
        observation
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.released {
            lock(&self.endpoint).release(self.probe);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
