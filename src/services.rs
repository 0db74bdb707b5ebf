//! The standalone services, each against an existing NATS deployment, and the pieces `up`
//! shares with them: connecting, binding, configuring.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use edgehook_control_plane::{CallbackPolicy, Tokens};
use edgehook_nats::connection::NatsUrl;
use edgehook_nats::region::{self, LOCAL_REGION, Region};
use edgehook_nats::streams::RegionalContract;
use edgehook_nats::{Contract, streams};
use edgehook_relay::endpoints::EndpointLimits;
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;
use edgehook_service::ops;
use tokio::net::TcpListener;

use crate::cli::{AdminTokenArgs, ControlPlaneArgs, IngestArgs, RelayArgs, RelayTuning, RouterArgs};
use crate::shutdown::Shutdown;

const MIN_JWT_SECRET_LEN: usize = 32;

/// Connects as `url`'s user (see [`NatsUrl`]), retrying while the server comes up.
pub async fn nats_client(url: &str) -> anyhow::Result<async_nats::Client> {
    let url = NatsUrl::parse(url).context("--nats-url")?;
    let options =
        url.options().name("edgehook").retry_on_initial_connect().connection_timeout(Duration::from_secs(5));
    url.connect(options).await.with_context(|| format!("connecting to NATS at {url}"))
}

/// Connects to the hub (retrying while it comes up) and makes sure its contract exists.
pub async fn connect(url: &str) -> anyhow::Result<Contract> {
    Contract::bootstrap(nats_client(url).await?).await.context("setting up the hub's streams and buckets")
}

/// Connects to a region's NATS server and makes sure the region's contract exists.
pub async fn connect_region(url: &str, region: &str) -> anyhow::Result<RegionalContract> {
    RegionalContract::bootstrap(nats_client(url).await?, region)
        .await
        .with_context(|| format!("setting up region `{region}`'s streams"))
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
    let contract = connect(&args.nats.nats_url).await?;
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
    };
    Ok(edgehook_control_plane::serve(config, contract, listener, Shutdown::on_signals().wait()).await?)
}

pub async fn router(args: RouterArgs) -> anyhow::Result<()> {
    let contract = connect(&args.nats.nats_url).await?;
    let shutdown = Shutdown::on_signals();
    let readiness = contract.readiness(
        &[streams::EVENTS, streams::DELIVERIES, "KV_webhooks"],
        &[(streams::EVENTS, streams::ROUTER_CONSUMER)],
    );
    let admin = bind(args.admin_addr, "router admin endpoints").await?;
    tracing::info!(admin = %admin.local_addr()?, "router running");
    tokio::spawn(ops::serve_admin(readiness, admin, shutdown.wait()));
    Ok(edgehook_router::run(contract, shutdown.wait()).await?)
}

pub async fn ingest(args: IngestArgs) -> anyhow::Result<()> {
    let contract = connect(&args.nats.nats_url).await?;
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
        ..edgehook_ingest::Config::new(args.secrets.key()?)
    };
    Ok(edgehook_ingest::serve(config, contract, listener, Shutdown::on_signals().wait()).await?)
}

pub async fn relay(args: RelayArgs) -> anyhow::Result<()> {
    let contract = connect_region(&args.nats.nats_url, &args.region).await?;
    let shutdown = Shutdown::on_signals();
    let admin = bind(args.admin_addr, "relay admin endpoints").await?;
    tracing::info!(region = %args.region, domain = %contract.region.domain, admin = %admin.local_addr()?, "relay running");
    tokio::spawn(ops::serve_admin(contract.readiness(), admin, shutdown.wait()));
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
