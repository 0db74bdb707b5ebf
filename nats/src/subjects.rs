//! Subject names. Every subject edgehook publishes or subscribes to is built here.
//!
//! ```text
//! hub:
//! ingest.<source>                                   NATS ingest (request/reply, core NATS)
//! _INBOX.<source>.>                                 replies to a source (its inbox prefix)
//! events.<client>                                   accepted events            stream EVENTS
//! deliveries.<region>.<tier>.<client>.<webhook>     one task per (event, webhook) DELIVERIES
//! fifo.<client>.<webhook>.<lane>                    a FIFO webhook's tasks      FIFO
//! deliveries.<region>.poll.<client>.<webhook>       ... of a poll webhook (no tier)
//! region <r> (captured by its own streams; the hub sources them):
//! rgn.<r>.park.wait.<id>                            a task set aside (schedule) PARK_<r>
//! rgn.<r>.park.due.<tier>.<client>.<webhook>        ... once due; DLV_<r> takes it back
//! rgn.<r>.attempts.<client>.<webhook>               delivery attempts (batches) ATT_<r>
//! rgn.<r>.deadletters.<client>.<webhook>            deliveries that gave up    DLQ_<r>
//! ```
//!
//! No subject names an event: nats-server keeps memory per distinct subject a stream holds, so
//! a stream's subjects must be bounded by clients and webhooks, never by events
//! (`tests/subject_counts.rs`). The one exception is a parked task's schedule
//! (`park.wait.<id>`), which exists only while the task waits.

use edgehook_domain::ids::{ClientId, SourceId, WebhookId};
use edgehook_domain::priority::Priority;

pub const EVENTS_ALL: &str = "events.>";
pub const DELIVERIES_ALL: &str = "deliveries.>";
pub const FIFO_ALL: &str = "fifo.>";
pub const INGEST_ALL: &str = "ingest.*";

pub fn ingest(source: &SourceId) -> String {
    format!("ingest.{source}")
}

/// The inbox prefix a source's NATS client must use: it may receive replies only under it.
pub fn source_inbox_prefix(source: &SourceId) -> String {
    format!("_INBOX.{source}")
}

pub fn event(client: &ClientId) -> String {
    format!("events.{client}")
}

pub fn delivery(region: &str, priority: Priority, client: &ClientId, webhook: &WebhookId) -> String {
    format!("deliveries.{region}.{}.{client}.{webhook}", priority.as_str())
}

/// A task of a FIFO webhook, in one of its lanes (`edgehook_domain::ordering`): at the hub,
/// whatever the webhook's region, so that a lane's order survives the webhook moving.
pub fn fifo(client: &ClientId, webhook: &WebhookId, lane: u32) -> String {
    format!("fifo.{client}.{webhook}.{lane}")
}

/// Every FIFO task of a client (expunge).
pub fn fifo_of_client(client: &ClientId) -> String {
    format!("fifo.{client}.>")
}

/// A poll webhook's tasks: in its region's delivery stream like every task, but outside the
/// tiers' subjects, so no relay takes them; the webhook's own `poll-<webhook>` consumer does
/// (`edgehook_nats::streams::poll_consumer`).
pub fn poll(region: &str, client: &ClientId, webhook: &WebhookId) -> String {
    format!("deliveries.{region}.poll.{client}.{webhook}")
}

/// What one tier's consumer of a region takes.
pub fn deliveries_of_tier(region: &str, priority: Priority) -> String {
    format!("deliveries.{region}.{}.>", priority.as_str())
}

/// What a region's delivery stream sources from the hub.
pub fn deliveries_of_region(region: &str) -> String {
    format!("deliveries.{region}.>")
}

/// A parked task's schedule: one subject per schedule (a second message on the same subject
/// would replace it).
pub fn parked(region: &str, id: &str) -> String {
    format!("rgn.{region}.park.wait.{id}")
}

/// Where a parked task reappears when due, in the region's parking stream.
pub fn parked_due(region: &str, priority: Priority, client: &ClientId, webhook: &WebhookId) -> String {
    format!("rgn.{region}.park.due.{}.{client}.{webhook}", priority.as_str())
}

pub fn parking_of_region(region: &str) -> String {
    format!("rgn.{region}.park.>")
}

/// Due tasks, which the region's delivery stream takes back as `deliveries.<region>.>`.
pub fn parked_due_of_region(region: &str) -> String {
    format!("rgn.{region}.park.due.>")
}

/// One webhook's attempt records in a region: a subject per webhook, never per event
/// ([`crate::attempt_log`] packs several records into a message).
pub fn attempt(region: &str, client: &ClientId, webhook: &WebhookId) -> String {
    format!("rgn.{region}.attempts.{client}.{webhook}")
}

pub fn attempts_of_region(region: &str) -> String {
    format!("rgn.{region}.attempts.>")
}

/// One webhook's attempts, from every region it was ever delivered from: the subject of its
/// batches and the subjects per event records had before batches (still read back).
pub fn attempts_of_webhook(client: &ClientId, webhook: &WebhookId) -> Vec<String> {
    vec![format!("rgn.*.attempts.{client}.{webhook}"), format!("rgn.*.attempts.{client}.{webhook}.*")]
}

/// Every attempt of a client's webhooks, in both subject shapes (no subject names an event any
/// more: an event's attempts are found in its client's records).
pub fn attempts_of_client(client: &ClientId) -> String {
    format!("rgn.*.attempts.{client}.>")
}

pub fn dead_letter(region: &str, client: &ClientId, webhook: &WebhookId) -> String {
    format!("rgn.{region}.deadletters.{client}.{webhook}")
}

pub fn dead_letters_of_region(region: &str) -> String {
    format!("rgn.{region}.deadletters.>")
}

/// Every region's tasks for one client (what an expunge looks through).
pub fn deliveries_of_client(client: &ClientId) -> String {
    format!("deliveries.*.*.{client}.*")
}

/// One region's tasks for one client.
pub fn deliveries_of_region_client(region: &str, client: &ClientId) -> String {
    format!("deliveries.{region}.*.{client}.*")
}

/// Every region's dead letters of one client.
pub fn dead_letters_of_client(client: &ClientId) -> String {
    format!("rgn.*.deadletters.{client}.*")
}

/// One region's dead letters of one client.
pub fn dead_letters_of_region_client(region: &str, client: &ClientId) -> String {
    format!("rgn.{region}.deadletters.{client}.*")
}

pub fn dead_letters_of_webhook(client: &ClientId, webhook: &WebhookId) -> String {
    format!("rgn.*.deadletters.{client}.{webhook}")
}
