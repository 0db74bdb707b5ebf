//! Command-line flags; every flag can also be set by the environment variable it names.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "edgehook", version, about = "Webhook delivery on NATS JetStream")]
pub struct Cli {
    #[arg(long, env = "EDGEHOOK_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Everything in one process, with its own nats-server child: for development.
    Up(UpArgs),
    /// The control plane API alone.
    ControlPlane(ControlPlaneArgs),
    /// The ingest API (HTTP and NATS) alone.
    Ingest(IngestArgs),
    /// The hub's router alone: fans accepted events out into per-region delivery tasks.
    Router(RouterArgs),
    /// A region's relay alone, against the region's NATS server.
    Relay(RelayArgs),
    /// The history writer alone: the hub's attempt records into the history store.
    History(HistoryArgs),
    /// Print an admin token signed with the control plane's JWT secret.
    AdminToken(AdminTokenArgs),
    /// Print a running deployment's streams, backlog, regions and worst endpoints.
    Status(StatusArgs),
    /// Measure a deployment: drive events, check every delivery, print the numbers (runs the
    /// `edgehook-bench` binary beside this one; `edgehook bench --help` for its flags).
    #[command(disable_help_flag = true)]
    Bench(crate::bench_command::BenchArgs),
    /// Check a captured delivery's signature, as a client would.
    Verify(crate::verify::VerifyArgs),
    /// Print a fresh set of the hub NATS server's logins (service password, source-login key).
    NatsKeys(crate::nats_logins::NatsKeysArgs),
    /// Print a service's OpenAPI 3.1 document (what it serves at /api/v1/openapi.json).
    Openapi(OpenapiArgs),
}

#[derive(Args)]
pub struct OpenapiArgs {
    /// Whose document: the control plane's, ingest's, or both in one (what the clients are
    /// generated from).
    #[arg(value_enum)]
    pub service: ApiService,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ApiService {
    ControlPlane,
    Ingest,
    All,
}

#[derive(Args)]
pub struct UpArgs {
    /// Where JetStream, the JWT secret and dev-credentials.json are kept.
    #[arg(long, env = "EDGEHOOK_DATA_DIR", default_value = "./edgehook-data")]
    pub data_dir: PathBuf,
    #[arg(long, env = "EDGEHOOK_CONTROL_PLANE_ADDR", default_value = "127.0.0.1:8080")]
    pub control_plane_addr: SocketAddr,
    #[arg(long, env = "EDGEHOOK_INGEST_ADDR", default_value = "127.0.0.1:8081")]
    pub ingest_addr: SocketAddr,
    /// Client port of the nats-server child (4223, beside a system NATS on 4222).
    #[arg(long, env = "EDGEHOOK_NATS_PORT", default_value_t = 4223)]
    pub nats_port: u16,
    /// nats-server binary (2.11+); default: the project's .tools install, then PATH.
    #[arg(long, env = "EDGEHOOK_NATS_SERVER")]
    pub nats_server: Option<PathBuf>,
    /// Regions to run, each with its own nats-server child (a leaf node of the hub) and relay,
    /// e.g. `eu,us`; without it, one region `local` runs inside the hub.
    #[arg(long, env = "EDGEHOOK_REGIONS")]
    pub regions: Option<String>,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    #[command(flatten)]
    pub relay: RelayTuning,
    /// The history store (`postgres://…`); default: SQLite in `<data-dir>/history.db`.
    #[arg(long, env = "EDGEHOOK_HISTORY_URL", hide_env_values = true)]
    pub history_url: Option<String>,
    #[command(flatten)]
    pub history_retention: HistoryRetentionArgs,
    #[command(flatten)]
    pub events_dedup: EventsDedupArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    #[command(flatten)]
    pub portal: PortalArgs,
}

/// The consumer portal (`edgehook up` and `edgehook control-plane`).
#[derive(Args, Clone)]
pub struct PortalArgs {
    /// The control plane's address as browsers reach it, e.g. `https://webhooks.example.com`:
    /// the base of portal links (default: http:// and the Host a link is asked on).
    #[arg(long, env = "EDGEHOOK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Origins that may show the portal in a frame, e.g. `https://app.example.com` (comma
    /// separated; default: none may).
    #[arg(long, env = "EDGEHOOK_PORTAL_FRAME_ANCESTORS", value_delimiter = ',')]
    pub portal_frame_ancestors: Vec<String>,
}

impl PortalArgs {
    pub fn config(&self) -> anyhow::Result<edgehook_control_plane::PortalConfig> {
        use anyhow::Context;
        if let Some(url) = &self.public_url {
            let parsed =
                url::Url::parse(url).with_context(|| format!("--public-url `{url}` is not a URL"))?;
            anyhow::ensure!(
                matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some(),
                "--public-url `{url}`: write https://host[:port] as browsers reach the control plane"
            );
        }
        // An empty list from the environment (`EDGEHOOK_PORTAL_FRAME_ANCESTORS=`) is no origin.
        let origins: Vec<String> =
            self.portal_frame_ancestors.iter().filter(|origin| !origin.trim().is_empty()).cloned().collect();
        let frame_ancestors = edgehook_control_plane::portal::assets::FrameAncestors::parse(&origins)
            .map_err(|error| anyhow::anyhow!("--portal-frame-ancestors: {error}"))?;
        Ok(edgehook_control_plane::PortalConfig { public_url: self.public_url.clone(), frame_ancestors })
    }
}

/// How ingest applies the event-type catalogue (`edgehook up` and `edgehook ingest`).
#[derive(Args, Clone, Copy)]
pub struct CatalogueArgs {
    /// Refuse events whose type is not in the event-type catalogue (400 `unknown_event_type`).
    /// Without it every type is accepted; the schemas of the types it lists apply either way.
    #[arg(long, env = "EDGEHOOK_REQUIRE_KNOWN_EVENT_TYPES")]
    pub require_known_event_types: bool,
}

/// The hub's settings that only the services owning its configuration apply (`up` and the
/// control plane): the other services leave an existing stream as they find it.
#[derive(Args, Clone, Copy)]
pub struct EventsDedupArgs {
    /// Seconds EVENTS remembers an event id (`<client>:<event_id>`) to drop a second copy of
    /// the event (1 to 604800). nats-server keeps every id of the window in memory (about
    /// 265 bytes each: ~11 GB at 11,600 events/s for the default hour). An existing EVENTS
    /// stream is updated to it.
    #[arg(
        long,
        env = "EDGEHOOK_EVENTS_DEDUP_WINDOW_SECS",
        default_value_t = 3600,
        value_parser = clap::value_parser!(u64).range(1..=604_800)
    )]
    pub events_dedup_window_secs: u64,
}

impl EventsDedupArgs {
    pub fn window(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.events_dedup_window_secs)
    }
}

#[derive(Args, Clone, Copy)]
pub struct HistoryRetentionArgs {
    /// Days of delivery attempts the history store keeps (PostgreSQL drops whole days, so up to
    /// a day more is kept).
    #[arg(long, env = "EDGEHOOK_HISTORY_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub history_retention_days: u32,
    /// Days accepted events (their payloads) are kept in the history store, for `GET
    /// /api/v1/events` and resending one; their attempts stay `--history-retention-days`.
    #[arg(long, env = "EDGEHOOK_EVENT_RETENTION_DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..))]
    pub event_retention_days: u32,
}

impl HistoryRetentionArgs {
    pub fn writer_config(&self) -> edgehook_history::writer::WriterConfig {
        let days = |days: u32| std::time::Duration::from_secs(u64::from(days) * 24 * 3600);
        edgehook_history::writer::WriterConfig {
            retention: days(self.history_retention_days),
            event_retention: days(self.event_retention_days),
        }
    }
}

/// How many copies JetStream keeps of what the service creates (see
/// `edgehook_nats::replication`).
#[derive(Args, Clone, Copy)]
pub struct ReplicationArgs {
    /// Replicas of every stream, bucket and consumer this service creates or upgrades, in the
    /// JetStream cluster it connects to (the hub's for the hub services, the region's for a
    /// relay): 1 to 5, capped at the servers that can hold a copy. Default: 3 where the cluster
    /// has three servers or more, 1 on a single server.
    #[arg(long, env = "EDGEHOOK_NATS_REPLICAS", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub replicas: Option<u8>,
}

impl ReplicationArgs {
    pub fn requested(&self) -> Option<usize> {
        self.replicas.map(usize::from)
    }
}

#[derive(Args)]
pub struct NatsArgs {
    /// With its login for the hub: `nats://edgehook:<password>@host:4222` (`edgehook nats-keys`).
    #[arg(long, env = "EDGEHOOK_NATS_URL", default_value = "nats://127.0.0.1:4222", hide_env_values = true)]
    pub nats_url: String,
}

#[derive(Args)]
pub struct ControlPlaneArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    #[command(flatten)]
    pub events_dedup: EventsDedupArgs,
    #[arg(long, env = "EDGEHOOK_CONTROL_PLANE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Key of the HS256 bearer tokens (at least 32 characters).
    #[arg(long, env = "EDGEHOOK_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: String,
    #[command(flatten)]
    pub secrets: SecretsKeyArgs,
    /// Accept http:// callback URLs.
    #[arg(long, env = "EDGEHOOK_ALLOW_HTTP_CALLBACKS")]
    pub allow_http_callbacks: bool,
    #[command(flatten)]
    pub callback_guard: CallbackGuardArgs,
    /// The regions webhooks may be delivered from, each a leaf node with its own JetStream
    /// domain, e.g. `eu,us`; without it, one region `local` inside the hub.
    #[arg(long, env = "EDGEHOOK_REGIONS")]
    pub regions: Option<String>,
    /// Region of a webhook registered without one (default: the first region).
    #[arg(long, env = "EDGEHOOK_DEFAULT_REGION")]
    pub default_region: Option<String>,
    /// The history store delivery history is read from (`postgres://…` or `sqlite:<path>`),
    /// filled by `edgehook history`; without it, history is read from the hub's ATTEMPTS stream.
    #[arg(long, env = "EDGEHOOK_HISTORY_URL", hide_env_values = true)]
    pub history_url: Option<String>,
    #[command(flatten)]
    pub portal: PortalArgs,
}

/// The SSRF guard's exceptions, the same on the control plane (registration) and the relays
/// (delivery).
#[derive(Args)]
pub struct CallbackGuardArgs {
    /// Let callbacks reach loopback and private addresses (development only).
    #[arg(long, env = "EDGEHOOK_ALLOW_PRIVATE_CALLBACKS")]
    pub allow_private_callbacks: bool,
    /// A subnet callbacks may reach although it is not public, e.g. 10.20.0.0/16 (repeatable).
    #[arg(long = "allow-callback-subnet", value_name = "CIDR")]
    pub allowed_subnets: Vec<ipnet::IpNet>,
    /// A fixed DNS answer, `host=ip`, like curl's --resolve (repeatable).
    #[arg(long = "resolve", value_name = "HOST=IP")]
    pub resolve: Vec<String>,
}

impl CallbackGuardArgs {
    pub fn policy(&self) -> anyhow::Result<edgehook_security::address_policy::AddressPolicy> {
        edgehook_security::address_policy::AddressPolicy {
            allow_private: self.allow_private_callbacks,
            allowed_subnets: self.allowed_subnets.clone(),
            ..Default::default()
        }
        .with_overrides(&self.resolve)
        .map_err(|error| anyhow::anyhow!("--resolve: {error}"))
    }
}

#[derive(Args)]
pub struct RouterArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    /// Where /healthz, /readyz and /metrics are served.
    #[arg(long, env = "EDGEHOOK_ADMIN_ADDR", default_value = "127.0.0.1:9092")]
    pub admin_addr: SocketAddr,
}

#[derive(Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    /// The history store: `postgres://user:password@host/db` (production) or `sqlite:<path>`.
    #[arg(long, env = "EDGEHOOK_HISTORY_URL", hide_env_values = true)]
    pub history_url: String,
    #[command(flatten)]
    pub history_retention: HistoryRetentionArgs,
    /// Where /healthz, /readyz and /metrics are served.
    #[arg(long, env = "EDGEHOOK_ADMIN_ADDR", default_value = "127.0.0.1:9093")]
    pub admin_addr: SocketAddr,
}

#[derive(Args)]
pub struct StatusArgs {
    /// The hub's NATS server.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// How many of the most failing endpoints to show.
    #[arg(long, default_value_t = 5)]
    pub worst: usize,
}

#[derive(Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    #[arg(long, env = "EDGEHOOK_INGEST_ADDR", default_value = "127.0.0.1:8081")]
    pub addr: SocketAddr,
    /// Larger request bodies answer 413.
    #[arg(long, env = "EDGEHOOK_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: u64,
    #[command(flatten)]
    pub secrets: SecretsKeyArgs,
    /// The account seed (SA...) whose public key is the hub's `auth_callout.issuer`: with it,
    /// this node lets sources log in to NATS with their API keys (`edgehook nats-keys`).
    #[arg(long, env = "EDGEHOOK_NATS_AUTH_SEED", hide_env_values = true)]
    pub nats_auth_seed: Option<String>,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
}

/// The key the signing secrets are sealed with in the buckets; the same on the control plane,
/// ingest and every relay.
#[derive(Args)]
pub struct SecretsKeyArgs {
    /// Standard base64 of 32 random bytes (`openssl rand -base64 32`).
    #[arg(long = "secrets-key", env = "EDGEHOOK_SECRETS_KEY", hide_env_values = true)]
    pub key: String,
}

impl SecretsKeyArgs {
    pub fn key(&self) -> anyhow::Result<edgehook_security::sealing::SecretsKey> {
        edgehook_security::sealing::SecretsKey::from_base64(&self.key)
            .map_err(|error| anyhow::anyhow!("--secrets-key: {error}"))
    }
}

#[derive(Args)]
pub struct RelayArgs {
    /// The NATS server of the relay's region (a leaf node of the hub, or the hub itself for the
    /// co-located region).
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    /// The region this relay delivers for.
    #[arg(long, env = "EDGEHOOK_REGION", default_value = "local")]
    pub region: String,
    #[command(flatten)]
    pub callback_guard: CallbackGuardArgs,
    #[command(flatten)]
    pub secrets: SecretsKeyArgs,
    /// Where /healthz, /readyz and /metrics are served.
    #[arg(long, env = "EDGEHOOK_ADMIN_ADDR", default_value = "127.0.0.1:9091")]
    pub admin_addr: SocketAddr,
    #[command(flatten)]
    pub tuning: RelayTuning,
}

#[derive(Args, Clone)]
pub struct RelayTuning {
    /// Timeout of one delivery attempt, in milliseconds (at most 20000).
    #[arg(long, env = "EDGEHOOK_DELIVERY_TIMEOUT_MS", default_value_t = 10_000)]
    pub delivery_timeout_ms: u64,
    /// Deliveries in flight at once.
    #[arg(long, env = "EDGEHOOK_RELAY_CONCURRENCY", default_value_t = 256)]
    pub concurrency: usize,
    /// Deliveries in flight to one slow endpoint (> 100 ms on average) at once; the rest wait
    /// in JetStream. A fast endpoint may use the whole --concurrency.
    #[arg(long, env = "EDGEHOOK_ENDPOINT_WINDOW", default_value_t = 64)]
    pub endpoint_window: usize,
    /// Consecutive failed attempts that open an endpoint's circuit.
    #[arg(long, env = "EDGEHOOK_CIRCUIT_FAILURES", default_value_t = 20)]
    pub circuit_failures: u32,
    /// How long an open circuit waits before probing the endpoint, in milliseconds (doubles
    /// while probes fail, up to 5 minutes).
    #[arg(long, env = "EDGEHOOK_CIRCUIT_COOLDOWN_MS", default_value_t = 5_000)]
    pub circuit_cooldown_ms: u64,
    /// An endpoint failing this long without a success is disabled, in seconds (default 5 days).
    #[arg(long, env = "EDGEHOOK_DISABLE_AFTER_SECS", default_value_t = 5 * 24 * 3600)]
    pub disable_after_secs: u64,
    /// The region's Redis (redis://host:port/db), shared by its relays for per-webhook rate
    /// limits; without it each relay limits on its own.
    #[arg(long, env = "EDGEHOOK_REDIS_URL")]
    pub redis_url: Option<String>,
}

#[derive(Args)]
pub struct AdminTokenArgs {
    #[arg(long, env = "EDGEHOOK_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: String,
    /// Lifetime of the token, in days.
    #[arg(long, default_value_t = 30)]
    pub ttl_days: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal(
        public_url: Option<&str>,
        ancestors: &[&str],
    ) -> anyhow::Result<edgehook_control_plane::PortalConfig> {
        PortalArgs {
            public_url: public_url.map(str::to_owned),
            portal_frame_ancestors: ancestors.iter().map(|origin| (*origin).to_owned()).collect(),
        }
        .config()
    }

    #[test]
    fn the_portal_flags_take_origins_and_a_public_url_and_refuse_anything_else() {
        let config = portal(Some("https://webhooks.example.com"), &["https://app.example.com", ""]).unwrap();
        assert_eq!(config.public_url.as_deref(), Some("https://webhooks.example.com"));
        assert!(config.frame_ancestors.policy().ends_with("frame-ancestors https://app.example.com"));
        // An empty EDGEHOOK_PORTAL_FRAME_ANCESTORS (a Terraform default) is no origin.
        assert!(portal(None, &[""]).unwrap().frame_ancestors.policy().ends_with("'none'"));
        let error = portal(None, &["https://app.example.com/page"]).unwrap_err().to_string();
        assert!(error.contains("--portal-frame-ancestors"), "{error}");
        let error = portal(Some("webhooks.example.com"), &[]).unwrap_err().to_string();
        assert!(error.contains("--public-url"), "{error}");
    }
}
