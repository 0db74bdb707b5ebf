//! Setting a delivery task aside until a time, in the region's parking stream, instead of a
//! `nak` with that delay.
//!
//! A nak'ed task stays in its dispatch consumer's ack-pending, which is bounded and shared by
//! every endpoint of the region: endpoints failing for hours (retries minutes apart, circuits
//! open, webhooks disabled) would fill it and stop delivery for everyone. So a task that is to
//! wait at least [`PARK_AFTER`] ([`super::decision`] says so) is published as a JetStream message schedule
//! (`Nats-Schedule: @at <time>`), which fires once into the parking stream's `due` subjects that
//! the region's delivery stream sources back (`edgehook_nats::streams`); the original message
//! is acknowledged only once that publish is stored. A crash in between makes the task twice
//! (delivered at least once, as always), never loses it. The parked copy carries the attempts
//! already made, since its JetStream delivery count starts again. Used by
//! [`super::settler::Settler`] only.

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

    /// Stores `task` to come back at `until`, counting `attempts_before` attempts made.
    pub async fn park(
        &self,
        task: &DeliveryTask,
        attempts_before: u32,
        until: OffsetDateTime,
    ) -> Result<(), async_nats::Error> {
        let parked = DeliveryTask { attempts_before, ..task.clone() };
        let target =
            subjects::parked_due(&self.region, parked.priority, &parked.event.client_id, &parked.webhook_id);
        let mut headers = HeaderMap::new();
        headers.insert(NATS_SCHEDULE, schedule_at(until).as_str());
        headers.insert(NATS_SCHEDULE_TARGET, target.as_str());
        headers.insert(NATS_SCHEDULE_TTL, PARKED_DUE_TTL);
        let subject = subjects::parked(&self.region, &ulid::Ulid::new().to_string());
        let payload = serde_json::to_vec(&parked).expect("a task serializes");
        self.jetstream.publish_with_headers(subject, headers, payload.into()).await?.await?;
        Ok(())
    }
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
    use time::macros::datetime;

    #[test]
    fn a_schedule_is_in_whole_seconds_never_early() {
        assert_eq!(schedule_at(datetime!(2026-11-23 10:00:00.250 UTC)), "@at 2026-11-23T10:00:01Z");
        assert_eq!(schedule_at(datetime!(2026-11-23 10:00:00 UTC)), "@at 2026-11-23T10:00:00Z");
    }
}
