//! `POST /api/v1/webhooks/{id}/replay`: a client has its webhook's events since a time sent
//! again ((`edgehook_router::replay`)), `{"since": "<RFC 3339>"}` to start, `{"cursor": "..."}` to go on.

use bytes::Bytes;
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_service::api_error::{ApiError, ApiResult, json};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use warp::http::StatusCode;

use super::{owned_webhook, require_active};
use crate::AppState;
use edgehook_router::replay::{self, Cursor};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    since: Option<String>,
    cursor: Option<String>,
}

pub async fn start(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let request: ReplayRequest = parse_json(&body)?;
    require_active(&webhook, "replay")?;
    let jetstream = &state.contract.jetstream;
    let replayed = match (request.since, request.cursor) {
        (Some(since), None) => {
            let since = OffsetDateTime::parse(&since, &Rfc3339).map_err(|_| {
                FieldError::invalid("since", "must be an RFC 3339 date-time, e.g. 2026-11-23T10:00:00Z")
            })?;
            replay::requested(jetstream, &webhook, since).await
        }
        (None, Some(cursor)) => {
            let cursor = Cursor::parse(&cursor)
                .ok_or_else(|| FieldError::invalid("cursor", "must be a cursor a replay answered with"))?;
            replay::resume(jetstream, &webhook, cursor).await
        }
        _ => {
            let message = "give `since` to start a replay or `cursor` to go on with one, not both";
            return Err(FieldError::invalid("since", message).into());
        }
    }
    .map_err(|error| ApiError::internal("replaying events", error))?;
    Ok(json(StatusCode::OK, &replayed))
}
