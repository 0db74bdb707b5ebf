//! The event schema sources send, and its checks: what a request body must be before ingest
//! publishes anything.
//!
//! [`parse_events`] is the one parser of both doors (HTTP and NATS): a body is one event or a
//! JSON array of 1 to [`MAX_BATCH`], and goes through [`parse_json`], which refuses JSON nested
//! too deeply and duplicate keys anywhere (the `data` a source sends included, which is kept
//! as text and never parsed again before a filter or a receiver does). Each event is then
//! [`IncomingEvent::check`]ed. The properties in `properties.rs` (proptest) hold these to
//! "never panics, never accepts what the checks refuse".

use edgehook_domain::event::{EventData, validate_event_id};
use edgehook_domain::event_types;
use edgehook_domain::ids::ClientId;
use edgehook_domain::priority::Priority;
use edgehook_domain::validation::{FieldError, parse_json};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accept::Shape;

pub const MAX_BATCH: usize = 1_000;
const DEFAULT_VERSION: &str = "1.0";

/// The events of a request body: one event ([`Shape::Single`]) or an array of 1 to
/// [`MAX_BATCH`] ([`Shape::Batch`]), parsed but not checked yet.
pub fn parse_events(body: &[u8], shape: Shape) -> Result<Vec<IncomingEvent>, FieldError> {
    let events = match shape {
        Shape::Single => vec![parse_json::<IncomingEvent>(body)?],
        Shape::Batch => parse_json::<Vec<IncomingEvent>>(body)?,
    };
    if events.is_empty() || events.len() > MAX_BATCH {
        return Err(FieldError::invalid("body", format!("send 1 to {MAX_BATCH} events")));
    }
    Ok(events)
}

/// An event as a source sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"event_id": "evt_1", "event_type": "payment.succeeded", "client_id": "cli_01JD8K3Q5T2V9W0X4Y6Z8A1B2C", "data": {"amount": 1200, "currency": "EUR"}}))]
pub struct IncomingEvent {
    /// The source's id for the event: the same `(client_id, event_id)` is accepted once.
    #[schema(pattern = "^[A-Za-z0-9_:-]{1,128}$")]
    pub event_id: String,
    /// A concrete type (`payment.succeeded`), one the source may send.
    #[schema(value_type = edgehook_domain::event_types::EventTypeName)]
    pub event_type: String,
    /// The client whose webhooks get the event.
    #[schema(value_type = edgehook_domain::ids::ClientId)]
    pub client_id: String,
    /// Any JSON object; checked against the type's schema when the catalogue has one.
    #[schema(value_type = Object)]
    pub data: EventData,
    /// RFC 3339; when absent, the time ingest received it.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub timestamp: Option<String>,
    /// The event's schema version, 1 to 32 characters (default `1.0`).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32)]
    pub version: Option<String>,
    /// `high`, `standard` or `bulk`: overrides the webhooks' own tier for this event.
    #[serde(default)]
    pub priority: Option<Priority>,
}

/// An incoming event whose fields passed their checks.
#[derive(Debug)]
pub struct CheckedEvent {
    pub event_id: String,
    pub event_type: String,
    pub client_id: ClientId,
    pub data: EventData,
    pub timestamp: OffsetDateTime,
    pub version: String,
    pub priority: Option<Priority>,
}

impl IncomingEvent {
    pub fn check(self) -> Result<CheckedEvent, FieldError> {
        validate_event_id(&self.event_id).map_err(|message| FieldError::invalid("event_id", message))?;
        event_types::validate_name(&self.event_type)
            .map_err(|message| FieldError::invalid("event_type", message))?;
        if edgehook_domain::operational::is_operational(&self.event_type) {
            let message =
                "event types `endpoint.*` are edgehook's own notifications; sources may not send them";
            return Err(FieldError::invalid("event_type", message));
        }
        let client_id: ClientId = self
            .client_id
            .parse()
            .map_err(|error| FieldError::invalid("client_id", format!("`{}` is {error}", self.client_id)))?;
        if !self.data.is_object() {
            return Err(FieldError::invalid("data", "must be a JSON object"));
        }
        let timestamp = match &self.timestamp {
            None => edgehook_domain::now(),
            Some(raw) => OffsetDateTime::parse(raw, &Rfc3339)
                .map_err(|_| FieldError::invalid("timestamp", "must be an RFC 3339 date-time"))?,
        };
        let version = self.version.unwrap_or_else(|| DEFAULT_VERSION.to_owned());
        if version.is_empty() || version.len() > 32 {
            return Err(FieldError::invalid("version", "must be 1 to 32 characters"));
        }
        Ok(CheckedEvent {
            event_id: self.event_id,
            event_type: self.event_type,
            client_id,
            data: self.data,
            timestamp,
            version,
            priority: self.priority,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn incoming(overrides: Value) -> IncomingEvent {
        let mut event = json!({
            "event_id": "evt_1",
            "event_type": "payment.succeeded",
            "client_id": ClientId::generate().to_string(),
            "data": {"amount": 10},
        });
        event.as_object_mut().unwrap().extend(overrides.as_object().unwrap().clone());
        serde_json::from_value(event).unwrap()
    }

    #[test]
    fn each_bad_field_is_named() {
        let field = |overrides| incoming(overrides).check().unwrap_err().field;
        assert_eq!(field(json!({"event_id": "a.b"})), "event_id");
        assert_eq!(field(json!({"event_type": "not a type"})), "event_type");
        assert_eq!(field(json!({"event_type": "endpoint.disabled"})), "event_type");
        assert_eq!(field(json!({"client_id": "bob"})), "client_id");
        assert_eq!(field(json!({"data": [1, 2]})), "data");
        assert_eq!(field(json!({"timestamp": "yesterday"})), "timestamp");
    }

    #[test]
    fn a_good_event_gets_defaults() {
        let event = incoming(json!({})).check().unwrap();
        assert_eq!(event.version, "1.0");
    }
}
