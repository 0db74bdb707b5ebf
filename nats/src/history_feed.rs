//! The history writer's feeds: the durable consumers on the hub's ATTEMPTS stream (attempt
//! records) and EVENTS stream (accepted events) that the history writer (`edgehook-history`)
//! reads to fill the history store.
//!
//! Why a durable consumer with explicit acks: the writer acknowledges a message only after the
//! records it carries are committed to the store, so a writer killed mid-batch leaves its
//! messages to be delivered again (the store ignores a record it already has). It starts from
//! the stream's first message, so history recorded before the writer existed is stored too.
//! What may be outstanding is bounded ([`MAX_ACK_PENDING`] messages of at most a batch of
//! records each), so a writer's memory is too; it is room for a few of the writer's batches at
//! once (it writes them in parallel). The consumer is created or updated at every start, so an
//! existing one takes a changed bound.
//!
//! The writer's lag is measured here ([`oldest_pending_age`], [`lag`]) because two places show
//! it and must agree: the writer's own gauges and `edgehook status`, which reads it without the
//! writer (and creates nothing, so it can tell that the writer never started).

use std::time::Duration;

use async_nats::jetstream::context::ConsumerInfoErrorKind;
use async_nats::jetstream::{self, consumer};

use crate::streams::{ATTEMPTS, EVENTS};

pub const HISTORY_WRITER_CONSUMER: &str = "history-writer";
/// Messages delivered to the writer and not yet acknowledged: its batches in flight.
pub const MAX_ACK_PENDING: i64 = 2048;
/// Longer than a batch's commit takes, even a slow one (512 messages of up to 512 records: about
/// 6 s at 43,000 records/s); also how long a killed writer's batch waits to be delivered again.
pub const ACK_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
#[error("the history writer's consumer: {0}")]
pub struct FeedError(#[source] async_nats::Error);

pub fn history_writer_consumer() -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(HISTORY_WRITER_CONSUMER.to_owned()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: ACK_WAIT,
        max_ack_pending: MAX_ACK_PENDING,
        deliver_policy: consumer::DeliverPolicy::All,
        ..Default::default()
    }
}

/// The writer's consumer, created if missing or updated to [`history_writer_consumer`] (an
/// existing one keeps its position).
pub async fn consumer(jetstream: &jetstream::Context) -> Result<consumer::PullConsumer, FeedError> {
    let stream = jetstream.get_stream_no_info(ATTEMPTS).await.map_err(|e| FeedError(e.into()))?;
    stream.create_consumer(history_writer_consumer()).await.map_err(|e| FeedError(e.into()))
}

/// The writer's consumer on the hub's EVENTS: the accepted events, into the store's events
/// table (listing, resend, expunge). Acknowledged after commit like the attempt records; the
/// router's own consumer on EVENTS is unaffected (EVENTS keeps messages by age, not interest).
pub const HISTORY_EVENTS_CONSUMER: &str = "history-events";

pub fn history_events_consumer() -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(HISTORY_EVENTS_CONSUMER.to_owned()),
        ..history_writer_consumer()
    }
}

/// The writer's consumer on EVENTS, created if missing or updated (keeping its position).
pub async fn events_consumer(jetstream: &jetstream::Context) -> Result<consumer::PullConsumer, FeedError> {
    let stream = jetstream.get_stream_no_info(EVENTS).await.map_err(|e| FeedError(e.into()))?;
    stream.create_consumer(history_events_consumer()).await.map_err(|e| FeedError(e.into()))
}

/// How far the writer is behind, as its consumer says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lag {
    /// Messages (each a batch of one webhook's records) not delivered to the writer yet.
    pub pending: u64,
    /// Messages delivered to the writer and not acknowledged yet (not committed to the store).
    pub ack_pending: usize,
    /// How long ago the oldest message not yet stored was published; zero when nothing waits.
    pub oldest_age: time::Duration,
}

/// The writer's lag, read without touching its consumer; `None` when the consumer does not exist
/// (no writer ever started against this hub, or ATTEMPTS does not exist yet).
pub async fn lag(jetstream: &jetstream::Context) -> Result<Option<Lag>, FeedError> {
    let stream = jetstream.get_stream_no_info(ATTEMPTS).await.map_err(|e| FeedError(e.into()))?;
    let info = match stream.consumer_info(HISTORY_WRITER_CONSUMER).await {
        Ok(info) => info,
        Err(error) => {
            use ConsumerInfoErrorKind::{NotFound, StreamNotFound};
            return match error.kind() {
                NotFound | StreamNotFound => Ok(None),
                _ => Err(FeedError(error.into())),
            };
        }
    };
    let oldest_age = oldest_pending_age(jetstream, &info).await?;
    Ok(Some(Lag { pending: info.num_pending, ack_pending: info.num_ack_pending, oldest_age }))
}

/// How long ago the oldest record not yet stored was published: the first message after the
/// consumer's ack floor (the next one still in the stream, should retention have removed it);
/// zero when nothing waits.
pub async fn oldest_pending_age(
    jetstream: &jetstream::Context,
    info: &consumer::Info,
) -> Result<time::Duration, FeedError> {
    if info.num_pending == 0 && info.num_ack_pending == 0 {
        return Ok(time::Duration::ZERO);
    }
    let next = info.ack_floor.stream_sequence + 1;
    let stream = jetstream.get_stream_no_info(ATTEMPTS).await.map_err(|e| FeedError(e.into()))?;
    let message =
        stream.get_first_raw_message_by_subject(">", next).await.map_err(|e| FeedError(e.into()))?;
    Ok((edgehook_domain::now() - message.time).max(time::Duration::ZERO))
}
