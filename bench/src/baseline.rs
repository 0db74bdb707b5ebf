//! `edgehook bench baseline`: the bound edgehook is measured against. No deployment: a plain HTTP
//! client (reqwest, as the relay uses) in this process sends signed deliveries, shaped like the
//! relay's, straight to the same receiver over the same loopback, `--concurrency` in flight
//! (default 256, the relay's default). Latency is from sending a request to its arrival.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use edgehook_security::signatures::{self, Scheme, SigningKey};
use serde::Serialize;

use super::deployment::{self, Process, Window};
use super::driver::{AcceptLog, Data, Events, Outcome, Pace, Plan};
use super::receiver::{Receiver, unix_now};
use super::report::{self, Inputs};
use super::scenarios::{drain, http_client};
use super::{Clock, MAX_PAIRS, Settings, progress};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The body the relay sends (`Event::delivery_body`).
#[derive(Serialize)]
struct DeliveryBody<'a> {
    event_id: String,
    event_type: &'static str,
    timestamp: &'static str,
    version: &'static str,
    data: Data<'a>,
}

struct Client {
    http: reqwest::Client,
    urls: Vec<String>,
    keys: Vec<SigningKey>,
    events: Events,
    plan: Plan,
    accepted: Arc<AcceptLog>,
    clock: Clock,
}

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let run_id = format!("b{:08x}", rand::random::<u32>());
    let clock = Clock(Instant::now());
    let receiver = Receiver::start(&settings.behaviors, &run_id, clock).await?;
    let secrets: Vec<String> =
        settings.behaviors.iter().map(|_| signatures::generate(Scheme::HmacSha256)).collect();
    receiver.set_secrets(&secrets)?;
    let keys = secrets
        .iter()
        .map(|secret| SigningKey::from_secret(secret))
        .collect::<Result<Vec<_>, _>>()
        .context("a generated signing secret")?;
    let webhooks = settings.behaviors.len();
    let accepted = Arc::new(AcceptLog::default());
    // One unit of the plan is one delivery; an event goes to every endpoint.
    let pace = match settings.pace {
        Pace::Rate(rate) => Pace::Rate(rate * webhooks as f64),
        pace => pace,
    };
    let client = Arc::new(Client {
        http: http_client(settings.concurrency)?,
        urls: (0..webhooks).map(|index| receiver.url(index)).collect(),
        keys,
        events: Events::new(run_id, "baseline".to_owned(), settings.payload_bytes),
        plan: Plan { pace, batch_size: 1, duration: settings.duration, max_events: MAX_PAIRS },
        accepted: accepted.clone(),
        clock,
    });
    let load_average_before = deployment::load_average();
    let window = Window::open(vec![Process { label: "bench".to_owned(), pid: std::process::id() }]);
    progress(format_args!("baseline: direct deliveries for {:.0} s", settings.duration.as_secs_f64()));
    let drive_start = clock.stamp();
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..settings.concurrency)
        .map(|_| tokio::spawn(worker(client.clone(), next.clone(), started)))
        .collect();
    let mut outcome = Outcome::default();
    for worker in workers {
        let done = worker.await.unwrap_or_default();
        outcome.batches += done.batches;
        outcome.failed_batches += done.failed_batches;
        outcome.request_us.extend(done.request_us);
        if outcome.first_error.is_none() {
            outcome.first_error = done.first_error;
        }
    }
    outcome.elapsed = started.elapsed();
    let drive_end = clock.stamp();
    // Every answered request was recorded before it was answered; this only waits for failures.
    let expected = accepted.accepted();
    let complete = drain(&receiver, &settings.behaviors, expected, Duration::from_secs(5)).await;
    let drain_end = clock.stamp();
    let usage = window.close();
    let load_average_after = deployment::load_average();
    if !complete {
        progress("some deliveries did not arrive");
    }
    receiver.stop();
    let accepted = accepted.take();
    if let Some(path) = &settings.dump_csv {
        report::dump_csv(path, &accepted, receiver.endpoints())?;
    }
    outcome.events_accepted = accepted.iter().filter(|stamp| **stamp != 0).count() as u64;
    let report = report::build(Inputs {
        settings,
        accepted: &accepted,
        endpoints: receiver.endpoints(),
        stray_requests: receiver.stray(),
        driver: &outcome,
        drive_start,
        drive_end,
        drain_end,
        usage,
        load_average_before,
        load_average_after,
    });
    report.print(settings.json)?;
    report.verdict()
}

async fn worker(client: Arc<Client>, next: Arc<AtomicU64>, start: Instant) -> Outcome {
    let mut outcome = Outcome::default();
    let webhooks = client.urls.len() as u64;
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(due) = client.plan.due(k, start) else { break };
        tokio::time::sleep_until(due.into()).await;
        let (seq, index) = (k / webhooks, (k % webhooks) as usize);
        outcome.batches += 1;
        let body = serde_json::to_vec(&DeliveryBody {
            event_id: client.events.event_id(seq),
            event_type: "bench.event",
            timestamp: "2026-01-01T00:00:00Z",
            version: "1.0",
            data: client.events.data(seq),
        })
        .expect("a delivery serializes");
        let message_id = format!("msg_{}_{seq}", client.events.run_id);
        let timestamp = unix_now();
        let signature = client.keys[index].sign(&message_id, timestamp, &body);
        let sent = Instant::now();
        client.accepted.record(seq..seq + 1, client.clock.stamp_of(sent));
        let answer = client
            .http
            .post(&client.urls[index])
            .header("content-type", "application/json")
            .header("webhook-id", message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => {
                // Read the (empty) body so the connection is reused, as the relay does.
                let _ = response.bytes().await;
                outcome.request_us.push(sent.elapsed().as_micros() as u64);
            }
            Ok(response) => {
                outcome.failed_batches += 1;
                outcome.first_error.get_or_insert(format!("the receiver answered {}", response.status()));
            }
            Err(error) => {
                outcome.failed_batches += 1;
                outcome.first_error.get_or_insert(error.to_string());
            }
        }
    }
    outcome
}
