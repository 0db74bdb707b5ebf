//! What flows after routing: one delivery task per (event, webhook), the record of each
//! attempt, and the dead letter a delivery becomes when it gives up.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::event::Event;
use crate::ids::{ClientId, MessageId, WebhookId};
use crate::priority::Priority;

/// One event to deliver to one webhook, on `deliveries.<region>.<tier>.<client>.<webhook>`.
/// Each task is its own JetStream message, so each webhook's retries are independent of the
/// others'.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryTask {
    pub webhook_id: WebhookId,
    pub event: Event,
    /// The event's tier if it has one, else the webhook's.
    #[serde(default)]
    pub priority: Priority,
    /// Attempts made before this message: a task set aside in the parking stream comes back as
    /// a new message, whose own delivery count starts again.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempts_before: u32,
    /// The [`Webhook::version`](crate::webhook::Webhook::version) the task was made with (the
    /// router's match, or what replay, redrive or a forwarding relay saw): the relay delivers
    /// it only with a copy of the webhook at least this new, so a delivery is never signed
    /// with a key a rotation before it replaced. 0 (a task made before versions existed):
    /// any copy.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub webhook_version: u64,
}

fn is_zero<N: Default + PartialEq>(value: &N) -> bool {
    *value == N::default()
}

/// A new task as the router writes it: the event's JSON, as ingest stored it, is wrapped as it
/// is, not parsed and written again for every webhook. Reads back as a [`DeliveryTask`] (no
/// attempts before it). Made by `edgehook_nats::tasks`, like every task.
#[derive(Serialize)]
pub struct RoutedTask<'a> {
    pub webhook_id: &'a WebhookId,
    pub event: &'a RawValue,
    pub priority: Priority,
    #[serde(skip_serializing_if = "is_zero")]
    pub webhook_version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttemptOutcome {
    /// The endpoint answered 2xx: delivered.
    Succeeded,
    /// Failed; another attempt is scheduled.
    Retrying,
    /// Failed for good: dead-lettered.
    Failed,
}

/// One attempt to deliver; a relay publishes a webhook's records in batches on
/// `rgn.<region>.attempts.<client>.<webhook>` (`edgehook_nats::attempt_log`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttemptRecord {
    pub message_id: MessageId,
    pub event_id: String,
    pub event_type: String,
    pub webhook_id: WebhookId,
    pub client_id: ClientId,
    /// 1 for the first attempt.
    #[schema(minimum = 1)]
    pub attempt: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub attempted_at: OffsetDateTime,
    /// The endpoint's HTTP status; `null` when it did not answer.
    #[schema(required = true)]
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    /// Why the attempt failed, when it did.
    #[schema(required = true)]
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
    /// When the next attempt is due (`retrying` only).
    #[serde(with = "time::serde::rfc3339::option", default)]
    #[schema(required = true)]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// The region whose relay made the attempt.
    pub region: String,
}

/// A delivery that gave up, on `deadletters.<client>.<webhook>`; redrive sends it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub task: DeliveryTask,
    pub reason: DeadLetterReason,
    pub attempts: u32,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub dead_lettered_at: OffsetDateTime,
    /// It was given up on a FIFO webhook, whose next delivery then went: the order was broken
    /// here (a redrive sends it after the deliveries queued meanwhile).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub broke_order: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadLetterReason {
    /// The endpoint answered a 4xx that retrying will not fix.
    Rejected,
    /// Every retry of the webhook's retry_config failed.
    RetriesExhausted,
    /// The webhook was made inactive while the delivery was pending.
    WebhookInactive,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids::SourceId;

    #[test]
    fn a_routed_task_reads_back_as_the_task_of_its_event() {
        let event = Event {
            message_id: MessageId::generate(),
            event_id: "evt_1".to_owned(),
            event_type: "order.created".to_owned(),
            client_id: ClientId::generate(),
            source_id: SourceId::generate(),
            data: json!({"amount": 12, "lines": [{"sku": "a"}]}).into(),
            timestamp: crate::now(),
            version: "1.0".to_owned(),
            accepted_at: crate::now(),
            priority: None,
        };
        let stored = serde_json::to_vec(&event).unwrap();
        let raw: &RawValue = serde_json::from_slice(&stored).unwrap();
        let webhook_id = WebhookId::generate();
        let routed =
            RoutedTask { webhook_id: &webhook_id, event: raw, priority: Priority::High, webhook_version: 7 };
        let task: DeliveryTask = serde_json::from_slice(&serde_json::to_vec(&routed).unwrap()).unwrap();
        let expected = DeliveryTask {
            webhook_id,
            event,
            priority: Priority::High,
            attempts_before: 0,
            webhook_version: 7,
        };
        assert_eq!(task, expected);
    }

    #[test]
    fn a_task_written_before_versions_reads_as_version_0_and_writes_no_zeros() {
        let task = DeliveryTask {
            webhook_id: WebhookId::generate(),
            event: Event {
                message_id: MessageId::generate(),
                event_id: "evt_1".to_owned(),
                event_type: "order.created".to_owned(),
                client_id: ClientId::generate(),
                source_id: SourceId::generate(),
                data: json!({}).into(),
                timestamp: crate::now(),
                version: "1.0".to_owned(),
                accepted_at: crate::now(),
                priority: None,
            },
            priority: Priority::Standard,
            attempts_before: 0,
            webhook_version: 0,
        };
        let written = serde_json::to_value(&task).unwrap();
        assert!(written.get("webhook_version").is_none() && written.get("attempts_before").is_none());
        assert_eq!(serde_json::from_value::<DeliveryTask>(written).unwrap(), task);
    }
}
