//! Replaying a webhook's events: the client's events accepted since a time are read back from
//! EVENTS (kept 7 days) and become delivery tasks for this one webhook again.
//!
//! Two reasons to replay. A client asks (`POST /webhooks/{id}/replay`): every matching event is
//! sent again, even one delivered before, so its tasks get message ids of their own (made of the
//! replay's id, so continuing a replay twice still makes each task once). Or a webhook edgehook
//! disabled is enabled again: the events routed past it while it was disabled are *missed*
//! ones, and their tasks get the ids the router would have given them, so an event the router
//! did route to it (in the moment before it heard of the disabling) is not made twice. The ids,
//! subjects and attempt counts are `edgehook_nats::tasks`'s ([`Replay`]).
//!
//! A replay covers the events stored when it started (later ones the router delivers anyway)
//! and works in bounded steps: each call examines at most [`EVENTS_PER_CALL`] events and hands
//! back a cursor for the rest.

use async_nats::jetstream;
use edgehook_domain::event::Event;
use edgehook_domain::ids::MessageId;
use edgehook_domain::webhook::Webhook;
use edgehook_nats::read::{Start, read_page_from};
use edgehook_nats::streams::EVENTS;
use edgehook_nats::subjects;
use edgehook_nats::tasks::{Replay, TaskPublishError, TaskPublisher};
use serde::Serialize;
use time::OffsetDateTime;

/// Events read back per page.
const PAGE: usize = 1_000;
/// Events examined per call, so that one request stays short.
pub const EVENTS_PER_CALL: usize = 10_000;
const MISSED: &str = "missed";

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("reading the events: {0}")]
    Read(#[from] edgehook_nats::read::ReadError),
    #[error("{context}: {source}")]
    Nats { context: &'static str, source: async_nats::Error },
    #[error("replaying: {0}")]
    Task(#[from] TaskPublishError),
}

/// What a replay call did.
#[derive(Debug, Serialize)]
pub struct Replayed {
    /// Events of the client looked at.
    pub examined: usize,
    /// Of those, the ones this webhook wants: each is a delivery task again.
    pub replayed: usize,
    /// Pass back as `cursor` to go on; `None` when the replay is complete.
    pub cursor: Option<String>,
}

/// Where a replay stands: why it replays, the last event examined, the last event it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// A requested replay's id, or `missed`.
    tag: String,
    after: u64,
    end: u64,
}

impl Cursor {
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let cursor = Self {
            tag: parts.next().filter(|tag| !tag.is_empty())?.to_owned(),
            after: parts.next()?.parse().ok()?,
            end: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(cursor)
    }

    fn encode(&self) -> String {
        format!("{}.{}.{}", self.tag, self.after, self.end)
    }
}

/// Starts a replay the client asked for: every event it wants since `since`.
pub async fn requested(
    jetstream: &jetstream::Context,
    webhook: &Webhook,
    since: OffsetDateTime,
) -> Result<Replayed, ReplayError> {
    let replay_id = MessageId::generate().to_string().replace('_', "");
    run(jetstream, webhook, replay_id, Start::Since(since), last_event_sequence(jetstream).await?).await
}

/// Starts replaying what a disabled webhook missed since it was disabled.
pub async fn missed(
    jetstream: &jetstream::Context,
    webhook: &Webhook,
    disabled_at: OffsetDateTime,
) -> Result<Replayed, ReplayError> {
    let end = last_event_sequence(jetstream).await?;
    run(jetstream, webhook, MISSED.to_owned(), Start::Since(disabled_at), end).await
}

/// Goes on from where an earlier call stopped.
pub async fn resume(
    jetstream: &jetstream::Context,
    webhook: &Webhook,
    cursor: Cursor,
) -> Result<Replayed, ReplayError> {
    run(jetstream, webhook, cursor.tag, Start::After(cursor.after), cursor.end).await
}

async fn last_event_sequence(jetstream: &jetstream::Context) -> Result<u64, ReplayError> {
    // `get_stream` reads the stream's current info: no second request for it.
    let stream = jetstream
        .get_stream(EVENTS)
        .await
        .map_err(|error| ReplayError::Nats { context: "reading EVENTS", source: error.into() })?;
    Ok(stream.cached_info().state.last_sequence)
}

async fn run(
    jetstream: &jetstream::Context,
    webhook: &Webhook,
    tag: String,
    mut start: Start,
    end: u64,
) -> Result<Replayed, ReplayError> {
    let mut replayed = Replayed { examined: 0, replayed: 0, cursor: None };
    let filter = subjects::event(&webhook.client_id);
    let tasks = TaskPublisher::new(jetstream.clone());
    let why = match tag.as_str() {
        MISSED => Replay::Missed,
        replay_id => Replay::Requested(replay_id),
    };
    while replayed.examined < EVENTS_PER_CALL {
        let page = read_page_from::<Event>(jetstream, EVENTS, filter.clone(), start, PAGE).await?;
        let mut last = None;
        let mut stored = Vec::new();
        for (sequence, event) in page.items.iter().filter(|(sequence, _)| *sequence <= end) {
            last = Some(*sequence);
            replayed.examined += 1;
            if webhook.wants(event) {
                stored.push(tasks.replayed(webhook, event, why).await);
            }
        }
        // Every task of the page is sent before any acknowledgement is awaited.
        for task in stored {
            task.stored().await?;
            replayed.replayed += 1;
        }
        let (Some(last), Some(_)) = (last, page.next_after) else { return Ok(replayed) };
        if last >= end {
            return Ok(replayed);
        }
        start = Start::After(last);
    }
    let Start::After(after) = start else { return Ok(replayed) };
    replayed.cursor = Some(Cursor { tag, after, end }.encode());
    Ok(replayed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_does() {
        let cursor = Cursor { tag: "01JABC".to_owned(), after: 41, end: 90 };
        assert_eq!(Cursor::parse(&cursor.encode()), Some(cursor));
        for bad in ["", "x", "a.1", "a.1.b", "a.1.2.3", ".1.2"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
