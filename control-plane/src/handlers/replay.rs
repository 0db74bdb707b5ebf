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
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
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

/// What a replay call did (also the `replay` of a PATCH that enabled a webhook again).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplayProgress {
    /// Events of the client looked at.
    examined: usize,
    /// Of those, the ones this webhook wants: each is a delivery task again.
    replayed: usize,
    /// Pass back as `cursor` to go on; `null` when the replay is complete.
    #[schema(required = true)]
    cursor: Option<String>,
}

impl From<replay::Replayed> for ReplayProgress {
    fn from(replayed: replay::Replayed) -> Self {
        Self { examined: replayed.examined, replayed: replayed.replayed, cursor: replayed.cursor }
    }
}

/// [`ReplayRequest`] in the OpenAPI document: exactly one of `since`, `cursor` and `event_id`
/// (the others absent or `null`).
pub struct ReplayBody;

impl utoipa::PartialSchema for ReplayBody {
    fn schema() -> RefOr<Schema> {
        let null = || ObjectBuilder::new().schema_type(Type::Null);
        let string =
            |description: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(description));
        let since = string("Replay the webhook's events accepted since this time (RFC 3339).")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
        let cursor = string("Go on with a replay: the `cursor` its last answer gave.");
        let event_id = string(
            "Send this one event again now, from the history store (whether or not it was delivered).",
        )
        .pattern(Some(r"^[A-Za-z0-9_:-]{1,128}$"));
        let one = |name: &str, schema: ObjectBuilder| {
            let others = ["since", "cursor", "event_id"].into_iter().filter(|other| *other != name);
            others
                .fold(
                    ObjectBuilder::new().schema_type(Type::Object).property(name, schema),
                    |object, other| object.property(other, null()),
                )
                .required(name)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
                .build()
        };
        OneOfBuilder::new()
            .item(one("since", since))
            .item(one("cursor", cursor))
            .item(one("event_id", event_id))
            .description(Some("Exactly one of `since` (start), `cursor` (go on) and `event_id` (one event)."))
            .into()
    }
}

impl utoipa::ToSchema for ReplayBody {}

/// Send a webhook's events since a time again (or go on with such a replay), or one event.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{webhook_id}/replay",
    tag = "replay",
    params(("webhook_id" = WebhookId, Path)),
    request_body = ReplayBody,
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "What was replayed; a `cursor`: call again with it.", body = ReplayProgress),
        (status = 400, description = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `invalid`: a wrong type or an unknown field), `since` (`invalid`: not RFC 3339, or not exactly one of the three given), `cursor`, `event_id` (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 404, description = "No such webhook, or (`event_id`) the event is not in the history store: never accepted, or past the payload retention (`not_found`).", body = ErrorBody),
        (status = 409, description = "The webhook is not active (`webhook_inactive`), or the event was expunged (`event_expunged`).", body = ErrorBody),
        (status = 503, description = "NATS did not answer (`unavailable`), or `event_id` without a history store (`history_unavailable`).", body = ErrorBody),
    )
)]
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
    Ok(json(StatusCode::OK, &ReplayProgress::from(replayed)))
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
    Ok(json(StatusCode::OK, &ReplayProgress { examined: 1, replayed: 1, cursor: None }))
}
