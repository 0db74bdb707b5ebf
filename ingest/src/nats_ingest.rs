//! NATS ingest: a source sends a request to `ingest.<source_id>` with one event (a JSON object)
//! or a batch (a JSON array); the reply is `{"results": [...]}` once JetStream acknowledged
//! every event, or the same `{"error": {...}}` body HTTP ingest answers.
//!
//! NATS itself authorizes who may publish on a source's subject, so there is no API key or
//! signature here. A publish without a reply subject is still ingested, but only a request tells
//! the source its events are safe.

use std::future::Future;

use async_nats::Message;
use edgehook_domain::ids::SourceId;
use edgehook_nats::subjects;
use edgehook_service::api_error::ApiError;
use futures::StreamExt;
use serde::Serialize;
use warp::http::StatusCode;

use crate::Ingestor;
use crate::accept::{Accepted, Shape, count_rejected};
use crate::validate::parse_events;

const QUEUE_GROUP: &str = "edgehook-ingest";
const CONCURRENCY: usize = 256;

#[derive(Serialize)]
struct Results {
    results: Vec<Accepted>,
}

/// Serves `ingest.*` (one queue group across every ingest node) until `shutdown` completes.
pub async fn run(
    ingestor: Ingestor,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), async_nats::Error> {
    let client = ingestor.nats_client();
    let subscription = client.queue_subscribe(subjects::INGEST_ALL, QUEUE_GROUP.to_owned()).await?;
    subscription
        .take_until(shutdown)
        .for_each_concurrent(CONCURRENCY, |message| {
            let (ingestor, client) = (ingestor.clone(), client.clone());
            async move {
                let reply = match ingest(&ingestor, &message).await {
                    Ok(results) => serde_json::to_vec(&Results { results }).expect("results serialize"),
                    Err(error) => error.body(),
                };
                if let Some(subject) = message.reply {
                    if let Err(error) = client.publish(subject, reply.into()).await {
                        tracing::warn!(%error, "could not reply to a NATS ingest request");
                    }
                }
            }
        })
        .await;
    Ok(())
}

async fn ingest(ingestor: &Ingestor, message: &Message) -> Result<Vec<Accepted>, ApiError> {
    let unknown =
        || ApiError::new(StatusCode::NOT_FOUND, "unknown_source", "no source publishes on this subject");
    let source_id: SourceId = message
        .subject
        .as_str()
        .strip_prefix("ingest.")
        .and_then(|id| id.parse().ok())
        .ok_or_else(unknown)?;
    let source = ingestor
        .sources()
        .get_synced(source_id.as_str())
        .await
        .map_err(|error| ApiError::internal("reading sources", error))?
        .ok_or_else(unknown)?;
    let is_batch = message.payload.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'[');
    let shape = if is_batch { Shape::Batch } else { Shape::Single };
    let events = parse_events(&message.payload, shape).inspect_err(|_| count_rejected(source.id.as_str()))?;
    Ok(ingestor.accept(&source, events, shape).await?)
}
