//! The FIFO queue: the tasks of FIFO webhooks (`edgehook_domain::ordering`), and the one
//! consumer per lane that lets them out one at a time.
//!
//! A FIFO webhook's tasks go to the hub's `FIFO` stream (a work queue) on
//! `fifo.<client>.<webhook>.<lane>` instead of a region's delivery stream. Each lane has a
//! durable pull consumer, [`lane_consumer`], with `max_ack_pending` 1: JetStream hands out the
//! lane's next task only once the one out is acknowledged, whichever relay holds it, so the
//! order holds across several relays, a relay killed mid-delivery (its task comes back after
//! the ack wait, still first) and a retry (a `nak` with a delay keeps the task out, and so
//! the lane closed, until it comes back). JetStream does the ordering; edgehook only never
//! parks a FIFO task (a parked copy would come back behind newer ones).
//!
//! Why at the hub rather than in the webhook's region: a webhook that moves to another region
//! keeps its lanes, so the new region's relays continue exactly where the old one stopped
//! (tasks forwarded between regional queues would interleave with the ones the router sends
//! the new region meanwhile). The cost: a leaf region's relays pull FIFO tasks through the leaf
//! link, and while the hub is unreachable a region's FIFO webhooks wait (the others go on).
//!
//! Lane consumers are made by the relays that deliver the webhook (idempotently, with the same
//! configuration), are deleted by them once the webhook is gone or no longer has that lane and
//! nothing waits in it, and expire by themselves after [`LANE_INACTIVE`] without a relay
//! pulling (a new one then starts with what is still queued: a work queue keeps only that).
//! Subjects are bounded by clients, webhooks and [`edgehook_domain::ordering::KEY_LANES`].

use std::time::Duration;

use async_nats::jetstream::{consumer, stream};
use edgehook_domain::ids::{ClientId, WebhookId};

use crate::streams::{BACKLOG_MAX_AGE, DISPATCH_ACK_WAIT};
use crate::subjects;

pub const FIFO: &str = "FIFO";
/// A lane consumer no relay pulled from for this long is removed by JetStream.
pub const LANE_INACTIVE: Duration = Duration::from_secs(24 * 3600);
const CONSUMER_PREFIX: &str = "fifo-";

/// The FIFO webhooks' tasks, at the hub: a work queue (a delivered task leaves it), kept at
/// most as long as the delivery streams keep theirs.
pub(crate) fn fifo_stream() -> stream::Config {
    stream::Config {
        name: FIFO.to_owned(),
        subjects: vec![subjects::FIFO_ALL.to_owned()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        max_age: BACKLOG_MAX_AGE,
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    }
}

/// One lane of one FIFO webhook.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lane {
    pub client: ClientId,
    pub webhook: WebhookId,
    pub lane: u32,
}

impl Lane {
    /// Its consumer's name (consumer names may not hold dots).
    pub fn consumer_name(&self) -> String {
        format!("{CONSUMER_PREFIX}{}-{}", self.webhook, self.lane)
    }

    pub fn subject(&self) -> String {
        subjects::fifo(&self.client, &self.webhook, self.lane)
    }

    /// The lane a consumer of FIFO reads, from its filter subject; `None` for anything else.
    pub fn of_consumer(name: &str, filter_subject: &str) -> Option<Self> {
        if !name.starts_with(CONSUMER_PREFIX) {
            return None;
        }
        let mut tokens = filter_subject.strip_prefix("fifo.")?.split('.');
        let (client, webhook, lane) = (tokens.next()?, tokens.next()?, tokens.next()?);
        if tokens.next().is_some() {
            return None;
        }
        Some(Self { client: client.parse().ok()?, webhook: webhook.parse().ok()?, lane: lane.parse().ok()? })
    }
}

/// The lane's consumer: one task out at a time (`max_ack_pending` 1), explicit acks, the
/// dispatch consumers' ack wait as the net under a relay that dies mid-attempt, no delivery
/// limit (the relay keeps the retry budget) and no `backoff` (a `nak`'s delay is then exact).
pub fn lane_consumer(lane: &Lane) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(lane.consumer_name()),
        filter_subject: lane.subject(),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: DISPATCH_ACK_WAIT,
        max_ack_pending: 1,
        max_deliver: -1,
        inactive_threshold: LANE_INACTIVE,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_is_read_back_from_its_consumer() {
        let lane = Lane { client: ClientId::generate(), webhook: WebhookId::generate(), lane: 7 };
        let config = lane_consumer(&lane);
        assert_eq!(Lane::of_consumer(&lane.consumer_name(), &config.filter_subject), Some(lane.clone()));
        assert!(!lane.consumer_name().contains('.'));
        assert_eq!(Lane::of_consumer("router", &config.filter_subject), None);
        assert_eq!(Lane::of_consumer(&lane.consumer_name(), "fifo.a.b"), None);
    }
}
