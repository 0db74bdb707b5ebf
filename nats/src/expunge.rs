//! Expunging an event: finding and erasing every copy of its payload that JetStream holds.
//!
//! Why it is needed: a client may have to erase an event (its own customer's data, a payload
//! sent by mistake), and the payload travels: ingest stores it in EVENTS, the router copies it
//! into a task per webhook (the hub's DELIVERIES or, for a FIFO webhook, FIFO; each leaf region's `DLV_<r>`), a relay parks a
//! copy to retry later (`PARK_<r>`) and dead-letters one that gave up (`DLQ_<r>`, the hub's
//! DEAD_LETTERS). Attempt records carry no payload and stay.
//!
//! How a copy is found without a subject per event (nats-server keeps per-subject state in
//! memory): every message carrying an event names it in a header, [`EVENT_HEADER`]
//! (`<client_id>:<event_id>`, the event's [`Event::dedup_id`], which is also EVENTS' own
//! `Nats-Msg-Id`). [`Place::erase`] reads one stream's messages on one client's subjects, from
//! shortly before the event was accepted, through an ordered consumer with `headers_only` (no
//! payload is sent), and deletes the sequences that name the event. JetStream's message delete
//! overwrites the message's bytes on disk (the API's `no_erase` is left false). The cost is one
//! header per message the client stored in that stream since the event: expunge is rare.
//!
//! [`places`] lists, for a deployment's regions, every stream and filter to look in.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::header::NATS_MESSAGE_ID;
use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::stream::{ConsumerErrorKind, LastRawMessageErrorKind};
use async_nats::jetstream::{self, consumer};
use edgehook_domain::event::Event;
use edgehook_domain::ids::ClientId;
use futures::StreamExt;
use time::OffsetDateTime;

use crate::fifo::FIFO;
use crate::region::Region;
use crate::streams::{DEAD_LETTERS, DELIVERIES, EVENTS};
use crate::subjects;

/// The header naming the event a task, parked copy or dead letter carries.
pub const EVENT_HEADER: &str = "Edgehook-Event";

/// How long one stream's scan may wait for its next message before it gives up.
const NEXT_MESSAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// The headers a message carrying `event` is published with.
pub fn event_headers(event: &Event) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(EVENT_HEADER, event.dedup_id().as_str());
    headers
}

/// What a stream's copies are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Copies {
    /// The event as ingest stored it (EVENTS).
    Event,
    /// Delivery tasks (DELIVERIES, `DLV_<r>`).
    Tasks,
    /// Tasks set aside to retry later (`PARK_<r>`).
    Parked,
    /// Dead letters (DEAD_LETTERS, `DLQ_<r>`).
    DeadLetters,
}

/// One stream to look in, and which of its subjects.
#[derive(Clone, Debug)]
pub struct Place {
    /// The region whose JetStream domain holds the stream; `None`: the hub.
    pub region: Option<Region>,
    pub stream: String,
    pub filter: String,
    pub copies: Copies,
}

#[derive(Debug, thiserror::Error)]
#[error("erasing an event's copies from stream {stream}: {source}")]
pub struct ExpungeError {
    pub stream: String,
    #[source]
    pub source: async_nats::Error,
}

/// Every place `client`'s event copies can be in: the hub's streams, then each leaf region's
/// (a co-located region uses the hub's DELIVERIES and DEAD_LETTERS, so only its parking).
pub fn places(client: &ClientId, regions: &[Region]) -> Vec<Place> {
    let hub = |stream: &str, filter: String, copies| Place {
        region: None,
        stream: stream.to_owned(),
        filter,
        copies,
    };
    let mut places = vec![
        hub(EVENTS, subjects::event(client), Copies::Event),
        hub(DELIVERIES, subjects::deliveries_of_client(client), Copies::Tasks),
        hub(FIFO, subjects::fifo_of_client(client), Copies::Tasks),
        hub(DEAD_LETTERS, subjects::dead_letters_of_client(client), Copies::DeadLetters),
    ];
    for region in regions {
        let here = |stream: String, filter: String, copies| Place {
            region: (!region.is_co_located()).then(|| region.clone()),
            stream,
            filter,
            copies,
        };
        // Parked copies wait on a subject naming the task, not the client.
        places.push(here(region.parking_stream(), subjects::parking_of_region(&region.name), Copies::Parked));
        if !region.is_co_located() {
            let name = &region.name;
            places.push(here(
                region.deliveries_stream(),
                subjects::deliveries_of_region_client(name, client),
                Copies::Tasks,
            ));
            places.push(here(
                region.dead_letters_stream(),
                subjects::dead_letters_of_region_client(name, client),
                Copies::DeadLetters,
            ));
        }
    }
    places
}

impl Place {
    /// A leaf region's task stream (`DLV_<r>`) and the hub's FIFO queue are work queues: they
    /// take no second consumer on subjects their consumers read, so its messages (only the tasks still waiting) are
    /// walked one get at a time instead. (The hub's DELIVERIES keeps tasks by age.)
    fn is_work_queue(&self) -> bool {
        self.copies == Copies::Tasks && (self.region.is_some() || self.stream == FIFO)
    }

    /// The JetStream context this place is reached with, from the hub's.
    pub fn jetstream(&self, hub: &jetstream::Context) -> jetstream::Context {
        match &self.region {
            Some(region) => jetstream::with_domain(hub.client(), &region.domain),
            None => hub.clone(),
        }
    }

    /// Deletes (erasing the bytes) every message of this place that names `event` (its
    /// [`Event::dedup_id`]), looking at those stored from `from` on (`None`: all). Returns how
    /// many were deleted. A stream that does not exist holds no copy.
    pub async fn erase(
        &self,
        jetstream: &jetstream::Context,
        event: &str,
        from: Option<OffsetDateTime>,
    ) -> Result<u64, ExpungeError> {
        let failed = |source: async_nats::Error| ExpungeError { stream: self.stream.clone(), source };
        let stream = jetstream.get_stream_no_info(&self.stream).await.map_err(|e| failed(e.into()))?;
        if self.is_work_queue() {
            return self.walk(&stream, event).await.map_err(failed);
        }
        let deliver_policy = match from {
            Some(start_time) => consumer::DeliverPolicy::ByStartTime { start_time },
            None => consumer::DeliverPolicy::All,
        };
        let scan = stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: self.filter.clone(),
                deliver_policy,
                headers_only: true,
                ..Default::default()
            })
            .await;
        let mut scan = match scan {
            Ok(scan) => scan,
            Err(error) if is_missing_stream(error.kind()) => return Ok(0),
            Err(error) => return Err(failed(error.into())),
        };
        if scan.info().await.map_err(|e| failed(e.into()))?.num_pending == 0 {
            return Ok(0);
        }
        let mut messages = scan.messages().await.map_err(|e| failed(e.into()))?;
        let mut found = Vec::new();
        loop {
            let message = tokio::time::timeout(NEXT_MESSAGE_TIMEOUT, messages.next())
                .await
                .map_err(|_| failed("no message within the scan's timeout".into()))?
                .ok_or_else(|| failed("the scan ended early".into()))?
                .map_err(|e| failed(e.into()))?;
            let info = message.info().map_err(&failed)?;
            let (sequence, pending) = (info.stream_sequence, info.pending);
            if names(message.headers.as_ref(), event) {
                found.push(sequence);
            }
            if pending == 0 {
                break;
            }
        }
        let mut deleted = 0;
        for sequence in found {
            // A task acknowledged meanwhile (work queue) is already gone: nothing to erase.
            if stream.delete_message(sequence).await.unwrap_or(false) {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

fn is_missing_stream(kind: ConsumerErrorKind) -> bool {
    matches!(kind, ConsumerErrorKind::JetStream(error) if error.error_code() == ErrorCode::STREAM_NOT_FOUND)
}

impl Place {
    /// [`Place::erase`] for a work-queue stream: each message on the filter, from the first, by
    /// "next message on these subjects from this sequence" gets (the leader answers: none is
    /// missed), deleting those that name `event`.
    async fn walk(
        &self,
        stream: &jetstream::stream::Stream<()>,
        event: &str,
    ) -> Result<u64, async_nats::Error> {
        let mut deleted = 0;
        let mut next = 1;
        loop {
            let message = match stream.get_first_raw_message_by_subject(&self.filter, next).await {
                Ok(message) => message,
                Err(error) if error.kind() == LastRawMessageErrorKind::NoMessageFound => return Ok(deleted),
                Err(error) if is_missing(&error) => return Ok(deleted),
                Err(error) => return Err(error.into()),
            };
            if names(Some(&message.headers), event)
                && stream.delete_message(message.sequence).await.unwrap_or(false)
            {
                deleted += 1;
            }
            next = message.sequence + 1;
        }
    }
}

/// A stream that does not exist (yet) holds no copy.
fn is_missing(error: &jetstream::stream::LastRawMessageError) -> bool {
    matches!(error.kind(), LastRawMessageErrorKind::JetStream(error) if error.error_code() == ErrorCode::STREAM_NOT_FOUND)
}

/// Whether a message's headers name `event`: ours, or EVENTS' `Nats-Msg-Id`.
fn names(headers: Option<&HeaderMap>, event: &str) -> bool {
    headers.is_some_and(|headers| {
        [EVENT_HEADER, NATS_MESSAGE_ID.as_ref()]
            .iter()
            .any(|name| headers.get(*name).is_some_and(|value| value.as_str() == event))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_event_by_either_header() {
        let mut ours = HeaderMap::new();
        ours.insert(EVENT_HEADER, "cli_1:evt_1");
        let mut ingested = HeaderMap::new();
        ingested.insert(NATS_MESSAGE_ID, "cli_1:evt_1");
        assert!(names(Some(&ours), "cli_1:evt_1"));
        assert!(names(Some(&ingested), "cli_1:evt_1"));
        assert!(!names(Some(&ours), "cli_1:evt_10"));
        assert!(!names(None, "cli_1:evt_1"));
    }

    #[test]
    fn a_co_located_region_adds_only_its_parking() {
        let client = ClientId::generate();
        let local = places(&client, &[Region::co_located("local").unwrap()]);
        assert_eq!(local.len(), 5, "EVENTS, DELIVERIES, FIFO, DEAD_LETTERS, PARK_local");
        assert!(local.iter().all(|place| place.region.is_none()));
        let leaf = places(&client, &[Region::leaf("eu").unwrap()]);
        let streams: Vec<&str> = leaf.iter().map(|place| place.stream.as_str()).collect();
        assert_eq!(streams, ["EVENTS", "DELIVERIES", "FIFO", "DEAD_LETTERS", "PARK_eu", "DLV_eu", "DLQ_eu"]);
        assert!(leaf[4..].iter().all(|place| place.region.as_ref().is_some_and(|r| r.name == "eu")));
    }
}
