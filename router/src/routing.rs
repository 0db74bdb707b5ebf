//! Routing: the `router` consumer's events, each made into one delivery task per webhook that
//! wants it, on the subject of the webhook's region.
//!
//! It reads EVENTS, matches each event against the client's webhooks (a local copy of the
//! `webhooks` bucket, synced once per batch so that a webhook made before an event was accepted
//! is always matched) and publishes the tasks.
//!
//! Each task is made by `edgehook_nats::tasks` (subject, `Nats-Msg-Id` `<message_id>:<webhook_id>`,
//! so an event routed twice still makes each task once, and the webhook version matched, which
//! the relay waits for before it signs). The tasks of a batch are all sent, in the order of
//! the events, before their acknowledgements are awaited, and an event is acknowledged only
//! after every task is stored.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::AckKind;
use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::Message;
use edgehook_domain::event::Event;
use edgehook_domain::webhook::Webhook;
use edgehook_nats::Contract;
use edgehook_nats::kv_cache::KvCache;
use edgehook_nats::streams::{EVENTS, ROUTER_CONSUMER};
use edgehook_nats::tasks::{PendingTask, TaskPublisher};
use futures::StreamExt;
use serde_json::value::RawValue;

#[derive(Debug, thiserror::Error)]
pub enum RouterError {
    #[error("{context}: {source}")]
    Nats { context: &'static str, source: async_nats::Error },
}

const BATCH: usize = 500;
/// Events that arrive within this window share one webhook-bucket sync. 5 ms rather than 2: at
/// 500 events/s a batch was one event, each its own sync; measured, 827 µs of CPU per delivered
/// event (edgehook and nats-server) became ~700, for ~3 ms more latency (p99 at 2,000/s 5.8 ms
/// → 9.2 ms, BENCHMARKS.md).
const BATCH_WINDOW: Duration = Duration::from_millis(5);
const RETRY_DELAY: Duration = Duration::from_secs(1);

pub async fn run(contract: Contract, shutdown: impl Future<Output = ()> + Send) -> Result<(), RouterError> {
    let webhooks = KvCache::<Webhook>::follow(contract.jetstream.clone(), contract.webhooks.clone());
    let tasks = TaskPublisher::new(contract.jetstream.clone());
    let consumer: PullConsumer =
        contract.jetstream.get_consumer_from_stream(ROUTER_CONSUMER, EVENTS).await.map_err(|error| {
            RouterError::Nats { context: "opening the router consumer", source: error.into() }
        })?;
    let messages = consumer
        .stream()
        .max_messages_per_batch(BATCH)
        .messages()
        .await
        .map_err(|error| RouterError::Nats { context: "pulling events", source: error.into() })?;
    let backlog = tokio::spawn(edgehook_service::ops::report_backlog(
        contract.jetstream.clone(),
        vec![(EVENTS.to_owned(), ROUTER_CONSUMER.to_owned())],
    ));
    let batches = tokio_stream::StreamExt::chunks_timeout(messages.take_until(shutdown), BATCH, BATCH_WINDOW);
    tokio::pin!(batches);
    while let Some(batch) = batches.next().await {
        let messages: Vec<Message> = batch
            .into_iter()
            .filter_map(|message| message.map_err(|error| tracing::warn!(%error, "pulling events")).ok())
            .collect();
        // Every event of the batch was accepted before this sync asked, so every webhook
        // registered before its event is in the local copy afterwards.
        if let Err(error) = webhooks.sync().await {
            tracing::warn!(%error, "webhooks not in sync; events will be routed again");
            for message in &messages {
                let _ = message.ack_with(AckKind::Nak(Some(RETRY_DELAY))).await;
            }
            continue;
        }
        // Sent one event after the other, so that tasks are stored in the order the events
        // were accepted (a FIFO webhook's lane keeps that order); acknowledged concurrently.
        let mut routed = Vec::with_capacity(messages.len());
        for message in &messages {
            routed.push(route(&tasks, &webhooks, message).await);
        }
        futures::future::join_all(routed.into_iter().flatten().map(Routed::settle)).await;
    }
    backlog.abort();
    Ok(())
}

/// An event whose tasks are sent, their acknowledgements not awaited yet.
struct Routed<'a> {
    message: &'a Message,
    event_id: String,
    tasks: Vec<PendingTask>,
}

/// Sends the tasks of one event (`None`: the message was not an event, and is settled).
async fn route<'a>(
    tasks: &TaskPublisher,
    webhooks: &KvCache<Webhook>,
    message: &'a Message,
) -> Option<Routed<'a>> {
    let parsed = serde_json::from_slice::<Event>(&message.payload)
        .and_then(|event| Ok((event, serde_json::from_slice::<&RawValue>(&message.payload)?)));
    let (event, stored_event) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::error!(subject = %message.subject, %error, "unreadable event dropped");
            let _ = message.ack_with(AckKind::Term).await;
            return None;
        }
    };
    let targets = webhooks.range(&Webhook::client_prefix(&event.client_id), None, usize::MAX);
    let mut sent = Vec::new();
    for webhook in targets.iter().filter(|webhook| webhook.wants(&event)) {
        sent.push(tasks.routed(webhook, &event, stored_event).await);
    }
    Some(Routed { message, event_id: event.event_id, tasks: sent })
}

impl Routed<'_> {
    /// Acknowledges the event once every task is stored (else it comes back to be routed again).
    async fn settle(self) {
        let mut all_stored = true;
        for task in self.tasks {
            if let Err(error) = task.stored().await {
                tracing::warn!(event_id = %self.event_id, %error, "storing a delivery task failed; routing again");
                all_stored = false;
            }
        }
        let ack = if all_stored { AckKind::Ack } else { AckKind::Nak(Some(RETRY_DELAY)) };
        if let Err(error) = self.message.ack_with(ack).await {
            tracing::warn!(event_id = %self.event_id, %error, "acknowledging a routed event failed");
        }
    }
}
