//! Dead letters: deliveries that gave up, kept in the DEAD_LETTERS stream.
//!
//! `GET /api/v1/webhooks/{id}/dead-letters` lists them; `POST .../dead-letters/redrive` (all of
//! them, a batch a call; or `{"event_id": "..."}`: that event's) puts each back on the delivery
//! stream as a new task with the whole retry budget
//! (`edgehook_nats::tasks::TaskPublisher::redriven`: the attempts of its first life, parked ones
//! included, do not count) and then removes it from the dead letters, in that order.
//!
//! ## A redrive killed between publishing and deleting
//!
//! The task is stored (and delivered), the dead letter is still listed. The client's retry,
//! or any later redrive, publishes the letter's task again with the same `Nats-Msg-Id`,
//! `redrive:<the letter's sequence in DEAD_LETTERS>`: within DELIVERIES' one-hour dedup window
//! JetStream drops it as a duplicate (its ack says so, which counts as stored) and the letter
//! is deleted, so the letter is delivered once; later than that, a second task, a duplicate
//! delivery with the same `webhook-id`, never a loss. The same holds for two redrives at once
//! and for a delete that fails (a 503: call again). `tests/crash_recovery.rs` stores exactly
//! that half-done state and redrives. (A sequence names one letter only while DEAD_LETTERS
//! lives: a stream deleted by hand and made again within the hour could reuse one.)

use std::collections::HashMap;

use bytes::Bytes;
use edgehook_domain::delivery::{DeadLetter, DeadLetterReason};
use edgehook_domain::event::EventData;
use edgehook_domain::event::validate_event_id;
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_nats::read::read_page;
use edgehook_nats::streams::DEAD_LETTERS;
use edgehook_nats::subjects;
use edgehook_nats::tasks::TaskPublisher;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::http::StatusCode;

use super::events::refuse_expunged;
use super::{PageParams, PageQuery, owned_webhook, require_active};
use crate::AppState;

/// Dead letters moved per redrive request; call again while `remaining` is true.
const REDRIVE_BATCH: usize = 1_000;

/// A delivery that gave up.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeadLetterView {
    /// Its place in the dead letters (a number).
    #[schema(pattern = "^[0-9]+$")]
    dead_letter_id: String,
    event_id: String,
    #[schema(value_type = MessageId)]
    message_id: String,
    event_type: String,
    reason: DeadLetterReason,
    /// Attempts made.
    attempts: u32,
    /// The last answer's HTTP status; `null` when the endpoint did not answer.
    #[schema(required = true)]
    last_status_code: Option<u16>,
    #[schema(required = true)]
    last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    dead_lettered_at: OffsetDateTime,
    /// Given up on a FIFO webhook, whose next delivery then went: the order broke here (a
    /// redrive sends it after what was queued meanwhile).
    broke_order: bool,
    /// The event's `data`.
    #[schema(value_type = Object)]
    data: EventData,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeadLetterList {
    data: Vec<DeadLetterView>,
    /// `after` for the next page; `null` on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Redriven {
    /// Dead letters sent again as new tasks with the whole retry budget.
    redriven: usize,
    /// More dead letters are left (1,000 are moved a call): call again.
    remaining: bool,
}

/// The webhook's dead letters, oldest first (paged).
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{webhook_id}/dead-letters",
    tag = "dead-letters",
    params(("webhook_id" = WebhookId, Path), PageParams),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "A page of dead letters.", body = DeadLetterList),
        (status = 400, description = "`limit` out of range (`out_of_range`) or `after` not a `next_cursor` (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn list(
    id: WebhookId,
    state: AppState,
    client: ClientId,
    query: HashMap<String, String>,
) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let page = PageQuery::parse(&query)?;
    let filter = subjects::dead_letters_of_webhook(&client, &webhook.id);
    let letters = read_page::<DeadLetter>(
        &state.contract.jetstream,
        DEAD_LETTERS,
        filter,
        page.after_sequence()?,
        page.limit,
    )
    .await
    .map_err(|error| ApiError::internal("reading dead letters", error))?;
    let data = letters
        .items
        .into_iter()
        .map(|(sequence, letter)| DeadLetterView {
            dead_letter_id: sequence.to_string(),
            event_id: letter.task.event.event_id,
            message_id: letter.task.event.message_id.to_string(),
            event_type: letter.task.event.event_type,
            reason: letter.reason,
            attempts: letter.attempts,
            last_status_code: letter.last_status_code,
            last_error: letter.last_error,
            dead_lettered_at: letter.dead_lettered_at,
            broke_order: letter.broke_order,
            data: letter.task.event.data,
        })
        .collect();
    let next_cursor = letters.next_after.map(|sequence| sequence.to_string());
    Ok(json(StatusCode::OK, &DeadLetterList { data, next_cursor }))
}

/// What to redrive (the body is optional: none, or `{}`, redrives every dead letter, a batch a
/// call).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedriveRequest {
    /// Only this event's dead letters.
    #[schema(pattern = r"^[A-Za-z0-9_:-]{1,128}$")]
    event_id: Option<String>,
}

/// Send the webhook's dead letters again, with the whole retry budget.
///
/// A body `{"event_id": "..."}` redrives only that event's (409 when it was expunged). A letter
/// whose event was expunged meanwhile is deleted, not redriven.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{webhook_id}/dead-letters/redrive",
    tag = "dead-letters",
    params(("webhook_id" = WebhookId, Path)),
    request_body(content = Option<RedriveRequest>, description = "optional"),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "Redriven; `remaining`: call again.", body = Redriven),
        (status = 400, description = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `invalid`: a wrong type or an unknown field), `event_id` (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "The event was expunged (`event_expunged`), or the webhook is not active (`webhook_inactive`).", body = ErrorBody),
    )
)]
pub async fn redrive(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let request: RedriveRequest = match body.iter().all(u8::is_ascii_whitespace) {
        true => RedriveRequest { event_id: None },
        false => parse_json(&body)?,
    };
    if let Some(event_id) = &request.event_id {
        validate_event_id(event_id).map_err(|message| FieldError::invalid("event_id", message))?;
        refuse_expunged(&state, &client, event_id, "redriven").await?;
    }
    require_active(&webhook, "redrive")?;
    let jetstream = &state.contract.jetstream;
    let filter = subjects::dead_letters_of_webhook(&client, &webhook.id);
    let mut letters = Vec::new();
    let mut after = 0;
    let remaining = loop {
        let page = read_page::<DeadLetter>(jetstream, DEAD_LETTERS, filter.clone(), after, REDRIVE_BATCH)
            .await
            .map_err(|error| ApiError::internal("reading dead letters", error))?;
        let wanted = |letter: &DeadLetter| {
            request.event_id.as_ref().is_none_or(|id| &letter.task.event.event_id == id)
        };
        letters.extend(page.items.into_iter().filter(|(_, letter)| wanted(letter)));
        match page.next_after {
            // One event's letters are looked for through all of them; all letters a batch a call.
            Some(next) if request.event_id.is_some() => after = next,
            next => break next.is_some(),
        }
    };
    let expunged = match &state.history {
        Some(store) => {
            let ids: Vec<String> =
                letters.iter().map(|(_, letter)| letter.task.event.event_id.clone()).collect();
            store
                .expunged_among(&client, &ids)
                .await
                .map_err(|error| ApiError::internal("reading expunged events", error))?
        }
        None => Default::default(),
    };
    let stream = jetstream
        .get_stream_no_info(DEAD_LETTERS)
        .await
        .map_err(|error| ApiError::internal("opening the dead letters", error))?;
    let tasks = TaskPublisher::new(jetstream.clone());
    let mut redriven = 0;
    for (sequence, letter) in &letters {
        if !expunged.contains(&letter.task.event.event_id) {
            tasks
                .redriven(&webhook, letter, *sequence)
                .await
                .stored()
                .await
                .map_err(|error| ApiError::internal("redriving a dead letter", error))?;
            redriven += 1;
        }
        stream
            .delete_message(*sequence)
            .await
            .map_err(|error| ApiError::internal("removing a redriven dead letter", error))?;
    }
    Ok(json(StatusCode::OK, &Redriven { redriven, remaining }))
}
