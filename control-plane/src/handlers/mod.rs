//! One file per API resource. Every handler takes its typed path ids, the shared state and the
//! caller proven by an [`crate::auth`] filter (`ClientId`, `Admin` or `Caller`), then its query
//! or body, and returns an `ApiResult`; [`crate::routes`] wires them to URLs.

pub mod clients;
pub mod dead_letters;
pub mod deliveries;
pub mod event_types;
pub mod events;
pub mod keys;
pub mod poll;
pub mod portal_links;
pub mod portal_session;
pub mod regions;
pub mod replay;
pub mod sources;
pub mod stats;
pub mod test_send;
pub mod webhooks;

use std::collections::HashMap;
use std::sync::Arc;

use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::validation::FieldError;
use edgehook_domain::webhook::{Webhook, WebhookStatus};
use edgehook_history::HistoryStore;
use edgehook_service::api_error::ApiError;
use warp::http::StatusCode;

use crate::AppState;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 500;

/// `?limit=&after=` of every list, as the OpenAPI document describes it ([`PageQuery`] reads
/// them).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Items a page, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50, nullable = false)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent: from the start.
    #[param(nullable = false)]
    after: Option<String>,
}

/// `{event_id}` in a path, in the OpenAPI document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct EventPath {
    /// The source's event id (percent-decoded: `evt%3A1` is `evt:1`).
    #[param(pattern = r"^[A-Za-z0-9_:-]{1,128}$")]
    event_id: String,
}

/// `?limit=&after=` of every list.
pub struct PageQuery {
    pub limit: usize,
    pub after: Option<String>,
}

impl PageQuery {
    pub fn parse(query: &HashMap<String, String>) -> Result<Self, ApiError> {
        let limit = match query.get("limit") {
            None => DEFAULT_PAGE,
            Some(raw) => match raw.parse::<usize>() {
                Ok(limit @ 1..=MAX_PAGE) => limit,
                _ => {
                    return Err(
                        FieldError::new("limit", "out_of_range", format!("must be 1 to {MAX_PAGE}")).into()
                    );
                }
            },
        };
        Ok(Self { limit, after: query.get("after").cloned() })
    }

    /// `after` as a stream sequence, for lists read from a stream.
    pub fn after_sequence(&self) -> Result<u64, ApiError> {
        match &self.after {
            None => Ok(0),
            Some(raw) => raw
                .parse()
                .map_err(|_| FieldError::invalid("after", "must be a cursor returned as next_cursor").into()),
        }
    }
}

/// 409 unless `webhook` is active: what is sent to an inactive or disabled one would wait.
pub fn require_active(webhook: &Webhook, action: &str) -> Result<(), ApiError> {
    if webhook.status == WebhookStatus::Active {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "webhook_inactive",
        format!("the webhook is not active: set its status to active, then {action}"),
    ))
}

/// The history store, or 503 `history_unavailable`: `what` is read only from there.
pub fn history_store<'a>(state: &'a AppState, what: &str) -> Result<&'a Arc<HistoryStore>, ApiError> {
    state.history.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "history_unavailable",
            format!("{what} needs a history store, and this control plane has none (--history-url)"),
        )
    })
}

/// The caller's webhook `id`, or 404: another client's webhook does not exist for this caller.
pub async fn owned_webhook(
    state: &AppState,
    client: &ClientId,
    id: &WebhookId,
) -> Result<Arc<Webhook>, ApiError> {
    state
        .webhooks
        .get_synced(&Webhook::key(client, id))
        .await
        .map_err(|error| ApiError::internal("reading webhooks", error))?
        .ok_or_else(|| ApiError::not_found("webhook"))
}
