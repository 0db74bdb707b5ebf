//! Publishing delivery tasks: the one place that says, for every way a task is made, on which
//! subject it goes, which `Nats-Msg-Id` it carries and which attempt count and webhook version
//! it starts with.
//!
//! | made by | `Nats-Msg-Id` | attempts before | webhook version |
//! |---|---|---|---|
//! | [`TaskPublisher::routed`] (the router) | `<message_id>:<webhook_id>` | 0 | the router's match |
//! | [`TaskPublisher::replayed`], [`Replay::Missed`] | the routed id: an event the router did route is not made twice | 0 | the control plane's copy |
//! | [`TaskPublisher::replayed`], [`Replay::Requested`] | `<routed id>:replay:<replay_id>` | 0 | the control plane's copy |
//! | [`TaskPublisher::redriven`] | `redrive:<dead letter's sequence>` | 0: the whole retry budget again | the control plane's copy |
//! | [`TaskPublisher::forwarded`] (a relay whose webhook moved) | `<routed id>:to:<region>` | the attempts made so far | the relay's copy, which shows the move |
//!
//! Every task goes on `deliveries.<webhook's region>.<tier>.<client>.<webhook>`
//! ([`subjects::delivery`]; a forwarded one in the region its webhook moved to), except a FIFO
//! webhook's, which go to the lane of their event at the hub, `fifo.<client>.<webhook>.<lane>`
//! ([`crate::fifo`]; never forwarded: a lane is the same from every region), and a poll
//! webhook's, on `deliveries.<region>.poll.<client>.<webhook>` ([`subjects::poll`]), where no
//! relay looks (a relay forwards a task of a poll webhook it finds on a tier's subject there, id
//! `<routed id>:to:<region>:poll`). The dedup window (DELIVERIES keeps ids one hour) makes each id's
//! task once: routing an event twice, continuing a replay twice, redriving a dead letter again
//! after a crash before its deletion, forwarding twice.
//!
//! A publish is sent at once and its acknowledgement awaited separately ([`PendingTask`]), so
//! a caller can send a whole batch before it waits (the router, replay); whoever acknowledges
//! a message that made a task does so only once [`PendingTask::stored`] says it is stored.
//!
//! Parked copies of a task (a region's own stream, a message schedule) are the relay's
//! settlement's, not made here: they keep the task as it is and carry the attempts made.

use async_nats::jetstream::context::{PublishAckFuture, PublishError};
use async_nats::jetstream::{self, message::PublishMessage};
use edgehook_domain::delivery::{DeadLetter, DeliveryTask, RoutedTask};
use edgehook_domain::event::Event;
use edgehook_domain::ids::{MessageId, WebhookId};
use edgehook_domain::priority::Priority;
use edgehook_domain::webhook::{Delivery, Webhook};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::{expunge, subjects};

/// Publishes delivery tasks on a JetStream context (the hub's: DELIVERIES is there).
#[derive(Clone)]
pub struct TaskPublisher {
    jetstream: jetstream::Context,
}

/// Why a replay makes its tasks.
#[derive(Clone, Copy, Debug)]
pub enum Replay<'a> {
    /// A client asked (its replay's id): every event again, even one delivered before.
    Requested(&'a str),
    /// A disabled webhook is enabled again: the events routed past it meanwhile.
    Missed,
}

#[derive(Debug, thiserror::Error)]
pub enum TaskPublishError {
    #[error("sending a delivery task: {0}")]
    Send(#[source] PublishError),
    #[error("storing a delivery task: {0}")]
    Store(#[source] PublishError),
}

/// A task sent (or not: then `stored` says why), its acknowledgement not awaited yet.
#[must_use = "a task counts as made only once `stored` says so"]
pub struct PendingTask {
    ack: Result<PublishAckFuture, PublishError>,
}

impl PendingTask {
    /// Waits until JetStream has stored the task (or found it a duplicate of one it stored).
    pub async fn stored(self) -> Result<(), TaskPublishError> {
        let ack = self.ack.map_err(TaskPublishError::Send)?;
        ack.await.map(|_| ()).map_err(TaskPublishError::Store)
    }
}

impl TaskPublisher {
    pub fn new(jetstream: jetstream::Context) -> Self {
        Self { jetstream }
    }

    /// The router's task of `event` for `webhook`, which wants it; `stored_event` is the
    /// event's JSON as ingest stored it, wrapped as it is.
    pub async fn routed(&self, webhook: &Webhook, event: &Event, stored_event: &RawValue) -> PendingTask {
        let priority = webhook.tier_of(event);
        let task = RoutedTask {
            webhook_id: &webhook.id,
            event: stored_event,
            priority,
            webhook_version: webhook.version,
        };
        let subject = subject_of(webhook, event, priority);
        self.send(subject, routed_id(&event.message_id, &webhook.id), event, &task).await
    }

    /// `event`'s task for `webhook` again, from a replay.
    pub async fn replayed(&self, webhook: &Webhook, event: &Event, replay: Replay<'_>) -> PendingTask {
        let priority = webhook.tier_of(event);
        let task = fresh(webhook, event.clone(), priority);
        let routed = routed_id(&event.message_id, &webhook.id);
        let message_id = match replay {
            Replay::Missed => routed,
            Replay::Requested(replay_id) => format!("{routed}:replay:{replay_id}"),
        };
        self.send_task(webhook, &task, message_id).await
    }

    /// A dead letter (at `sequence` in DEAD_LETTERS) delivered again to `webhook`, in its tier,
    /// with the whole retry budget: the attempts of its first life do not count.
    pub async fn redriven(&self, webhook: &Webhook, letter: &DeadLetter, sequence: u64) -> PendingTask {
        let task = fresh(webhook, letter.task.event.clone(), letter.task.priority);
        self.send_task(webhook, &task, format!("redrive:{sequence}")).await
    }

    /// `task` continues in `region`, where its webhook moved, with the `attempts_made` so far.
    /// `webhook_version` is the version of the forwarding relay's copy, which shows the move:
    /// the new region delivers the task only with a copy at least as new, so it never sends
    /// the task back (whose id the hub would then drop as a duplicate of the first forward).
    /// A poll webhook's task (`delivery`) goes to the region's poll subject.
    pub async fn forwarded(
        &self,
        task: &DeliveryTask,
        region: &str,
        delivery: Delivery,
        webhook_version: u64,
        attempts_made: u32,
    ) -> PendingTask {
        let forwarded = DeliveryTask {
            attempts_before: attempts_made,
            webhook_version: webhook_version.max(task.webhook_version),
            ..task.clone()
        };
        let mut message_id = format!("{}:to:{region}", routed_id(&task.event.message_id, &task.webhook_id));
        let client = &task.event.client_id;
        let subject = match delivery {
            Delivery::Push => subjects::delivery(region, task.priority, client, &task.webhook_id),
            Delivery::Poll => {
                message_id.push_str(":poll");
                subjects::poll(region, client, &task.webhook_id)
            }
        };
        self.send(subject, message_id, &task.event, &forwarded).await
    }

    /// `task`, made for `webhook`, on the webhook's region's subject.
    async fn send_task(&self, webhook: &Webhook, task: &DeliveryTask, message_id: String) -> PendingTask {
        self.send(subject_of(webhook, &task.event, task.priority), message_id, &task.event, task).await
    }

    /// Every task names its event in a header ([`expunge::EVENT_HEADER`]), so an expunge finds it.
    async fn send(
        &self,
        subject: String,
        message_id: String,
        event: &Event,
        task: &impl Serialize,
    ) -> PendingTask {
        let payload = serde_json::to_vec(task).expect("a task serializes");
        let publish = PublishMessage::build()
            .payload(payload.into())
            .headers(expunge::event_headers(event))
            .message_id(message_id);
        PendingTask { ack: self.jetstream.send_publish(subject, publish).await }
    }
}

/// A poll webhook's tasks go to its poll queue, a FIFO webhook's to the lane of `event` in the
/// hub's FIFO queue ([`crate::fifo`]), every other webhook's to its region's tier.
fn subject_of(webhook: &Webhook, event: &Event, priority: Priority) -> String {
    match (webhook.delivery, webhook.fifo_lane(event)) {
        (Delivery::Poll, _) => subjects::poll(&webhook.region, &webhook.client_id, &webhook.id),
        (Delivery::Push, Some(lane)) => subjects::fifo(&webhook.client_id, &webhook.id, lane),
        (Delivery::Push, None) => {
            subjects::delivery(&webhook.region, priority, &webhook.client_id, &webhook.id)
        }
    }
}

/// A task with nothing behind it: no attempts yet, made with `webhook` as it is now.
fn fresh(webhook: &Webhook, event: Event, priority: Priority) -> DeliveryTask {
    DeliveryTask {
        webhook_id: webhook.id.clone(),
        event,
        priority,
        attempts_before: 0,
        webhook_version: webhook.version,
    }
}

/// The id of the router's task: routing the same event twice makes no second task.
fn routed_id(message_id: &MessageId, webhook_id: &WebhookId) -> String {
    format!("{message_id}:{webhook_id}")
}
