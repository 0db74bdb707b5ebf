//! Delivery history: every attempt relays recorded.
//!
//! `GET /api/v1/webhooks/{id}/deliveries` and `GET /api/v1/events/{event_id}/deliveries`, oldest
//! first, paged with `?limit=&after=<next_cursor>`, filtered with `status`
//! (`succeeded|retrying|failed`), `since` and `until` (RFC 3339; `until` excluded) and
//! `event_type`.
//!
//! Why two sources: with a history store (`--history-url`; `edgehook up` always has one) the
//! answer comes from it ([`edgehook_history`], indexed by webhook and by event, filled by the
//! history writer), so it lags the delivery by the writer's latency. Without one it is read
//! from the hub's ATTEMPTS stream as before: records are on a subject per webhook, batched
//! ([`edgehook_nats::attempt_log`]), so no subject names an event, and an event's attempts are
//! found by scanning its client's records for its `event_id`, at most [`EVENT_SCAN`] messages
//! a request (a page may then hold fewer records than `limit` and still have a `next_cursor`).
//! The two kinds of cursor differ (`<µs>-<id>` from the store, `<seq>[.<n>]` from the stream).

use std::collections::HashMap;

use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::event::validate_event_id;
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::validation::FieldError;
use edgehook_history::store::parse_outcome;
use edgehook_history::{AttemptQuery, HistoryCursor, Scope};
use edgehook_nats::attempt_log::{Cursor, RecordPage, read_records};
use edgehook_nats::streams::ATTEMPTS;
use edgehook_nats::subjects;
use edgehook_service::api_error::{ApiError, ApiResult, json};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use warp::http::StatusCode;

use super::{PageQuery, owned_webhook};
use crate::AppState;

#[derive(Serialize)]
struct AttemptList {
    data: Vec<AttemptRecord>,
    next_cursor: Option<String>,
}

/// An attempt from the store: the record, and `"expunged": true` when its event was expunged.
#[derive(Serialize)]
struct AttemptView {
    #[serde(flatten)]
    record: AttemptRecord,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    expunged: bool,
}

#[derive(Serialize)]
struct StoredAttemptList {
    data: Vec<AttemptView>,
    next_cursor: Option<String>,
}

/// Messages of ATTEMPTS one `GET /events/{id}/deliveries` looks at, at most (without a store).
pub const EVENT_SCAN: usize = 20_000;

impl From<RecordPage> for AttemptList {
    fn from(page: RecordPage) -> Self {
        Self { data: page.records, next_cursor: page.next.map(|cursor| cursor.to_string()) }
    }
}

/// The filters of a history request (also of the events list, but `status`).
#[derive(Default)]
pub struct Filters {
    pub status: Option<AttemptOutcome>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    pub event_type: Option<String>,
}

impl Filters {
    pub fn parse(query: &HashMap<String, String>) -> Result<Self, ApiError> {
        let time = |field: &'static str| -> Result<Option<OffsetDateTime>, ApiError> {
            query
                .get(field)
                .map(|raw| {
                    OffsetDateTime::parse(raw, &Rfc3339)
                        .map_err(|_| FieldError::invalid(field, "must be an RFC 3339 time").into())
                })
                .transpose()
        };
        let status = query
            .get("status")
            .map(|raw| {
                parse_outcome(raw)
                    .ok_or_else(|| FieldError::invalid("status", "must be succeeded, retrying or failed"))
            })
            .transpose()?;
        Ok(Self {
            status,
            since: time("since")?,
            until: time("until")?,
            event_type: query.get("event_type").cloned(),
        })
    }

    fn accepts(&self, record: &AttemptRecord) -> bool {
        self.status.is_none_or(|status| record.outcome == status)
            && self.since.is_none_or(|since| record.attempted_at >= since)
            && self.until.is_none_or(|until| record.attempted_at < until)
            && self.event_type.as_ref().is_none_or(|event_type| &record.event_type == event_type)
    }
}

pub async fn of_webhook(
    id: WebhookId,
    state: AppState,
    client: ClientId,
    query: HashMap<String, String>,
) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let page = PageQuery::parse(&query)?;
    let filters = Filters::parse(&query)?;
    if state.history.is_some() {
        return read_store(&state, client, Scope::Webhook(webhook.id.clone()), &page, filters).await;
    }
    let subjects = subjects::attempts_of_webhook(&client, &webhook.id);
    read_stream(&state, subjects, &page, usize::MAX, |record| filters.accepts(record)).await
}

pub async fn of_event(
    event_id: String,
    state: AppState,
    client: ClientId,
    query: HashMap<String, String>,
) -> ApiResult {
    validate_event_id(&event_id).map_err(|message| FieldError::invalid("event_id", message))?;
    let page = PageQuery::parse(&query)?;
    let filters = Filters::parse(&query)?;
    if state.history.is_some() {
        return read_store(&state, client, Scope::Event(event_id), &page, filters).await;
    }
    let subjects = vec![subjects::attempts_of_client(&client)];
    read_stream(&state, subjects, &page, EVENT_SCAN, |record| {
        record.event_id == event_id && filters.accepts(record)
    })
    .await
}

async fn read_store(
    state: &AppState,
    client: ClientId,
    scope: Scope,
    page: &PageQuery,
    filters: Filters,
) -> ApiResult {
    let store = state.history.as_ref().expect("a history store");
    let after = match &page.after {
        None => None,
        Some(raw) => Some(
            raw.parse::<HistoryCursor>()
                .map_err(|()| FieldError::invalid("after", "must be a cursor returned as next_cursor"))?,
        ),
    };
    let query = AttemptQuery {
        status: filters.status,
        since: filters.since,
        until: filters.until,
        event_type: filters.event_type,
        after,
        ..AttemptQuery::new(client.clone(), scope, page.limit)
    };
    let found = store
        .attempts(&query)
        .await
        .map_err(|error| ApiError::internal("reading delivery attempts", error))?;
    // Attempts of an expunged event stay, marked.
    let event_ids: Vec<String> = found.records.iter().map(|record| record.event_id.clone()).collect();
    let expunged = store
        .expunged_among(&client, &event_ids)
        .await
        .map_err(|error| ApiError::internal("reading expunged events", error))?;
    let data = found
        .records
        .into_iter()
        .map(|record| AttemptView { expunged: expunged.contains(&record.event_id), record })
        .collect();
    let list = StoredAttemptList { data, next_cursor: found.next.map(|cursor| cursor.to_string()) };
    Ok(json(StatusCode::OK, &list))
}

async fn read_stream(
    state: &AppState,
    filters: Vec<String>,
    page: &PageQuery,
    scan: usize,
    wanted: impl Fn(&AttemptRecord) -> bool,
) -> ApiResult {
    let start = match &page.after {
        None => Cursor::default(),
        Some(raw) => Cursor::parse(raw)
            .ok_or_else(|| FieldError::invalid("after", "must be a cursor returned as next_cursor"))?,
    };
    let records = read_records(&state.contract.jetstream, ATTEMPTS, filters, start, page.limit, scan, wanted)
        .await
        .map_err(|error| ApiError::internal("reading delivery attempts", error))?;
    Ok(json(StatusCode::OK, &AttemptList::from(records)))
}
