//! `GET /api/v1/regions`: each region with its replication state and live relays.
//!
//! Replication is read from the region's delivery stream and consumers
//! ([`edgehook_nats::region_backlog`]): `lag` is how many delivery tasks the hub holds that the
//! region has not copied yet (always 0 for a region co-located with the hub), `pending` how many
//! it holds undelivered. A region that does not answer is `reachable: false`; its relays keep
//! working on what they hold.

use crate::auth::Caller;
use std::time::Duration;

use edgehook_nats::region::{Region, RelayHeartbeat};
use edgehook_nats::region_backlog;
use edgehook_nats::streams::RELAY_HEARTBEAT_TTL;
use edgehook_service::api_error::{ApiResult, json};
use serde::Serialize;
use warp::http::StatusCode;

use crate::AppState;

const REGION_TIMEOUT: Duration = Duration::from_secs(2);
const REPORT_INTERVAL: Duration = Duration::from_secs(5);

#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionView {
    name: String,
    domain: String,
    default: bool,
    reachable: bool,
    replication: Option<Replication>,
    /// The relays that reported in lately: id, region, tiers, when.
    #[schema(value_type = Vec<Object>)]
    relays: Vec<RelayHeartbeat>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Replication {
    /// Delivery tasks at the hub not yet copied into the region.
    lag: u64,
    /// Milliseconds since the region last received from the hub.
    last_active_ms: Option<u64>,
    /// Delivery tasks the region holds, not yet delivered.
    pending: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionList {
    data: Vec<RegionView>,
}

/// The regions, how far each one's copy of the tasks is behind, and its live relays.
#[utoipa::path(
    get,
    path = "/api/v1/regions",
    tag = "regions",
    security(("admin" = []), ("client" = []), ("portal" = [])),
    responses((status = 200, description = "Every region.", body = RegionList))
)]
pub async fn list(state: AppState, _: Caller) -> ApiResult {
    Ok(json(StatusCode::OK, &RegionList { data: survey(&state).await }))
}

async fn survey(state: &AppState) -> Vec<RegionView> {
    futures::future::join_all(state.regions.iter().map(|region| view(state, region))).await
}

/// Keeps `edgehook_region_*` gauges current for alerting, whether or not anyone asks the API.
pub async fn report(state: AppState) {
    loop {
        for region in survey(&state).await {
            let name = region.name.clone();
            metrics::gauge!("edgehook_region_reachable", "region" => name.clone())
                .set(f64::from(u8::from(region.reachable)));
            metrics::gauge!("edgehook_region_relays_alive", "region" => name.clone())
                .set(region.relays.len() as f64);
            if let Some(replication) = &region.replication {
                metrics::gauge!("edgehook_region_replication_lag_messages", "region" => name)
                    .set(replication.lag as f64);
            }
        }
        tokio::time::sleep(REPORT_INTERVAL).await;
    }
}

async fn view(state: &AppState, region: &Region) -> RegionView {
    let replication = replication(state, region).await;
    let now = edgehook_domain::now();
    let relays = state
        .relays
        .range(&format!("{}.", region.name), None, usize::MAX)
        .into_iter()
        .filter(|beat| now - beat.last_seen < RELAY_HEARTBEAT_TTL)
        .map(|beat| (*beat).clone())
        .collect();
    RegionView {
        name: region.name.clone(),
        domain: region.domain.clone(),
        default: region.name == state.default_region,
        reachable: replication.is_some(),
        replication,
        relays,
    }
}

async fn replication(state: &AppState, region: &Region) -> Option<Replication> {
    let backlog = region_backlog::read(&state.contract.jetstream, region, REGION_TIMEOUT).await?;
    Some(Replication {
        lag: backlog.lag,
        last_active_ms: backlog.last_active.map(|active| active.as_millis() as u64),
        pending: backlog.pending + backlog.in_flight,
    })
}
