//! `POST /api/v1/webhooks/{id}/test`: a client sends one event to one of its webhooks now, to
//! check its endpoint, and is answered with the attempt (status, latency, the start of the
//! response's body).
//!
//! The body, optional, is `{"event_type", "data"}`: `data` defaults to the type's first example
//! in the event-type catalogue, and must match the type's schema when it has one (as ingest
//! would require). The event is made here (a fresh `msg_` id, also its `event_id`) and sent by
//! the relay's own sender (`edgehook_relay::sender`): the same body, signature (HMAC or
//! Ed25519, every active key during a rotation), encryption and headers as a delivery, through
//! the same SSRF guard (the control plane's callback policy, which also vetted the URL). It is
//! sent whatever the webhook's status or subscriptions: it is the client checking its
//! endpoint. Nothing is published: the event is not stored, routed, retried or recorded in the
//! delivery history.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use edgehook_domain::catalogue::EventType;
use edgehook_domain::event::{Event, EventData};
use edgehook_domain::event_types;
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_domain::operational;
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_relay::sender::{Attempt, Sender};
use edgehook_relay::verdict::Verdict;
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;

use super::owned_webhook;
use crate::AppState;

/// A test's HTTP timeout: the relays' default delivery timeout.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Tests in flight at once to one endpoint, as many pooled connections.
const CONNECTIONS_PER_ENDPOINT: usize = 8;
/// How much of the endpoint's answer is shown.
const RESPONSE_BODY_EXCERPT: usize = 4 * 1024;

/// The sender tests go through: the relay's, keeping more of the answer to show it.
pub fn sender(addresses: Arc<AddressPolicy>, secrets: SecretsKey) -> Sender {
    Sender::new(TIMEOUT, CONNECTIONS_PER_ENDPOINT, addresses, secrets)
        .keeping_response_body(RESPONSE_BODY_EXCERPT)
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// The type to send (its first example is the data when none is given).
    #[serde(default)]
    #[schema(value_type = Option<edgehook_domain::event_types::EventTypeName>)]
    event_type: Option<String>,
    /// The event's data (a JSON object); checked against the type's schema.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    data: Option<EventData>,
}

/// The attempt, as the client sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TestAttempt {
    /// The event's id, also its `webhook-id` header.
    event_id: String,
    event_type: String,
    /// `null` when no answer came (connection refused, timeout, refused address).
    status_code: Option<u16>,
    latency_ms: u64,
    /// The first 4 KiB of the answer's body (`null` without an answer).
    response_body: Option<String>,
    error: Option<String>,
    /// A 2xx answer.
    delivered: bool,
}

/// Send one event to this webhook now, signed as deliveries are, and see the attempt (not
/// stored, retried or recorded).
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{webhook_id}/test",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    request_body(content = Option<TestRequest>, description = "Optional: with no body, send `event_type`'s first example."),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The attempt, whatever the endpoint answered.", body = TestAttempt),
        (status = 400, description = "`required` (`event_type`, or `data` for a type without an example), \
            `unknown_event_type`, `invalid` (`event_type`, `data` not an object), `schema_mismatch` (`data`), \
            `malformed_json`, `too_deep`, `duplicate_key`.", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn send(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let request: TestRequest = if body.is_empty() { TestRequest::default() } else { parse_json(&body)? };
    let event = test_event(&state, &client, request).await?;
    let attempt = state.test_sender.send(&webhook, &event).await;
    Ok(json(StatusCode::OK, &TestAttempt::of(event, attempt)))
}

/// The event to send: the type named, with the data given or the type's first example, checked
/// against the type's schema.
async fn test_event(state: &AppState, client: &ClientId, request: TestRequest) -> Result<Event, ApiError> {
    let Some(event_type) = request.event_type else {
        let message =
            "name the event_type to send; its first example in the catalogue is sent unless you give data";
        return Err(FieldError::new("event_type", "required", message).into());
    };
    event_types::validate_name(&event_type).map_err(|message| FieldError::invalid("event_type", message))?;
    let listed = state
        .event_types
        .get_synced(&event_type)
        .await
        .map_err(|error| ApiError::internal("reading the event types", error))?;
    let data = match (request.data, &listed) {
        (Some(data), _) => data,
        (None, Some(listed)) => first_example(listed)?,
        (None, None) => {
            let message = format!("`{event_type}` is not in the event-type catalogue: give the data to send");
            return Err(FieldError::new("event_type", "unknown_event_type", message).into());
        }
    };
    if !data.is_object() {
        return Err(FieldError::invalid("data", "must be a JSON object").into());
    }
    if let Some(listed) = &listed {
        check_schema(listed, &data)?;
    }
    let now = edgehook_domain::now();
    let message_id = MessageId::generate();
    Ok(Event {
        event_id: message_id.to_string(),
        message_id,
        event_type,
        client_id: client.clone(),
        source_id: operational::edgehook_source(),
        data,
        timestamp: now,
        version: "1.0".to_owned(),
        accepted_at: now,
        priority: None,
    })
}

fn first_example(event_type: &EventType) -> Result<EventData, ApiError> {
    match event_type.examples.first() {
        Some(example) => Ok(EventData::from(example.clone())),
        None => {
            let message =
                format!("`{}` has no example in the catalogue: give the data to send", event_type.name);
            Err(FieldError::new("data", "required", message).into())
        }
    }
}

/// 400 `schema_mismatch` on `data` if it does not match the type's schema, as ingest answers
/// (and, as ingest does, no check when a stored schema does not compile).
fn check_schema(event_type: &EventType, data: &EventData) -> Result<(), FieldError> {
    match event_type.compile_schema() {
        Ok(Some(schema)) => event_type.check_data(&schema, data),
        Ok(None) => Ok(()),
        Err(error) => {
            tracing::error!(event_type = %event_type.name, %error, "a stored schema does not compile; not checked");
            Ok(())
        }
    }
}

impl TestAttempt {
    fn of(event: Event, attempt: Attempt) -> Self {
        Self {
            event_id: event.event_id,
            event_type: event.event_type,
            status_code: attempt.status_code,
            latency_ms: u64::try_from(attempt.latency.as_millis()).unwrap_or(u64::MAX),
            response_body: attempt.response_body,
            error: attempt.error,
            delivered: attempt.verdict == Verdict::Delivered,
        }
    }
}
