//! Scheduling, in a region: pull the region's delivery tasks, look each one's webhook up, make
//! one attempt when the endpoint may be called now ([`crate::endpoints`], [`crate::rate_limit`]),
//! and hand what happened to the [`Settler`], which decides and tells JetStream what comes
//! next ([`crate::settlement`]).
//!
//! A task that may not go now is deferred: a `nak` with the delay the endpoint's state asks
//! for (or, for a long wait, parked), so it waits in JetStream, not here. A relay that dies
//! mid-attempt is covered by the consumer's `ack_wait`.
//!
//! FIFO webhooks' tasks come from their lanes instead ([`crate::fifo`], started here beside the
//! tiers) and go through the same [`Dispatcher::dispatch`], settled by a [`Settler`] of their
//! own queue.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::Message;
use edgehook_domain::delivery::DeliveryTask;
use edgehook_domain::priority::Priority;
use edgehook_domain::webhook::{Delivery, Webhook, WebhookStatus};
use edgehook_nats::kv_cache::{KvCache, Lookup};
use edgehook_nats::streams::{RegionalContract, dispatch_consumer_name};
use edgehook_nats::tasks::{TaskPublishError, TaskPublisher};
use futures::StreamExt;
use tokio::sync::watch;

use crate::auto_disable::AutoDisable;
use crate::endpoints::{Admission, Endpoints, Now};
use crate::rate_limit::RateLimiter;
use crate::sender::Sender;
use crate::settlement::deferrals::Deferrals;
use crate::settlement::{DeferReason, Position, Queue, Settler, Turn};
use crate::tiers::Tiered;
use crate::{Config, RelayError};

/// How long a task waits for its webhook to reach this region's mirror before it is put back.
const REPLICATION_PATIENCE: Duration = Duration::from_secs(5);
/// How often a task of a disabled webhook looks whether it was enabled again.
const DISABLED_RECHECK: Duration = Duration::from_secs(10);

pub(crate) struct Dispatcher {
    region: String,
    /// The hub, where FIFO lanes are.
    hub: async_nats::jetstream::Context,
    endpoints: Endpoints,
    rate_limiter: RateLimiter,
    auto_disable: AutoDisable,
    webhooks: KvCache<Webhook>,
    sender: Sender,
}

pub async fn run(
    config: Config,
    contract: RegionalContract,
    endpoints: Endpoints,
    rate_limiter: RateLimiter,
    deferrals: Arc<Deferrals>,
    fifo_deferrals: Arc<Deferrals>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), RelayError> {
    let mut tiers = Vec::new();
    for priority in Priority::ALL {
        let consumer: PullConsumer = contract
            .jetstream
            .get_consumer_from_stream(dispatch_consumer_name(priority), contract.region.deliveries_stream())
            .await
            .map_err(|error| RelayError::Nats {
                context: "opening a dispatch consumer",
                source: error.into(),
            })?;
        let messages = consumer
            .stream()
            .max_messages_per_batch(config.concurrency)
            .messages()
            .await
            .map_err(|error| RelayError::Nats { context: "pulling deliveries", source: error.into() })?;
        tiers.push(messages);
    }
    let tiers: [_; 3] = tiers.try_into().unwrap_or_else(|_| unreachable!("one stream per tier"));
    let messages = Tiered::new(tiers);
    let dispatcher = Arc::new(Dispatcher {
        webhooks: KvCache::follow(contract.jetstream.clone(), contract.webhooks.clone()),
        endpoints,
        rate_limiter,
        auto_disable: AutoDisable::new(contract.hub.clone()),
        sender: Sender::new(
            config.delivery_timeout,
            config.concurrency,
            config.addresses.clone(),
            config.secrets.clone(),
        ),
        region: contract.region.name.clone(),
        hub: contract.hub.clone(),
    });
    let settler = Settler::new(&contract, deferrals, Queue::Shared);
    let (stop_fifo, fifo_stopped) = watch::channel(false);
    let fifo_settler = Settler::new(&contract, fifo_deferrals, Queue::Fifo);
    let fifo = tokio::spawn(crate::fifo::run(dispatcher.clone(), fifo_settler, fifo_stopped));
    messages
        .take_until(shutdown)
        .for_each_concurrent(config.concurrency, |message| {
            let (dispatcher, settler) = (dispatcher.clone(), &settler);
            async move {
                match message {
                    Ok(message) => dispatcher.dispatch(message, settler).await,
                    Err(error) => tracing::warn!(%error, "pulling deliveries"),
                }
            }
        })
        .await;
    let _ = stop_fifo.send(true);
    let _ = fifo.await;
    Ok(())
}

impl Dispatcher {
    pub(crate) fn hub(&self) -> &async_nats::jetstream::Context {
        &self.hub
    }

    pub(crate) fn webhooks(&self) -> &KvCache<Webhook> {
        &self.webhooks
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// One turn of a task taken from a tier or a FIFO lane; `settler` is its queue's.
    pub(crate) async fn dispatch(&self, message: Message, settler: &Settler) {
        let position = match Position::of(&message) {
            Ok(position) => position,
            Err(error) => {
                tracing::error!(%error, "delivery without JetStream metadata");
                return;
            }
        };
        let task: DeliveryTask = match serde_json::from_slice(&message.payload) {
            Ok(task) => task,
            Err(error) => {
                tracing::error!(subject = %message.subject, %error, "unreadable delivery task dropped");
                return settler.discard(&message).await;
            }
        };
        let webhook = match self.webhook(&task).await {
            Lookup::Present(webhook) => webhook,
            Lookup::Deleted => {
                tracing::info!(webhook_id = %task.webhook_id, "webhook deleted; delivery dropped");
                return settler.settle(&message, position, task, Turn::WebhookDeleted).await;
            }
            Lookup::Unknown | Lookup::Outdated(_) => {
                tracing::warn!(webhook_id = %task.webhook_id, "webhook (at the task's version) not replicated here yet; delivery postponed");
                let turn = Turn::Deferred { delay: REPLICATION_PATIENCE, reason: DeferReason::NotReplicated };
                return settler.settle(&message, position, task, turn).await;
            }
        };
        // Moved to another region, or made a poll webhook after this task was routed to a
        // tier: the task continues where its webhook now takes its deliveries.
        if webhook.region != self.region || webhook.is_poll() {
            let (region, delivery) = (&webhook.region, webhook.delivery);
            let turn = Turn::Moved { region, delivery, webhook_version: webhook.version };
            return settler.settle(&message, position, task, turn).await;
        }
        match webhook.status {
            WebhookStatus::Active => {}
            WebhookStatus::Inactive => {
                return settler.settle(&message, position, task, Turn::Inactive).await;
            }
            WebhookStatus::Disabled => {
                let turn = Turn::Deferred { delay: DISABLED_RECHECK, reason: DeferReason::Disabled };
                return settler.settle(&message, position, task, turn).await;
            }
        }
        let slot = match self.endpoints.admit(&webhook, Instant::now()) {
            Admission::Go(slot) => slot,
            Admission::Defer { delay, reason } => {
                return settler.settle(&message, position, task, Turn::Deferred { delay, reason }).await;
            }
        };
        if let Err(wait) = self.rate_limiter.acquire(webhook.id.as_str(), slot.rate()).await {
            let Admission::Defer { delay, reason } = slot.rate_limited(wait, Instant::now()) else {
                unreachable!("a rate-limited slot is deferred")
            };
            return settler.settle(&message, position, task, Turn::Deferred { delay, reason }).await;
        }

        let answer = self.sender.send(&webhook, &task.event).await;
        let observation = slot.finish(&answer, Now::read());
        if let Some(reason) = observation.disable {
            let (auto_disable, webhook) = (self.auto_disable.clone(), webhook.clone());
            tokio::spawn(async move {
                if let Err(error) = auto_disable.disable(&webhook, &reason).await {
                    tracing::warn!(webhook_id = %webhook.id, %error, "disabling the endpoint failed");
                }
            });
        }
        let turn = Turn::Attempted { answer: &answer, retry: &webhook.retry_config };
        settler.settle(&message, position, task, turn).await
    }

    /// The task's webhook, as this region's copy of the bucket holds it, at least as new as
    /// the task (so a delivery is never signed with a key rotated out before the task was
    /// made); a webhook not there yet, or only older, is waited for a while
    /// ([`REPLICATION_PATIENCE`]).
    async fn webhook(&self, task: &DeliveryTask) -> Lookup<Webhook> {
        let key = Webhook::key(&task.event.client_id, &task.webhook_id);
        let version = task.webhook_version;
        self.webhooks
            .lookup_patiently(&key, REPLICATION_PATIENCE, |webhook| webhook.is_at_least(version))
            .await
    }
}

/// The webhook moved to another region, or is a poll webhook: the task continues there (its
/// region's tier, or its poll subject), through the hub, with the attempts made so far and the
/// version of the webhook that showed the move ([`TaskPublisher::forwarded`]: its message id is
/// made of the original, so forwarding twice still makes one task). The [`Settler`]
/// acknowledges the original once this is stored.
pub(crate) async fn forward(
    tasks: &TaskPublisher,
    task: &DeliveryTask,
    (region, delivery): (&str, Delivery),
    webhook_version: u64,
    attempts_made: u32,
) -> Result<(), TaskPublishError> {
    tasks.forwarded(task, region, delivery, webhook_version, attempts_made).await.stored().await
}
