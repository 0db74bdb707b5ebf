//! `edgehook up`: nats-server children, then every service in this process.
//!
//! Without `--regions`: one nats-server (the hub) and one region, `local`, inside it. With
//! `--regions eu,us`: the hub plus one nats-server per region, each a leaf node of the hub with
//! its own JetStream domain, and one relay per region connected to its region's server, as in
//! a real deployment.
//!
//! Everything persistent lives in the data dir (JetStream's stores, the JWT secret), so running
//! `up` again on the same dir keeps every webhook, source and undelivered event. The dev
//! credentials (URLs, an admin token) are printed and written to `dev-credentials.json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::ports::free_port;
use edgehook_control_plane::{CallbackPolicy, Tokens};
use edgehook_history::HistoryStore;
use edgehook_nats::region::Region;
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;
use serde::Serialize;
use tokio::task::JoinHandle;

use crate::cli::UpArgs;
use crate::nats_logins::HubLogins;
use crate::nats_server::{self, NatsServer, ServerSpec};
use crate::services::{bind, connect_hub, connect_region, open_history, regions, relay_config};
use crate::shutdown::Shutdown;
use edgehook_nats::connection::redact;
use edgehook_nats::readiness::Readiness;

const ADMIN_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Serialize)]
struct DevCredentials {
    control_plane_url: String,
    ingest_url: String,
    /// The hub, for sources (logging in with their API key as the token).
    nats_url: String,
    /// The hub with the services' login, for `edgehook status` and services of your own.
    nats_service_url: String,
    admin_token: String,
    /// Each region's NATS URL (the hub's, for the co-located region).
    regions: BTreeMap<String, String>,
}

pub async fn run(args: UpArgs) -> anyhow::Result<()> {
    let data_dir = &args.data_dir;
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let credentials_path = data_dir.join("dev-credentials.json");
    let _ = std::fs::remove_file(&credentials_path);
    let (regions, default_region) = regions(args.regions.as_deref(), None)?;
    let binary = nats_server::locate(args.nats_server.as_deref())?;

    let logins = kept_logins(data_dir)?;
    let leaf_port = free_port().context("finding a free port")?;
    let hub_spec = ServerSpec::hub(args.nats_port, leaf_port, logins.server_env()?).embedded();
    let hub = NatsServer::start(&binary, data_dir, hub_spec).await?;
    let hub_service_url = logins.service_url(&format!("127.0.0.1:{}", args.nats_port));
    let mut region_urls = BTreeMap::new();
    let mut servers = vec![];
    let mut started = Ok(());
    for region in &regions {
        if region.is_co_located() {
            region_urls.insert(region.name.clone(), hub_service_url.clone());
            continue;
        }
        let port = free_port().context("finding a free port")?;
        let spec = ServerSpec::region(&region.name, port, logins.leaf_url(&format!("127.0.0.1:{leaf_port}")))
            .embedded();
        match NatsServer::start(&binary, data_dir, spec).await {
            Ok(server) => {
                region_urls.insert(region.name.clone(), server.url.clone());
                servers.push(server);
            }
            Err(error) => {
                started = Err(error);
                break;
            }
        }
    }
    let outcome = match started {
        Ok(()) => {
            let stage = Stage {
                hub_url: hub.url.clone(),
                hub_service_url,
                logins,
                regions,
                default_region,
                region_urls,
            };
            run_services(&args, stage, &credentials_path).await
        }
        Err(error) => Err(error),
    };
    for server in servers {
        server.stop().await;
    }
    hub.stop().await;
    outcome
}

/// The NATS side `up` started, for the services to connect to.
struct Stage {
    hub_url: String,
    hub_service_url: String,
    logins: HubLogins,
    regions: Vec<Region>,
    default_region: String,
    region_urls: BTreeMap<String, String>,
}

async fn run_services(args: &UpArgs, stage: Stage, credentials_path: &Path) -> anyhow::Result<()> {
    let shutdown = Shutdown::on_signals();
    let replicas = args.replication.requested();
    let starting = Readiness::starting("connecting");
    let contract =
        connect_hub(&stage.hub_service_url, replicas, Some(args.events_dedup.window()), &starting).await?;
    let jwt_secret = kept_secret(&args.data_dir, "jwt-secret", || hex::encode(rand::random::<[u8; 32]>()))?;
    let secrets_key = kept_secret(&args.data_dir, "secrets-key", SecretsKey::generate)?;
    let secrets_key = SecretsKey::from_base64(&String::from_utf8_lossy(&secrets_key))
        .with_context(|| format!("{}/secrets-key", args.data_dir.display()))?;
    let history_url = match &args.history_url {
        Some(url) => url.clone(),
        None => HistoryStore::sqlite_url(&args.data_dir.join("history.db")),
    };
    let history = Arc::new(open_history(&history_url).await?);
    let control_listener = bind(args.control_plane_addr, "control plane").await?;
    let ingest_listener = bind(args.ingest_addr, "ingest").await?;
    let credentials = DevCredentials {
        control_plane_url: format!("http://{}", control_listener.local_addr()?),
        ingest_url: format!("http://{}", ingest_listener.local_addr()?),
        nats_url: stage.hub_url.clone(),
        nats_service_url: stage.hub_service_url.clone(),
        admin_token: Tokens::new(&jwt_secret).mint_admin(ADMIN_TOKEN_TTL),
        regions: stage.region_urls.clone(),
    };
    let control_config = edgehook_control_plane::Config {
        jwt_secret,
        secrets_key: secrets_key.clone(),
        callback_policy: CallbackPolicy::development(),
        regions: stage.regions,
        default_region: stage.default_region,
        history: Some(history.clone()),
        portal: edgehook_control_plane::PortalConfig {
            public_url: Some(
                args.portal.public_url.clone().unwrap_or_else(|| credentials.control_plane_url.clone()),
            ),
            ..args.portal.config()?
        },
    };
    let control_plane =
        edgehook_control_plane::serve(control_config, contract.clone(), control_listener, shutdown.wait());
    let ingest = edgehook_ingest::serve(
        edgehook_ingest::Config {
            nats_auth: Some(stage.logins.issuer()?),
            require_known_event_types: args.catalogue.require_known_event_types,
            ..edgehook_ingest::Config::new(secrets_key.clone())
        },
        contract.clone(),
        ingest_listener,
        shutdown.wait(),
    );
    let writer = edgehook_history::writer::run(
        contract.jetstream.clone(),
        history,
        args.history_retention.writer_config(),
        shutdown.wait(),
    );
    let router = edgehook_router::run(contract, shutdown.wait());
    let mut services: Vec<(String, JoinHandle<anyhow::Result<()>>)> = vec![
        ("control plane".to_owned(), tokio::spawn(async move { Ok(control_plane.await?) })),
        ("ingest".to_owned(), tokio::spawn(async move { Ok(ingest.await?) })),
        ("router".to_owned(), tokio::spawn(async move { Ok(router.await?) })),
        ("history writer".to_owned(), tokio::spawn(async move { Ok(writer.await?) })),
    ];
    for (region, url) in &stage.region_urls {
        let regional = connect_region(url, region, replicas, &starting).await?;
        let config = relay_config(&args.relay, AddressPolicy::development(), secrets_key.clone());
        let relay = edgehook_relay::run(config, regional, shutdown.wait());
        services.push((format!("relay {region}"), tokio::spawn(async move { Ok(relay.await?) })));
    }

    let json = serde_json::to_string_pretty(&credentials).expect("credentials serialize");
    std::fs::write(credentials_path, &json)
        .with_context(|| format!("writing {}", credentials_path.display()))?;
    println!("edgehook is up (Ctrl-C to stop)\n");
    println!("  control plane  {}", credentials.control_plane_url);
    println!(
        "  portal         {}/portal/ (links: POST /api/v1/clients/{{id}}/portal-links)",
        credentials.control_plane_url
    );
    println!("  ingest         {}", credentials.ingest_url);
    println!("  nats (hub)     {} (sources: their API key as the token)", credentials.nats_url);
    // The services' login stays in the credentials file, off the terminal and the logs.
    for (region, url) in &credentials.regions {
        println!("  region {region:<7} {} (login in the file below)", redact(url));
    }
    println!("  admin token    {}\n", credentials.admin_token);
    println!("  (also in {})", credentials_path.display());

    // A service that ends, for whatever reason, takes the others down with it.
    let outcomes = futures::future::join_all(services.into_iter().map(|(name, task)| {
        let shutdown = shutdown.clone();
        async move {
            let outcome = task.await.map_err(anyhow::Error::from).and_then(|result| result);
            shutdown.trigger();
            outcome.with_context(|| format!("{name} failed"))
        }
    }))
    .await;
    outcomes.into_iter().collect()
}

/// The hub's logins, made once per data dir like the keys.
fn kept_logins(data_dir: &Path) -> anyhow::Result<HubLogins> {
    let fresh = HubLogins::generate();
    let password = kept_secret(data_dir, "nats-password", || fresh.service_password.clone())?;
    let seed = kept_secret(data_dir, "nats-auth-seed", || fresh.issuer_seed.clone())?;
    let leaf_password = kept_secret(data_dir, "nats-leaf-password", || fresh.leaf_password.clone())?;
    let utf8 = |bytes: Vec<u8>, name: &str| {
        String::from_utf8(bytes).with_context(|| format!("{}/{name} is not text", data_dir.display()))
    };
    Ok(HubLogins {
        service_password: utf8(password, "nats-password")?,
        issuer_seed: utf8(seed, "nats-auth-seed")?,
        leaf_password: utf8(leaf_password, "nats-leaf-password")?,
    })
}

/// A key made once per data dir (owner-readable only), so tokens and sealed secrets survive
/// restarts.
fn kept_secret(data_dir: &Path, name: &str, make: impl FnOnce() -> String) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let path = data_dir.join(name);
    if let Ok(secret) = std::fs::read(&path) {
        return Ok(secret);
    }
    let secret = make().into_bytes();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(&secret)?;
    Ok(secret)
}
