//! edgehook's control plane: the REST API clients and operators use.
//!
//! It owns clients, sources and webhooks (written to JetStream KV buckets, which relays read
//! locally) and serves delivery history and dead letters (read from their streams). It never
//! talks to ingest or relays directly: everything goes through the [`edgehook_nats`] contract.
//!
//! - [`auth`]: bearer JWTs, admin and client roles;
//! - [`callback_url`]: what a callback URL may point at;
//! - [`endpoint_auth`]: a webhook's endpoint authentication checked and sealed;
//! - [`handlers`]: one file per API resource;
//! - [`openapi`]: the API's OpenAPI document, derived from the handlers;
//! - [`portal`]: the consumer portal: links, sessions, access, the web app's files;
//! - [`replay`]: a webhook's stored events made into deliveries again;
//! - [`routes`]: the URL map.

pub mod auth;
pub mod callback_url;
pub mod endpoint_auth;
pub mod handlers;
pub mod openapi;
pub mod portal;
pub mod routes;
mod secrets;
mod state;

use std::future::Future;

use edgehook_nats::Contract;
use edgehook_nats::region::Region;
use edgehook_nats::streams::BootstrapError;
use edgehook_security::sealing::SecretsKey;
use tokio::net::TcpListener;

pub use auth::Tokens;
pub use callback_url::CallbackPolicy;
pub use state::AppState;

/// What the control plane needs besides its NATS connection.
#[derive(Clone)]
pub struct Config {
    /// Key of the HS256 bearer tokens.
    pub jwt_secret: Vec<u8>,
    /// Seals the signing secrets stored in the buckets.
    pub secrets_key: SecretsKey,
    pub callback_policy: CallbackPolicy,
    /// Where webhooks may be delivered from; the hub sources each one's records.
    pub regions: Vec<Region>,
    /// The region of a webhook registered without one; one of `regions`.
    pub default_region: String,
    /// The history store delivery history is read from (`None`: the hub's ATTEMPTS stream).
    pub history: Option<std::sync::Arc<edgehook_history::HistoryStore>>,
    pub portal: PortalConfig,
}

/// The consumer portal's settings.
#[derive(Clone, Debug, Default)]
pub struct PortalConfig {
    /// The control plane's address as browsers reach it (`https://webhooks.example.com`), the
    /// base of portal links; `None`: `http://` and the Host the link was asked on.
    pub public_url: Option<String>,
    /// The origins that may show the portal in a frame.
    pub frame_ancestors: portal::assets::FrameAncestors,
}

/// Declares the regions, then serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    config: Config,
    contract: Contract,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BootstrapError> {
    contract.declare_regions(&config.regions).await?;
    let state = AppState::new(config, contract);
    let regions = tokio::spawn(handlers::regions::report(state.clone()));
    tokio::spawn(handlers::webhooks::finish_replays(state.clone()));
    warp::serve(routes::api(state)).incoming(listener).graceful(shutdown).run().await;
    regions.abort();
    Ok(())
}
