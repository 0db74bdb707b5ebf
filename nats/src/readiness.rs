//! What `/readyz` asks of JetStream: is the connection up, do the streams and consumers a
//! service works on exist, and does each stream have a leader (in a cluster, a stream without
//! one takes no writes: an election, or fewer than a majority of its servers up). The answer
//! also shows each stream's replicas and whether all are current. Each service's contract says
//! which streams ([`crate::Contract::readiness`],
//! [`crate::streams::RegionalContract::readiness`]); `edgehook-service` serves the answer.
//!
//! A service may serve `/readyz` before its contract exists (it waits for NATS, retrying):
//! [`Readiness::starting`] answers "not ready" with why until [`Readiness::become_ready_as`]
//! hands it the contract's checks. A service that depends on something besides JetStream (the
//! history writer: its database) adds a check of its own with [`Readiness::also`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_nats::jetstream;

use crate::replication::ReplicaState;

const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/readyz` checks: the connection, and that the streams and consumers a service works
/// on exist and have a leader.
#[derive(Clone)]
pub struct Readiness {
    state: Arc<RwLock<State>>,
}

#[derive(Clone)]
enum State {
    /// The service has not set up its streams yet, and why.
    Starting(String),
    Checking(Box<Checks>),
}

/// A check of something besides JetStream: `Err` says why the service is not ready.
pub type ExtraCheck = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

#[derive(Clone)]
struct Checks {
    jetstream: jetstream::Context,
    streams: Vec<String>,
    /// `(stream, consumer)` pairs.
    consumers: Vec<(String, String)>,
    extra: Vec<ExtraCheck>,
}

/// Why a service is not ready, with what it found of its streams.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotReady {
    pub reason: String,
    pub streams: Vec<ReplicaState>,
}

impl Readiness {
    pub fn new(
        jetstream: jetstream::Context,
        streams: Vec<String>,
        consumers: Vec<(String, String)>,
    ) -> Self {
        let checks = Checks { jetstream, streams, consumers, extra: Vec::new() };
        Self { state: Arc::new(RwLock::new(State::Checking(Box::new(checks)))) }
    }

    /// These checks and `check` too (which runs after them, within the same timeout); on a
    /// service still starting, nothing changes.
    pub fn also(self, check: ExtraCheck) -> Self {
        if let State::Checking(checks) = &mut *self.state.write().expect("readiness lock") {
            checks.extra.push(check);
        }
        self
    }

    /// Not ready yet, because `reason`.
    pub fn starting(reason: impl Into<String>) -> Self {
        Self { state: Arc::new(RwLock::new(State::Starting(reason.into()))) }
    }

    /// While still starting: why now.
    pub fn still_starting(&self, reason: impl Into<String>) {
        let mut state = self.state.write().expect("readiness lock");
        if matches!(*state, State::Starting(_)) {
            *state = State::Starting(reason.into());
        }
    }

    /// From now on, checks what `ready` checks.
    pub fn become_ready_as(&self, ready: &Readiness) {
        let checks = ready.state.read().expect("readiness lock").clone();
        *self.state.write().expect("readiness lock") = checks;
    }

    /// Ready: each stream's replicas. Not ready: why.
    pub async fn check(&self) -> Result<Vec<ReplicaState>, NotReady> {
        let checks = match &*self.state.read().expect("readiness lock") {
            State::Starting(reason) => {
                return Err(NotReady { reason: format!("starting: {reason}"), streams: vec![] });
            }
            State::Checking(checks) => checks.clone(),
        };
        checks.check().await
    }
}

impl Checks {
    async fn check(&self) -> Result<Vec<ReplicaState>, NotReady> {
        let not_ready =
            |reason: String, streams: &[ReplicaState]| NotReady { reason, streams: streams.to_vec() };
        let client = self.jetstream.client();
        if client.connection_state() != async_nats::connection::State::Connected {
            return Err(not_ready("not connected to NATS".to_owned(), &[]));
        }
        let mut states = Vec::new();
        for stream in &self.streams {
            match tokio::time::timeout(READY_TIMEOUT, self.jetstream.get_stream(stream)).await {
                Ok(Ok(found)) => states.push(ReplicaState::of(found.cached_info())),
                Ok(Err(error)) => {
                    return Err(not_ready(format!("stream {stream} not available: {error}"), &states));
                }
                Err(_) => {
                    let reason = format!(
                        "stream {stream} did not answer within {READY_TIMEOUT:?} (no leader: an election, or \
                         fewer than a majority of its servers up?)"
                    );
                    return Err(not_ready(reason, &states));
                }
            }
        }
        if let Some(leaderless) = states.iter().find(|state| state.leader.is_none()) {
            let reason = format!(
                "stream {} has no leader (an election, or fewer than a majority of its {} servers up): it takes \
                 no writes",
                leaderless.stream, leaderless.replicas
            );
            return Err(not_ready(reason, &states));
        }
        for (stream, consumer) in &self.consumers {
            let found = async {
                let stream = self.jetstream.get_stream_no_info(stream).await.map_err(|e| e.to_string())?;
                stream.consumer_info(consumer).await.map_err(|e| e.to_string())
            };
            if !matches!(tokio::time::timeout(READY_TIMEOUT, found).await, Ok(Ok(_))) {
                return Err(not_ready(format!("consumer {stream}/{consumer} not available"), &states));
            }
        }
        for extra in &self.extra {
            match tokio::time::timeout(READY_TIMEOUT, extra()).await {
                Ok(Ok(())) => {}
                Ok(Err(reason)) => return Err(not_ready(reason, &states)),
                Err(_) => return Err(not_ready(format!("no answer within {READY_TIMEOUT:?}"), &states)),
            }
        }
        Ok(states)
    }
}
