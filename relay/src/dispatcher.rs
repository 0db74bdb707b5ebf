//! Scheduling, in a region: pull the region's delivery tasks, make one attempt each when the
//! endpoint may be called now ([`crate::endpoints`], [`crate::rate_limit`]), then tell
//! JetStream what comes next.
//!
//! A task that may not go now is deferred: a `nak` with the delay the endpoint's state asks
//! for, so it waits in JetStream, not here. A retry is a `nak` with the webhook's backoff delay
//! (the DELIVERIES consumer has no backoff of its own, so the delay is exact); the attempt
//! number is the task's delivery count minus its deferrals ([`crate::deferrals`]). A relay
//! that dies mid-attempt is covered by the consumer's `ack_wait`.

use std::future::Future;
use std::sync::Arc;

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::Message;
use async_nats::jetstream::{self, AckKind};
use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord, DeadLetter, DeadLetterReason, DeliveryTask};
use edgehook_domain::priority::Priority;
use edgehook_domain::webhook::{Webhook, WebhookStatus};
use edgehook_nats::kv_cache::{KvCache, Lookup};
use edgehook_nats::streams::{RegionalContract, dispatch_consumer_name};
use edgehook_nats::tasks::TaskPublisher;
use futures::StreamExt;
use std::time::Duration;

use crate::attempt_metrics::AttemptMetrics;
use crate::auto_disable::AutoDisable;
use crate::deferrals::Deferrals;
use crate::endpoints::{Admission, DeferReason, Endpoints};
use crate::parking::{PARK_AFTER, Parking};
use crate::policy::{Decision, decide};
use crate::rate_limit::RateLimiter;
use crate::recorder::Recorder;
use crate::sender::{Attempt, Sender};
use crate::tiers::Tiered;
use crate::{Config, RelayError};

/// When a dead letter cannot be stored, the task comes back after this long.
const RECORD_RETRY_DELAY: Duration = Duration::from_secs(2);
/// How long a task waits for its webhook to reach this region's mirror before it is put back.
const REPLICATION_PATIENCE: Duration = Duration::from_secs(5);
/// How often a task of a disabled webhook looks whether it was enabled again.
const DISABLED_RECHECK: Duration = Duration::from_secs(10);

struct Dispatcher {
    region: String,
    endpoints: Endpoints,
    rate_limiter: RateLimiter,
    deferrals: Deferrals,
    auto_disable: AutoDisable,
    webhooks: KvCache<Webhook>,
    hub: jetstream::Context,
    sender: Sender,
    recorder: Recorder,
    parking: Parking,
    metrics: AttemptMetrics,
}

/// Where a task sits in JetStream: its stream sequence (its identity) and how many times it
/// was delivered.
struct Position {
    sequence: u64,
    delivered: u64,
}

pub async fn run(
    config: Config,
    contract: RegionalContract,
    endpoints: Endpoints,
    rate_limiter: RateLimiter,
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
    let region = contract.region.name.clone();
    let dispatcher = Arc::new(Dispatcher {
        webhooks: KvCache::follow(contract.jetstream.clone(), contract.webhooks.clone()),
        hub: contract.hub.clone(),
        endpoints,
        rate_limiter,
        deferrals: Deferrals::default(),
        auto_disable: AutoDisable::new(contract.hub.clone()),
        sender: Sender::new(
            config.delivery_timeout,
            config.concurrency,
            config.addresses.clone(),
            config.secrets.clone(),
        ),
        recorder: Recorder::new(contract.jetstream.clone(), region.clone()),
        metrics: AttemptMetrics::new(&region),
        parking: Parking::new(contract.jetstream.clone(), region.clone()),
        region,
    });
    messages
        .take_until(shutdown)
        .for_each_concurrent(config.concurrency, |message| {
            let dispatcher = dispatcher.clone();
            async move {
                match message {
                    Ok(message) => dispatcher.dispatch(message).await,
                    Err(error) => tracing::warn!(%error, "pulling deliveries"),
                }
            }
        })
        .await;
    Ok(())
}

impl Dispatcher {
    async fn dispatch(&self, message: Message) {
        let position = match message.info() {
            Ok(info) => Position { sequence: info.stream_sequence, delivered: info.delivered.max(1) as u64 },
            Err(error) => {
                tracing::error!(%error, "delivery without JetStream metadata");
                return;
            }
        };
        let task: DeliveryTask = match serde_json::from_slice(&message.payload) {
            Ok(task) => task,
            Err(error) => {
                tracing::error!(subject = %message.subject, %error, "unreadable delivery task dropped");
                return settle(&message, AckKind::Term).await;
            }
        };
        let key = Webhook::key(&task.event.client_id, &task.webhook_id);
        let new_enough = |webhook: &Webhook| webhook.is_at_least(task.webhook_version);
        let webhook = match self.webhooks.lookup_patiently(&key, REPLICATION_PATIENCE, new_enough).await {
            Lookup::Present(webhook) => webhook,
            Lookup::Deleted => {
                tracing::info!(webhook_id = %task.webhook_id, "webhook deleted; delivery dropped");
                return self.done(&message, &position).await;
            }
            Lookup::Unknown | Lookup::Outdated(_) => {
                tracing::warn!(webhook_id = %task.webhook_id, "webhook (at the task's version) not replicated here yet; delivery postponed");
                let admission =
                    Admission::Defer { delay: REPLICATION_PATIENCE, reason: DeferReason::NotReplicated };
                return self.defer(&message, &task, &position, admission).await;
            }
        };
        if webhook.region != self.region {
            let attempts_made = self.attempt(&task, &position) - 1;
            self.deferrals.forget(position.sequence);
            return self.forward(&message, &task, &webhook, attempts_made).await;
        }
        let attempt = self.attempt(&task, &position);
        match webhook.status {
            WebhookStatus::Active => {}
            WebhookStatus::Inactive => {
                let letter = dead_letter(task, DeadLetterReason::WebhookInactive, attempt - 1, None);
                return self.give_up(&message, &position, letter).await;
            }
            WebhookStatus::Disabled => {
                let admission = Admission::Defer { delay: DISABLED_RECHECK, reason: DeferReason::Disabled };
                return self.defer(&message, &task, &position, admission).await;
            }
        }
        let slot = match self.endpoints.admit(&webhook) {
            Admission::Go(slot) => slot,
            deferral => return self.defer(&message, &task, &position, deferral).await,
        };
        let rate = self.endpoints.effective_rate(&webhook);
        if let Err(wait) = self.rate_limiter.acquire(webhook.id.as_str(), rate).await {
            drop(slot);
            let deferral = self.endpoints.rate_limited(&webhook, wait);
            return self.defer(&message, &task, &position, deferral).await;
        }

        let outcome = self.sender.send(&webhook, &task.event).await;
        let observation = self.endpoints.observe(&webhook, &outcome);
        drop(slot);
        if let Some(reason) = observation.disable {
            let (auto_disable, webhook) = (self.auto_disable.clone(), webhook.clone());
            tokio::spawn(async move {
                if let Err(error) = auto_disable.disable(&webhook, &reason).await {
                    tracing::warn!(webhook_id = %webhook.id, %error, "disabling the endpoint failed");
                }
            });
        }
        let decision = decide(&webhook.retry_config, attempt, &outcome.verdict);
        self.record(&task, attempt, &outcome, &decision).await;
        match decision {
            Decision::Ack => self.done(&message, &position).await,
            Decision::RetryIn(delay) => self.come_back(&message, &task, &position, attempt, delay).await,
            Decision::DeadLetter(reason) => {
                let letter = dead_letter(task, reason, attempt, Some(&outcome));
                self.give_up(&message, &position, letter).await
            }
        }
    }

    /// The attempt this delivery of `task` is (1-based): attempts made before it was last
    /// parked, plus its deliveries since, less its deferrals.
    fn attempt(&self, task: &DeliveryTask, position: &Position) -> u32 {
        task.attempts_before.saturating_add(self.deferrals.attempt(position.sequence, position.delivered))
    }

    /// Puts the task back for later without an attempt.
    async fn defer(&self, message: &Message, task: &DeliveryTask, position: &Position, admission: Admission) {
        let Admission::Defer { delay, reason } = admission else {
            return;
        };
        let attempts_made = self.attempt(task, position) - 1;
        self.deferrals.note(position.sequence);
        metrics::counter!(
            "edgehook_deliveries_deferred_total",
            "region" => self.region.clone(),
            "reason" => reason.as_str()
        )
        .increment(1);
        self.come_back(message, task, position, attempts_made, delay).await
    }

    /// The task comes again after `delay`: a `nak` for a short wait, the parking stream for a
    /// long one (see [`crate::parking`]). `attempts_made` counts this delivery's attempt if it
    /// made one.
    async fn come_back(
        &self,
        message: &Message,
        task: &DeliveryTask,
        position: &Position,
        attempts_made: u32,
        delay: Duration,
    ) {
        if delay >= PARK_AFTER {
            match self.parking.park(task, attempts_made, delay).await {
                Ok(()) => return self.done(message, position).await,
                Err(error) => {
                    tracing::warn!(%error, "parking a delivery failed; it waits in its consumer")
                }
            }
        }
        settle(message, AckKind::Nak(Some(delay))).await
    }

    /// The task leaves this delivery stream (delivered, dropped or parked): ack it, and forget
    /// its deferrals, since this message will not come back.
    async fn done(&self, message: &Message, position: &Position) {
        self.deferrals.forget(position.sequence);
        settle(message, AckKind::Ack).await
    }

    /// Stores the attempt; a failure here is logged, not retried: the delivery's own state
    /// matters more than its history.
    async fn record(&self, task: &DeliveryTask, attempt: u32, outcome: &Attempt, decision: &Decision) {
        let (outcome_kind, next_attempt_at) = match decision {
            Decision::Ack => (AttemptOutcome::Succeeded, None),
            Decision::RetryIn(delay) => (AttemptOutcome::Retrying, Some(edgehook_domain::now() + *delay)),
            Decision::DeadLetter(_) => (AttemptOutcome::Failed, None),
        };
        let record = AttemptRecord {
            message_id: task.event.message_id.clone(),
            event_id: task.event.event_id.clone(),
            event_type: task.event.event_type.clone(),
            webhook_id: task.webhook_id.clone(),
            client_id: task.event.client_id.clone(),
            attempt,
            attempted_at: edgehook_domain::now() - outcome.latency,
            status_code: outcome.status_code,
            latency_ms: outcome.latency.as_millis() as u64,
            error: outcome.error.clone(),
            outcome: outcome_kind,
            next_attempt_at,
            region: self.region.clone(),
        };
        // Every attempt is in the attempts history; the log has the failed ones, and the
        // successful ones only at `debug` (a line per delivery costs ~5 % of throughput).
        if record.outcome == AttemptOutcome::Succeeded {
            tracing::debug!(event_id = %record.event_id, webhook_id = %record.webhook_id, attempt, "delivered");
        } else {
            tracing::info!(
                event_id = %record.event_id,
                webhook_id = %record.webhook_id,
                region = %record.region,
                attempt,
                status = ?record.status_code,
                error = record.error.as_deref().unwrap_or(""),
                latency_ms = record.latency_ms,
                outcome = ?record.outcome,
                "delivery attempt failed"
            );
        }
        let since_accepted = (edgehook_domain::now() - task.event.accepted_at).as_seconds_f64();
        self.metrics.record(
            record.status_code,
            record.outcome,
            outcome.latency.as_secs_f64(),
            since_accepted,
        );
        if let Err(error) = self.recorder.attempt(&record).await {
            tracing::error!(event_id = %record.event_id, %error, "attempt record lost");
        }
    }

    /// The webhook moved to another region: the task continues there, through the hub, with
    /// the attempts made so far and the version of the webhook that showed the move
    /// (`TaskPublisher::forwarded`: its message id is made of the original, so forwarding twice
    /// still makes one task).
    async fn forward(&self, message: &Message, task: &DeliveryTask, webhook: &Webhook, attempts_made: u32) {
        let tasks = TaskPublisher::new(self.hub.clone());
        let forwarded = tasks.forwarded(task, &webhook.region, webhook.version, attempts_made);
        match forwarded.await.stored().await {
            Ok(()) => {
                tracing::info!(webhook_id = %task.webhook_id, to = %webhook.region, "delivery forwarded to the webhook's new region");
                settle(message, AckKind::Ack).await
            }
            Err(error) => {
                tracing::warn!(%error, "cannot forward to the webhook's new region; retrying");
                settle(message, AckKind::Nak(Some(RECORD_RETRY_DELAY))).await
            }
        }
    }

    /// The task leaves the delivery stream only once its dead letter is stored.
    async fn give_up(&self, message: &Message, position: &Position, letter: DeadLetter) {
        match self.recorder.dead_letter(&letter).await {
            Ok(()) => {
                self.deferrals.forget(position.sequence);
                let reason =
                    serde_json::to_value(letter.reason).ok().and_then(|v| v.as_str().map(str::to_owned));
                metrics::counter!(
                    "edgehook_dead_letters_total",
                    "region" => self.region.clone(),
                    "webhook_id" => letter.task.webhook_id.to_string(),
                    "reason" => reason.unwrap_or_default()
                )
                .increment(1);
                settle(message, AckKind::Ack).await
            }
            Err(error) => {
                tracing::error!(event_id = %letter.task.event.event_id, %error, "dead letter not stored; retrying");
                settle(message, AckKind::Nak(Some(RECORD_RETRY_DELAY))).await
            }
        }
    }
}

fn dead_letter(
    task: DeliveryTask,
    reason: DeadLetterReason,
    attempts: u32,
    last: Option<&Attempt>,
) -> DeadLetter {
    DeadLetter {
        task,
        reason,
        attempts,
        last_status_code: last.and_then(|attempt| attempt.status_code),
        last_error: last.and_then(|attempt| attempt.error.clone()),
        dead_lettered_at: edgehook_domain::now(),
    }
}

async fn settle(message: &Message, ack: AckKind) {
    if let Err(error) = message.ack_with(ack).await {
        tracing::warn!(%error, "acknowledging a delivery failed; JetStream will redeliver it");
    }
}
