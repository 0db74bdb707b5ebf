//! The HTTP plumbing every edgehook service shares: the JSON error body of every API
//! ([`api_error`]) and what an operator scrapes and probes ([`ops`]: `/healthz`, `/readyz`,
//! `/metrics`, backlog gauges).
//!
//! Kept out of the contract (`edgehook-nats`) so that the contract does not depend on warp or a
//! metrics exporter; a service crate (control plane, ingest, router, relay) depends on it.

pub mod api_error;
pub mod openapi;
pub mod ops;
