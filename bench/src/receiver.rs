//! The webhook endpoints of the run, on loopback: `POST /wh/<n>` verifies the Standard Webhooks
//! signature of every delivery, records when each event first arrived and how many times, and
//! answers as its endpoint's behavior says (at once, after a delay, or 500). `HEAD` answers 200
//! (the control plane probes a callback URL when it is registered).

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use anyhow::Context;
use bytes::Bytes;
use edgehook_security::signatures::VerifyingKey;
use serde::Deserialize;
use warp::Filter;
use warp::http::{HeaderMap, StatusCode};

use super::{Behavior, Clock};

/// Events named `<run_id>-w<n>` warm the pipeline up before the measurement; they are only
/// counted.
pub const WARMUP: &str = "w";
/// Standard Webhooks' tolerance on `webhook-timestamp`.
const TIMESTAMP_TOLERANCE_S: i64 = 300;

/// One event at one endpoint: when it first arrived (a [`Clock`] stamp, 0 = never) and how many
/// correctly signed requests carried it.
#[derive(Clone, Copy, Default)]
pub struct Slot {
    pub first: u64,
    pub count: u32,
}

/// What one endpoint recorded.
#[derive(Default)]
pub struct Log {
    /// Indexed by the event's sequence number.
    pub slots: Vec<Slot>,
    pub bad_signatures: u64,
    /// Correctly signed deliveries of events this run did not send.
    pub unknown_events: u64,
    /// The first signature failure, as evidence.
    pub first_failure: Option<String>,
}

pub struct Endpoint {
    pub behavior: Behavior,
    key: OnceLock<VerifyingKey>,
    log: Mutex<Log>,
    /// Events that arrived at least once (for the drain's progress).
    unique: AtomicU64,
    requests: AtomicU64,
    /// Correctly signed requests carrying warm-up events.
    warmup: AtomicU64,
}

impl Endpoint {
    pub fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn unique(&self) -> u64 {
        self.unique.load(Ordering::Relaxed)
    }

    /// Requests received, warm-up ones excepted.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed).saturating_sub(self.warmup())
    }

    pub fn warmup(&self) -> u64 {
        self.warmup.load(Ordering::Relaxed)
    }
}

pub struct Receiver {
    pub base_url: String,
    endpoints: Arc<Vec<Endpoint>>,
    stray: Arc<AtomicU64>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Deserialize)]
struct Delivery<'a> {
    #[serde(borrow)]
    event_id: Cow<'a, str>,
}

impl Receiver {
    /// Listens on loopback with one endpoint per behavior; events are named `<run_id>-<seq>`.
    pub async fn start(behaviors: &[Behavior], run_id: &str, clock: Clock) -> anyhow::Result<Self> {
        let endpoints: Arc<Vec<Endpoint>> = Arc::new(
            behaviors
                .iter()
                .map(|behavior| Endpoint {
                    behavior: *behavior,
                    key: OnceLock::new(),
                    log: Mutex::new(Log::default()),
                    unique: AtomicU64::new(0),
                    requests: AtomicU64::new(0),
                    warmup: AtomicU64::new(0),
                })
                .collect(),
        );
        let stray = Arc::new(AtomicU64::new(0));
        let prefix: Arc<str> = format!("{run_id}-").into();
        let (shared, strays) = (endpoints.clone(), stray.clone());
        let post = warp::post()
            .and(warp::path!("wh" / usize))
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .then(move |index: usize, headers: HeaderMap, body: Bytes| {
                let (endpoints, stray, prefix) = (shared.clone(), strays.clone(), prefix.clone());
                async move {
                    let stamp = clock.stamp();
                    let Some(endpoint) = endpoints.get(index) else {
                        stray.fetch_add(1, Ordering::Relaxed);
                        return StatusCode::NOT_FOUND;
                    };
                    endpoint.record(stamp, &headers, &body, &prefix);
                    match endpoint.behavior {
                        Behavior::Healthy => StatusCode::OK,
                        Behavior::Slow(delay) => {
                            tokio::time::sleep(delay).await;
                            StatusCode::OK
                        }
                        Behavior::Failing => StatusCode::INTERNAL_SERVER_ERROR,
                    }
                }
            });
        let head = warp::head().map(|| StatusCode::OK);
        let routes = post.or(head).unify();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the receiver")?;
        let base_url = format!("http://{}", listener.local_addr().context("the receiver's address")?);
        let server = tokio::spawn(warp::serve(routes).incoming(listener).run());
        Ok(Self { base_url, endpoints, stray, server })
    }

    pub fn url(&self, index: usize) -> String {
        format!("{}/wh/{index}", self.base_url)
    }

    /// Gives each endpoint its webhook's `whsec_` signing secret.
    pub fn set_secrets(&self, secrets: &[String]) -> anyhow::Result<()> {
        for (endpoint, secret) in self.endpoints.iter().zip(secrets) {
            let key = VerifyingKey::parse(secret).with_context(|| format!("signing secret {secret:?}"))?;
            let _ = endpoint.key.set(key);
        }
        Ok(())
    }

    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Requests to paths of no endpoint.
    pub fn stray(&self) -> u64 {
        self.stray.load(Ordering::Relaxed)
    }

    pub fn stop(&self) {
        self.server.abort();
    }
}

impl Endpoint {
    fn record(&self, stamp: u64, headers: &HeaderMap, body: &[u8], prefix: &str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let verified = match self.key.get() {
            Some(key) => verify(key, headers, body),
            None => Err("a delivery arrived before the webhook was registered".to_owned()),
        };
        let delivery = serde_json::from_slice::<Delivery>(body).ok();
        let name = delivery.as_ref().and_then(|delivery| delivery.event_id.strip_prefix(prefix));
        let mut log = self.log();
        if let Err(failure) = verified {
            log.bad_signatures += 1;
            log.first_failure.get_or_insert(failure);
            return;
        }
        if name.is_some_and(|name| name.starts_with(WARMUP)) {
            self.warmup.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let seq =
            name.and_then(|seq| seq.parse::<usize>().ok()).filter(|seq| (*seq as u64) < super::MAX_PAIRS);
        let Some(seq) = seq else {
            log.unknown_events += 1;
            return;
        };
        if log.slots.len() <= seq {
            log.slots.resize(seq + 1, Slot::default());
        }
        let slot = &mut log.slots[seq];
        if slot.first == 0 {
            slot.first = stamp;
            self.unique.fetch_add(1, Ordering::Relaxed);
        }
        slot.count = slot.count.saturating_add(1);
    }
}

/// Checks a delivery as a client would: the Standard Webhooks signature (with the product's own
/// verifier, `edgehook_security::signatures`) and the timestamp's freshness.
pub fn verify(key: &VerifyingKey, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| format!("no readable {name} header"))
    };
    let id = header("webhook-id")?;
    let timestamp = header("webhook-timestamp")?;
    let signatures = header("webhook-signature")?;
    let seconds: i64 =
        timestamp.parse().map_err(|_| format!("webhook-timestamp {timestamp:?} is not a number"))?;
    let now = unix_now();
    if (now - seconds).abs() > TIMESTAMP_TOLERANCE_S {
        return Err(format!("webhook-timestamp {seconds} is {}s away from now", now - seconds));
    }
    key.verify(id, seconds, body, signatures)
        .map(|_| ())
        .map_err(|error| format!("webhook-id {id}: signature {signatures:?}: {error}"))
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}
