//! Delivery history: every attempt relays recorded, read from the ATTEMPTS stream.
//!
//! `GET /api/v1/webhooks/{id}/deliveries` and `GET /api/v1/events/{event_id}/deliveries`, oldest
//! first, paged with `?limit=&after=<next_cursor>`.

use edgehook_domain::ids::{ClientId, WebhookId};
use std::collections::HashMap;

use edgehook_domain::delivery::AttemptRecord;
use edgehook_domain::event::validate_event_id;
use edgehook_domain::validation::FieldError;
use edgehook_nats::read::{Page, read_page};
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

impl From<Page<AttemptRecord>> for AttemptList {
    fn from(page: Page<AttemptRecord>) -> Self {
        Self {
            data: page.items.into_iter().map(|(_, record)| record).collect(),
            next_cursor: page.next_after.map(|sequence| sequence.to_string()),
        }
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
    let filter = subjects::attempts_of_webhook(&client, &webhook.id);
    read_attempts(&state, filter, &page).await
}

pub async fn of_event(
    event_id: String,
    state: AppState,
    client: ClientId,
    query: HashMap<String, String>,
) -> ApiResult {
    validate_event_id(&event_id).map_err(|message| FieldError::invalid("event_id", message))?;
    let page = PageQuery::parse(&query)?;
    read_attempts(&state, subjects::attempts_of_event(&client, &event_id), &page).await
}

async fn read_attempts(state: &AppState, filter: String, page: &PageQuery) -> ApiResult {
    let records = read_page::<AttemptRecord>(
        &state.contract.jetstream,
        ATTEMPTS,
        filter,
        page.after_sequence()?,
        page.limit,
    )
    .await
    .map_err(|error| ApiError::internal("reading delivery attempts", error))?;
    Ok(json(StatusCode::OK, &AttemptList::from(records)))
}
