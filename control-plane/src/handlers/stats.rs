//! `GET /api/v1/webhooks/{id}/stats`: how a webhook's deliveries went over the last hour and the
//! last day: attempts, by outcome, the success ratio and latency percentiles (p50, p95, p99,
//! nearest rank, in ms).
//!
//! Why from the history store only: the figures aggregate every attempt of a day, which the
//! store answers from its by-webhook index (and PostgreSQL from the day's partitions); reading
//! a day of ATTEMPTS for each request would not scale. A control plane without a store
//! (`--history-url`) answers 503 `history_unavailable`.

use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_history::WindowStats;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::Serialize;
use warp::http::StatusCode;

use super::{history_store, owned_webhook};
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookStats {
    webhook_id: WebhookId,
    /// The attempts of the last 60 minutes.
    last_hour: WindowStats,
    /// The attempts of the last 24 hours.
    last_day: WindowStats,
}

/// A webhook's last hour and day of deliveries: outcomes, success ratio, latency.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{webhook_id}/stats",
    tag = "stats",
    params(("webhook_id" = WebhookId, Path)),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The webhook's figures.", body = WebhookStats),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 503, description = "No history store (`history_unavailable`: the control plane runs without `--history-url`), or it did not answer (`unavailable`).", body = ErrorBody),
    )
)]
pub async fn of_webhook(id: WebhookId, state: AppState, client: ClientId) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let store = history_store(&state, "delivery stats")?;
    let now = edgehook_domain::now();
    let window = |since| store.stats(&client, &webhook.id, since);
    let read = |error| ApiError::internal("reading delivery stats", error);
    let last_hour = window(now - time::Duration::HOUR).await.map_err(read)?;
    let last_day = window(now - time::Duration::DAY).await.map_err(read)?;
    Ok(json(StatusCode::OK, &WebhookStats { webhook_id: webhook.id.clone(), last_hour, last_day }))
}
