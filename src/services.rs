//! The standalone services, each against an existing NATS deployment, and the pieces `up`
//! shares with them: connecting, binding, configuring.
//!
//! A service that starts while NATS is unreachable, or while its JetStream cluster is still
//! electing a leader, waits and tries its bootstrap again (backoff doubling up to
//! [`MAX_BOOTSTRAP_BACKOFF`], logging why) rather than exiting: a freshly started three-server
//! cluster answers nothing for a few seconds. Only a configuration error ends it (a region's
//! server in another domain). The router and relay serve `/readyz` meanwhile, saying why they
//! are not ready; the control plane and ingest bind their listener once set up.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use edgehook_control_plane::{CallbackPolicy, Tokens};
use edgehook_history::{HistoryStore, StoreError};
use edgehook_nats::connection::NatsUrl;
use edgehook_nats::readiness::{ExtraCheck, Readiness};
use edgehook_nats::region::{self, LOCAL_REGION, Region};
use edgehook_nats::streams::{BootstrapError, BootstrapErrorKind, RegionalContract};
use edgehook_nats::{Contract, streams};
use edgehook_relay::endpoints::EndpointLimits;
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;
use edgehook_service::ops;
use tokio::net::TcpListener;

use crate::cli::{
    AdminTokenArgs, ControlPlaneArgs, HistoryArgs, IngestArgs, RelayArgs, RelayTuning, RouterArgs,
};
use crate::shutdown::Shutdown;

const MIN_JWT_SECRET_LEN: usize = 32;
const FIRST_BOOTSTRAP_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between two bootstrap tries.
pub const MAX_BOOTSTRAP_BACKOFF: Duration = Duration::from_secs(30);

/// Connects as `url`'s user (see [`NatsUrl`]), retrying while the server comes up.
pub async fn nats_client(url: &str) -> anyhow::Result<async_nats::Client> {
    let url = NatsUrl::parse(url).context("--nats-url")?;
    let options =
        url.options().name("edgehook").retry_on_initial_connect().connection_timeout(Duration::from_secs(5));
    url.connect(options).await.with_context(|| format!("connecting to NATS at {url}"))
}

/// Connects to the hub and makes sure its contract exists, with `replicas` (the override) or
/// the replica count its cluster fits; waits while NATS is not ready (see the module doc),
/// telling `readiness` why.
pub async fn connect(url: &str, replicas: Option<usize>, readiness: &Readiness) -> anyhow::Result<Contract> {
    connect_hub(url, replicas, None, readiness).await
}

/// [`connect`], with EVENTS' deduplication window set to `events_dedup_window` (what the
/// services owning the hub's configuration pass; see `Contract::bootstrap_hub`).
pub async fn connect_hub(
    url: &str,
    replicas: Option<usize>,
    events_dedup_window: Option<Duration>,
    readiness: &Readiness,
) -> anyhow::Result<Contract> {
    let client = nats_client(url).await?;
    let what = "setting up the hub's streams and buckets";
    retrying(what, readiness, || Contract::bootstrap_hub(client.clone(), replicas, events_dedup_window)).await
}

/// Connects to a region's NATS server and makes sure the region's contract exists, as
/// [`connect`] does for the hub.
pub async fn connect_region(
    url: &str,
    region: &str,
    replicas: Option<usize>,
    readiness: &Readiness,
) -> anyhow::Result<RegionalContract> {
    let client = nats_client(url).await?;
    let what = format!("setting up region `{region}`'s streams");
    retrying(&what, readiness, || RegionalContract::bootstrap_with(client.clone(), region, replicas)).await
}

/// Runs `bootstrap` until it succeeds or is refused (a configuration error), waiting longer
/// after each failure, up to [`MAX_BOOTSTRAP_BACKOFF`].
async fn retrying<T, F, Fut>(what: &str, readiness: &Readiness, mut bootstrap: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, BootstrapError>>,
{
    let mut backoff = FIRST_BOOTSTRAP_BACKOFF;
    loop {
        match bootstrap().await {
            Ok(done) => return Ok(done),
            Err(error) if error.kind() == BootstrapErrorKind::Refused => {
                return Err(anyhow::Error::from(error).context(what.to_owned()));
            }
            Err(error) => {
                let why = format!("{what}: {:#}", anyhow::Error::from(error));
                tracing::warn!(error = %why, retry_in = ?backoff, "NATS is not ready (unreachable, or its cluster electing a leader); trying again");
                readiness.still_starting(why);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BOOTSTRAP_BACKOFF);
            }
        }
    }
}

/// The regions of `--regions`, or the one co-located region; and the default region.
pub fn regions(list: Option<&str>, default: Option<&str>) -> anyhow::Result<(Vec<Region>, String)> {
    let regions = match list {
        Some(list) => {
            region::parse_list(list).map_err(|error| anyhow::anyhow!("--regions: {}", error.message))?
        }
        None => vec![Region::co_located(LOCAL_REGION).expect("`local` is a valid region name")],
    };
    let default = default.map_or_else(|| regions[0].name.clone(), str::to_owned);
    if !regions.iter().any(|region| region.name == default) {
        bail!("--default-region `{default}` is not one of the regions");
    }
    Ok((regions, default))
}

pub async fn bind(addr: SocketAddr, what: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("listening on {addr} for the {what}"))
}

pub fn relay_config(
    tuning: &RelayTuning,
    addresses: AddressPolicy,
    secrets: SecretsKey,
) -> edgehook_relay::Config {
    edgehook_relay::Config {
        delivery_timeout: Duration::from_millis(tuning.delivery_timeout_ms),
        concurrency: tuning.concurrency.max(1),
        addresses: Arc::new(addresses),
        secrets,
        endpoint_limits: EndpointLimits {
            window: tuning.endpoint_window.max(1),
            fast_window: tuning.concurrency.max(1),
            circuit_failures: tuning.circuit_failures.max(1),
            circuit_cooldown: Duration::from_millis(tuning.circuit_cooldown_ms.max(1)),
            disable_after: Duration::from_secs(tuning.disable_after_secs),
        },
        redis_url: tuning.redis_url.clone(),
    }
}

fn check_jwt_secret(secret: &str) -> anyhow::Result<()> {
    if secret.len() < MIN_JWT_SECRET_LEN {
        bail!("--jwt-secret must be at least {MIN_JWT_SECRET_LEN} characters");
    }
    Ok(())
}

pub async fn control_plane(args: ControlPlaneArgs) -> anyhow::Result<()> {
    check_jwt_secret(&args.jwt_secret)?;
    let (regions, default_region) = regions(args.regions.as_deref(), args.default_region.as_deref())?;
    let contract = connect_hub(
        &args.nats.nats_url,
        args.replication.requested(),
        Some(args.events_dedup.window()),
        &Readiness::starting("connecting"),
    )
    .await?;
    let listener = bind(args.addr, "control plane").await?;
    tracing::info!(addr = %listener.local_addr()?, "control plane listening");
    let config = edgehook_control_plane::Config {
        jwt_secret: args.jwt_secret.into_bytes(),
        secrets_key: args.secrets.key()?,
        callback_policy: CallbackPolicy {
            allow_http: args.allow_http_callbacks,
            addresses: Arc::new(args.callback_guard.policy()?),
        },
        regions,
        default_region,
        history: match &args.history_url {
            Some(url) => Some(Arc::new(open_history(url).await?)),
            None => None,
        },
        portal: args.portal.config()?,
    };
    Ok(edgehook_control_plane::serve(config, contract, listener, Shutdown::on_signals().wait()).await?)
}

/// Opens the history store at `url` (running its migrations), retrying while the database is
/// unreachable, as a service waits for NATS; a bad URL or a failed migration ends the service.
pub async fn open_history(url: &str) -> anyhow::Result<HistoryStore> {
    let mut backoff = FIRST_BOOTSTRAP_BACKOFF;
    loop {
        match HistoryStore::open(url).await {
            Ok(store) => return Ok(store),
            Err(error @ StoreError::Connect(_)) => {
                tracing::warn!(%error, retry_in = ?backoff, "the history store is not reachable; trying again");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BOOTSTRAP_BACKOFF);
            }
            Err(error) => return Err(anyhow::Error::from(error).context("--history-url")),
        }
    }
}

/// The history writer: drains the hub's ATTEMPTS into the history store.
pub async fn history(args: HistoryArgs) -> anyhow::Result<()> {
    let shutdown = Shutdown::on_signals();
    let readiness = Readiness::starting("connecting to NATS");
    let admin = bind(args.admin_addr, "history writer admin endpoints").await?;
    tracing::info!(admin = %admin.local_addr()?, "history writer admin endpoints up; setting up");
    tokio::spawn(ops::serve_admin(readiness.clone(), admin, shutdown.wait()));
    let contract = connect(&args.nats.nats_url, args.replication.requested(), &readiness).await?;
    readiness.still_starting("opening the history store");
    let store = Arc::new(open_history(&args.history_url).await?);
    let checked = store.clone();
    let store_check: ExtraCheck = Arc::new(move || {
        let store = checked.clone();
        Box::pin(async move { store.ping().await.map_err(|error| format!("history store: {error}")) })
    });
    let consumers = [
        (streams::ATTEMPTS, edgehook_nats::history_feed::HISTORY_WRITER_CONSUMER),
        (streams::EVENTS, edgehook_nats::history_feed::HISTORY_EVENTS_CONSUMER),
    ];
    readiness.become_ready_as(
        &contract.readiness(&[streams::ATTEMPTS, streams::EVENTS], &consumers).also(store_check),
    );
    Ok(edgehook_history::writer::run(
        contract.jetstream.clone(),
        store,
        args.history_retention.writer_config(),
        shutdown.wait(),
    )
    .await?)
}

pub async fn router(args: RouterArgs) -> anyhow::Result<()> {
    let shutdown = Shutdown::on_signals();
    let readiness = Readiness::starting("connecting to NATS");
    let admin = bind(args.admin_addr, "router admin endpoints").await?;
    tracing::info!(admin = %admin.local_addr()?, "router admin endpoints up; setting up");
    tokio::spawn(ops::serve_admin(readiness.clone(), admin, shutdown.wait()));
    let contract = connect(&args.nats.nats_url, args.replication.requested(), &readiness).await?;
    readiness.become_ready_as(&contract.readiness(
        &[streams::EVENTS, streams::DELIVERIES, "KV_webhooks"],
        &[(streams::EVENTS, streams::ROUTER_CONSUMER)],
    ));
    tracing::info!(replicas = contract.replication.replicas(), "router running");
    Ok(edgehook_router::run(contract, shutdown.wait()).await?)
}

pub async fn ingest(args: IngestArgs) -> anyhow::Result<()> {
    let contract =
        connect(&args.nats.nats_url, args.replication.requested(), &Readiness::starting("connecting"))
            .await?;
    let listener = bind(args.addr, "ingest").await?;
    tracing::info!(addr = %listener.local_addr()?, "ingest listening");
    let nats_auth = match &args.nats_auth_seed {
        Some(seed) => Some(
            edgehook_ingest::nats_auth::CalloutIssuer::from_seed(seed)
                .map_err(|error| anyhow::anyhow!("--nats-auth-seed: {error}"))?,
        ),
        None => {
            tracing::warn!("no --nats-auth-seed: this node does not let sources log in to NATS");
            None
        }
    };
    let config = edgehook_ingest::Config {
        max_body_bytes: args.max_body_bytes,
        nats_auth,
        require_known_event_types: args.catalogue.require_known_event_types,
        ..edgehook_ingest::Config::new(args.secrets.key()?)
    };
    Ok(edgehook_ingest::serve(config, contract, listener, Shutdown::on_signals().wait()).await?)
}

pub async fn relay(args: RelayArgs) -> anyhow::Result<()> {
    let shutdown = Shutdown::on_signals();
    let readiness = Readiness::starting("connecting to NATS");
    let admin = bind(args.admin_addr, "relay admin endpoints").await?;
    tracing::info!(region = %args.region, admin = %admin.local_addr()?, "relay admin endpoints up; setting up");
    tokio::spawn(ops::serve_admin(readiness.clone(), admin, shutdown.wait()));
    let contract =
        connect_region(&args.nats.nats_url, &args.region, args.replication.requested(), &readiness).await?;
    readiness.become_ready_as(&contract.readiness());
    tracing::info!(
        region = %args.region,
        domain = %contract.region.domain,
        replicas = contract.replication.replicas(),
        "relay running"
    );
    let config = relay_config(&args.tuning, args.callback_guard.policy()?, args.secrets.key()?);
    edgehook_relay::run(config, contract, shutdown.wait()).await?;
    Ok(())
}

pub fn admin_token(args: AdminTokenArgs) -> anyhow::Result<()> {
    check_jwt_secret(&args.jwt_secret)?;
    let ttl = Duration::from_secs(args.ttl_days * 24 * 3600);
    println!("{}", Tokens::new(args.jwt_secret.as_bytes()).mint_admin(ttl));
    Ok(())
}
