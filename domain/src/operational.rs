//! Operational events: what edgehook itself tells a client about its endpoints, delivered like
//! any event but only to webhooks that ask for them by name (`event_types` listing
//! `endpoint.disabled` or `endpoint.*`); a webhook with no `event_types` (all events) does not
//! get them, so clients that never heard of them see no change. Sources may not send event
//! types of this namespace.

use serde_json::json;
use time::OffsetDateTime;

use crate::event::Event;
use crate::ids::{MessageId, SourceId};
use crate::webhook::Webhook;

/// The event type namespace edgehook keeps for itself.
pub const NAMESPACE: &str = "endpoint";
/// A webhook was disabled by edgehook (failing too long, or 410 Gone).
pub const ENDPOINT_DISABLED: &str = "endpoint.disabled";
/// Every operational event type: webhooks may subscribe to them whatever the catalogue holds.
pub const TYPES: &[&str] = &[ENDPOINT_DISABLED];

/// The source operational events come from: edgehook itself.
pub fn edgehook_source() -> SourceId {
    "src_00000000000000000000000000".parse().expect("a well-formed source id")
}

/// Is `event_type` one of edgehook's own?
pub fn is_operational(event_type: &str) -> bool {
    event_type.strip_prefix(NAMESPACE).is_some_and(|rest| rest.starts_with('.'))
}

/// `endpoint.disabled` for `webhook`, which edgehook disabled at `at` for `reason`. Its
/// event id is made of the webhook and the time, so publishing it twice makes one event.
pub fn endpoint_disabled(webhook: &Webhook, reason: &str, at: OffsetDateTime) -> Event {
    Event {
        message_id: MessageId::generate(),
        event_id: format!("{ENDPOINT_DISABLED}.{}.{}", webhook.id, at.unix_timestamp()),
        event_type: ENDPOINT_DISABLED.to_owned(),
        client_id: webhook.client_id.clone(),
        source_id: edgehook_source(),
        data: json!({
            "webhook_id": webhook.id,
            "callback_url": webhook.callback_url,
            "region": webhook.region,
            "reason": reason,
            "disabled_at": at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        })
        .into(),
        timestamp: at,
        version: "1.0".to_owned(),
        accepted_at: at,
        priority: Some(crate::priority::Priority::High),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_endpoint_namespace_is_operational() {
        assert!(is_operational("endpoint.disabled"));
        assert!(!is_operational("endpoints.disabled"));
        assert!(!is_operational("payment.endpoint"));
        assert!(!is_operational("endpoint"));
    }
}
