//! The load: batches of events sent to ingest (the HTTP batch endpoint, signed like a source, or
//! a NATS request to the source's subject) by a fixed number of workers, at a pace (as fast as
//! possible, a fixed rate, or bursts), for a bounded time. When ingest accepts a batch, every
//! event of it is stamped "accepted": the start of its delivery latency.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use edgehook_ingest::source_auth;
use serde::{Deserialize, Serialize};

use super::Clock;
use super::receiver::{WARMUP, unix_now};

/// Tries per batch; ingest answers 503 when JetStream is unavailable, and a retry is safe (the
/// same event ids are deduplicated).
const ATTEMPTS: usize = 3;
const RETRY_DELAY: Duration = Duration::from_millis(200);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy)]
pub enum Pace {
    /// As fast as the workers get answers.
    Max,
    /// Events per second.
    Rate(f64),
    /// `events` (rounded up to whole batches) at once, every `every`.
    Burst { events: usize, every: Duration },
}

/// When each unit of work is due. A unit is a batch of `batch_size` events (the baseline uses
/// units of one delivery).
pub struct Plan {
    pub pace: Pace,
    pub batch_size: usize,
    pub duration: Duration,
    /// Units beyond this many events are never due (a memory bound).
    pub max_events: u64,
}

impl Plan {
    /// When unit `k` is due, or `None` once the load is over.
    pub fn due(&self, k: u64, start: Instant) -> Option<Instant> {
        let size = self.batch_size as u64;
        if (k + 1).saturating_mul(size) > self.max_events {
            return None;
        }
        let due = match self.pace {
            Pace::Max => Instant::now(),
            Pace::Rate(rate) => start + Duration::try_from_secs_f64((k * size) as f64 / rate).ok()?,
            Pace::Burst { events, every } => {
                let per_burst = events.div_ceil(self.batch_size) as u64;
                start + every.checked_mul(u32::try_from(k / per_burst).ok()?)?
            }
        };
        (due < start + self.duration).then_some(due)
    }
}

/// When each event was accepted, by sequence number ([`Clock`] stamps, 0 = not accepted).
#[derive(Default)]
pub struct AcceptLog {
    stamps: Mutex<Vec<u64>>,
}

impl AcceptLog {
    pub fn record(&self, seqs: Range<u64>, stamp: u64) {
        let mut stamps = self.stamps.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let end = seqs.end as usize;
        if stamps.len() < end {
            stamps.resize(end, 0);
        }
        for slot in &mut stamps[seqs.start as usize..end] {
            if *slot == 0 || stamp < *slot {
                *slot = stamp;
            }
        }
    }

    pub fn accepted(&self) -> u64 {
        let stamps = self.stamps.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        stamps.iter().filter(|stamp| **stamp != 0).count() as u64
    }

    pub fn take(&self) -> Vec<u64> {
        std::mem::take(&mut *self.stamps.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// The events of this run: `<run_id>-<seq>`, type `bench.event`, data padded to a size.
pub struct Events {
    pub run_id: String,
    pub client_id: String,
    pad: String,
}

#[derive(Serialize)]
struct OutgoingEvent<'a> {
    event_id: String,
    event_type: &'static str,
    client_id: &'a str,
    data: Data<'a>,
}

#[derive(Serialize)]
pub struct Data<'a> {
    pub seq: u64,
    pub pad: &'a str,
}

impl Events {
    pub fn new(run_id: String, client_id: String, payload_bytes: usize) -> Self {
        // `{"seq":1234567,"pad":""}` is about 24 bytes.
        Self { run_id, client_id, pad: "x".repeat(payload_bytes.saturating_sub(24)) }
    }

    pub fn event_id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.run_id)
    }

    pub fn data(&self, seq: u64) -> Data<'_> {
        Data { seq, pad: &self.pad }
    }

    /// A JSON array of the events `seqs`.
    pub fn batch(&self, seqs: Range<u64>) -> Bytes {
        self.batch_named(seqs, |seq| self.event_id(seq))
    }

    /// A JSON array of warm-up events (`<run_id>-w<n>`), not part of the measurement.
    pub fn warmup_batch(&self, count: u64) -> Bytes {
        self.batch_named(0..count, |seq| format!("{}-{WARMUP}{seq}", self.run_id))
    }

    fn batch_named(&self, seqs: Range<u64>, name: impl Fn(u64) -> String) -> Bytes {
        let events: Vec<OutgoingEvent> = seqs
            .map(|seq| OutgoingEvent {
                event_id: name(seq),
                event_type: "bench.event",
                client_id: &self.client_id,
                data: self.data(seq),
            })
            .collect();
        // One event goes alone, as a source sending events one by one does (`/ingest`).
        match events.as_slice() {
            [event] => serde_json::to_vec(event),
            events => serde_json::to_vec(events),
        }
        .expect("events serialize")
        .into()
    }
}

/// Where batches go: over HTTP, a batch to `batch_url` and a single event (a JSON object) to
/// `single_url`; over NATS, both to the source's subject.
pub enum Door {
    Http { http: reqwest::Client, batch_url: String, single_url: String, api_key: String, secret: String },
    Nats { client: async_nats::Client, subject: String },
}

#[derive(Deserialize)]
struct Results {
    results: Option<Vec<Result1>>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SingleResult {
    duplicate: Option<bool>,
}

#[derive(Deserialize)]
struct Result1 {
    #[serde(default)]
    duplicate: bool,
}

impl Door {
    /// Sends one batch; `Ok(n)`: accepted, `n` of them flagged duplicate.
    async fn send(&self, body: &Bytes, count: usize) -> Result<u64, String> {
        let payload = match self {
            Door::Http { http, batch_url, single_url, api_key, secret } => {
                let url = if count == 1 { single_url } else { batch_url };
                let signature = source_auth::sign(secret, body);
                let response = http
                    .post(url)
                    .bearer_auth(api_key)
                    .header("content-type", "application/json")
                    .header("x-source-signature", signature)
                    .header("x-source-timestamp", unix_now().to_string())
                    .body(body.clone())
                    .timeout(REQUEST_TIMEOUT)
                    .send()
                    .await
                    .map_err(|error| format!("POST {url}: {error}"))?;
                let status = response.status();
                let payload = response.bytes().await.map_err(|error| format!("POST {url}: {error}"))?;
                if status.as_u16() != 202 {
                    return Err(format!("POST {url} answered {status}: {}", excerpt(&payload)));
                }
                payload
            }
            Door::Nats { client, subject } => {
                let request = client.request(subject.clone(), body.clone());
                match tokio::time::timeout(REQUEST_TIMEOUT, request).await {
                    Ok(Ok(message)) => message.payload,
                    Ok(Err(error)) => return Err(format!("NATS request to {subject}: {error}")),
                    Err(_) => return Err(format!("NATS request to {subject} timed out")),
                }
            }
        };
        if count == 1 && !payload.starts_with(b"{\"results\"") {
            // `/ingest`'s answer: one result, or an error.
            let answer: SingleResult = serde_json::from_slice(&payload)
                .map_err(|error| format!("{error}: {}", excerpt(&payload)))?;
            return match answer.duplicate {
                Some(duplicate) => Ok(u64::from(duplicate)),
                None => Err(format!("ingest refused the event: {}", excerpt(&payload))),
            };
        }
        let answer: Results =
            serde_json::from_slice(&payload).map_err(|error| format!("{error}: {}", excerpt(&payload)))?;
        match (answer.results, answer.error) {
            (Some(results), None) if results.len() == count => {
                Ok(results.iter().filter(|result| result.duplicate).count() as u64)
            }
            (Some(results), None) => Err(format!("{} results for {count} events", results.len())),
            (_, Some(error)) => Err(format!("ingest refused the batch: {error}")),
            (None, None) => Err(format!("unexpected answer: {}", excerpt(&payload))),
        }
    }
}

fn excerpt(payload: &[u8]) -> String {
    String::from_utf8_lossy(&payload[..payload.len().min(300)]).into_owned()
}

/// What the workers did.
#[derive(Default)]
pub struct Outcome {
    pub batches: u64,
    pub events_accepted: u64,
    pub failed_batches: u64,
    pub retries: u64,
    /// Events ingest said it had already accepted (only after a retried batch).
    pub flagged_duplicates: u64,
    /// Round trip of each accepted request, in microseconds.
    pub request_us: Vec<u64>,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.batches += other.batches;
        self.events_accepted += other.events_accepted;
        self.failed_batches += other.failed_batches;
        self.retries += other.retries;
        self.flagged_duplicates += other.flagged_duplicates;
        self.request_us.extend(other.request_us);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Everything a worker needs.
pub struct Load {
    pub door: Door,
    pub events: Events,
    pub plan: Plan,
    pub accepted: Arc<AcceptLog>,
    pub clock: Clock,
}

/// Sends one batch of `count` warm-up events (connections, consumers and caches get going).
pub async fn warm_up(load: &Load, count: u64) -> anyhow::Result<()> {
    let body = load.events.warmup_batch(count);
    load.door
        .send(&body, count as usize)
        .await
        .map(|_| ())
        .map_err(|error| anyhow::anyhow!("the warm-up batch was refused: {error}"))
}

/// Runs `concurrency` workers until the plan is over; returns when the last answer came back.
pub async fn drive(load: Arc<Load>, concurrency: usize) -> Outcome {
    let start = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> =
        (0..concurrency).map(|_| tokio::spawn(worker(load.clone(), next.clone(), start))).collect();
    let mut outcome = Outcome::default();
    for worker in workers {
        match worker.await {
            Ok(done) => outcome.merge(done),
            Err(error) => {
                outcome.first_error.get_or_insert(format!("a load worker failed: {error}"));
            }
        }
    }
    outcome.elapsed = start.elapsed();
    outcome
}

async fn worker(load: Arc<Load>, next: Arc<AtomicU64>, start: Instant) -> Outcome {
    let mut outcome = Outcome::default();
    let size = load.plan.batch_size as u64;
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(due) = load.plan.due(k, start) else { break };
        tokio::time::sleep_until(due.into()).await;
        let seqs = k * size..(k + 1) * size;
        let body = load.events.batch(seqs.clone());
        outcome.batches += 1;
        let mut accepted = false;
        for attempt in 1..=ATTEMPTS {
            let sent = Instant::now();
            match load.door.send(&body, seqs.clone().count()).await {
                Ok(duplicates) => {
                    load.accepted.record(seqs.clone(), load.clock.stamp());
                    outcome.request_us.push(sent.elapsed().as_micros() as u64);
                    outcome.events_accepted += size;
                    outcome.flagged_duplicates += duplicates;
                    accepted = true;
                    break;
                }
                Err(error) => {
                    outcome.first_error.get_or_insert(error);
                    if attempt < ATTEMPTS {
                        outcome.retries += 1;
                        tokio::time::sleep(RETRY_DELAY).await;
                    }
                }
            }
        }
        if !accepted {
            outcome.failed_batches += 1;
        }
    }
    outcome
}
