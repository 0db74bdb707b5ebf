//! A region inside the hub's own domain (`edgehook up` without `--regions`, or the services run
//! without regions): its relays use the hub's streams themselves. They pull tasks from
//! DELIVERIES (which also takes back the region's parked tasks when due) and record into
//! ATTEMPTS and DEAD_LETTERS, which capture `rgn.<region>.attempts.>` and
//! `rgn.<region>.deadletters.>`.
//!
//! A leaf region keeps copies (`DLV_`, `ATT_`, `DLQ_`) because it must work while the hub is
//! away. A co-located region is the hub: copies on the same server would only write every task
//! and every record twice (two of the five JetStream writes of a delivered event).
//!
//! edgehook before 2026-11-23 made those copies for a co-located region too; the bootstrap
//! retires them once nothing in them would be lost, and refuses to start while one still holds
//! tasks.

use std::time::Duration;

use async_nats::jetstream::{self, consumer::DeliverPolicy};

use crate::region::Region;
use crate::replication::Replication;
use crate::streams::{
    ATTEMPTS, BootstrapError, DEAD_LETTERS, DELIVERIES, create_or_update, deliveries_stream, ensure_stream,
    failed, history_stream, parked_due_source, refused,
};
use crate::subjects;

/// How long the hub's history may take to source the last records of a retired copy.
const COPY_CATCH_UP: Duration = Duration::from_secs(10);

/// Readies the hub's streams for the region's relays. Returns where the dispatch consumers
/// start: at the beginning for a new region, after the last task the retired copy took for a
/// region made by an older edgehook.
pub(crate) async fn bootstrap(
    jetstream: &jetstream::Context,
    region: &Region,
    replication: &Replication,
) -> Result<DeliverPolicy, BootstrapError> {
    retire_record_copies(jetstream, region).await?;
    let mut start = DeliverPolicy::All;
    let mut parked_from = 0;
    if let Some(routed) = legacy_task_copy_end(jetstream, region).await? {
        start = DeliverPolicy::ByStartSequence { start_sequence: routed + 1 };
        parked_from = last_sequence(jetstream, &region.parking_stream()).await? + 1;
    }

    ensure_stream(jetstream, deliveries_stream(), replication).await?;
    let deliveries = jetstream.get_stream(DELIVERIES).await.map_err(failed(DELIVERIES))?;
    let mut config = deliveries.cached_info().config.clone();
    let sources = config.sources.get_or_insert_with(Vec::new);
    if !sources.iter().any(|source| source.name == region.parking_stream()) {
        sources.push(parked_due_source(region, parked_from));
        jetstream.update_stream(config).await.map_err(failed(DELIVERIES))?;
    }

    capture(jetstream, ATTEMPTS, subjects::attempts_of_region(&region.name), replication).await?;
    capture(jetstream, DEAD_LETTERS, subjects::dead_letters_of_region(&region.name), replication).await?;
    Ok(start)
}

/// Makes the hub's history stream `name` capture `subject`, keeping what else it has, with its
/// replica count.
async fn capture(
    jetstream: &jetstream::Context,
    name: &str,
    subject: String,
    replication: &Replication,
) -> Result<(), BootstrapError> {
    let config = match jetstream.get_stream(name).await {
        Ok(stream) => stream.cached_info().config.clone(),
        Err(_) => history_stream(name),
    };
    if !config.subjects.contains(&subject) {
        let mut config = replication.fit(jetstream, config).await;
        config.subjects.push(subject);
        create_or_update(jetstream, config).await?;
    }
    replication.upgrade(jetstream, name).await
}

/// The region's old task copy `DLV_<region>`, if there is one: the last sequence of DELIVERIES
/// it covers. Refuses while it holds tasks or has not taken all of DELIVERIES yet: those would
/// be lost with it. [`retire_task_copy`] removes it once the consumers stand on DELIVERIES.
async fn legacy_task_copy_end(
    jetstream: &jetstream::Context,
    region: &Region,
) -> Result<Option<u64>, BootstrapError> {
    let name = leaf_layout(region).deliveries_stream();
    let Ok(copy) = jetstream.get_stream(&name).await else { return Ok(None) };
    let routed = last_sequence(jetstream, DELIVERIES).await?;
    let info = copy.cached_info();
    let unsourced: u64 = info.sources.iter().map(|source| source.lag).sum();
    if info.state.messages > 0 || unsourced > 0 {
        let message = format!(
            "{name} still holds {} delivery tasks ({unsourced} more on their way) of an older edgehook, \
             which kept a copy of the region's tasks there; run that version until `edgehook status` \
             shows {name} empty, then start this one",
            info.state.messages
        );
        return Err(refused(&name, message));
    }
    Ok(Some(routed))
}

/// Deletes the old task copy once the region's consumers pull from DELIVERIES.
pub(crate) async fn retire_task_copy(jetstream: &jetstream::Context, region: &Region) {
    let name = leaf_layout(region).deliveries_stream();
    if jetstream.delete_stream(&name).await.is_ok() {
        tracing::info!(stream = %name, "old copy of the region's tasks retired; its relays pull from DELIVERIES");
    }
}

/// Deletes the old record copies `ATT_<region>` and `DLQ_<region>` once the hub's ATTEMPTS and
/// DEAD_LETTERS have sourced all of them, and stops sourcing them. Run by the control plane and
/// by the relays, whichever comes first: the hub's streams can capture the region's subjects
/// only once no other stream does.
pub(crate) async fn retire_record_copies(
    jetstream: &jetstream::Context,
    region: &Region,
) -> Result<(), BootstrapError> {
    let copies = leaf_layout(region);
    for (copy, history) in
        [(copies.attempts_stream(), ATTEMPTS), (copies.dead_letters_stream(), DEAD_LETTERS)]
    {
        if jetstream.get_stream(&copy).await.is_err() {
            continue;
        }
        let deadline = tokio::time::Instant::now() + COPY_CATCH_UP;
        loop {
            // Fetched again each round: `get_stream` reads the stream's current info.
            let stream = jetstream.get_stream(history).await.map_err(failed(history))?;
            let info = stream.cached_info();
            let lag = info.sources.iter().find(|source| source.name == copy).map(|source| source.lag);
            if lag == Some(0) && holds_last_record(jetstream, &copy, history).await? {
                let mut config = info.config.clone();
                config.sources.get_or_insert_with(Vec::new).retain(|source| source.name != copy);
                jetstream.update_stream(config).await.map_err(failed(history))?;
                let _ = jetstream.delete_stream(&copy).await;
                tracing::info!(stream = %copy, into = history, "old copy of the region's records retired");
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                let message = match lag {
                    Some(lag) => {
                        format!("{history} is still {lag} records behind {copy}; start again shortly")
                    }
                    None => format!("{history} does not source {copy}: its records would be lost with it"),
                };
                return Err(failed(&copy)(async_nats::Error::from(message)));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}

/// Has `history` taken in the last record of `copy`? A source reports lag 0 also before its
/// first fetch; it delivers in order, so once the last record is in, every record is.
async fn holds_last_record(
    jetstream: &jetstream::Context,
    copy: &str,
    history: &str,
) -> Result<bool, BootstrapError> {
    let copy_stream = jetstream.get_stream(copy).await.map_err(failed(copy))?;
    let state = &copy_stream.cached_info().state;
    if state.messages == 0 {
        return Ok(true);
    }
    let record = copy_stream.get_raw_message(state.last_sequence).await.map_err(failed(copy))?;
    let history_stream = jetstream.get_stream_no_info(history).await.map_err(failed(history))?;
    Ok(history_stream
        .get_last_raw_message_by_subject(record.subject.as_str())
        .await
        .is_ok_and(|latest| latest.payload == record.payload))
}

async fn last_sequence(jetstream: &jetstream::Context, name: &str) -> Result<u64, BootstrapError> {
    let stream = jetstream.get_stream(name).await.map_err(failed(name))?;
    Ok(stream.cached_info().state.last_sequence)
}

/// The region as a leaf would be laid out: the names of the copies an older edgehook made.
fn leaf_layout(region: &Region) -> Region {
    Region { domain: region.name.clone(), ..region.clone() }
}
