//! What every service shows an operator: `/healthz` (alive), `/readyz` (NATS connected, its
//! streams and consumers present, each stream led; the body lists each stream's replicas and
//! whether all are current) and `/metrics` (Prometheus text), plus the JetStream backlog and
//! replica gauges they report.
//!
//! Metrics go through the `metrics` facade into one Prometheus recorder per process, so
//! `edgehook up`, which runs every service in one process, shows all of them at each
//! `/metrics`. The names are the ones `ops/prometheus/alerts.yml` and the Grafana dashboard use.

use std::sync::OnceLock;
use std::time::Duration;

use async_nats::jetstream;
pub use edgehook_nats::readiness::Readiness;
use edgehook_nats::replication::ReplicaState;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Reply};

/// Latency buckets (seconds) of every histogram: from a loopback hit to a 20 s timeout.
const LATENCY_BUCKETS: [f64; 14] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0];
const BACKLOG_INTERVAL: Duration = Duration::from_secs(5);
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The process's Prometheus recorder, installed on first use.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .expect("buckets are not empty")
            .install_recorder()
            .expect("the only metrics recorder of the process");
        let upkeep = handle.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                upkeep.run_upkeep();
            }
        });
        handle
    })
}

/// `/healthz`, `/readyz` and `/metrics`, to mount beside a service's API or alone.
pub fn routes(readiness: Readiness) -> BoxedFilter<(Response,)> {
    let handle = metrics();
    let health = warp::path!("healthz").and(warp::get()).map(|| StatusCode::OK.into_response());
    let ready = warp::path!("readyz").and(warp::get()).then(move || {
        let readiness = readiness.clone();
        async move {
            match readiness.check().await {
                Ok(streams) => {
                    warp::reply::json(&serde_json::json!({"ready": true, "streams": streams})).into_response()
                }
                Err(not_ready) => warp::reply::with_status(
                    warp::reply::json(&serde_json::json!({
                        "ready": false,
                        "reason": not_ready.reason,
                        "streams": not_ready.streams,
                    })),
                    StatusCode::SERVICE_UNAVAILABLE,
                )
                .into_response(),
            }
        }
    });
    let scrape = warp::path!("metrics").and(warp::get()).map(move || {
        warp::reply::with_header(handle.render(), "content-type", "text/plain; version=0.0.4").into_response()
    });
    health.or(ready).unify().or(scrape).unify().boxed()
}

/// Serves [`routes`] alone on `listener` (for services without an HTTP API of their own).
pub async fn serve_admin(
    readiness: Readiness,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    warp::serve(routes(readiness)).incoming(listener).graceful(shutdown).run().await;
}

/// Reports each consumer's backlog every few seconds, as
/// `edgehook_jetstream_consumer_pending_messages` and `..._ack_pending_messages`, and the
/// replicas of every stream of the domain, as `edgehook_jetstream_stream_replicas` (configured)
/// and `edgehook_jetstream_stream_current_replicas` (the leader and the replicas JetStream
/// reports current; 0 without a leader).
pub async fn report_backlog(jetstream: jetstream::Context, consumers: Vec<(String, String)>) {
    loop {
        report_replicas(&jetstream).await;
        for (stream, consumer) in &consumers {
            let info = async {
                let handle = jetstream.get_stream_no_info(stream).await.ok()?;
                handle.consumer_info(consumer).await.ok()
            };
            if let Ok(Some(info)) = tokio::time::timeout(READY_TIMEOUT, info).await {
                let labels = [("stream", stream.clone()), ("consumer", consumer.clone())];
                metrics::gauge!("edgehook_jetstream_consumer_pending_messages", &labels)
                    .set(info.num_pending as f64);
                metrics::gauge!("edgehook_jetstream_consumer_ack_pending_messages", &labels)
                    .set(info.num_ack_pending as f64);
            }
        }
        tokio::time::sleep(BACKLOG_INTERVAL).await;
    }
}

async fn report_replicas(jetstream: &jetstream::Context) {
    use futures::TryStreamExt;
    let listed = tokio::time::timeout(READY_TIMEOUT, jetstream.streams().try_collect::<Vec<_>>()).await;
    let Ok(Ok(streams)) = listed else { return };
    for info in &streams {
        let state = ReplicaState::of(info);
        let labels = [("stream", state.stream.clone())];
        metrics::gauge!("edgehook_jetstream_stream_replicas", &labels).set(state.replicas as f64);
        metrics::gauge!("edgehook_jetstream_stream_current_replicas", &labels).set(state.current as f64);
    }
}
