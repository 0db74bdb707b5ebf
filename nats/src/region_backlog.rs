//! How a region's delivery work stands, as the hub sees it: what `GET /api/v1/regions`, its
//! gauges and `edgehook status` show.
//!
//! A leaf region is asked through the leaf link, with its JetStream domain; its `lag` is how many
//! of the hub's delivery tasks it has not copied yet. A co-located region pulls straight from the
//! hub's DELIVERIES, so it has no lag. Either way its backlog is read from its dispatch consumers.

use std::time::Duration;

use async_nats::jetstream;

use crate::region::Region;
use crate::streams::{DELIVERIES, dispatch_consumer_name};
use edgehook_domain::priority::Priority;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionBacklog {
    /// Delivery tasks at the hub not yet copied into the region.
    pub lag: u64,
    /// Since the region last received from the hub (`None` for a co-located region).
    pub last_active: Option<Duration>,
    /// Tasks waiting for a relay.
    pub pending: u64,
    /// Tasks a relay is working on.
    pub in_flight: u64,
}

/// `None` when the region does not answer within `timeout`.
pub async fn read(hub: &jetstream::Context, region: &Region, timeout: Duration) -> Option<RegionBacklog> {
    let context = match region.is_co_located() {
        true => hub.clone(),
        false => jetstream::with_domain(hub.client(), &region.domain),
    };
    let survey = async {
        let stream = context.get_stream(region.deliveries_stream()).await.ok()?;
        let copy = stream.cached_info().sources.iter().find(|source| source.name == DELIVERIES);
        let mut backlog = RegionBacklog {
            lag: copy.map_or(0, |source| source.lag),
            last_active: copy.and_then(|source| source.active),
            ..Default::default()
        };
        for tier in Priority::ALL {
            let consumer = stream.consumer_info(dispatch_consumer_name(tier)).await.ok()?;
            backlog.pending += consumer.num_pending;
            backlog.in_flight += consumer.num_ack_pending as u64;
        }
        Some(backlog)
    };
    tokio::time::timeout(timeout, survey).await.ok().flatten()
}
