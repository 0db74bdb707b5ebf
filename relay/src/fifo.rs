//! FIFO webhooks in a relay: one loop per lane of each FIFO webhook its region delivers, each
//! taking the lane's tasks one at a time from the hub's FIFO queue (`edgehook_nats::fifo`) and
//! delivering them through the same [`Dispatcher`] as every other task, settled as a FIFO
//! task ([`Queue::Fifo`]: retries wait in the lane, never parked).
//!
//! The order is JetStream's: each lane's consumer lets one task out at a time, whichever relay
//! of whichever region pulls, so several relays may run the same lanes (they take turns) and a
//! relay killed mid-delivery leaves its task to come back first after the ack wait.
//!
//! Which lanes run follows the region's copy of the webhooks bucket: every lane of every FIFO
//! webhook delivered here (lane 0, or [`KEY_LANES`] with an ordering key), started as soon as
//! the copy shows it, plus lanes that still hold tasks though the webhook no longer uses them
//! (its ordering changed: what was queued in order is delivered in order, then the lane
//! goes). A sweep of the queue's consumers every [`SWEEP_INTERVAL`] finds those, deletes the
//! consumers of lanes left empty, and purges the lanes of deleted webhooks. A lane stops when
//! its webhook moves away; the new region's relays take the same lane up.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::PullConsumer};
use edgehook_domain::ordering::KEY_LANES;
use edgehook_domain::webhook::Webhook;
use edgehook_nats::fifo::{FIFO, Lane, lane_consumer};
use edgehook_nats::kv_cache::{KvCache, Lookup};
use futures::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::dispatcher::Dispatcher;
use crate::settlement::Settler;

/// How often the queue's consumers are looked at (lanes to drain, to delete, to purge).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(10);
/// How long one request of a lane waits for a task (then the lane asks again).
const LANE_WAIT: Duration = Duration::from_secs(2);
/// How long after [`LANE_WAIT`] a request that got no answer at all is given up (measured: a
/// pull request the server held while the lane's task was still out was sometimes lost, and a
/// streaming pull then waited out its expiry, 30 s by default).
const LANE_GRACE: Duration = Duration::from_secs(1);
/// How long a lane waits before it tries again to open its consumer.
const REOPEN_DELAY: Duration = Duration::from_secs(2);

/// Runs the region's FIFO lanes until `stop` turns true, then lets each finish the task it holds.
pub(crate) async fn run(dispatcher: Arc<Dispatcher>, settler: Settler, mut stop: watch::Receiver<bool>) {
    let settler = Arc::new(settler);
    let hub = dispatcher.hub().clone();
    let webhooks = dispatcher.webhooks().clone();
    let region = dispatcher.region().to_owned();
    let mut changes = webhooks.changes();
    let mut sweep = tokio::time::interval(SWEEP_INTERVAL);
    let mut draining = BTreeSet::new();
    // Each lane with its own stop: a lane no longer wanted finishes the task it holds first.
    let mut running: HashMap<Lane, (watch::Sender<bool>, JoinHandle<()>)> = HashMap::new();
    loop {
        tokio::select! {
            _ = changes.changed() => {}
            _ = sweep.tick() => draining = sweep_consumers(&hub, &webhooks, &region).await,
            _ = stopped(&mut stop) => break,
        }
        let mut wanted = lanes_delivered_here(&webhooks, &region);
        wanted.extend(draining.iter().cloned());
        running.retain(|lane, (stop_lane, handle)| {
            let keep = wanted.contains(lane) && !handle.is_finished();
            if !keep {
                tracing::info!(consumer = %lane.consumer_name(), "FIFO lane stopping");
                let _ = stop_lane.send(true);
            }
            keep
        });
        for lane in wanted {
            running.entry(lane.clone()).or_insert_with(|| {
                tracing::info!(consumer = %lane.consumer_name(), "FIFO lane starting");
                let (stop_lane, stopped) = watch::channel(false);
                let lane_loop = run_lane(lane, hub.clone(), dispatcher.clone(), settler.clone(), stopped);
                (stop_lane, tokio::spawn(lane_loop))
            });
        }
    }
    for (_, (stop_lane, handle)) in running {
        let _ = stop_lane.send(true);
        let _ = handle.await;
    }
}

/// Resolves once `stop` is true (the guard `wait_for` answers with is dropped here, so the
/// futures that wait on it stay `Send`).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Every lane of every FIFO webhook this region delivers.
fn lanes_delivered_here(webhooks: &KvCache<Webhook>, region: &str) -> BTreeSet<Lane> {
    webhooks
        .range("", None, usize::MAX)
        .iter()
        .filter(|webhook| webhook.ordering.is_fifo() && webhook.region == region)
        .flat_map(|webhook| {
            lanes_of(webhook).map(|lane| Lane {
                client: webhook.client_id.clone(),
                webhook: webhook.id.clone(),
                lane,
            })
        })
        .collect()
}

/// The lanes a webhook's tasks take ([`edgehook_domain::ordering::lane`]).
fn lanes_of(webhook: &Webhook) -> std::ops::Range<u32> {
    match (webhook.ordering.is_fifo(), webhook.ordering_key.is_some()) {
        (false, _) => 0..0,
        (true, false) => 0..1,
        (true, true) => 0..KEY_LANES,
    }
}

/// Looks at the queue's lane consumers of webhooks delivered here: lanes no longer used that
/// still hold tasks are returned (to drain), those left empty are deleted; a deleted webhook's
/// lanes are purged and their consumers deleted.
async fn sweep_consumers(
    hub: &jetstream::Context,
    webhooks: &KvCache<Webhook>,
    region: &str,
) -> BTreeSet<Lane> {
    let mut draining = BTreeSet::new();
    let stream = match hub.get_stream(FIFO).await {
        Ok(stream) => stream,
        Err(error) => {
            tracing::warn!(%error, "reading the FIFO queue's consumers");
            return draining;
        }
    };
    let mut consumers = stream.consumers();
    while let Some(info) = consumers.next().await {
        let info = match info {
            Ok(info) => info,
            Err(error) => {
                tracing::warn!(%error, "listing the FIFO queue's consumers");
                break;
            }
        };
        let Some(lane) = Lane::of_consumer(&info.name, &info.config.filter_subject) else { continue };
        let held = info.num_pending + info.num_ack_pending as u64;
        match webhooks.lookup(&Webhook::key(&lane.client, &lane.webhook)) {
            Lookup::Deleted => {
                if let Err(error) = stream.purge().filter(lane.subject()).await {
                    tracing::warn!(%error, consumer = %info.name, "purging a deleted webhook's FIFO lane");
                    continue;
                }
                let _ = stream.delete_consumer(&info.name).await;
            }
            Lookup::Present(webhook)
                if webhook.region == region && !lanes_of(&webhook).contains(&lane.lane) =>
            {
                if held > 0 {
                    draining.insert(lane);
                } else if let Err(error) = stream.delete_consumer(&info.name).await {
                    tracing::warn!(%error, consumer = %info.name, "deleting an unused FIFO lane");
                }
            }
            _ => {}
        }
    }
    draining
}

/// One lane: its consumer opened (made if missing, with the same configuration as every other
/// relay's), then one request for one task at a time, each asked for only once the task before
/// is settled (and its settlement confirmed by the server), until the relay stops. A request
/// waits at most [`LANE_WAIT`] for a task; one the server lost is given up after
/// [`LANE_WAIT`] + [`LANE_GRACE`].
async fn run_lane(
    lane: Lane,
    hub: jetstream::Context,
    dispatcher: Arc<Dispatcher>,
    settler: Arc<Settler>,
    mut stop: watch::Receiver<bool>,
) {
    let mut consumer: Option<PullConsumer> = None;
    while !*stop.borrow() {
        let lane_consumer = match &consumer {
            Some(consumer) => consumer,
            None => match hub.create_consumer_on_stream(lane_consumer(&lane), FIFO).await {
                Ok(opened) => consumer.insert(opened),
                Err(error) => {
                    tracing::warn!(%error, consumer = %lane.consumer_name(), "opening a FIFO lane");
                    let _ = tokio::time::timeout(REOPEN_DELAY, stopped(&mut stop)).await;
                    continue;
                }
            },
        };
        let request = lane_consumer.batch().max_messages(1).expires(LANE_WAIT).messages().await;
        let mut batch = match request {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(%error, consumer = %lane.consumer_name(), "pulling a FIFO lane");
                consumer = None;
                let _ = tokio::time::timeout(REOPEN_DELAY, stopped(&mut stop)).await;
                continue;
            }
        };
        let next = tokio::select! {
            next = tokio::time::timeout(LANE_WAIT + LANE_GRACE, batch.next()) => next,
            _ = stopped(&mut stop) => return,
        };
        match next {
            Ok(Some(Ok(message))) => dispatcher.dispatch(message, &settler).await,
            Ok(Some(Err(error))) => {
                tracing::warn!(%error, consumer = %lane.consumer_name(), "pulling a FIFO lane");
                consumer = None;
            }
            // Nothing came within the wait (or the request was lost): ask again.
            Ok(None) | Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_runs_one_lane_or_one_per_key_lane() {
        use edgehook_domain::ordering::Ordering;
        let webhook = |ordering, key: Option<&str>| {
            let mut webhook: Webhook = serde_json::from_value(serde_json::json!({
                "id": edgehook_domain::ids::WebhookId::generate(), "client_id": edgehook_domain::ids::ClientId::generate(),
                "callback_url": "https://example.com", "event_types": [], "trigger_conditions": {},
                "retry_config": {}, "rate_limit": {}, "status": "active", "signing_secret": "x",
                "description": null, "callback_url_verified": true,
                "created_at": "2026-12-07T00:00:00Z", "updated_at": "2026-12-07T00:00:00Z"
            }))
            .unwrap();
            webhook.ordering = ordering;
            webhook.ordering_key = key.map(str::to_owned);
            webhook
        };
        assert!(lanes_of(&webhook(Ordering::None, None)).is_empty());
        assert_eq!(lanes_of(&webhook(Ordering::Fifo, None)), 0..1);
        assert_eq!(lanes_of(&webhook(Ordering::Fifo, Some("order_id"))), 0..KEY_LANES);
    }
}
