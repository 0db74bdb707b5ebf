//! The contract every edgehook service speaks.
//!
//! Control plane, ingest and relay never call each other: they meet on NATS JetStream. This
//! crate is the only place that says what is on the wire and where:
//!
//! - [`subjects`]: the subject names, one function per kind of message;
//! - [`streams`]: the streams, consumers and KV buckets, and [`streams::Contract::bootstrap`]
//!   that creates them idempotently;
//! - the envelopes: [`event`], [`webhook`], [`source`], [`client`], [`delivery`],
//!   [`endpoint_health`];
//! - [`kv_cache`]: a local, watch-fed copy of a KV bucket with a read-your-writes barrier;
//! - [`filters`], [`ids`] and [`priority`]: the pieces the envelopes are built from;
//! - [`api_error`]: the JSON error body every edgehook HTTP API answers with;
//! - [`operational`]: the events edgehook itself sends clients (`endpoint.disabled`);
//! - [`ops`]: health, readiness and Prometheus metrics endpoints, and backlog gauges.
//!
//! The NATS server configurations the tests and `edgehook up` run live beside this crate, in
//! `nats/conf/`.

pub mod address_policy;
pub mod api_error;
pub mod client;
mod co_located;
pub mod connection;
pub mod delivery;
pub mod endpoint_health;
pub mod event;
pub mod event_types;
pub mod filters;
pub mod ids;
pub mod jwe;
pub mod kv_cache;
pub mod operational;
pub mod ops;
pub mod priority;
pub mod read;
pub mod region;
pub mod region_backlog;
pub mod sealing;
pub mod signatures;
pub mod source;
pub mod streams;
pub mod subjects;
pub mod validation;
pub mod webhook;

pub use streams::Contract;

/// Now, in UTC, as the envelopes record it.
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
