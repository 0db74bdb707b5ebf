//! `POST /api/v1/webhooks/{id}/replay`: a client has its webhook's events since a time sent
//! again ((`edgehook_router::replay`)), `{"since": "<RFC 3339>"}` to start, `{"cursor": "..."}` to go on;
//! or one event, `{"event_id": "..."}`, read from the history store (409 when it was expunged,
//! 404 past the payload retention), sent to this webhook whether or not its filters want it.

use bytes::Bytes;
use edgehook_domain::event::{Event, validate_event_id};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_domain::webhook::Webhook;
use edgehook_nats::tasks::{Replay, TaskPublisher};
use edgehook_service::api_error::{ApiError, ApiResult, json};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use warp::http::StatusCode;

use super::events::stored_event;
use super::{owned_webhook, require_active};
use crate::AppState;
use edgehook_router::replay::{self, Cursor};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    since: Option<String>,
    cursor: Option<String>,
    /// One event, from the history store, sent again now (whether or not it was delivered).
    event_id: Option<String>,
}

pub async fn start(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let request: ReplayRequest = parse_json(&body)?;
    require_active(&webhook, "replay")?;
    let jetstream = &state.contract.jetstream;
    let replayed = match (request.since, request.cursor, request.event_id) {
        (None, None, Some(event_id)) => {
            validate_event_id(&event_id).map_err(|message| FieldError::invalid("event_id", message))?;
            let event = stored_event(&state, &client, &event_id).await?;
            return resend(&state, &webhook, &event).await;
        }
        (Some(since), None, None) => {
            let since = OffsetDateTime::parse(&since, &Rfc3339).map_err(|_| {
                FieldError::invalid("since", "must be an RFC 3339 date-time, e.g. 2026-11-23T10:00:00Z")
            })?;
            replay::requested(jetstream, &webhook, since).await
        }
        (None, Some(cursor), None) => {
            let cursor = Cursor::parse(&cursor)
                .ok_or_else(|| FieldError::invalid("cursor", "must be a cursor a replay answered with"))?;
            replay::resume(jetstream, &webhook, cursor).await
        }
        _ => {
            let message = "give `since` to start a replay, `cursor` to go on with one or `event_id` to send one event, only one of them";
            return Err(FieldError::invalid("since", message).into());
        }
    }
    .map_err(|error| ApiError::internal("replaying events", error))?;
    Ok(json(StatusCode::OK, &replayed))
}

/// `event` sent to `webhook` again now, as a replay of its own.
async fn resend(state: &AppState, webhook: &Webhook, event: &Event) -> ApiResult {
    let replay_id = MessageId::generate().to_string().replace('_', "");
    TaskPublisher::new(state.contract.jetstream.clone())
        .replayed(webhook, event, Replay::Requested(&replay_id))
        .await
        .stored()
        .await
        .map_err(|error| ApiError::internal("sending an event again", error))?;
    Ok(json(StatusCode::OK, &serde_json::json!({ "examined": 1, "replayed": 1, "cursor": null })))
}
