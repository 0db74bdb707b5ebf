//! The history writer: the hub's attempt records, from JetStream into the history store.
//!
//! Why it is its own service (`edgehook history`, also run inside `edgehook up`): relays keep
//! publishing records to JetStream, which works while a region is cut off from the hub and
//! while the database is away; the writer drains the hub's ATTEMPTS stream through its durable
//! consumer ([`edgehook_nats::history_feed`]) at the database's pace.
//!
//! A batch is what the consumer has ready (at most [`BATCH_MESSAGES`] messages, each a batch of
//! one webhook's records). Its records are inserted in one transaction, and only after the
//! commit are its messages acknowledged: a writer killed in between leaves them to be delivered
//! again, and the store's idempotent insert (message, webhook, attempt) adds no row twice. When
//! the store fails, the batch is nak'ed with a delay that doubles up to [`MAX_BACKOFF`] and the
//! writer waits as long before it takes more, so a database outage makes no redelivery storm. A
//! message that is not a record is terminated (logged), never retried. A record already older
//! than the retention is acknowledged without being stored.
//!
//! Retention runs beside it: every [`RETENTION_EVERY`], attempts older than
//! [`WriterConfig::retention`] (default 30 days) are removed (whole day partitions in
//! PostgreSQL, batched deletes in SQLite).
//!
//! Metrics: `edgehook_history_records_written_total`, `edgehook_history_write_failures_total`,
//! `edgehook_history_retention_runs_total`,
//! and every [`LAG_EVERY`] the consumer's `edgehook_history_pending_messages`,
//! `edgehook_history_ack_pending_messages` and `edgehook_history_oldest_pending_age_seconds`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::PullConsumer, message::Message};
use edgehook_nats::{attempt_log, history_feed};
use futures::StreamExt;

use crate::store::{HistoryStore, StoreError};

/// Messages taken in one batch (the consumer lets no more be outstanding).
pub const BATCH_MESSAGES: usize = history_feed::MAX_ACK_PENDING as usize;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How often the writer's lag is measured.
pub const LAG_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    #[error(transparent)]
    Feed(#[from] history_feed::FeedError),
    #[error("pulling attempt records: {0}")]
    Pull(#[source] async_nats::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the writer keeps the store.
#[derive(Clone, Copy, Debug)]
pub struct WriterConfig {
    /// Attempts older than this are removed ([`HistoryStore::expire`]), checked every
    /// [`RETENTION_EVERY`].
    pub retention: Duration,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self { retention: DEFAULT_RETENTION }
    }
}

/// 30 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
pub const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// Drains ATTEMPTS into `store` until `shutdown` completes, and applies retention. Waits while
/// the hub's ATTEMPTS stream does not exist yet (the control plane declares it).
pub async fn run(
    jetstream: jetstream::Context,
    store: Arc<HistoryStore>,
    config: WriterConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), WriterError> {
    tokio::pin!(shutdown);
    // Counters of rare events exist from the start (at 0), so alerts and dashboards see them
    // before the first one happens.
    metrics::counter!("edgehook_history_write_failures_total").increment(0);
    metrics::counter!("edgehook_history_records_written_total").increment(0);
    let _retention = AbortOnDrop(tokio::spawn(retention(store.clone(), config.retention)));
    let consumer = tokio::select! {
        consumer = feed(&jetstream) => consumer,
        () = &mut shutdown => return Ok(()),
    };
    let _lag = AbortOnDrop(tokio::spawn(report_lag(jetstream.clone(), consumer.clone())));
    if let Err(error) = store.prepare_days(edgehook_domain::now()).await {
        tracing::warn!(%error, "preparing today's history partitions; the first insert tries again");
    }
    let messages = consumer
        .stream()
        .max_messages_per_batch(BATCH_MESSAGES)
        .messages()
        .await
        .map_err(|e| WriterError::Pull(e.into()))?;
    let mut batches = messages.ready_chunks(BATCH_MESSAGES);
    let mut writer = Writer { store, retention: config.retention, backoff: FIRST_BACKOFF };
    tracing::info!(consumer = history_feed::HISTORY_WRITER_CONSUMER, "history writer running");
    loop {
        let batch = tokio::select! {
            batch = batches.next() => batch,
            () = &mut shutdown => return Ok(()),
        };
        let Some(batch) = batch else {
            return Err(WriterError::Pull("the consumer's messages ended".into()));
        };
        let messages: Vec<Message> = batch
            .into_iter()
            .filter_map(|message| {
                message.map_err(|error| tracing::warn!(%error, "pulling attempt records")).ok()
            })
            .collect();
        writer.write(messages).await;
    }
}

/// The writer's consumer, once ATTEMPTS exists.
async fn feed(jetstream: &jetstream::Context) -> PullConsumer {
    let mut wait = FIRST_BACKOFF;
    loop {
        match history_feed::consumer(jetstream).await {
            Ok(consumer) => return consumer,
            Err(error) => {
                tracing::warn!(%error, retry_in = ?wait, "the history writer waits for the hub's ATTEMPTS stream");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_BACKOFF);
            }
        }
    }
}

struct Writer {
    store: Arc<HistoryStore>,
    /// Records older than this are acknowledged without being stored: retention would remove
    /// them within the hour, after making their day's partition again.
    retention: Duration,
    /// How long the next failure makes the batch and the writer wait.
    backoff: Duration,
}

impl Writer {
    async fn write(&mut self, messages: Vec<Message>) {
        let mut records = Vec::new();
        let mut carried = Vec::with_capacity(messages.len());
        for message in messages {
            match attempt_log::decode(&message.payload) {
                Ok(batch) => {
                    records.extend(batch);
                    carried.push(message);
                }
                Err(error) => {
                    tracing::error!(subject = %message.subject, %error, "not an attempt record; dropped from the history feed");
                    acknowledge(&message, AckKind::Term).await;
                }
            }
        }
        let cutoff = edgehook_domain::now() - self.retention;
        let before = records.len();
        records.retain(|record| record.attempted_at >= cutoff);
        if records.len() < before {
            tracing::debug!(
                expired = before - records.len(),
                "attempt records older than the retention not stored"
            );
        }
        match self.store.insert(&records).await {
            Ok(inserted) => {
                metrics::counter!("edgehook_history_records_written_total").increment(inserted);
                self.backoff = FIRST_BACKOFF;
                for message in &carried {
                    acknowledge(message, AckKind::Ack).await;
                }
            }
            Err(error) => {
                metrics::counter!("edgehook_history_write_failures_total").increment(1);
                tracing::error!(%error, records = records.len(), retry_in = ?self.backoff, "attempt records not stored; they come back");
                for message in &carried {
                    acknowledge(message, AckKind::Nak(Some(self.backoff))).await;
                }
                tokio::time::sleep(self.backoff).await;
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// Removes what is older than `keep`, now and every [`RETENTION_EVERY`].
async fn retention(store: Arc<HistoryStore>, keep: Duration) {
    let expired_total = metrics::counter!("edgehook_history_retention_runs_total");
    loop {
        let cutoff = edgehook_domain::now() - keep;
        match store.expire(cutoff).await {
            Ok(expired) => {
                expired_total.increment(1);
                if expired != Default::default() {
                    tracing::info!(?expired, %cutoff, "history retention removed old attempts");
                }
            }
            Err(error) => tracing::warn!(%error, "history retention failed; trying again later"),
        }
        tokio::time::sleep(RETENTION_EVERY).await;
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An ack that is lost is harmless: the message comes back and adds no row.
async fn acknowledge(message: &Message, kind: AckKind) {
    if let Err(error) = message.ack_with(kind).await {
        tracing::warn!(%error, "acknowledging an attempt log message failed; it will come back");
    }
}

/// The writer's lag as gauges: messages not delivered to it yet, delivered but not
/// acknowledged, and how long ago the oldest record not yet stored was published
/// ([`history_feed::oldest_pending_age`], which `edgehook status` shows too; 0 when nothing
/// waits).
async fn report_lag(jetstream: jetstream::Context, mut consumer: PullConsumer) {
    let pending = metrics::gauge!("edgehook_history_pending_messages");
    let ack_pending = metrics::gauge!("edgehook_history_ack_pending_messages");
    let oldest = metrics::gauge!("edgehook_history_oldest_pending_age_seconds");
    loop {
        match consumer.info().await {
            Ok(info) => {
                pending.set(info.num_pending as f64);
                ack_pending.set(info.num_ack_pending as f64);
                match history_feed::oldest_pending_age(&jetstream, info).await {
                    Ok(age) => oldest.set(age.as_seconds_f64()),
                    Err(error) => tracing::debug!(%error, "reading the oldest record not stored yet"),
                }
            }
            Err(error) => tracing::debug!(%error, "reading the history writer's lag"),
        }
        tokio::time::sleep(LAG_EVERY).await;
    }
}
