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
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use warp::http::StatusCode;

use super::{PageParams, PageQuery, owned_webhook};
use crate::AppState;

/// A page of attempts, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttemptList {
    data: Vec<AttemptView>,
    /// `after` for the next page; `null` when there is none.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// An attempt: the record, and `"expunged": true` when its event was expunged (only known with
/// a history store).
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    #[serde(flatten)]
    record: AttemptRecord,
    /// Present (`true`) only when the event was expunged: its payload is gone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    expunged: bool,
}

/// `?since=&until=&event_type=`, as the OpenAPI document describes them ([`Filters::parse`]
/// reads them).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TimeFilters {
    /// From this time on (RFC 3339; percent-encode a `+` offset).
    #[param(nullable = false)]
    since: Option<OffsetDateTime>,
    /// Before this time (RFC 3339), excluded.
    #[param(nullable = false)]
    until: Option<OffsetDateTime>,
    /// Only this event type (exactly).
    #[param(nullable = false)]
    event_type: Option<String>,
}

/// `?status=`, as the OpenAPI document describes it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OutcomeFilter {
    /// Only attempts with this outcome.
    #[param(nullable = false)]
    status: Option<AttemptOutcome>,
}

/// The 400 of a history query.
const BAD_QUERY: &str = "A query parameter is wrong: `limit` (`out_of_range`), `after` (not a `next_cursor`), \
    `status`, `since`, `until` (`invalid`).";

/// Messages of ATTEMPTS one `GET /events/{id}/deliveries` looks at, at most (without a store).
pub const EVENT_SCAN: usize = 20_000;

impl From<RecordPage> for AttemptList {
    fn from(page: RecordPage) -> Self {
        // Without a store, expunges are not known here.
        let data = page.records.into_iter().map(|record| AttemptView { record, expunged: false }).collect();
        Self { data, next_cursor: page.next.map(|cursor| cursor.to_string()) }
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

/// Every attempt to deliver to a webhook, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{webhook_id}/deliveries",
    tag = "deliveries",
    params(("webhook_id" = WebhookId, Path), PageParams, OutcomeFilter, TimeFilters),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "A page of attempts.", body = AttemptList),
        (status = 400, description = BAD_QUERY, body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
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

/// Every attempt to deliver one event to the client's webhooks, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/events/{event_id}/deliveries",
    tag = "deliveries",
    params(
        super::EventPath,
        PageParams,
        OutcomeFilter,
        TimeFilters,
    ),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "A page of attempts (without a history store, a page may hold fewer than `limit` and still have a `next_cursor`).", body = AttemptList),
        (status = 400, description = "`event_id` malformed (`invalid`), or a query parameter: `limit` (`out_of_range`), `after`, `status`, `since`, `until` (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
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
    let list = AttemptList { data, next_cursor: found.next.map(|cursor| cursor.to_string()) };
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
