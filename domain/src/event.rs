//! The event envelope: what ingest stores on `events.<client>` and relays deliver.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::ids::{ClientId, MessageId, SourceId};
use crate::priority::Priority;

const MAX_EVENT_ID_LEN: usize = 128;

/// An event ingest accepted. Once it is in JetStream, it is never lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// edgehook's id, sent as `webhook-id` (the receiver's idempotency key).
    pub message_id: MessageId,
    /// The source's id for the event; `(client_id, event_id)` is unique.
    pub event_id: String,
    pub event_type: String,
    pub client_id: ClientId,
    pub source_id: SourceId,
    pub data: EventData,
    /// When the event happened, as the source says.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    pub version: String,
    /// When ingest had it acknowledged by JetStream.
    #[serde(with = "time::serde::rfc3339")]
    pub accepted_at: OffsetDateTime,
    /// The source's tier for this event; without one, each webhook's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

/// The JSON body POSTed to a callback URL.
#[derive(Serialize)]
struct DeliveryBody<'a> {
    event_id: &'a str,
    event_type: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    timestamp: OffsetDateTime,
    version: &'a str,
    data: &'a RawValue,
}

impl Event {
    /// The `Nats-Msg-Id` JetStream deduplicates on: one event per `(client_id, event_id)`.
    pub fn dedup_id(&self) -> String {
        format!("{}:{}", self.client_id, self.event_id)
    }

    /// The bytes sent to the client, serialized once and signed as they are.
    pub fn delivery_body(&self) -> Vec<u8> {
        let body = DeliveryBody {
            event_id: &self.event_id,
            event_type: &self.event_type,
            timestamp: self.timestamp,
            version: &self.version,
            data: &self.data.0,
        };
        serde_json::to_vec(&body).expect("an event always serializes")
    }
}

/// An event's `data`: the JSON object the source sent, kept as its text. It is carried through
/// JetStream and into the delivered body without being taken apart; only a webhook's filters
/// and field encryption parse it (a JSON tree per hop was a good part of each delivery's cost).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventData(Box<RawValue>);

impl EventData {
    /// The parsed JSON, for the few readers that look inside. Fails only for data nested deeper
    /// than serde_json builds (128 levels): ingest refuses such data since it checks depth, but
    /// events accepted before that may still be stored.
    pub fn parse(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    pub fn is_object(&self) -> bool {
        self.0.get().starts_with('{')
    }

    pub fn as_str(&self) -> &str {
        self.0.get()
    }
}

impl From<Value> for EventData {
    fn from(value: Value) -> Self {
        Self(serde_json::value::to_raw_value(&value).expect("a JSON value serializes"))
    }
}

/// Same text, same data (what a source sent is compared as sent).
impl PartialEq for EventData {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

/// Checks a source's event id: it becomes a subject token and part of a dedup key.
pub fn validate_event_id(event_id: &str) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':');
    if event_id.is_empty() || event_id.len() > MAX_EVENT_ID_LEN || !event_id.bytes().all(allowed) {
        return Err(format!(
            "must be 1 to {MAX_EVENT_ID_LEN} characters of letters, digits, `_`, `-` and `:`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_travels_as_the_source_wrote_it() {
        let sent = r#"{"amount": 1200,  "nested": {"b": 1, "a": [1, 2]}}"#;
        let incoming: EventData = serde_json::from_str(sent).unwrap();
        assert!(incoming.is_object());
        assert_eq!(incoming.as_str(), sent);
        assert_eq!(incoming.parse().unwrap()["nested"]["a"][1], 2);
        let again: EventData = serde_json::from_slice(&serde_json::to_vec(&incoming).unwrap()).unwrap();
        assert_eq!(again, incoming);
        assert!(!serde_json::from_str::<EventData>("[1]").unwrap().is_object());
    }

    #[test]
    fn data_too_deep_to_parse_is_an_error_not_a_panic() {
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(200), "]".repeat(200));
        let stored: EventData = serde_json::from_str(&deep).unwrap();
        assert!(stored.parse().is_err());
        let filters: crate::filters::Filters =
            serde_json::from_value(serde_json::json!({"a_ne": 1})).unwrap();
        assert!(!filters.matches_data(&stored));
    }

    #[test]
    fn event_ids_that_would_break_a_subject_are_refused() {
        assert!(validate_event_id("evt_123").is_ok());
        assert!(validate_event_id("order:42-a").is_ok());
        assert!(validate_event_id("evt.123").is_err());
        assert!(validate_event_id("evt 123").is_err());
        assert!(validate_event_id("evt*").is_err());
        assert!(validate_event_id("").is_err());
    }
}
