//! The NATS contract every edgehook service speaks.
//!
//! Control plane, ingest, router and relay never call each other: they meet on NATS JetStream.
//! This crate is the only place that says what is on the wire and where:
//!
//! - [`subjects`]: the subject names, one function per kind of message;
//! - [`streams`]: the streams, consumers and KV buckets, and [`streams::Contract::bootstrap`]
//!   that creates them idempotently; [`region`] names a region's streams and [`region_backlog`]
//!   tells how its work stands;
//! - [`tasks`]: the one publisher of delivery tasks (routed, replayed, redriven, forwarded): their
//!   subject, `Nats-Msg-Id`, attempt count and webhook version;
//! - [`fifo`]: the FIFO webhooks' queue at the hub and its one-at-a-time lane consumers;
//! - [`kv_cache`]: a local, watch-fed copy of a KV bucket with a read-your-writes barrier, and
//!   a wait for a key to be at least as new as a task needs;
//! - [`read`]: paged reads of a stream (history, replay); [`attempt_log`]: attempt records
//!   batched into messages on a subject per webhook, and read back;
//! - [`replication`]: how many replicas each stream, bucket and consumer gets (they fit the
//!   cluster; bootstrap upgrades in place);
//! - [`history_feed`]: the history writer's durable consumers on ATTEMPTS and EVENTS;
//! - [`expunge`]: the header naming the event a message carries, and the erasing of an
//!   event's copies from every stream;
//! - [`readiness`]: what `/readyz` asks of JetStream;
//! - [`connection`]: NATS URLs carrying their login (every edgehook connection goes through it).
//!
//! What travels is the domain's (`edgehook-domain`); this crate depends on async-nats, serde and
//! time, and on no HTTP or cryptography crate. The NATS server configurations the tests and
//! `edgehook up` run live beside it, in `nats/conf/`.

pub mod attempt_log;
mod co_located;
pub mod connection;
pub mod expunge;
pub mod fifo;
pub mod history_feed;
pub mod kv_cache;
pub mod read;
pub mod readiness;
pub mod region;
pub mod region_backlog;
pub mod replication;
pub mod streams;
pub mod subjects;
pub mod tasks;

pub use streams::Contract;
