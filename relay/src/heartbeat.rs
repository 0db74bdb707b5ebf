//! A relay's sign of life: every few seconds it writes itself into the hub's `relays` bucket,
//! whose max age makes a silent relay disappear. While the hub is away the writes fail
//! quietly; delivery does not depend on them.

use std::time::Duration;

use async_nats::jetstream::kv;
use edgehook_domain::ids::RelayId;
use edgehook_nats::region::RelayHeartbeat;
use edgehook_nats::streams::{RELAY_HEARTBEAT_TTL, RELAYS_BUCKET, RegionalContract};

const INTERVAL: Duration = Duration::from_secs(RELAY_HEARTBEAT_TTL.as_secs() / 3);

pub async fn run(contract: RegionalContract) {
    let relay_id = RelayId::generate();
    let region = contract.region.name.clone();
    let key = format!("{region}.{relay_id}");
    let started_at = edgehook_domain::now();
    let mut bucket: Option<kv::Store> = None;
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        if bucket.is_none() {
            bucket = contract.hub.get_key_value(RELAYS_BUCKET).await.ok();
        }
        let Some(store) = &bucket else { continue };
        let beat = RelayHeartbeat {
            relay_id: relay_id.to_string(),
            region: region.clone(),
            started_at,
            last_seen: edgehook_domain::now(),
        };
        let value = serde_json::to_vec(&beat).expect("a heartbeat serializes");
        if let Err(error) = store.put(&key, value.into()).await {
            tracing::debug!(%error, "heartbeat not written; the hub may be away");
        }
    }
}
