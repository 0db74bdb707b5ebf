//! Setting a delivery task aside until a time, in the region's parking stream, instead of a
//! `nak` with that delay.
//!
//! A nak'ed task stays in its dispatch consumer's ack-pending, which is bounded and shared by
//! every endpoint of the region: endpoints failing for hours (retries minutes apart, circuits
//! open, webhooks disabled) would fill it and stop delivery for everyone. So a task that is to
//! wait at least [`PARK_AFTER`] ([`super::decision`] says so) is published as a JetStream message schedule
//! (`Nats-Schedule: @at <time>`), which fires once into the parking stream's `due` subjects that
//! the region's delivery stream sources back (`edgehook_nats::streams`); the original message
//! is acknowledged only once that publish is stored. The parked copy carries the attempts
//! already made, since its JetStream delivery count starts again. Used by
//! [`super::settler::Settler`] only.
//!
//! ## A relay killed between parking and acknowledging
//!
//! The schedule is stored, the original is not acknowledged: after `ack_wait` JetStream
//! delivers the original again, and a relay settles it again. Never a loss (the original is
//! still there); at most a duplicate, and usually not even that:
//! - A schedule's subject is its identity: the server stores a schedule as a subject rollup,
//!   so publishing on the same `rgn.<r>.park.wait.<id>` replaces the pending schedule. The id
//!   is deterministic, [`parked_id`]: the task's message and webhook ids and the stream
//!   sequence of the message being parked, which a redelivery keeps. So parking the
//!   redelivered original again replaces the first schedule: one parked copy, one delivery.
//!   (It used to be a fresh ULID per publish: two schedules, the task delivered twice.)
//! - Every parking of a task is of a different message (a parked copy comes back under a new
//!   sequence), so two real parkings never share an id and one never replaces the other.
//! - If the second settlement does not park (the task is delivered right away, say), or the
//!   first schedule already fired before the redelivery, both copies run: a duplicate
//!   delivery with the same `webhook-id`, which receivers deduplicate on, never a loss.
//!
//! `tests/crash_recovery.rs` stores the half-done state (a schedule, its original not
//! acknowledged) in a running `edgehook up` and counts the deliveries.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::header::{NATS_SCHEDULE, NATS_SCHEDULE_TARGET, NATS_SCHEDULE_TTL};
use async_nats::jetstream;
use edgehook_domain::delivery::DeliveryTask;
use edgehook_nats::streams::PARKED_DUE_TTL;
use edgehook_nats::subjects;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[cfg(doc)]
use super::decision::PARK_AFTER;

#[derive(Clone)]
pub struct Parking {
    jetstream: jetstream::Context,
    region: String,
}

impl Parking {
    pub fn new(jetstream: jetstream::Context, region: String) -> Self {
        Self { jetstream, region }
    }

    /// Stores `task`, the message at `sequence` in the delivery stream, to come back at
    /// `until`, counting `attempts_before` attempts made.
    pub async fn park(
        &self,
        task: &DeliveryTask,
        sequence: u64,
        attempts_before: u32,
        until: OffsetDateTime,
    ) -> Result<(), async_nats::Error> {
        let copy = ParkedCopy::of(&self.region, task, sequence, attempts_before, until);
        self.jetstream.publish_with_headers(copy.subject, copy.headers, copy.payload.into()).await?.await?;
        Ok(())
    }
}

/// A parked copy of a task as it is published: a one-shot message schedule.
pub struct ParkedCopy {
    /// `rgn.<region>.park.wait.<`[`parked_id`]`>`: the schedule's identity.
    pub subject: String,
    pub headers: HeaderMap,
    pub payload: Vec<u8>,
}

impl ParkedCopy {
    /// The copy of `task` (the message at `sequence` in the region's delivery stream) that
    /// fires at `until` into the region's due subjects, carrying `attempts_before`.
    pub fn of(
        region: &str,
        task: &DeliveryTask,
        sequence: u64,
        attempts_before: u32,
        until: OffsetDateTime,
    ) -> Self {
        let parked = DeliveryTask { attempts_before, ..task.clone() };
        let target =
            subjects::parked_due(region, parked.priority, &parked.event.client_id, &parked.webhook_id);
        // Named for an expunge to find, like every copy of an event.
        let mut headers = edgehook_nats::expunge::event_headers(&parked.event);
        headers.insert(NATS_SCHEDULE, schedule_at(until).as_str());
        headers.insert(NATS_SCHEDULE_TARGET, target.as_str());
        headers.insert(NATS_SCHEDULE_TTL, PARKED_DUE_TTL);
        Self {
            subject: subjects::parked(region, &parked_id(task, sequence)),
            headers,
            payload: serde_json::to_vec(&parked).expect("a task serializes"),
        }
    }
}

/// The parked copy's id: the same for the same message parked again after a crash (so its
/// schedule replaces the first), different for every other parking (a parked copy comes back
/// as a new message). One subject token: ids are letters, digits and `_`.
pub fn parked_id(task: &DeliveryTask, sequence: u64) -> String {
    format!("{}-{}-{sequence}", task.event.message_id, task.webhook_id)
}

/// `@at <RFC 3339>`, in whole seconds rounded up: never earlier than asked.
fn schedule_at(at: OffsetDateTime) -> String {
    let whole = if at.nanosecond() == 0 {
        at
    } else {
        at.replace_nanosecond(0).expect("0 ns is valid") + Duration::from_secs(1)
    };
    format!("@at {}", whole.format(&Rfc3339).expect("a UTC time formats as RFC 3339"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgehook_domain::event::Event;
    use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
    use time::macros::datetime;

    fn task() -> DeliveryTask {
        let event = Event {
            message_id: MessageId::generate(),
            event_id: "evt_1".into(),
            event_type: "a.b".into(),
            client_id: ClientId::generate(),
            source_id: "src_00000000000000000000000000".parse().unwrap(),
            data: serde_json::json!({}).into(),
            timestamp: datetime!(2026-11-23 10:00:00 UTC),
            version: "1.0".into(),
            accepted_at: datetime!(2026-11-23 10:00:00 UTC),
            priority: None,
        };
        DeliveryTask {
            webhook_id: WebhookId::generate(),
            event,
            priority: Default::default(),
            attempts_before: 0,
            webhook_version: 1,
        }
    }

    #[test]
    fn parking_the_same_message_again_is_the_same_schedule_and_any_other_parking_is_not() {
        let (task, other) = (task(), task());
        let at = datetime!(2026-11-23 10:05:00 UTC);
        let first = ParkedCopy::of("eu", &task, 42, 3, at);
        // Redelivered after a crash: same message, perhaps a later time or another count.
        let again = ParkedCopy::of("eu", &task, 42, 4, at + Duration::from_secs(7));
        assert_eq!(first.subject, again.subject);
        // The copy, once due, is a new message: parked again, it is a new schedule.
        assert_ne!(first.subject, ParkedCopy::of("eu", &task, 97, 3, at).subject);
        assert_ne!(first.subject, ParkedCopy::of("eu", &other, 42, 3, at).subject);
        let id = first.subject.strip_prefix("rgn.eu.park.wait.").unwrap();
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'), "{id}");
    }

    #[test]
    fn a_schedule_is_in_whole_seconds_never_early() {
        assert_eq!(schedule_at(datetime!(2026-11-23 10:00:00.250 UTC)), "@at 2026-11-23T10:00:01Z");
        assert_eq!(schedule_at(datetime!(2026-11-23 10:00:00 UTC)), "@at 2026-11-23T10:00:00Z");
    }
}
