//! Accepting events: the checks shared by HTTP and NATS ingest (the fields, the source's
//! allowed types, the event-type catalogue's schemas, the clients), and the durable publish.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_nats::jetstream::message::PublishMessage;
use edgehook_domain::client::Client;
use edgehook_domain::event::Event;
use edgehook_domain::ids::{ClientId, MessageId};
use edgehook_domain::source::Source;
use edgehook_domain::validation::FieldError;
use edgehook_nats::Contract;
use edgehook_nats::kv_cache::KvCache;
use edgehook_nats::subjects;
use edgehook_service::api_error::ApiError;
use serde::Serialize;
use warp::http::StatusCode;

use crate::catalogue::{Catalogue, Refusal};
use crate::throttle::Throttle;
use crate::validate::{CheckedEvent, IncomingEvent, MAX_BATCH};

/// Validates and publishes events; one per service, cheap to clone and to move: every HTTP
/// route and NATS request holds one, and warp's filters copy what they carry at each step (the
/// contract alone is ~11 KB; in a debug build, copies of it by value overflowed a worker's stack).
#[derive(Clone)]
pub struct Ingestor(Arc<Parts>);

/// What the clones of an [`Ingestor`] share.
pub struct Parts {
    contract: Contract,
    throttle: Throttle,
    sources: KvCache<Source>,
    clients: KvCache<Client>,
    catalogue: Catalogue,
}

impl std::ops::Deref for Ingestor {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The answer for one event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub event_id: String,
    /// edgehook's id for the event (the `webhook-id` clients see); absent for a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    /// The event was accepted before (same client and event_id): it will not be delivered twice.
    pub duplicate: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("{field}: the source may not send `{event_type}`")]
    NotAllowed { field: String, event_type: String },
    #[error("{0}")]
    Unavailable(String),
    #[error("{}", .0.message)]
    Throttled(ApiError),
}

impl From<IngestError> for ApiError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::Invalid(field) => field.into(),
            IngestError::NotAllowed { field, event_type } => ApiError {
                field: Some(field),
                ..ApiError::forbidden(format!("this source may not send `{event_type}` events"))
            },
            IngestError::Unavailable(message) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            }
            IngestError::Throttled(error) => error,
        }
    }
}

/// How a batch names a field of its n-th event: `[n].event_type`; a single event, `event_type`.
#[derive(Clone, Copy)]
pub enum Shape {
    Single,
    Batch,
}

impl Shape {
    fn field(self, index: usize, field: &str) -> String {
        match self {
            Shape::Single => field.to_owned(),
            Shape::Batch => format!("[{index}].{field}"),
        }
    }

    /// `error`, about the n-th event's field, named as this shape names it.
    fn place(self, index: usize, error: FieldError) -> FieldError {
        FieldError { field: self.field(index, &error.field), ..error }
    }
}

impl Ingestor {
    /// `require_known_event_types`: refuse event types the catalogue does not list.
    pub fn new(contract: Contract, require_known_event_types: bool) -> Self {
        let jetstream = contract.jetstream.clone();
        Self(Arc::new(Parts {
            sources: KvCache::follow(jetstream.clone(), contract.sources.clone()),
            clients: KvCache::follow(jetstream, contract.clients.clone()),
            catalogue: Catalogue::follow(&contract, require_known_event_types),
            throttle: Throttle::default(),
            contract,
        }))
    }

    pub fn nats_client(&self) -> async_nats::Client {
        self.contract.jetstream.client()
    }

    pub fn sources(&self) -> &KvCache<Source> {
        &self.sources
    }

    /// Checks every event, then publishes them all: if one is refused, none is published.
    pub async fn accept(
        &self,
        source: &Source,
        events: Vec<IncomingEvent>,
        shape: Shape,
    ) -> Result<Vec<Accepted>, IngestError> {
        if events.is_empty() || events.len() > MAX_BATCH {
            return Err(FieldError::invalid("body", format!("send 1 to {MAX_BATCH} events")).into());
        }
        self.throttle.admit(source, events.len()).map_err(IngestError::Throttled)?;
        let outcome = self.check_and_publish(source, events, shape).await;
        match &outcome {
            Ok(accepted) => {
                let duplicates = accepted.iter().filter(|event| event.duplicate).count();
                for (result, count) in [("accepted", accepted.len() - duplicates), ("duplicate", duplicates)]
                {
                    if count > 0 {
                        metrics::counter!("edgehook_ingest_events_total", "source_id" => source.id.to_string(), "result" => result)
                            .increment(count as u64);
                    }
                }
            }
            Err(_) => count_rejected(source.id.as_str()),
        }
        outcome
    }

    async fn check_and_publish(
        &self,
        source: &Source,
        events: Vec<IncomingEvent>,
        shape: Shape,
    ) -> Result<Vec<Accepted>, IngestError> {
        let mut checked = Vec::with_capacity(events.len());
        for (index, event) in events.into_iter().enumerate() {
            let event = event.check().map_err(|error| shape.place(index, error))?;
            if !source.allows(&event.event_type) {
                let field = shape.field(index, "event_type");
                return Err(IngestError::NotAllowed { field, event_type: event.event_type });
            }
            self.catalogue.check(&event.event_type, &event.data).await.map_err(|refusal| match refusal {
                Refusal::Invalid(error) => shape.place(index, error).into(),
                Refusal::Unavailable(error) => unavailable(error),
            })?;
            checked.push(event);
        }
        self.check_clients_exist(&checked, shape).await?;
        self.publish(source, checked).await
    }

    async fn check_clients_exist(&self, events: &[CheckedEvent], shape: Shape) -> Result<(), IngestError> {
        let clients: BTreeSet<&ClientId> = events.iter().map(|event| &event.client_id).collect();
        for client in clients {
            let known = self.clients.get_synced(client.as_str()).await.map_err(unavailable)?;
            if known.is_none() {
                let index = events.iter().position(|event| &event.client_id == client).unwrap_or(0);
                let message = format!("no client `{client}`");
                return Err(
                    FieldError::new(shape.field(index, "client_id"), "unknown_client", message).into()
                );
            }
        }
        Ok(())
    }

    /// Sends every event before awaiting any acknowledgement, so a batch costs one round trip.
    async fn publish(
        &self,
        source: &Source,
        events: Vec<CheckedEvent>,
    ) -> Result<Vec<Accepted>, IngestError> {
        let jetstream = &self.contract.jetstream;
        let mut pending = Vec::with_capacity(events.len());
        for checked in events {
            let event = Event {
                message_id: MessageId::generate(),
                event_id: checked.event_id,
                event_type: checked.event_type,
                client_id: checked.client_id,
                source_id: source.id.clone(),
                data: checked.data,
                timestamp: checked.timestamp,
                version: checked.version,
                accepted_at: edgehook_domain::now(),
                priority: checked.priority,
            };
            let payload = serde_json::to_vec(&event).expect("an event serializes");
            let message = PublishMessage::build().payload(payload.into()).message_id(event.dedup_id());
            let ack = jetstream
                .send_publish(subjects::event(&event.client_id), message)
                .await
                .map_err(unavailable)?;
            pending.push((event, ack));
        }
        let mut accepted = Vec::with_capacity(pending.len());
        for (event, ack) in pending {
            let ack = ack.await.map_err(unavailable)?;
            accepted.push(Accepted {
                message_id: (!ack.duplicate).then_some(event.message_id),
                event_id: event.event_id,
                duplicate: ack.duplicate,
            });
        }
        Ok(accepted)
    }
}

/// Counts a refused request in `edgehook_ingest_events_total{result="rejected"}`.
pub fn count_rejected(source_id: &str) {
    metrics::counter!("edgehook_ingest_events_total", "source_id" => source_id.to_owned(), "result" => "rejected")
        .increment(1);
}

fn unavailable(error: impl std::fmt::Display) -> IngestError {
    let error = error.to_string();
    tracing::error!(%error, "publishing to JetStream failed");
    IngestError::Unavailable(refusal(&error).to_owned())
}

/// What a source is told when JetStream did not store its events: a full store is worth naming
/// (an operator must make room; retrying at once will not help), anything else is passing.
fn refusal(jetstream_error: &str) -> &'static str {
    const FULL: [&str; 3] = ["insufficient resources", "maximum bytes exceeded", "insufficient storage"];
    let lower = jetstream_error.to_ascii_lowercase();
    if FULL.iter().any(|sign| lower.contains(sign)) {
        "the event store is full; nothing was lost, send the events again later"
    } else {
        "the event store is unavailable; nothing was lost, send the events again"
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::refusal;

    #[test]
    fn a_full_store_is_named_and_other_failures_are_not() {
        assert!(
            refusal("jetstream error: insufficient resources (code 503, error code 10023)").contains("full")
        );
        assert!(refusal("maximum bytes exceeded").contains("full"));
        assert!(refusal("timed out: didn't receive ack in time").contains("unavailable"));
    }
}
