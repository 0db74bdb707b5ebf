//! What becomes of a delivery task after its turn in a relay, decided in one place and made to
//! happen in one place.
//!
//! - [`decision`]: the pure decision: ack, `nak` with a delay, park, dead-letter or forward;
//!   the retry budget and backoff. No I/O, no clock: unit-tested with an explicit `now`.
//! - [`settler`]: applies it: records the attempt, stores what the settlement produces (parked
//!   copy, dead letter, forwarded task) and only then acks or naks; owns the attempt count.
//! - [`deferrals`]: this relay's deferrals per task, so that they do not count as attempts;
//!   entries expire, so the map stays bounded when other relays finish the tasks.
//! - [`parking`]: long waits as JetStream message schedules rather than `nak`s.

pub mod decision;
pub mod deferrals;
pub mod parking;
pub mod settler;

pub use decision::{DeferReason, Queue, Settlement, Turn, decide};
pub use settler::{Position, Settler};
