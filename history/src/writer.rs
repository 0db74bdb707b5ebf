//! The history writer: the hub's attempt records and accepted events, from JetStream into the
//! history store.
//!
//! Why it is its own service (`edgehook history`, also run inside `edgehook up`): relays keep
//! publishing records to JetStream, which works while a region is cut off from the hub and
//! while the database is away; the writer drains the hub's ATTEMPTS stream through its durable
//! consumer ([`edgehook_nats::history_feed`]) at the database's pace, and EVENTS through another
//! into the events table ([`crate::events`]). Both feeds are the same loop over a [`Ledger`]
//! (what a message decodes into, where it is inserted, which counter counts it).
//!
//! A batch is what the consumer delivers within [`LINGER`] of its first message (at most
//! [`BATCH_MESSAGES`] messages, each a batch of
//! one webhook's records). Its records are inserted ([`HistoryStore::insert`]), and only after
//! the commit are its messages acknowledged: a writer killed in between leaves them to be
//! delivered again, and the store's idempotent insert (message, webhook, attempt) adds no row
//! twice. Up to [`BATCHES_IN_FLIGHT`] batches are written at once: one batch's commit no longer
//! stalls the next one's pull and decoding, and the database's index upkeep runs on more than
//! one core (the consumer's ack-pending bound leaves room for them). When the store fails, the
//! batch is nak'ed with a delay that doubles up to [`MAX_BACKOFF`] and its slot waits as long
//! before it takes more, so a database outage makes no redelivery storm. A
//! message that is not a record is terminated (logged), never retried. A record already older
//! than the retention is acknowledged without being stored.
//!
//! Retention runs beside it: every [`RETENTION_EVERY`], attempts older than
//! [`WriterConfig::retention`] (default 30 days) are removed (whole day partitions in
//! PostgreSQL, batched deletes in SQLite), events older than [`WriterConfig::event_retention`]
//! (7) likewise. Then each client's own shorter retention (`retention` in its record,
//! `edgehook_domain::client::Retention`): the pass reads the `clients` bucket afresh (keys, then
//! each value; nothing cached between passes, so a change applies at the next pass and a client
//! deleted is forgotten) and deletes that client's older attempts and events in batches
//! ([`HistoryStore::expire_client`]). The deployment's values are the ceiling: a client's longer
//! ones change nothing.
//!
//! Metrics: `edgehook_history_records_written_total`, `edgehook_history_write_failures_total`,
//! `edgehook_history_retention_runs_total`,
//! and every [`LAG_EVERY`] the consumer's `edgehook_history_pending_messages`,
//! `edgehook_history_ack_pending_messages` and `edgehook_history_oldest_pending_age_seconds`.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::PullConsumer, message::Message};
use edgehook_nats::{attempt_log, history_feed};
use futures::StreamExt;
use futures::stream::FuturesUnordered;

use edgehook_domain::client::Client;
use edgehook_domain::delivery::AttemptRecord;
use edgehook_domain::event::Event;
use edgehook_nats::streams::CLIENTS_BUCKET;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::events::StoredEvent;
use crate::store::{HistoryStore, StoreError};

/// Batches written at once.
pub const BATCHES_IN_FLIGHT: usize = 4;
/// Messages taken in one batch (the consumer lets [`BATCHES_IN_FLIGHT`] of them be outstanding).
pub const BATCH_MESSAGES: usize = history_feed::MAX_ACK_PENDING as usize / BATCHES_IN_FLIGHT;
/// How long a batch waits for more messages once it has one. At a moderate rate a batch would
/// otherwise be one message, each its own transaction (measured at 500 events/s: a quarter of
/// `edgehook up`'s CPU was the embedded store's transactions and their thread hops); history a
/// tenth of a second later costs nothing.
pub const LINGER: Duration = Duration::from_millis(100);
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
    #[error("reading the clients bucket: {0}")]
    Clients(#[source] async_nats::Error),
}

/// How the writer keeps the store.
#[derive(Clone, Copy, Debug)]
pub struct WriterConfig {
    /// Attempts older than this are removed ([`HistoryStore::expire`]), checked every
    /// [`RETENTION_EVERY`].
    pub retention: Duration,
    /// Events (their payloads) accepted longer ago than this are removed
    /// ([`HistoryStore::expire_events`]); their attempts stay for `retention`.
    pub event_retention: Duration,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self { retention: DEFAULT_RETENTION, event_retention: DEFAULT_EVENT_RETENTION }
    }
}

/// 7 days.
pub const DEFAULT_EVENT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

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
    metrics::counter!(Attempts::WRITTEN).increment(0);
    metrics::counter!(Events::WRITTEN).increment(0);
    let _retention = AbortOnDrop(tokio::spawn(retention(jetstream.clone(), store.clone(), config)));
    let consumer = tokio::select! {
        consumer = feed::<Attempts>(&jetstream) => consumer,
        () = &mut shutdown => return Ok(()),
    };
    let _lag = AbortOnDrop(tokio::spawn(report_lag(jetstream.clone(), consumer.clone())));
    if let Err(error) = store.prepare_days(edgehook_domain::now()).await {
        tracing::warn!(%error, "preparing today's history partitions; the first insert tries again");
    }
    let (stop, stopped) = watch::channel(false);
    let attempts = drain::<Attempts>(consumer, Writer::new(store.clone(), config.retention), stopped.clone());
    let events = async {
        // Stopping while EVENTS does not exist yet (a hub without it) ends the wait too.
        let mut stopping = stopped.clone();
        let consumer = tokio::select! {
            consumer = feed::<Events>(&jetstream) => consumer,
            _ = stopping.wait_for(|stop| *stop) => return Ok(()),
        };
        drain::<Events>(consumer, Writer::new(store, config.event_retention), stopped).await
    };
    let drains = async { tokio::try_join!(attempts, events).map(|_| ()) };
    tokio::pin!(drains);
    tokio::select! {
        result = &mut drains => result,
        () = &mut shutdown => {
            let _ = stop.send(true);
            drains.await
        }
    }
}

/// Writes what `consumer` delivers, [`BATCHES_IN_FLIGHT`] batches at once, until `stopped`.
async fn drain<L: Ledger>(
    consumer: PullConsumer,
    writer: Writer<L>,
    mut stopped: watch::Receiver<bool>,
) -> Result<(), WriterError> {
    let messages = consumer
        .stream()
        .max_messages_per_batch(BATCH_MESSAGES)
        .messages()
        .await
        .map_err(|e| WriterError::Pull(e.into()))?;
    let batches = tokio_stream::StreamExt::chunks_timeout(messages, BATCH_MESSAGES, LINGER);
    tokio::pin!(batches);
    let mut in_flight = FuturesUnordered::new();
    tracing::info!(what = L::WHAT, "history writer running");
    loop {
        // The arm of `stopped` only says so: what `wait_for` returns may not be held across the
        // wait below (a lock guard, not Send).
        let batch = tokio::select! {
            batch = batches.next(), if in_flight.len() < BATCHES_IN_FLIGHT => Some(batch),
            Some(()) = in_flight.next() => continue,
            _ = stopped.wait_for(|stop| *stop) => None,
        };
        let Some(batch) = batch else {
            // What is being written finishes (or comes back after the ack wait if it takes
            // longer than this).
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, in_flight.collect::<Vec<()>>()).await;
            return Ok(());
        };
        let Some(batch) = batch else {
            return Err(WriterError::Pull("the consumer's messages ended".into()));
        };
        let messages: Vec<Message> = batch
            .into_iter()
            .filter_map(|message| {
                message
                    .map_err(|error| tracing::warn!(%error, what = L::WHAT, "pulling the history feed"))
                    .ok()
            })
            .collect();
        in_flight.push(writer.write(messages));
    }
}

/// How long a stopping writer lets its batches in flight finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The writer's consumer of `L`, once its stream exists.
async fn feed<L: Ledger>(jetstream: &jetstream::Context) -> PullConsumer {
    let mut wait = FIRST_BACKOFF;
    loop {
        match L::consumer(jetstream).await {
            Ok(consumer) => return consumer,
            Err(error) => {
                tracing::warn!(%error, retry_in = ?wait, what = L::WHAT, "the history writer waits for the hub's stream");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// What one of the writer's feeds carries and where it goes in the store.
trait Ledger: Send + Sync + 'static {
    type Row: Send + Sync;
    /// What a row is, in logs.
    const WHAT: &'static str;
    /// The counter of rows stored.
    const WRITTEN: &'static str;
    /// The writer's durable consumer on the stream `Row`s come from.
    fn consumer(
        jetstream: &jetstream::Context,
    ) -> impl Future<Output = Result<PullConsumer, history_feed::FeedError>> + Send;
    fn decode(payload: &[u8]) -> Result<Vec<Self::Row>, String>;
    /// The time retention judges a row by.
    fn time(row: &Self::Row) -> OffsetDateTime;
    fn insert(
        store: &HistoryStore,
        rows: &[Self::Row],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// ATTEMPTS: messages of one webhook's attempt records.
struct Attempts;

impl Ledger for Attempts {
    type Row = AttemptRecord;
    const WHAT: &'static str = "attempt records";
    const WRITTEN: &'static str = "edgehook_history_records_written_total";
    fn consumer(
        jetstream: &jetstream::Context,
    ) -> impl Future<Output = Result<PullConsumer, history_feed::FeedError>> + Send {
        history_feed::consumer(jetstream)
    }
    fn decode(payload: &[u8]) -> Result<Vec<AttemptRecord>, String> {
        attempt_log::decode(payload).map_err(|error| error.to_string())
    }
    fn time(record: &AttemptRecord) -> OffsetDateTime {
        record.attempted_at
    }
    fn insert(
        store: &HistoryStore,
        rows: &[AttemptRecord],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        store.insert(rows)
    }
}

/// EVENTS: one accepted event a message, kept whole (its JSON as ingest stored it).
struct Events;

impl Ledger for Events {
    type Row = StoredEvent;
    const WHAT: &'static str = "events";
    const WRITTEN: &'static str = "edgehook_history_events_written_total";
    fn consumer(
        jetstream: &jetstream::Context,
    ) -> impl Future<Output = Result<PullConsumer, history_feed::FeedError>> + Send {
        history_feed::events_consumer(jetstream)
    }
    fn decode(payload: &[u8]) -> Result<Vec<StoredEvent>, String> {
        let event: Event = serde_json::from_slice(payload).map_err(|error| error.to_string())?;
        let body = std::str::from_utf8(payload).map_err(|error| error.to_string())?.to_owned();
        Ok(vec![StoredEvent {
            accepted_at: event.accepted_at,
            client_id: event.client_id,
            event_id: event.event_id,
            message_id: event.message_id,
            event_type: event.event_type,
            body: Some(body),
        }])
    }
    fn time(event: &StoredEvent) -> OffsetDateTime {
        event.accepted_at
    }
    fn insert(
        store: &HistoryStore,
        rows: &[StoredEvent],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        store.insert_events(rows)
    }
}

struct Writer<L> {
    ledger: PhantomData<L>,
    store: Arc<HistoryStore>,
    /// Records older than this are acknowledged without being stored: retention would remove
    /// them within the hour, after making their day's partition again.
    retention: Duration,
    /// How long the next failure makes the batch and its slot wait.
    backoff: Mutex<Duration>,
}

impl<L: Ledger> Writer<L> {
    fn new(store: Arc<HistoryStore>, retention: Duration) -> Self {
        Self { ledger: PhantomData, store, retention, backoff: Mutex::new(FIRST_BACKOFF) }
    }

    async fn write(&self, messages: Vec<Message>) {
        let mut records = Vec::new();
        let mut carried = Vec::with_capacity(messages.len());
        for message in messages {
            match L::decode(&message.payload) {
                Ok(batch) => {
                    records.extend(batch);
                    carried.push(message);
                }
                Err(error) => {
                    tracing::error!(subject = %message.subject, %error, what = L::WHAT, "not what the feed carries; dropped from it");
                    acknowledge(&message, AckKind::Term).await;
                }
            }
        }
        let cutoff = edgehook_domain::now() - self.retention;
        let before = records.len();
        records.retain(|record| L::time(record) >= cutoff);
        if records.len() < before {
            tracing::debug!(
                expired = before - records.len(),
                what = L::WHAT,
                "older than the retention: not stored"
            );
        }
        match L::insert(&self.store, &records).await {
            Ok(inserted) => {
                metrics::counter!(L::WRITTEN).increment(inserted);
                *self.backoff.lock().expect("backoff lock") = FIRST_BACKOFF;
                for message in &carried {
                    acknowledge(message, AckKind::Ack).await;
                }
            }
            Err(error) => {
                metrics::counter!("edgehook_history_write_failures_total").increment(1);
                let backoff = {
                    let mut backoff = self.backoff.lock().expect("backoff lock");
                    let now = *backoff;
                    *backoff = (now * 2).min(MAX_BACKOFF);
                    now
                };
                tracing::error!(%error, rows = records.len(), what = L::WHAT, retry_in = ?backoff, "not stored; they come back");
                for message in &carried {
                    acknowledge(message, AckKind::Nak(Some(backoff))).await;
                }
                tokio::time::sleep(backoff).await;
            }
        }
    }
}

/// Removes what is older than the retention (the deployment's, then each client's shorter
/// one), now and every [`RETENTION_EVERY`].
async fn retention(jetstream: jetstream::Context, store: Arc<HistoryStore>, config: WriterConfig) {
    let expired_total = metrics::counter!("edgehook_history_retention_runs_total");
    loop {
        let now = edgehook_domain::now();
        let (attempts_cutoff, events_cutoff) = (now - config.retention, now - config.event_retention);
        let pass = async {
            let attempts = store.expire(attempts_cutoff).await?;
            let events = store.expire_events(events_cutoff).await?;
            let expunges = store.expire_expunges(attempts_cutoff).await?;
            Ok::<_, StoreError>((attempts, events, expunges))
        };
        match pass.await {
            Ok((attempts, events, expunges)) => {
                expired_total.increment(1);
                if (attempts, events) != Default::default() || expunges > 0 {
                    tracing::info!(?attempts, ?events, expunges, "history retention removed old rows");
                }
            }
            Err(error) => tracing::warn!(%error, "history retention failed; trying again later"),
        }
        match clients_retention(&jetstream, &store, config, now).await {
            Ok((0, 0)) => {}
            Ok((attempts, events)) => {
                tracing::info!(attempts, events, "clients' own retention removed old rows");
            }
            Err(error) => tracing::warn!(%error, "clients' retention failed; trying again later"),
        }
        tokio::time::sleep(RETENTION_EVERY).await;
    }
}

/// Each client's retention shorter than the deployment's, from the `clients` bucket as it is
/// now: returns the attempts and events removed.
pub async fn clients_retention(
    jetstream: &jetstream::Context,
    store: &HistoryStore,
    config: WriterConfig,
    now: OffsetDateTime,
) -> Result<(u64, u64), WriterError> {
    let bucket = jetstream.get_key_value(CLIENTS_BUCKET).await.map_err(|e| WriterError::Clients(e.into()))?;
    let mut keys = bucket.keys().await.map_err(|e| WriterError::Clients(e.into()))?;
    let (mut attempts, mut events) = (0, 0);
    while let Some(key) = keys.next().await {
        let key = key.map_err(|e| WriterError::Clients(e.into()))?;
        let Some(value) = bucket.get(&key).await.map_err(|e| WriterError::Clients(e.into()))? else {
            continue; // deleted since the keys were listed
        };
        let client: Client = match serde_json::from_slice(&value) {
            Ok(client) => client,
            Err(error) => {
                tracing::warn!(%key, %error, "a client record that does not read; its retention is skipped");
                continue;
            }
        };
        if let Some(keep) = client.retention.attempts_within(config.retention) {
            attempts += store.expire_client(&client.id, now - keep).await?;
        }
        if let Some(keep) = client.retention.events_within(config.event_retention) {
            events += store.expire_client_events(&client.id, now - keep).await?;
        }
    }
    Ok((attempts, events))
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
