//! The webhook domain: what edgehook's objects are and the rules they obey, with no I/O.
//!
//! Every service speaks of the same things: a client ([`client`]) owns webhooks ([`webhook`])
//! that subscribe to event types ([`event_types`]) under conditions ([`filters`]); the
//! catalogue ([`catalogue`]) describes the event types, with a schema for their data; a source
//! ([`source`]) sends events ([`event`]); the router makes one delivery task per matching
//! webhook and a relay records each attempt ([`delivery`]) and reports how an endpoint is doing
//! ([`endpoint_health`]), authenticating to it as the webhook says ([`endpoint_auth`]);
//! edgehook itself sends clients a few events of its own ([`operational`]). [`ids`] types the
//! identifiers, [`priority`] names the delivery tiers, [`validation`] is the field error
//! every check returns and [`ordering`] says which FIFO lane an event takes.
//!
//! This crate holds data and pure decisions only. Where it travels on NATS is the contract's
//! (`edgehook-nats`); how it is signed, sealed or encrypted is `edgehook-security`'s. Keeping
//! the two apart lets the contract stay free of cryptography and HTTP.

pub mod catalogue;
pub mod client;
pub mod delivery;
pub mod endpoint_auth;
pub mod endpoint_health;
pub mod event;
pub mod event_types;
pub mod filters;
pub mod ids;
pub mod operational;
pub mod ordering;
pub mod priority;
pub mod source;
pub mod validation;
pub mod webhook;

/// Now, in UTC, as the envelopes record it.
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
