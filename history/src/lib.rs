//! edgehook's delivery history at mission scale.
//!
//! Why a crate of its own: attempt records leave JetStream (where nats-server would keep memory
//! for them) for a database that indexes and expires them. [`store`] is that database
//! (PostgreSQL in production, SQLite embedded for `edgehook up`); the control plane reads it, and
//! [`writer`] fills it from the hub's ATTEMPTS stream, acknowledging only what is committed.

pub mod events;
pub mod store;
pub mod writer;

pub use events::{DeliverySummary, EventCursor, EventPage, EventQuery, StoredEvent};
pub use store::{AttemptPage, AttemptQuery, HistoryCursor, HistoryStore, Scope, StoreError, WindowStats};
