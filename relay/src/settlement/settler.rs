//! The one place a task's settlement is made to happen, and the owner of its attempt count.
//!
//! The dispatcher tells the [`Settler`] what happened to a task ([`Turn`]); the settler
//! works out which attempt that was (the attempts carried by a parked task, plus JetStream's
//! delivery count, less this relay's deferrals: [`super::deferrals`]), asks
//! [`super::decision::decide`] what follows, records the attempt, stores whatever the
//! settlement produces (a parked copy, a dead letter, a forwarded task) and only then answers
//! JetStream: `ack`, or `nak` with a delay. If storing fails, the settlement's fallback (a
//! `nak`) is applied instead, so nothing is acknowledged before what it produced is stored.
//!
//! The attempt record is part of what an attempt produces: it is retried for a few seconds
//! ([`RECORD_RETRIES`]: a region's stream electing a new leader, a full store) and, if it still
//! cannot be stored, the task is put back rather than acknowledged. The endpoint may then see
//! the delivery twice (at least once, as always), but the history never misses an attempt
//! (the fault suite lost records when a region server died under a relay before this).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::AckKind;
use async_nats::jetstream::message::Message;
use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord, DeadLetter, DeliveryTask};
use edgehook_nats::streams::RegionalContract;
use edgehook_nats::tasks::TaskPublisher;
use metrics::Counter;
use time::OffsetDateTime;

use super::decision::{DeferReason, Queue, Settlement, Turn, decide};
use super::deferrals::Deferrals;
use super::parking::Parking;
use crate::attempt_metrics::AttemptMetrics;
use crate::recorder::Recorder;
use crate::sender::Attempt;

/// Waits between tries to store an attempt record: ~8 s in all, well inside the consumer's
/// ack wait once the HTTP attempt (at most 20 s) is done.
const RECORD_RETRIES: [Duration; 5] = [
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];
/// When the task comes back if its attempt could not be recorded.
const UNRECORDED_DELAY: Duration = Duration::from_secs(1);

/// Where a task's message sits in JetStream: its stream sequence (its identity) and how many
/// times it was delivered.
#[derive(Clone, Copy, Debug)]
pub struct Position {
    pub sequence: u64,
    pub delivered: u64,
}

impl Position {
    pub fn of(message: &Message) -> Result<Self, async_nats::Error> {
        let info = message.info()?;
        Ok(Self { sequence: info.stream_sequence, delivered: info.delivered.max(1) as u64 })
    }
}

pub struct Settler {
    region: String,
    /// The queue whose tasks this settler settles (a FIFO lane's are never parked).
    queue: Queue,
    deferrals: Arc<Deferrals>,
    parking: Parking,
    recorder: Recorder,
    /// Publishes a task whose webhook moved (at the hub).
    tasks: TaskPublisher,
    metrics: AttemptMetrics,
    /// `edgehook_deliveries_deferred_total` by [`DeferReason::index`].
    deferred: [Counter; DeferReason::ALL.len()],
}

impl Settler {
    /// `deferrals`: of the tasks of `queue` (keyed by stream sequence, so one map per stream).
    pub fn new(contract: &RegionalContract, deferrals: Arc<Deferrals>, queue: Queue) -> Self {
        let region = contract.region.name.clone();
        let deferred = DeferReason::ALL.map(|reason| {
            metrics::counter!(
                "edgehook_deliveries_deferred_total",
                "region" => region.clone(),
                "reason" => reason.as_str()
            )
        });
        Self {
            deferrals,
            parking: Parking::new(contract.jetstream.clone(), region.clone()),
            recorder: Recorder::new(contract.jetstream.clone(), region.clone()),
            tasks: TaskPublisher::new(contract.hub.clone()),
            metrics: AttemptMetrics::new(&region),
            deferred,
            region,
            queue,
        }
    }

    /// The attempt this delivery of `task` is (1-based): attempts made before it was last
    /// parked, plus its deliveries since, less its deferrals.
    pub fn attempt(&self, task: &DeliveryTask, position: Position) -> u32 {
        task.attempts_before.saturating_add(self.deferrals.attempt(position.sequence, position.delivered))
    }

    /// Decides what follows `turn` for `task` and makes it so.
    pub async fn settle(&self, message: &Message, position: Position, task: DeliveryTask, turn: Turn<'_>) {
        let now = edgehook_domain::now();
        let attempt = self.attempt(&task, position);
        let settlement = decide(turn, attempt, self.queue, now);
        if let Turn::Attempted { answer, .. } = turn
            && !self.record(&task, attempt, answer, &settlement, now).await
        {
            return self.nak(message, position, UNRECORDED_DELAY, false).await;
        }
        if let Some(reason) = settlement.deferred() {
            self.deferred[reason.index()].increment(1);
        }
        let stored = match &settlement {
            Settlement::Ack => true,
            Settlement::Nak { delay, deferred } => {
                return self.nak(message, position, *delay, deferred.is_some()).await;
            }
            Settlement::Park { until, attempts_made, .. } => {
                match self.parking.park(&task, position.sequence, *attempts_made, *until).await {
                    Ok(()) => true,
                    Err(error) => {
                        tracing::warn!(%error, "parking a delivery failed; it waits in its consumer");
                        false
                    }
                }
            }
            Settlement::Forward { region, delivery, webhook_version, attempts_made } => {
                let forwarded = crate::dispatcher::forward(
                    &self.tasks,
                    &task,
                    (region, *delivery),
                    *webhook_version,
                    *attempts_made,
                );
                match forwarded.await {
                    Ok(()) => {
                        tracing::info!(webhook_id = %task.webhook_id, to = %region, ?delivery, "delivery forwarded to the webhook's new region or its poll queue");
                        true
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot forward to the webhook's new region; retrying");
                        false
                    }
                }
            }
            Settlement::DeadLetter { reason, attempts, last_status_code, last_error, at, broke_order } => {
                let letter = DeadLetter {
                    task,
                    reason: *reason,
                    attempts: *attempts,
                    last_status_code: *last_status_code,
                    last_error: last_error.clone(),
                    dead_lettered_at: *at,
                    broke_order: *broke_order,
                };
                self.give_up(&letter).await
            }
        };
        match (stored, settlement.fallback()) {
            (false, Some(Settlement::Nak { delay, deferred })) => {
                self.nak(message, position, delay, deferred.is_some()).await
            }
            _ => {
                self.deferrals.forget(position.sequence);
                self.acknowledge(message, AckKind::Ack).await
            }
        }
    }

    /// A message that is not a task: JetStream is told never to deliver it again.
    pub async fn discard(&self, message: &Message) {
        self.acknowledge(message, AckKind::Term).await
    }

    /// The task comes back to this consumer after `delay`; `deferred`: without an attempt.
    async fn nak(&self, message: &Message, position: Position, delay: Duration, deferred: bool) {
        let now = Instant::now();
        if deferred {
            self.deferrals.note(position.sequence, delay, now);
        } else {
            self.deferrals.keep(position.sequence, delay, now);
        }
        self.acknowledge(message, AckKind::Nak(Some(delay))).await
    }

    /// Tells JetStream. A FIFO lane's answer waits for the server's confirmation: the lane asks
    /// for its next task only then, so the server never holds that request while the task is
    /// still out (measured: such a held request was sometimes lost, and the lane waited for its
    /// expiry); a shared tier's answers are sent without waiting, as they are many.
    async fn acknowledge(&self, message: &Message, ack: AckKind) {
        let told = match self.queue {
            Queue::Fifo => message.double_ack_with(ack).await,
            Queue::Shared => message.ack_with(ack).await,
        };
        if let Err(error) = told {
            tracing::warn!(%error, "acknowledging a delivery failed; JetStream will redeliver it");
        }
    }

    /// Stores the dead letter (`false`: not stored); the task leaves the delivery stream only
    /// once it is.
    async fn give_up(&self, letter: &DeadLetter) -> bool {
        if let Err(error) = self.recorder.dead_letter(letter).await {
            tracing::error!(event_id = %letter.task.event.event_id, %error, "dead letter not stored; retrying");
            return false;
        }
        let reason = serde_json::to_value(letter.reason).ok().and_then(|v| v.as_str().map(str::to_owned));
        metrics::counter!(
            "edgehook_dead_letters_total",
            "region" => self.region.clone(),
            "webhook_id" => letter.task.webhook_id.to_string(),
            "reason" => reason.unwrap_or_default()
        )
        .increment(1);
        true
    }

    /// Stores the attempt, trying again a few times; false if it could not be stored.
    async fn record(
        &self,
        task: &DeliveryTask,
        attempt: u32,
        answer: &Attempt,
        settlement: &Settlement,
        now: OffsetDateTime,
    ) -> bool {
        let (outcome, next_attempt_at) = settlement.attempt_outcome(now);
        let record = AttemptRecord {
            message_id: task.event.message_id.clone(),
            event_id: task.event.event_id.clone(),
            event_type: task.event.event_type.clone(),
            webhook_id: task.webhook_id.clone(),
            client_id: task.event.client_id.clone(),
            attempt,
            attempted_at: now - answer.latency,
            status_code: answer.status_code,
            latency_ms: answer.latency.as_millis() as u64,
            error: answer.error.clone(),
            outcome,
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
        let since_accepted = (now - task.event.accepted_at).as_seconds_f64();
        self.metrics.record(record.status_code, record.outcome, answer.latency.as_secs_f64(), since_accepted);
        let mut waits = RECORD_RETRIES.iter();
        loop {
            let Err(error) = self.recorder.attempt(&record).await else { return true };
            let Some(wait) = waits.next() else {
                tracing::error!(event_id = %record.event_id, %error, "attempt record not stored; the delivery goes again");
                return false;
            };
            tracing::warn!(event_id = %record.event_id, %error, "storing an attempt record failed; trying again");
            tokio::time::sleep(*wait).await;
        }
    }
}
