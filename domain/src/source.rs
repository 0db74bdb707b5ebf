//! The source (event producer) record kept in the `sources` KV bucket, keyed by source id.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::event_types;
use crate::ids::SourceId;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    pub name: String,
    /// Event type patterns the source may send (`*` for all).
    pub allowed_event_types: Vec<String>,
    /// SHA-256 (hex) of the API key; the key itself is shown once, at creation.
    pub api_key_sha256: String,
    /// Secret of the `X-Source-Signature` HMAC over the raw request body, sealed (see
    /// `edgehook_security::sealing`).
    pub signing_secret: String,
    /// Addresses the source may send from over HTTP; empty means any.
    #[serde(default)]
    pub allowed_ips: Vec<ipnet::IpNet>,
    /// Events a second past which the source is throttled (429) on each ingest node.
    #[serde(default = "default_rate")]
    pub max_events_per_second: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Far above what one source usually sends, so that only a runaway source is throttled.
pub const DEFAULT_MAX_EVENTS_PER_SECOND: u32 = 20_000;

fn default_rate() -> u32 {
    DEFAULT_MAX_EVENTS_PER_SECOND
}

impl Source {
    /// May the source send from `address`?
    pub fn admits(&self, address: std::net::IpAddr) -> bool {
        self.allowed_ips.is_empty() || self.allowed_ips.iter().any(|allowed| allowed.contains(&address))
    }

    pub fn allows(&self, event_type: &str) -> bool {
        self.allowed_event_types.iter().any(|pattern| event_types::pattern_matches(pattern, event_type))
    }

    /// The source id an API key names: keys are `<source_id>.<secret>`.
    pub fn id_of_api_key(api_key: &str) -> Option<SourceId> {
        api_key.split_once('.').and_then(|(id, _)| id.parse().ok())
    }
}
