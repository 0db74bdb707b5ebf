//! How many copies JetStream keeps of each stream, bucket and consumer edgehook creates.
//!
//! A stream with one replica lives on one server: in a three-server cluster, losing that server
//! stops every publish to it until it returns. So the replica count fits the JetStream cluster
//! the stream lives in (the hub's or a region's domain): 3 where the cluster has three or more
//! servers, 1 on a single server (`edgehook up`), or what the operator asks for
//! (`--replicas`), never more than the servers that can hold a copy and never more than 5.
//! JetStream does the replicating; edgehook only sets `num_replicas`.
//!
//! How the cluster is measured: the server's INFO says whether it is part of a cluster at all
//! (its `cluster` name; a single server has none). In a cluster, the count of servers that can
//! hold a copy is asked of JetStream itself: a throwaway stream is placed with the replica count
//! wanted and deleted at once; JetStream refuses the placement (insufficient resources / no
//! suitable peers) when fewer servers can take it, and edgehook asks again with one fewer (and,
//! below the count wanted, again for a few seconds: a cluster that has just formed knows its
//! peers only once they have reported to its meta leader). The
//! INFO's `connect_urls` would be cheaper but is a gossiped list of addresses (several per
//! server on a multi-homed host, none with `no_advertise`, and only what the server knew when
//! the client connected), not the JetStream peers.
//!
//! Bootstrap upgrades in place: an existing stream or bucket whose replica count differs is
//! updated (JetStream copies its messages to the new peers, keeping sequences; nothing is
//! republished), and the durable consumers, created with `num_replicas` 0, follow their
//! stream's count (the server re-places them with the stream). A count found by measuring never
//! lowers an existing stream's (a server down while a service starts must not shrink
//! replication); an explicit `--replicas` is applied as given.

use std::time::Duration;

use async_nats::jetstream::{self, ErrorCode, stream};

use crate::streams::{BootstrapError, failed};

/// The replica count for a domain whose JetStream cluster has three servers or more.
pub const CLUSTER_REPLICAS: usize = 3;
/// JetStream's maximum.
pub const MAX_REPLICAS: usize = 5;

/// The replica count bootstrap gives what it creates, and how it treats what exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replication {
    replicas: usize,
    /// Asked for by the operator: applied to existing streams as given, down as well as up.
    explicit: bool,
}

impl Replication {
    /// One replica, measured (a single server).
    pub fn single() -> Self {
        Self { replicas: 1, explicit: false }
    }

    /// Fits the cluster behind `jetstream`: `requested` (the `--replicas` override) or
    /// [`CLUSTER_REPLICAS`], capped at the servers that can hold a copy and at [`MAX_REPLICAS`].
    pub async fn detect(
        jetstream: &jetstream::Context,
        requested: Option<usize>,
    ) -> Result<Self, BootstrapError> {
        // The account query waits for the connection and for JetStream to answer; the server's
        // INFO is known from then on.
        jetstream.query_account().await.map_err(failed("the account query"))?;
        let info = jetstream.client().server_info();
        let wanted = requested.unwrap_or(CLUSTER_REPLICAS).clamp(1, MAX_REPLICAS);
        let replicas = match info.cluster.as_deref() {
            None | Some("") => 1,
            Some(_) => placeable_soon(jetstream, wanted).await?,
        };
        if requested.is_some_and(|requested| requested > replicas) {
            tracing::warn!(
                requested = requested.unwrap_or_default(),
                replicas,
                server = %info.server_name,
                "--replicas is more than the servers that can hold a copy; using what fits"
            );
        }
        tracing::info!(replicas, cluster = ?info.cluster, server = %info.server_name, "JetStream replication");
        Ok(Self { replicas, explicit: requested.is_some() })
    }

    /// The count a new stream, bucket or consumer gets.
    pub fn replicas(&self) -> usize {
        self.replicas
    }

    /// The count an existing stream with `current` replicas should have.
    pub fn for_existing(&self, current: usize) -> usize {
        match self.explicit {
            true => self.replicas,
            false => self.replicas.max(current),
        }
    }

    /// `config` with the replica count it should have, given the stream as it exists (if it
    /// does): for the bootstrap's create-or-update calls, which send a whole configuration.
    pub(crate) async fn fit(
        &self,
        jetstream: &jetstream::Context,
        mut config: stream::Config,
    ) -> stream::Config {
        config.num_replicas = match jetstream.get_stream(&config.name).await {
            Ok(existing) => self.for_existing(existing.cached_info().config.num_replicas.max(1)),
            Err(_) => self.replicas,
        };
        config
    }

    /// Brings an existing stream (or a bucket's, `KV_<bucket>`) to its replica count in place.
    pub(crate) async fn upgrade(
        &self,
        jetstream: &jetstream::Context,
        name: &str,
    ) -> Result<(), BootstrapError> {
        let stream = jetstream.get_stream(name).await.map_err(failed(name))?;
        let mut config = stream.cached_info().config.clone();
        let current = config.num_replicas.max(1);
        let wanted = self.for_existing(current);
        if wanted == current {
            return Ok(());
        }
        config.num_replicas = wanted;
        jetstream.update_stream(config).await.map_err(failed(name))?;
        tracing::info!(stream = name, from = current, to = wanted, "stream replicas changed in place");
        Ok(())
    }
}

/// "replicas > 1 not supported in non-clustered mode".
const REPLICAS_NOT_SUPPORTED: ErrorCode = ErrorCode(10074);

/// How long a clustered server may take to see all its peers: a cluster that has just formed
/// refuses placements on servers that have not reported to its meta leader yet.
const PEERS_SETTLING: Duration = Duration::from_secs(5);

/// [`placeable`], asked again for up to [`PEERS_SETTLING`] while it is below `wanted`.
async fn placeable_soon(jetstream: &jetstream::Context, wanted: usize) -> Result<usize, BootstrapError> {
    let deadline = tokio::time::Instant::now() + PEERS_SETTLING;
    loop {
        let replicas = placeable(jetstream, wanted).await?;
        if replicas >= wanted || tokio::time::Instant::now() >= deadline {
            return Ok(replicas);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The largest count up to `wanted` that JetStream can place now.
async fn placeable(jetstream: &jetstream::Context, wanted: usize) -> Result<usize, BootstrapError> {
    for replicas in (2..=wanted).rev() {
        let name = format!("EDGEHOOK_REPLICAS_PROBE_{}", ulid::Ulid::new());
        let probe = stream::Config {
            name: name.clone(),
            subjects: vec![format!("_edgehook.replicas_probe.{name}")],
            storage: stream::StorageType::Memory,
            max_messages: 1,
            num_replicas: replicas,
            ..Default::default()
        };
        match jetstream.create_stream(probe).await {
            Ok(_) => {
                if let Err(error) = jetstream.delete_stream(&name).await {
                    tracing::warn!(stream = %name, %error, "could not delete the replica probe; delete it by hand");
                }
                return Ok(replicas);
            }
            Err(error) if refused_placement(&error) => continue,
            Err(error) => return Err(failed("the replica probe")(error)),
        }
    }
    Ok(1)
}

fn refused_placement(error: &jetstream::context::CreateStreamError) -> bool {
    use jetstream::context::CreateStreamErrorKind;
    match error.kind() {
        CreateStreamErrorKind::JetStream(error) => matches!(
            error.error_code(),
            ErrorCode::INSUFFICIENT_RESOURCES | ErrorCode::CLUSTER_NO_PEERS | REPLICAS_NOT_SUPPORTED
        ),
        _ => false,
    }
}

/// How a stream's copies stand, from its info's `cluster` field: what `edgehook status`,
/// `/readyz` and the `edgehook_jetstream_stream_*replicas` gauges show.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReplicaState {
    pub stream: String,
    /// The replica count configured.
    pub replicas: usize,
    /// Copies up to date: the leader and each replica JetStream reports current and online.
    pub current: usize,
    /// The server leading the stream; `None` in a cluster while it has none (an election, or
    /// fewer than a majority of its servers up): it takes no writes then.
    pub leader: Option<String>,
    /// Replicas not current, with how far behind (operations) and whether offline.
    pub behind: Vec<BehindReplica>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BehindReplica {
    pub server: String,
    pub lag: Option<u64>,
    pub offline: bool,
}

impl ReplicaState {
    pub fn of(info: &stream::Info) -> Self {
        let replicas = info.config.num_replicas.max(1);
        let stream = info.config.name.clone();
        let Some(cluster) = &info.cluster else {
            // A single server reports no cluster: its one copy is the stream.
            return Self { stream, replicas, current: 1, leader: Some(String::new()), behind: vec![] };
        };
        let leader = cluster.leader.clone().filter(|leader| !leader.is_empty());
        let single_server = cluster.name.as_deref().is_none_or(str::is_empty) && replicas == 1;
        let leader = if single_server { leader.or(Some(String::new())) } else { leader };
        let up_to_date = cluster.replicas.iter().filter(|peer| peer.current && !peer.offline).count();
        let behind = cluster
            .replicas
            .iter()
            .filter(|peer| !peer.current || peer.offline)
            .map(|peer| BehindReplica { server: peer.name.clone(), lag: peer.lag, offline: peer.offline })
            .collect();
        let current = if leader.is_some() { 1 + up_to_date } else { 0 };
        Self { stream, replicas, current, leader, behind }
    }

    /// Every copy current.
    pub fn is_complete(&self) -> bool {
        self.leader.is_some() && self.current >= self.replicas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measured_count_never_lowers_an_existing_stream_and_an_explicit_one_is_applied() {
        let measured = Replication { replicas: 1, explicit: false };
        assert_eq!(measured.for_existing(3), 3);
        let cluster = Replication { replicas: 3, explicit: false };
        assert_eq!(cluster.for_existing(1), 3);
        let explicit = Replication { replicas: 1, explicit: true };
        assert_eq!(explicit.for_existing(3), 1);
        assert_eq!(Replication::single().replicas(), 1);
    }
}
