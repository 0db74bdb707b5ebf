//! Delivery history: every attempt relays recorded, read from the ATTEMPTS stream.
//!
//! `GET /api/v1/webhooks/{id}/deliveries` and `GET /api/v1/events/{event_id}/deliveries`, oldest
//! first, paged with `?limit=&after=<next_cursor>`.
//!
//! Why an event's history is a scan: records are on a subject per webhook, batched
//! ([`edgehook_nats::attempt_log`]), so no subject names an event; an event's attempts are the
//! records of its client's webhooks whose `event_id` matches. A request looks at no more than
//! [`EVENT_SCAN`] messages and then answers with what it found and a `next_cursor` (a page may
//! so hold fewer records than `limit`). This is the interim until history is read from the
//! history store (issue 15), which indexes attempts by event.

use edgehook_domain::ids::{ClientId, WebhookId};
use std::collections::HashMap;

use edgehook_domain::delivery::AttemptRecord;
use edgehook_domain::event::validate_event_id;
use edgehook_domain::validation::FieldError;
use edgehook_nats::attempt_log::{Cursor, RecordPage, read_records};
use edgehook_nats::streams::ATTEMPTS;
use edgehook_nats::subjects;
use edgehook_service::api_error::{ApiError, ApiResult, json};
use serde::Serialize;
use warp::http::StatusCode;

use super::{PageQuery, owned_webhook};
use crate::AppState;

#[derive(Serialize)]
struct AttemptList {
    data: Vec<AttemptRecord>,
    next_cursor: Option<String>,
}

/// Messages of ATTEMPTS one `GET /events/{id}/deliveries` looks at, at most.
pub const EVENT_SCAN: usize = 20_000;

impl From<RecordPage> for AttemptList {
    fn from(page: RecordPage) -> Self {
        Self { data: page.records, next_cursor: page.next.map(|cursor| cursor.to_string()) }
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
    let filters = subjects::attempts_of_webhook(&client, &webhook.id);
    read_attempts(&state, filters, &page, usize::MAX, |_| true).await
}

pub async fn of_event(
    event_id: String,
    state: AppState,
    client: ClientId,
    query: HashMap<String, String>,
) -> ApiResult {
    validate_event_id(&event_id).map_err(|message| FieldError::invalid("event_id", message))?;
    let page = PageQuery::parse(&query)?;
    let filters = vec![subjects::attempts_of_client(&client)];
    read_attempts(&state, filters, &page, EVENT_SCAN, |record| record.event_id == event_id).await
}

async fn read_attempts(
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
