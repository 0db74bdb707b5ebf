//! Recording: every attempt to the region's ATT stream, every give-up to its DLQ stream, each
//! acknowledged by JetStream before the delivery task itself is acknowledged. The hub sources
//! both, so its history covers every region, and a region records while the hub is away.
//!
//! Why attempts are batched: a JetStream write per attempt was a fifth of the writes per
//! delivered event, and a subject per event made nats-server's memory grow with the history
//! kept. Records go to one subject per webhook ([`subjects::attempt`]), and the records of one
//! webhook made within [`LINGER`] are packed into one message ([`attempt_log::encode`]). A
//! caller of [`Recorder::attempt`] still waits until its record's message is stored, so a task
//! is never acknowledged before its attempt is recorded. What waits is bounded: the queue
//! ([`QUEUE`]), a batch ([`MAX_RECORDS`], [`MAX_BYTES`] per message) and the batches awaiting
//! JetStream's ack ([`IN_FLIGHT`]); a full queue makes callers wait, never grows.
//!
//! Dead letters stay one to a message: redrive deletes a dead letter by its stream sequence.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use edgehook_domain::delivery::{AttemptRecord, DeadLetter};
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_nats::{attempt_log, subjects};
use tokio::sync::{Semaphore, mpsc, oneshot};

/// How long the first record of a batch waits for others.
pub const LINGER: Duration = Duration::from_millis(3);
/// Records waiting for a batch; callers wait when it is full.
pub const QUEUE: usize = 4096;
/// Records in one batch (all webhooks).
pub const MAX_RECORDS: usize = 512;
/// Bytes of records in one message (the servers' max_payload is 2 MB).
pub const MAX_BYTES: usize = 256 * 1024;
/// Batches published and awaiting JetStream's acks.
pub const IN_FLIGHT: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("storing in JetStream: {0}")]
    Publish(#[source] async_nats::Error),
    #[error("the recorder stopped")]
    Stopped,
}

struct Pending {
    client_id: ClientId,
    webhook_id: WebhookId,
    /// The record as JSON (serialized by the caller's task, not the batcher).
    json: Vec<u8>,
    stored: oneshot::Sender<Result<(), Arc<RecordError>>>,
}

#[derive(Clone)]
pub struct Recorder {
    jetstream: jetstream::Context,
    region: String,
    attempts: mpsc::Sender<Pending>,
}

impl Recorder {
    /// Starts the batcher (on the current runtime); it ends when every clone is dropped.
    pub fn new(jetstream: jetstream::Context, region: String) -> Self {
        let (attempts, queue) = mpsc::channel(QUEUE);
        tokio::spawn(batch(jetstream.clone(), region.clone(), queue));
        Self { jetstream, region, attempts }
    }

    /// Returns once `record` is stored (in a batch of its webhook's records).
    pub async fn attempt(&self, record: &AttemptRecord) -> Result<(), Arc<RecordError>> {
        let (stored, outcome) = oneshot::channel();
        let pending = Pending {
            client_id: record.client_id.clone(),
            webhook_id: record.webhook_id.clone(),
            json: serde_json::to_vec(record).expect("attempt records serialize"),
            stored,
        };
        self.attempts.send(pending).await.map_err(|_| Arc::new(RecordError::Stopped))?;
        outcome.await.map_err(|_| Arc::new(RecordError::Stopped))?
    }

    pub async fn dead_letter(&self, letter: &DeadLetter) -> Result<(), RecordError> {
        store_dead_letter(&self.jetstream, &self.region, letter).await
    }
}

/// Stores `letter` on its webhook's dead-letter subject of `region`, naming its event in the
/// expunge header; returns once JetStream has it. Every delivery given up is stored here: by a
/// relay's [`Recorder`], and by the control plane's poll endpoints.
pub async fn store_dead_letter(
    jetstream: &jetstream::Context,
    region: &str,
    letter: &DeadLetter,
) -> Result<(), RecordError> {
    let subject = subjects::dead_letter(region, &letter.task.event.client_id, &letter.task.webhook_id);
    let headers = edgehook_nats::expunge::event_headers(&letter.task.event);
    let payload = serde_json::to_vec(letter).expect("dead letters serialize");
    let ack = jetstream
        .publish_with_headers(subject, headers, payload.into())
        .await
        .map_err(|e| RecordError::Publish(e.into()))?;
    ack.await.map_err(|e| RecordError::Publish(e.into()))?;
    Ok(())
}

/// Takes records off the queue, a batch at a time, and stores each batch as one message per
/// webhook.
async fn batch(jetstream: jetstream::Context, region: String, mut queue: mpsc::Receiver<Pending>) {
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + LINGER;
        while batch.len() < MAX_RECORDS {
            match tokio::time::timeout_at(deadline, queue.recv()).await {
                Ok(Some(pending)) => batch.push(pending),
                Ok(None) | Err(_) => break,
            }
        }
        let permit = in_flight.clone().acquire_owned().await.expect("the semaphore is never closed");
        let mut acks = Vec::new();
        for (subject, group) in by_webhook(&region, batch) {
            for chunk in chunks(group) {
                let payload = attempt_log::join(chunk.iter().map(|pending| pending.json.as_slice()));
                let published = jetstream.publish(subject.clone(), payload.into()).await;
                acks.push((published, chunk));
            }
        }
        tokio::spawn(async move {
            for (published, chunk) in acks {
                let outcome = match published {
                    Ok(ack) => ack.await.map(|_| ()).map_err(|e| Arc::new(RecordError::Publish(e.into()))),
                    Err(e) => Err(Arc::new(RecordError::Publish(e.into()))),
                };
                for pending in chunk {
                    let _ = pending.stored.send(outcome.clone());
                }
            }
            drop(permit);
        });
    }
}

/// The batch's records per webhook subject, each in the order they came.
fn by_webhook(region: &str, batch: Vec<Pending>) -> BTreeMap<String, Vec<Pending>> {
    let mut groups: BTreeMap<String, Vec<Pending>> = BTreeMap::new();
    for pending in batch {
        let subject = subjects::attempt(region, &pending.client_id, &pending.webhook_id);
        groups.entry(subject).or_default().push(pending);
    }
    groups
}

/// A webhook's records cut into messages of at most [`MAX_BYTES`] (a record alone may exceed
/// it; it then goes alone).
fn chunks(group: Vec<Pending>) -> Vec<Vec<Pending>> {
    let mut chunks = Vec::new();
    let (mut chunk, mut bytes) = (Vec::new(), 0);
    for pending in group {
        let size = pending.json.len() + 1;
        if !chunk.is_empty() && bytes + size > MAX_BYTES {
            chunks.push(std::mem::take(&mut chunk));
            bytes = 0;
        }
        bytes += size;
        chunk.push(pending);
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}
