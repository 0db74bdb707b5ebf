//! A client's events: listed with how each went to each webhook, read one, expunged.
//!
//! `GET /api/v1/events?since=&until=&event_type=&limit=&after=` pages the client's events oldest
//! first, each with a summary per webhook (its latest attempt's outcome: delivered, retrying or
//! failed, and how many attempts); `GET /api/v1/events/{event_id}` is one event with its payload.
//! Both read the history store (events are kept there for the payload retention, 7 days by
//! default; their attempts stay longer and remain listed under `/deliveries`).
//!
//! `DELETE /api/v1/events/{event_id}` expunges an event: the store first records the expunge and
//! drops the payload it holds (so what arrives later is stored without it, and a resend or
//! redrive is refused with 409 `event_expunged`), then every JetStream copy of the payload is
//! erased (`edgehook_nats::expunge`: EVENTS, the tasks in DELIVERIES and each region's streams,
//! parked retries, dead letters). The attempt records stay, listed with `"expunged": true`. A
//! region that cannot be reached is named in `incomplete`; the call is idempotent, so calling
//! again finishes the job. A task a relay already holds may still be delivered once.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use edgehook_domain::delivery::AttemptOutcome;
use edgehook_domain::event::{Event, EventData, validate_event_id};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_domain::validation::FieldError;
use edgehook_history::{DeliverySummary, EventCursor, EventQuery, HistoryStore, StoredEvent};
use edgehook_nats::expunge::{self, Copies};
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::Serialize;
use time::OffsetDateTime;
use warp::http::StatusCode;

use super::deliveries::{Filters, TimeFilters};
use super::{PageParams, PageQuery, history_store};
use crate::AppState;

/// How long one stream's erasure may take before the expunge reports it incomplete.
const ERASE_TIMEOUT: Duration = Duration::from_secs(60);
/// How much earlier than the event's acceptance its copies are looked for (EVENTS stores the
/// event just before ingest's acknowledgement sets `accepted_at`; clocks differ a little).
const LOOK_BEFORE: Duration = Duration::from_secs(60);

/// An event of the client and how it went to each webhook.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// The source's id for the event.
    event_id: String,
    event_type: String,
    /// edgehook's id, sent as `webhook-id`.
    message_id: MessageId,
    #[serde(with = "time::serde::rfc3339")]
    accepted_at: OffsetDateTime,
    /// The payload was erased (`DELETE /api/v1/events/{event_id}`).
    expunged: bool,
    /// The event's `data` (`GET /api/v1/events/{event_id}` only; `null` once expunged).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    data: Option<Option<EventData>>,
    /// Webhooks by how their latest attempt went.
    summary: Counts,
    /// Each webhook that had an attempt, with its latest.
    webhooks: Vec<WebhookDelivery>,
}

/// How many webhooks are at each outcome.
#[derive(Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    delivered: usize,
    retrying: usize,
    failed: usize,
}

/// How one event went to one webhook: its latest attempt's outcome.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    webhook_id: WebhookId,
    status: DeliveryStatus,
    /// Attempts made so far.
    attempts: u64,
    #[serde(with = "time::serde::rfc3339")]
    last_attempt_at: OffsetDateTime,
}

/// The latest attempt's outcome, as an event's delivery to one webhook.
#[derive(Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Delivered,
    Retrying,
    Failed,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventList {
    data: Vec<EventView>,
    /// `after` for the next page; `null` on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// Copies of an event's payload erased, by kind.
#[derive(Default, Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// In EVENTS.
    events: u64,
    /// Delivery tasks (the hub's and each region's).
    tasks: u64,
    /// Retries waiting in the parking streams.
    parked: u64,
    dead_letters: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Expunged {
    event_id: String,
    #[serde(with = "time::serde::rfc3339")]
    expunged_at: OffsetDateTime,
    /// Copies of the payload erased from JetStream by this call.
    erased: Erased,
    /// Streams that could not be searched (a region cut off): call again to finish.
    incomplete: Vec<String>,
}

/// 503 of what reads the history store.
const NO_STORE: &str = "No history store (`history_unavailable`: the control plane runs without \
    `--history-url`), or it or NATS did not answer (`unavailable`).";

/// The client's events, oldest first, each with how it went to each webhook.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(PageParams, TimeFilters),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "A page of events (without `data`).", body = EventList),
        (status = 400, description = "A query parameter is wrong: `limit` (`out_of_range`), `after` (not a `next_cursor`), `since`, `until` (`invalid`), `status` (`invalid`: it filters deliveries, not events).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 503, description = NO_STORE, body = ErrorBody),
    )
)]
pub async fn list(state: AppState, client: ClientId, query: HashMap<String, String>) -> ApiResult {
    let store = history_store(&state, "listing events")?;
    let page = PageQuery::parse(&query)?;
    let filters = Filters::parse(&query)?;
    if filters.status.is_some() {
        return Err(FieldError::invalid("status", "filters deliveries, not events").into());
    }
    let after = page
        .after
        .as_deref()
        .map(|raw| raw.parse::<EventCursor>())
        .transpose()
        .map_err(|()| FieldError::invalid("after", "must be a cursor returned as next_cursor"))?;
    let query = EventQuery {
        client_id: client.clone(),
        since: filters.since,
        until: filters.until,
        event_type: filters.event_type,
        after,
        limit: page.limit,
    };
    let found = store.events(&query).await.map_err(|error| ApiError::internal("reading events", error))?;
    let data = views(store, &client, found.events, false, None).await?;
    Ok(json(StatusCode::OK, &EventList { data, next_cursor: found.next.map(|cursor| cursor.to_string()) }))
}

/// One event with its payload and how it went to each webhook.
#[utoipa::path(
    get,
    path = "/api/v1/events/{event_id}",
    tag = "events",
    params(super::EventPath),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The event, with `data` (`null` once expunged).", body = EventView),
        (status = 400, description = "`event_id` malformed (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 404, description = "Not in the history store (`not_found`): never accepted, or past the payload retention; for a portal link limited to some webhooks, also an event that went to none of them.", body = ErrorBody),
        (status = 503, description = NO_STORE, body = ErrorBody),
    )
)]
pub async fn get(
    event_id: String,
    state: AppState,
    client: ClientId,
    seeing: Option<Vec<WebhookId>>,
) -> ApiResult {
    validate_event_id(&event_id).map_err(|message| FieldError::invalid("event_id", message))?;
    let store = history_store(&state, "reading an event")?;
    let event = store
        .event(&client, &event_id)
        .await
        .map_err(|error| ApiError::internal("reading an event", error))?
        .ok_or_else(|| ApiError::not_found("event"))?;
    let view = views(store, &client, vec![event], true, seeing.as_deref()).await?.remove(0);
    // A portal link limited to some webhooks sees an event only through them.
    if seeing.is_some() && view.webhooks.is_empty() {
        return Err(ApiError::not_found("event"));
    }
    Ok(json(StatusCode::OK, &view))
}

/// Expunge an event: its payload is erased everywhere; its attempts stay, marked.
#[utoipa::path(
    delete,
    path = "/api/v1/events/{event_id}",
    tag = "events",
    params(super::EventPath),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "Expunged; streams named in `incomplete` could not be searched: call again.", body = Expunged),
        (status = 400, description = "`event_id` malformed (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 404, description = "Neither the history store nor EVENTS has the event (`not_found`).", body = ErrorBody),
        (status = 503, description = NO_STORE, body = ErrorBody),
    )
)]
pub async fn expunge(event_id: String, state: AppState, client: ClientId) -> ApiResult {
    validate_event_id(&event_id).map_err(|message| FieldError::invalid("event_id", message))?;
    let store = history_store(&state, "expunging an event")?;
    let expunged_at = edgehook_domain::now();
    let first_seen = store
        .mark_expunged(&client, &event_id, expunged_at)
        .await
        .map_err(|error| ApiError::internal("recording an expunge", error))?;
    let from = first_seen.map(|at| at - LOOK_BEFORE);
    let named = format!("{client}:{event_id}");
    let mut erased = Erased::default();
    let mut incomplete = Vec::new();
    for place in expunge::places(&client, &state.regions) {
        let jetstream = place.jetstream(&state.contract.jetstream);
        match tokio::time::timeout(ERASE_TIMEOUT, place.erase(&jetstream, &named, from)).await {
            Ok(Ok(count)) => {
                let slot = match place.copies {
                    Copies::Event => &mut erased.events,
                    Copies::Tasks => &mut erased.tasks,
                    Copies::Parked => &mut erased.parked,
                    Copies::DeadLetters => &mut erased.dead_letters,
                };
                *slot += count;
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, event_id, "an expunge could not search a stream");
                incomplete.push(place.stream);
            }
            Err(_) => {
                tracing::warn!(stream = place.stream, event_id, "an expunge's search timed out");
                incomplete.push(place.stream);
            }
        }
    }
    if first_seen.is_none() && erased.events == 0 && incomplete.is_empty() {
        // Nothing anywhere had this id: a mistyped one is not remembered as expunged.
        store
            .unmark_expunged(&client, &event_id)
            .await
            .map_err(|error| ApiError::internal("undoing an expunge", error))?;
        return Err(ApiError::not_found("event"));
    }
    tracing::info!(%client, event_id, ?incomplete, "event expunged");
    Ok(json(StatusCode::OK, &Expunged { event_id, expunged_at, erased, incomplete }))
}

/// 409 when `client` expunged `event_id`: what was erased is not sent again.
pub async fn refuse_expunged(
    state: &AppState,
    client: &ClientId,
    event_id: &str,
    action: &str,
) -> Result<(), ApiError> {
    let Some(store) = &state.history else { return Ok(()) };
    let expunged = store
        .is_expunged(client, event_id)
        .await
        .map_err(|error| ApiError::internal("reading expunged events", error))?;
    if expunged {
        return Err(was_expunged(event_id, action));
    }
    Ok(())
}

/// The stored event `event_id` as ingest accepted it, to send again: 409 when expunged, 404
/// when the store does not have it (never accepted, or older than the payload retention).
pub async fn stored_event(state: &AppState, client: &ClientId, event_id: &str) -> Result<Event, ApiError> {
    const ACTION: &str = "sent again";
    let store = history_store(state, "sending one event again")?;
    let stored =
        store.event(client, event_id).await.map_err(|error| ApiError::internal("reading an event", error))?;
    match stored {
        Some(StoredEvent { body: Some(body), .. }) => {
            serde_json::from_str(&body).map_err(|error| ApiError::internal("reading a stored event", error))
        }
        // A row without its body was expunged.
        Some(_) => Err(was_expunged(event_id, ACTION)),
        // Expunged before the writer stored it, or not kept here.
        None => {
            refuse_expunged(state, client, event_id, ACTION).await?;
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "event `{event_id}` is not in the history (never accepted, or past the payload retention)"
                ),
            ))
        }
    }
}

fn was_expunged(event_id: &str, action: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "event_expunged",
        format!("event `{event_id}` was expunged: its payload is gone and cannot be {action}"),
    )
}

/// Each event's view: whether it was expunged, its payload if `with_data`, and how it went to
/// each webhook (`seeing`: only to these).
async fn views(
    store: &HistoryStore,
    client: &ClientId,
    events: Vec<StoredEvent>,
    with_data: bool,
    seeing: Option<&[WebhookId]>,
) -> Result<Vec<EventView>, ApiError> {
    let ids: Vec<String> = events.iter().map(|event| event.event_id.clone()).collect();
    let Some(since) = events.iter().map(|event| event.accepted_at).min() else { return Ok(Vec::new()) };
    let read = |error| ApiError::internal("reading delivery summaries", error);
    let expunged = store.expunged_among(client, &ids).await.map_err(read)?;
    let mut by_event: BTreeMap<String, Vec<DeliverySummary>> = BTreeMap::new();
    for summary in store.summaries(client, &ids, since - LOOK_BEFORE).await.map_err(read)? {
        by_event.entry(summary.event_id.clone()).or_default().push(summary);
    }
    events
        .into_iter()
        .map(|event| {
            let mut summary = Counts::default();
            let webhooks = by_event
                .remove(&event.event_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|delivery| seeing.is_none_or(|seen| seen.contains(&delivery.webhook_id)))
                .map(|delivery| {
                    let status = match delivery.outcome {
                        AttemptOutcome::Succeeded => {
                            summary.delivered += 1;
                            DeliveryStatus::Delivered
                        }
                        AttemptOutcome::Retrying => {
                            summary.retrying += 1;
                            DeliveryStatus::Retrying
                        }
                        AttemptOutcome::Failed => {
                            summary.failed += 1;
                            DeliveryStatus::Failed
                        }
                    };
                    WebhookDelivery {
                        webhook_id: delivery.webhook_id,
                        status,
                        attempts: delivery.attempts,
                        last_attempt_at: delivery.last_attempt_at,
                    }
                })
                .collect();
            let data = match (with_data, &event.body) {
                (false, _) => None,
                (true, None) => Some(None),
                (true, Some(body)) => Some(Some(
                    serde_json::from_str::<Event>(body)
                        .map_err(|error| ApiError::internal("reading a stored event", error))?
                        .data,
                )),
            };
            Ok(EventView {
                expunged: expunged.contains(&event.event_id),
                event_id: event.event_id,
                event_type: event.event_type,
                message_id: event.message_id,
                accepted_at: event.accepted_at,
                data,
                summary,
                webhooks,
            })
        })
        .collect()
}
