//! Paged reads of a stream's messages on one filter subject: the delivery history and dead
//! letters the control plane serves are read straight from their streams this way.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Messages in stream order, each with its stream sequence.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<(u64, T)>,
    /// Pass as `after` to read the next page; `None` when this was the last.
    pub next_after: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
#[error("reading `{filter}` from stream {stream}: {source}")]
pub struct ReadError {
    stream: String,
    filter: String,
    source: async_nats::Error,
}

/// Where a page starts.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// After this stream sequence (0: from the first message).
    After(u64),
    /// At the first message stored at or after this time.
    Since(OffsetDateTime),
}

/// Reads up to `limit` messages of `stream` on `filter` with sequence above `after`.
pub async fn read_page<T: DeserializeOwned>(
    jetstream: &jetstream::Context,
    stream: &str,
    filter: String,
    after: u64,
    limit: usize,
) -> Result<Page<T>, ReadError> {
    read_page_from(jetstream, stream, filter, Start::After(after), limit).await
}

/// Reads up to `limit` messages of `stream` on `filter` from `start`.
pub async fn read_page_from<T: DeserializeOwned>(
    jetstream: &jetstream::Context,
    stream: &str,
    filter: String,
    start: Start,
    limit: usize,
) -> Result<Page<T>, ReadError> {
    let error =
        |source: async_nats::Error| ReadError { stream: stream.to_owned(), filter: filter.clone(), source };
    let handle = jetstream.get_stream_no_info(stream).await.map_err(|e| error(e.into()))?;
    let (deliver_policy, after) = match start {
        Start::After(0) => (consumer::DeliverPolicy::All, 0),
        Start::After(after) => {
            (consumer::DeliverPolicy::ByStartSequence { start_sequence: after + 1 }, after)
        }
        Start::Since(start_time) => (consumer::DeliverPolicy::ByStartTime { start_time }, 0),
    };
    let config = consumer::pull::OrderedConfig {
        filter_subject: filter.clone(),
        deliver_policy,
        ..Default::default()
    };
    let mut reader = handle.create_consumer(config).await.map_err(|e| error(e.into()))?;
    let pending = reader.info().await.map_err(|e| error(e.into()))?.num_pending as usize;
    let wanted = pending.min(limit);
    let mut items = Vec::with_capacity(wanted);
    if wanted > 0 {
        let mut messages = reader.messages().await.map_err(|e| error(e.into()))?;
        while items.len() < wanted {
            let message = match tokio::time::timeout(READ_TIMEOUT, messages.next()).await {
                Ok(Some(Ok(message))) => message,
                Ok(Some(Err(e))) => return Err(error(e.into())),
                Ok(None) | Err(_) => return Err(error("the stream stopped answering".into())),
            };
            let sequence = message.info().map_err(&error)?.stream_sequence;
            match serde_json::from_slice(&message.payload) {
                Ok(item) => items.push((sequence, item)),
                Err(e) => tracing::error!(stream, sequence, error = %e, "unreadable record skipped"),
            }
        }
    }
    let next_after = (pending > limit).then(|| items.last().map_or(after, |(sequence, _)| *sequence));
    Ok(Page { items, next_after })
}
