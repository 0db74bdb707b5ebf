//! Tells the hub how each endpoint is doing: every couple of seconds, the endpoints whose
//! health changed are written to the hub's `endpoint_health` bucket, which the control plane
//! shows with the webhook (its effective rate above all), and set in the endpoint gauges of
//! `/metrics` (here rather than per attempt, off the delivery path). While the hub is away the
//! writes fail quietly; delivery does not depend on them.

use std::time::Duration;

use async_nats::jetstream::kv;
use edgehook_nats::streams::{ENDPOINT_HEALTH_BUCKET, RegionalContract};
use edgehook_nats::webhook::Webhook;

use crate::endpoints::Endpoints;

const INTERVAL: Duration = Duration::from_secs(2);

pub async fn run(contract: RegionalContract, endpoints: Endpoints) {
    let region = contract.region.name.clone();
    let mut bucket: Option<kv::Store> = None;
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        let reports = endpoints.changed_health(&region);
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
