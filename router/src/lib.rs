//! edgehook's router, at the hub: where events become delivery tasks.
//!
//! A service of its own (it runs at the hub; relays run in the regions), and the one place that
//! decides which webhooks get which events:
//!
//! - [`routing`]: the running router. Each accepted event becomes one delivery task per webhook
//!   that wants it (`Webhook::wants`, `Webhook::tier_of`), on the subject of the webhook's
//!   region, so each webhook's retries are its own and each region receives only its own work.
//! - [`replay`]: the same matching run again over events read back from EVENTS, for one webhook:
//!   on a client's request, and for what a disabled webhook missed when it is enabled. The
//!   control plane calls it.
//!
//! Both publish through `edgehook_nats::tasks`, the one task publisher.

pub mod replay;
pub mod routing;

pub use routing::{RouterError, run};
