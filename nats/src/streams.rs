//! Streams, consumers and KV buckets, and the bootstraps that create them.
//!
//! Every service calls a bootstrap at start; creating what exists already is a no-op, so any
//! service may start first. [`Contract`] is the hub's half, [`RegionalContract`] a region's
//! (see [`crate::region`] for how the two are wired). JetStream does the queueing, redelivery,
//! dedup, retention and replication described here; edgehook only configures it.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, kv, stream};

use crate::co_located;
use crate::readiness::Readiness;
use crate::region::{HUB_DOMAIN, Region};
use crate::replication::Replication;
use crate::subjects;
use edgehook_domain::priority::Priority;

pub const EVENTS: &str = "EVENTS";
pub const DELIVERIES: &str = "DELIVERIES";
pub const ATTEMPTS: &str = "ATTEMPTS";
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";

pub const WEBHOOKS_BUCKET: &str = "webhooks";
pub const SOURCES_BUCKET: &str = "sources";
pub const CLIENTS_BUCKET: &str = "clients";
pub const REGIONS_BUCKET: &str = "regions";
pub const RELAYS_BUCKET: &str = "relays";
pub const ENDPOINT_HEALTH_BUCKET: &str = "endpoint_health";
/// The event-type catalogue (`edgehook_domain::catalogue`), keyed by type name.
pub const EVENT_TYPES_BUCKET: &str = "event_types";
/// The consumer portal's links and the sessions they were exchanged for, keyed
/// `<client>.<link>` (the control plane's `portal` module).
pub const PORTAL_LINKS_BUCKET: &str = "portal_links";
/// A portal link lives at most an hour unexchanged and its session at most a day after the
/// exchange (the last write): the bucket forgets both by itself.
pub const PORTAL_LINKS_TTL: Duration = Duration::from_secs(25 * 3600);

/// Durable consumer on EVENTS that fans events out into delivery tasks.
pub const ROUTER_CONSUMER: &str = "router";
/// The durable consumer on a region's DLV stream that its relays pull one tier's tasks from.
pub fn dispatch_consumer_name(priority: Priority) -> String {
    format!("dispatch-{}", priority.as_str())
}

/// Before tiers, one consumer took every task; it would overlap the tiers' on a work queue.
const LEGACY_DISPATCH_CONSUMER: &str = "dispatch";

/// How long a relay may hold a delivery before JetStream hands it to another relay: the crash
/// safety net. Longer than the longest HTTP timeout a relay accepts.
pub const DISPATCH_ACK_WAIT: Duration = Duration::from_secs(30);
/// The longest HTTP timeout a relay accepts, so an attempt always ends before `ack_wait`.
pub const MAX_DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// Events and delivery tasks are kept a week: a region may be cut off that long and catch up.
pub const BACKLOG_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Events are deduplicated on `(client_id, event_id)` for an hour by default. nats-server holds
/// every id of the window in memory (measured in BENCHMARKS.md, "EVENTS' deduplication
/// window": ~265 bytes an id, ~11 GB at SPEC's 11,600 events/s for an hour), so the window is
/// an operator's choice ([`Contract::bootstrap_hub`]).
pub const EVENTS_DEDUP_WINDOW: Duration = Duration::from_secs(3600);
/// Attempt records and dead letters are kept 30 days.
pub const HISTORY_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long the hub waits for a region to answer when setting it up.
const REGION_ANSWER_TIMEOUT: Duration = Duration::from_secs(2);
/// A relay not heard of for this long is gone.
pub const RELAY_HEARTBEAT_TTL: Duration = Duration::from_secs(15);
/// An endpoint's health report not refreshed for this long is stale (no recent deliveries).
pub const ENDPOINT_HEALTH_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
#[error("creating {what} on JetStream: {source}")]
pub struct BootstrapError {
    what: String,
    kind: BootstrapErrorKind,
    #[source]
    source: async_nats::Error,
}

/// Whether trying again can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootstrapErrorKind {
    /// NATS did not answer or refused for now (not connected, no JetStream leader yet, a
    /// timeout): a service waits and tries again.
    Unavailable,
    /// The deployment is not what the service was configured for (a region's server in another
    /// domain, an older edgehook's data still to drain): trying again cannot help.
    Refused,
}

impl BootstrapError {
    pub fn kind(&self) -> BootstrapErrorKind {
        self.kind
    }
}

pub(crate) fn failed<E: Into<async_nats::Error>>(what: &str) -> impl FnOnce(E) -> BootstrapError + '_ {
    move |source| BootstrapError {
        what: what.to_owned(),
        kind: BootstrapErrorKind::Unavailable,
        source: source.into(),
    }
}

/// A configuration error: retrying will not help.
pub(crate) fn refused(what: &str, message: String) -> BootstrapError {
    BootstrapError { what: what.to_owned(), kind: BootstrapErrorKind::Refused, source: message.into() }
}

/// Creates the stream `config` or finds it, with the replica count `replication` gives it: an
/// existing one is brought to that count in place.
pub(crate) async fn ensure_stream(
    jetstream: &jetstream::Context,
    config: stream::Config,
    replication: &Replication,
) -> Result<(), BootstrapError> {
    let name = config.name.clone();
    let config = stream::Config { num_replicas: replication.replicas(), ..config };
    jetstream.get_or_create_stream(config).await.map_err(failed(&name))?;
    replication.upgrade(jetstream, &name).await
}

/// The hub's streams and buckets, bound to one connection to the hub.
#[derive(Clone)]
pub struct Contract {
    pub jetstream: jetstream::Context,
    /// The replica count the hub's streams, buckets and consumers have.
    pub replication: Replication,
    pub webhooks: kv::Store,
    pub sources: kv::Store,
    pub clients: kv::Store,
    pub regions: kv::Store,
    pub relays: kv::Store,
    /// What relays last reported of each endpoint (see [`edgehook_domain::endpoint_health`]).
    pub endpoint_health: kv::Store,
    /// The event-type catalogue (see [`edgehook_domain::catalogue`]): the control plane writes
    /// it, ingest follows it to check events' data.
    pub event_types: kv::Store,
    /// The consumer portal's links and sessions (see [`PORTAL_LINKS_BUCKET`]).
    pub portal_links: kv::Store,
}

impl Contract {
    /// Creates (or finds) the hub's streams, router consumer and buckets, with the replica
    /// count that fits the hub's cluster.
    pub async fn bootstrap(client: async_nats::Client) -> Result<Self, BootstrapError> {
        Self::bootstrap_with(client, None).await
    }

    /// [`Self::bootstrap`] with `replicas` (the `--replicas` override) instead of the count the
    /// cluster's size gives (see [`crate::replication`]).
    pub async fn bootstrap_with(
        client: async_nats::Client,
        replicas: Option<usize>,
    ) -> Result<Self, BootstrapError> {
        Self::bootstrap_hub(client, replicas, None).await
    }

    /// [`Self::bootstrap_with`], and EVENTS' deduplication window set to `events_dedup_window`:
    /// an existing stream with another window is updated (the services that own the hub's
    /// configuration pass it: `edgehook up` and the control plane; the others pass `None` and
    /// leave an existing stream's window as it is, so they never undo the operator's choice).
    pub async fn bootstrap_hub(
        client: async_nats::Client,
        replicas: Option<usize>,
        events_dedup_window: Option<Duration>,
    ) -> Result<Self, BootstrapError> {
        let jetstream = jetstream::new(client);
        let replication = Replication::detect(&jetstream, replicas).await?;
        let window = events_dedup_window.unwrap_or(EVENTS_DEDUP_WINDOW);
        for config in [events_stream(window), deliveries_stream(), crate::fifo::fifo_stream()] {
            ensure_stream(&jetstream, config, &replication).await?;
        }
        if let Some(window) = events_dedup_window {
            set_events_dedup_window(&jetstream, window).await?;
        }
        jetstream
            .create_consumer_on_stream(router_consumer(), EVENTS)
            .await
            .map_err(failed(ROUTER_CONSUMER))?;
        let r = &replication;
        Ok(Self {
            webhooks: bucket(&jetstream, kv_config(WEBHOOKS_BUCKET), r).await?,
            sources: bucket(&jetstream, kv_config(SOURCES_BUCKET), r).await?,
            clients: bucket(&jetstream, kv_config(CLIENTS_BUCKET), r).await?,
            regions: bucket(&jetstream, kv_config(REGIONS_BUCKET), r).await?,
            event_types: bucket(&jetstream, kv_config(EVENT_TYPES_BUCKET), r).await?,
            relays: bucket(
                &jetstream,
                kv::Config { max_age: RELAY_HEARTBEAT_TTL, history: 1, ..kv_config(RELAYS_BUCKET) },
                r,
            )
            .await?,
            endpoint_health: bucket(
                &jetstream,
                kv::Config { max_age: ENDPOINT_HEALTH_TTL, history: 1, ..kv_config(ENDPOINT_HEALTH_BUCKET) },
                r,
            )
            .await?,
            portal_links: bucket(
                &jetstream,
                kv::Config { max_age: PORTAL_LINKS_TTL, history: 1, ..kv_config(PORTAL_LINKS_BUCKET) },
                r,
            )
            .await?,
            jetstream,
            replication,
        })
    }

    /// What `/readyz` of a hub service checks: the connection, these streams, these consumers.
    pub fn readiness(&self, streams: &[&str], consumers: &[(&str, &str)]) -> Readiness {
        readiness(&self.jetstream, streams.iter().map(ToString::to_string).collect(), consumers)
    }

    /// Records the regions deliveries go to, and makes the hub's ATTEMPTS and DEAD_LETTERS
    /// source each region's records. Run by the control plane, which owns the list.
    ///
    /// The regions' record streams are created first where a region answers: JetStream retries
    /// a source whose stream is missing only with a growing backoff, so a region that comes up
    /// later is caught up within a minute or so rather than at once.
    pub async fn declare_regions(&self, regions: &[Region]) -> Result<(), BootstrapError> {
        for region in regions {
            let value = serde_json::to_vec(region).expect("a region serializes");
            self.regions.put(&region.name, value.into()).await.map_err(failed(REGIONS_BUCKET))?;
            if region.is_co_located() {
                co_located::retire_record_copies(&self.jetstream, region).await?;
                continue;
            }
            // Created with one replica: the region's relays, which know its cluster, set its
            // count when they start.
            let regional = jetstream::with_domain(self.jetstream.client(), &region.domain);
            for config in record_streams(region) {
                let create = regional.get_or_create_stream(config);
                if tokio::time::timeout(REGION_ANSWER_TIMEOUT, create).await.is_err() {
                    tracing::info!(region = %region.name, "region not reachable yet; its records flow once it is");
                }
            }
        }
        // A co-located region's relays write straight into these streams; every other region's
        // records are sourced from the region.
        let history = |name: &str, stream_of: fn(&Region) -> String, subjects_of: fn(&str) -> String| {
            let (co_located, leaves): (Vec<&Region>, Vec<&Region>) =
                regions.iter().partition(|region| region.is_co_located());
            stream::Config {
                subjects: co_located.iter().map(|region| subjects_of(&region.name)).collect(),
                sources: Some(
                    leaves.iter().map(|region| regional_source(region, stream_of(region), None)).collect(),
                ),
                ..history_stream(name)
            }
        };
        for config in [
            history(ATTEMPTS, Region::attempts_stream, subjects::attempts_of_region),
            history(DEAD_LETTERS, Region::dead_letters_stream, subjects::dead_letters_of_region),
        ] {
            create_or_update(&self.jetstream, self.replication.fit(&self.jetstream, config).await).await?;
        }
        Ok(())
    }
}

/// Creates or updates a stream that another service may be creating at the same moment (the
/// control plane and a co-located region's relays both shape ATTEMPTS and DEAD_LETTERS): the
/// loser of the race finds the stream on its next try and updates it.
pub(crate) async fn create_or_update(
    jetstream: &jetstream::Context,
    config: stream::Config,
) -> Result<(), BootstrapError> {
    let mut tries = 0;
    loop {
        match jetstream.create_or_update_stream(config.clone()).await {
            Ok(_) => return Ok(()),
            Err(_) if tries < 3 => tries += 1,
            Err(error) => return Err(failed(&config.name)(error)),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A region's streams and its mirror of the webhooks, bound to a connection to the region's
/// own NATS server (or to the hub's, for a co-located region).
#[derive(Clone)]
pub struct RegionalContract {
    pub region: Region,
    /// The region's own JetStream.
    pub jetstream: jetstream::Context,
    /// The hub's JetStream, reached through the leaf link (fails while the hub is away).
    pub hub: jetstream::Context,
    /// The region's mirror of the hub's `webhooks` bucket: readable while the hub is away.
    pub webhooks: kv::Store,
    /// The replica count the region's streams, mirror and consumers have.
    pub replication: Replication,
}

impl RegionalContract {
    /// Creates (or finds) the region's streams, consumer and mirror. Works while the hub is
    /// unreachable: replication starts whenever the link is up.
    pub async fn bootstrap(client: async_nats::Client, region_name: &str) -> Result<Self, BootstrapError> {
        Self::bootstrap_with(client, region_name, None).await
    }

    /// [`Self::bootstrap`] with `replicas` (the `--replicas` override) instead of the count the
    /// region's cluster size gives (see [`crate::replication`]).
    pub async fn bootstrap_with(
        client: async_nats::Client,
        region_name: &str,
        replicas: Option<usize>,
    ) -> Result<Self, BootstrapError> {
        let jetstream = jetstream::new(client.clone());
        let account = jetstream.query_account().await.map_err(failed("the account query"))?;
        let region = match account.domain.as_deref() {
            None | Some(HUB_DOMAIN) => Region::co_located(region_name),
            Some(domain) if domain == region_name => Region::leaf(region_name),
            Some(domain) => {
                let message = format!("this NATS server is in domain `{domain}`, not region `{region_name}`");
                return Err(refused("the region", message));
            }
        }
        .map_err(|error| refused("the region", error.to_string()))?;
        let replication = Replication::detect(&jetstream, replicas).await?;
        let r = &replication;

        ensure_stream(&jetstream, parking_stream(&region), r).await?;
        let start = if region.is_co_located() {
            co_located::bootstrap(&jetstream, &region, r).await?
        } else {
            for config in record_streams(&region) {
                ensure_stream(&jetstream, config, r).await?;
            }
            // Updated, not only created: a region made before the parking stream gains its source.
            let deliveries = r.fit(&jetstream, regional_deliveries_stream(&region)).await;
            jetstream
                .create_or_update_stream(deliveries)
                .await
                .map_err(failed(&region.deliveries_stream()))?;
            if let Ok(stream) = jetstream.get_stream(region.deliveries_stream()).await {
                let _ = stream.delete_consumer(LEGACY_DISPATCH_CONSUMER).await;
            }
            consumer::DeliverPolicy::All
        };
        for priority in Priority::ALL {
            create_dispatch_consumer(&jetstream, &region, priority, start).await?;
        }
        if region.is_co_located() {
            co_located::retire_task_copy(&jetstream, &region).await;
        }
        let mirror = kv::Config {
            mirror: Some(hub_source(&region, WEBHOOKS_BUCKET, None)),
            ..kv_config(&region.webhooks_bucket())
        };
        let mut webhooks = bucket(&jetstream, mirror, r).await?;
        // async-nats 0.51 keys a same-domain mirror under its own bucket name; the mirrored
        // entries keep the origin's subjects, `$KV.webhooks.<key>`.
        webhooks.prefix = format!("$KV.{WEBHOOKS_BUCKET}.");
        let hub = if region.is_co_located() {
            jetstream.clone()
        } else {
            jetstream::with_domain(client, HUB_DOMAIN)
        };
        Ok(Self { region, jetstream, hub, webhooks, replication })
    }
}

/// A leaf region's delivery tasks: its own from the hub's DELIVERIES, and its parked ones once
/// due.
fn regional_deliveries_stream(region: &Region) -> stream::Config {
    stream::Config {
        name: region.deliveries_stream(),
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::WorkQueue,
        sources: Some(vec![
            hub_source(region, DELIVERIES, Some(subjects::deliveries_of_region(&region.name))),
            parked_due_source(region, 0),
        ]),
        ..Default::default()
    }
}

/// The region's parked tasks once due (`rgn.<r>.park.due.<tier>.<client>.<webhook>`), back as
/// `deliveries.<r>.<tier>.<client>.<webhook>`, from the parking stream's sequence `start` on
/// (0: from its first message).
pub(crate) fn parked_due_source(region: &Region, start: u64) -> stream::Source {
    stream::Source {
        name: region.parking_stream(),
        start_sequence: (start > 0).then_some(start),
        subject_transforms: vec![stream::SubjectTransform {
            source: subjects::parked_due_of_region(&region.name),
            destination: subjects::deliveries_of_region(&region.name),
        }],
        ..Default::default()
    }
}

/// Tasks that wait long (a retry minutes away, an endpoint whose circuit is open) are set
/// aside here as message schedules instead of waiting in the dispatch consumers' ack-pending
/// (which is bounded: a full one stops delivery for everyone). Each schedule fires once, at
/// its time, into a `due` subject that the delivery stream sources; the due copy expires
/// after [`PARKED_DUE_TTL`], long after it was sourced.
fn parking_stream(region: &Region) -> stream::Config {
    stream::Config {
        name: region.parking_stream(),
        subjects: vec![subjects::parking_of_region(&region.name)],
        storage: stream::StorageType::File,
        max_age: BACKLOG_MAX_AGE,
        allow_message_schedules: true,
        allow_message_ttl: true,
        ..Default::default()
    }
}

/// How long a due task stays in the parking stream after it fired.
pub const PARKED_DUE_TTL: &str = "1h";

/// ATTEMPTS or DEAD_LETTERS at the hub, before its subjects and sources are set.
pub(crate) fn history_stream(name: &str) -> stream::Config {
    stream::Config {
        name: name.to_owned(),
        storage: stream::StorageType::File,
        max_age: HISTORY_MAX_AGE,
        allow_direct: true,
        ..Default::default()
    }
}

/// A leaf region's attempt records and dead letters: written in the region, sourced by the hub.
fn record_streams(region: &Region) -> [stream::Config; 2] {
    let records = |name: String, subject: String| stream::Config {
        name,
        subjects: vec![subject],
        storage: stream::StorageType::File,
        max_age: HISTORY_MAX_AGE,
        ..Default::default()
    };
    [
        records(region.attempts_stream(), subjects::attempts_of_region(&region.name)),
        records(region.dead_letters_stream(), subjects::dead_letters_of_region(&region.name)),
    ]
}

impl RegionalContract {
    /// What a relay's `/readyz` checks: its region's streams, mirror and consumer.
    pub fn readiness(&self) -> Readiness {
        let region = &self.region;
        let streams = vec![
            region.deliveries_stream(),
            region.parking_stream(),
            region.attempts_stream(),
            region.dead_letters_stream(),
            self.webhooks.stream_name.clone(),
        ];
        let stream = region.deliveries_stream();
        let names: Vec<String> = Priority::ALL.into_iter().map(dispatch_consumer_name).collect();
        let consumers: Vec<(&str, &str)> =
            names.iter().map(|name| (stream.as_str(), name.as_str())).collect();
        readiness(&self.jetstream, streams, &consumers)
    }
}

fn readiness(jetstream: &jetstream::Context, streams: Vec<String>, consumers: &[(&str, &str)]) -> Readiness {
    let consumers =
        consumers.iter().map(|(stream, consumer)| (stream.to_string(), consumer.to_string())).collect();
    Readiness::new(jetstream.clone(), streams, consumers)
}

/// Creates or finds a bucket, with the replica count `replication` gives it (an existing one is
/// brought to it in place).
async fn bucket(
    jetstream: &jetstream::Context,
    config: kv::Config,
    replication: &Replication,
) -> Result<kv::Store, BootstrapError> {
    let name = config.bucket.clone();
    let store = match jetstream.get_key_value(&name).await {
        Ok(store) => store,
        Err(_) => {
            let config = kv::Config { num_replicas: replication.replicas(), ..config };
            jetstream.create_key_value(config).await.map_err(failed(&name))?
        }
    };
    replication.upgrade(jetstream, &store.stream_name).await?;
    Ok(store)
}

fn kv_config(name: &str) -> kv::Config {
    kv::Config {
        bucket: name.to_owned(),
        history: 5,
        storage: stream::StorageType::File,
        ..Default::default()
    }
}

/// A region sourcing one of the hub's streams. Across domains the source names the hub's API
/// prefix rather than its domain: servers 2.12+ refuse `domain` inside a source.
fn hub_source(region: &Region, name: &str, filter_subject: Option<String>) -> stream::Source {
    let external = (!region.is_co_located())
        .then(|| stream::External { api_prefix: format!("$JS.{HUB_DOMAIN}.API"), delivery_prefix: None });
    stream::Source { name: name.to_owned(), filter_subject, external, ..Default::default() }
}

/// The hub sourcing one of a region's streams.
fn regional_source(region: &Region, name: String, filter_subject: Option<String>) -> stream::Source {
    let external =
        region.api_prefix().map(|api_prefix| stream::External { api_prefix, delivery_prefix: None });
    stream::Source { name, filter_subject, external, ..Default::default() }
}

fn events_stream(duplicate_window: Duration) -> stream::Config {
    stream::Config {
        name: EVENTS.to_owned(),
        subjects: vec![subjects::EVENTS_ALL.to_owned()],
        storage: stream::StorageType::File,
        max_age: BACKLOG_MAX_AGE,
        duplicate_window,
        ..Default::default()
    }
}

/// Updates EVENTS' deduplication window in place when it differs (every other setting is kept
/// as the stream has it: replicas, sources, limits).
async fn set_events_dedup_window(
    jetstream: &jetstream::Context,
    window: Duration,
) -> Result<(), BootstrapError> {
    let mut stream = jetstream.get_stream(EVENTS).await.map_err(failed(EVENTS))?;
    let config = stream.info().await.map_err(failed(EVENTS))?.config.clone();
    if config.duplicate_window == window {
        return Ok(());
    }
    tracing::info!(from = ?config.duplicate_window, to = ?window, "changing EVENTS' deduplication window");
    jetstream
        .update_stream(stream::Config { duplicate_window: window, ..config })
        .await
        .map_err(failed(EVENTS))?;
    Ok(())
}

/// Every region's delivery tasks, kept at the hub until they expire: each region's DLV stream
/// sources its own subjects from here, at its own pace.
pub(crate) fn deliveries_stream() -> stream::Config {
    stream::Config {
        name: DELIVERIES.to_owned(),
        subjects: vec![subjects::DELIVERIES_ALL.to_owned()],
        storage: stream::StorageType::File,
        max_age: BACKLOG_MAX_AGE,
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    }
}

fn router_consumer() -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(ROUTER_CONSUMER.to_owned()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 20_000,
        ..Default::default()
    }
}

/// Creates a tier's consumer, or updates it: an existing one keeps where it started.
async fn create_dispatch_consumer(
    jetstream: &jetstream::Context,
    region: &Region,
    priority: Priority,
    start: consumer::DeliverPolicy,
) -> Result<(), BootstrapError> {
    let (name, stream) = (dispatch_consumer_name(priority), region.deliveries_stream());
    let start = match jetstream.get_consumer_from_stream::<consumer::pull::Config, _, _>(&name, &stream).await
    {
        Ok(existing) => existing.cached_info().config.deliver_policy,
        Err(_) => start,
    };
    let config = consumer::pull::Config { deliver_policy: start, ..dispatch_consumer(region, priority) };
    jetstream.create_consumer_on_stream(config, stream).await.map_err(failed(&name))?;
    Ok(())
}

/// No `backoff` here on purpose: a relay computes each webhook's own retry schedule and naks
/// with that delay, which JetStream honours exactly only on a consumer without backoff.
fn dispatch_consumer(region: &Region, priority: Priority) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(dispatch_consumer_name(priority)),
        filter_subject: subjects::deliveries_of_tier(&region.name, priority),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: DISPATCH_ACK_WAIT,
        // Unlimited: a task deferred (endpoint saturated, rate-limited, circuit open) comes
        // back without an attempt, so the relay counts attempts and enforces the budget.
        max_deliver: -1,
        max_ack_pending: 50_000,
        ..Default::default()
    }
}

/// A poll webhook's durable consumer on its region's delivery stream: the client's polls pull
/// from it (through the control plane).
pub fn poll_consumer_name(webhook: &edgehook_domain::ids::WebhookId) -> String {
    format!("poll-{webhook}")
}

/// The consumer of a poll webhook's subject ([`subjects::poll`]): `ack_wait` is the webhook's
/// visibility timeout (a polled task not acknowledged by then is delivered to the next poll),
/// and, as for the relays', `max_deliver` is unlimited because the control plane counts the
/// attempts and dead-letters past the webhook's retry budget. Its filter overlaps no other
/// consumer's (DLV_`<r>` is a work queue). No `inactive_threshold`: on the co-located region's
/// DELIVERIES (limits retention) a consumer made again would start over from the first task;
/// the control plane deletes it with its webhook.
pub fn poll_consumer(
    region: &Region,
    client: &edgehook_domain::ids::ClientId,
    webhook: &edgehook_domain::ids::WebhookId,
    visibility_timeout: Duration,
) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(poll_consumer_name(webhook)),
        filter_subject: subjects::poll(&region.name, client, webhook),
        ack_policy: consumer::AckPolicy::Explicit,
        deliver_policy: consumer::DeliverPolicy::All,
        ack_wait: visibility_timeout,
        max_deliver: -1,
        max_ack_pending: 10_000,
        ..Default::default()
    }
}
