//! Tells the hub how each endpoint is doing: every couple of seconds, the endpoints whose
//! health changed are written to the hub's `endpoint_health` bucket, which the control plane
//! shows with the webhook (its effective rate above all), and set in the endpoint gauges of
//! `/metrics` (here rather than per attempt, off the delivery path). While the hub is away the
//! writes fail quietly; delivery does not depend on them. A starting relay first takes back
//! from them since when its region's endpoints have been failing ([`recall_failing`]).

use std::time::Duration;

use async_nats::jetstream::kv;
use edgehook_domain::endpoint_health::EndpointHealth;
use edgehook_domain::webhook::Webhook;
use edgehook_nats::kv_cache::KvCache;
use edgehook_nats::streams::{ENDPOINT_HEALTH_BUCKET, RegionalContract};

use crate::endpoints::Endpoints;

const INTERVAL: Duration = Duration::from_secs(2);
/// How long a starting relay waits for the hub's reports before it starts without them.
const RECALL_PATIENCE: Duration = Duration::from_secs(5);

pub async fn run(contract: RegionalContract, endpoints: Endpoints) {
    let region = contract.region.name.clone();
    let mut bucket: Option<kv::Store> = None;
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        let reports = endpoints.changed_health(&region, crate::endpoints::Now::read());
        if reports.is_empty() {
            continue;
        }
        for (webhook, health) in &reports {
            let id = webhook.id.to_string();
            metrics::gauge!("edgehook_endpoint_failure_ratio", "webhook_id" => id.clone())
                .set(health.failure_ratio);
            metrics::gauge!("edgehook_endpoint_effective_rate", "webhook_id" => id)
                .set(health.effective_rate_per_second);
        }
        if bucket.is_none() {
            bucket = contract.hub.get_key_value(ENDPOINT_HEALTH_BUCKET).await.ok();
        }
        let Some(store) = &bucket else { continue };
        for (webhook, health) in reports {
            let value = serde_json::to_vec(&health).expect("a health report serializes");
            if let Err(error) = store.put(Webhook::key(&webhook.client_id, &webhook.id), value.into()).await {
                tracing::debug!(%error, "endpoint health not written; the hub may be away");
            }
        }
    }
}

/// Hands `endpoints` the failing clocks the reports of this region hold, so that auto-disable
/// counts from when the endpoint started failing, not from when this relay started. Skipped,
/// quietly, while the hub is away.
pub async fn recall_failing(contract: &RegionalContract, endpoints: &Endpoints) {
    // One watch of the bucket, the way every reader of a whole bucket here reads it.
    let recall = async {
        let store = contract.hub.get_key_value(ENDPOINT_HEALTH_BUCKET).await.ok()?;
        let reports = KvCache::<EndpointHealth>::follow(contract.hub.clone(), store);
        reports.sync().await.ok()?;
        Some(reports.range("", None, usize::MAX))
    };
    let Ok(Some(reports)) = tokio::time::timeout(RECALL_PATIENCE, recall).await else { return };
    for health in reports.iter().filter(|health| health.region == contract.region.name) {
        if let Some(since) = health.failing_since {
            endpoints.remember_failing(health.webhook_id.as_str(), since);
        }
    }
}
