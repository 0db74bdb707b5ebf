//! The history writer's feed: the durable consumer on the hub's ATTEMPTS stream that the history
//! writer (`edgehook-history`) reads to fill the history store.
//!
//! Why a durable consumer with explicit acks: the writer acknowledges a message only after the
//! records it carries are committed to the store, so a writer killed mid-batch leaves its
//! messages to be delivered again (the store ignores a record it already has). It starts from
//! the stream's first message, so history recorded before the writer existed is stored too.
//! What may be outstanding is bounded ([`MAX_ACK_PENDING`] messages of at most a batch of
//! records each), so a writer's memory is too.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};

use crate::streams::ATTEMPTS;

pub const HISTORY_WRITER_CONSUMER: &str = "history-writer";
/// Messages delivered to the writer and not yet acknowledged.
pub const MAX_ACK_PENDING: i64 = 512;
/// Longer than a batch's commit takes, even a slow one (512 messages of up to 512 records: about
/// 6 s at 43,000 records/s); also how long a killed writer's batch waits to be delivered again.
pub const ACK_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
#[error("the history writer's consumer on {ATTEMPTS}: {0}")]
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

/// The writer's consumer, created if missing (an existing one keeps its position).
pub async fn consumer(jetstream: &jetstream::Context) -> Result<consumer::PullConsumer, FeedError> {
    let stream = jetstream.get_stream_no_info(ATTEMPTS).await.map_err(|e| FeedError(e.into()))?;
    stream
        .get_or_create_consumer(HISTORY_WRITER_CONSUMER, history_writer_consumer())
        .await
        .map_err(|e| FeedError(e.into()))
}
