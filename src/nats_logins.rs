//! The hub NATS server's logins (see `authorization` in nats/conf/hub.conf): the password of the
//! `edgehook` user every hub service connects as, the account key that signs sources' logins
//! (the auth callout's issuer; ingest holds its seed), and the password regional servers link in
//! with as leaf nodes. `edgehook nats-keys` prints a fresh
//! set for an operator; `up` keeps one per data dir.

use clap::Args;

/// The user hub.conf lets in by password; everyone else goes through the auth callout.
pub const SERVICE_USER: &str = "edgehook";
/// The user of regional servers on the hub's leaf node listener.
pub const LEAF_USER: &str = "region";

pub struct HubLogins {
    pub service_password: String,
    /// An account seed (SA...); its public key is the callout issuer.
    pub issuer_seed: String,
    pub leaf_password: String,
}

impl HubLogins {
    pub fn generate() -> Self {
        let password = || hex::encode(rand::random::<[u8; 24]>());
        Self {
            service_password: password(),
            issuer_seed: nkeys::KeyPair::new_account().seed().expect("a new key pair has a seed"),
            leaf_password: password(),
        }
    }

    pub fn issuer(&self) -> anyhow::Result<edgehook_ingest::nats_auth::CalloutIssuer> {
        edgehook_ingest::nats_auth::CalloutIssuer::from_seed(&self.issuer_seed)
            .map_err(|error| anyhow::anyhow!("the NATS auth seed: {error}"))
    }

    /// What the hub's nats-server reads from its environment.
    pub fn server_env(&self) -> anyhow::Result<Vec<(&'static str, String)>> {
        Ok(vec![
            ("EDGEHOOK_NATS_PASSWORD", self.service_password.clone()),
            ("EDGEHOOK_NATS_AUTH_ISSUER", self.issuer()?.public_key()),
            ("EDGEHOOK_NATS_LEAF_PASSWORD", self.leaf_password.clone()),
        ])
    }

    /// The hub's leaf node listener at `host_port`, for a region's EDGEHOOK_HUB_LEAF_URL.
    pub fn leaf_url(&self, host_port: &str) -> String {
        format!("nats-leaf://{LEAF_USER}:{}@{host_port}", self.leaf_password)
    }

    /// `nats://host:port` with the service user's login in it.
    pub fn service_url(&self, host_port: &str) -> String {
        format!("nats://{SERVICE_USER}:{}@{host_port}", self.service_password)
    }
}

#[derive(Args)]
pub struct NatsKeysArgs {
    /// The hub's client address, to print the services' URL with.
    #[arg(long, default_value = "hub.example:4222")]
    pub hub: String,
    /// The hub's leaf node address, to print the regions' URL with.
    #[arg(long, default_value = "hub.example:7422")]
    pub hub_leaf: String,
}

pub fn print_new(args: NatsKeysArgs) -> anyhow::Result<()> {
    let logins = HubLogins::generate();
    let issuer = logins.issuer()?.public_key();
    println!("# The hub's nats-server (nats/conf/hub.conf):");
    println!("EDGEHOOK_NATS_PASSWORD={}", logins.service_password);
    println!("EDGEHOOK_NATS_AUTH_ISSUER={issuer}");
    println!("EDGEHOOK_NATS_LEAF_PASSWORD={}", logins.leaf_password);
    println!("# Each region's nats-server (nats/conf/region.conf):");
    println!("EDGEHOOK_HUB_LEAF_URL={}", logins.leaf_url(&args.hub_leaf));
    println!("# Every hub service (control plane, ingest, router, a relay on the hub):");
    println!("EDGEHOOK_NATS_URL={}", logins.service_url(&args.hub));
    println!("# Ingest, which signs sources' NATS logins with it (keep it secret):");
    println!("EDGEHOOK_NATS_AUTH_SEED={}", logins.issuer_seed);
    Ok(())
}
