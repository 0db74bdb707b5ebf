//! `edgehook bench dedup`: nats-server memory per id held in a stream's deduplication window.
//!
//! Why: EVENTS drops a second copy of an event by its `Nats-Msg-Id` (`<client>:<event_id>`)
//! within its duplicate window (`--events-dedup-window-secs`, an hour by default), and
//! nats-server keeps every id of the window in memory. The cost per id decides what the window
//! may be at SPEC's 11,600 events/s. Measured as the difference between two fresh nats-servers
//! (the hub's configuration, file storage) that each store `--records` messages of 200 bytes on
//! one subject: one with distinct message ids into a stream with a one-hour window, one without
//! ids. Resident memory is read 5 s after the last ack.

use std::future::IntoFuture;
use std::time::{Duration, Instant};

use anyhow::Context;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use bytes::Bytes;
use edgehook::nats_logins::HubLogins;
use edgehook::nats_server::{self, NatsServer, ServerSpec};
use edgehook::ports::free_port;
use edgehook_domain::ids::{ClientId, MessageId};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;

use super::deployment;
use super::progress;

const IN_FLIGHT: usize = 4096;
const SETTLE: Duration = Duration::from_secs(5);

#[derive(Serialize)]
struct Side {
    with_ids: bool,
    messages: u64,
    rss_before_mb: f64,
    rss_after_mb: f64,
    published_per_s: f64,
}

#[derive(Serialize)]
struct Report {
    scenario: &'static str,
    without_ids: Side,
    with_ids: Side,
    bytes_per_id: f64,
}

pub async fn run(
    messages: u64,
    nats_server: Option<&std::path::Path>,
    json_output: bool,
) -> anyhow::Result<()> {
    let binary = nats_server::locate(nats_server)?;
    let without_ids = side(&binary, messages, false).await?;
    let with_ids = side(&binary, messages, true).await?;
    let bytes_per_id =
        ((with_ids.rss_after_mb - without_ids.rss_after_mb) * 1_048_576.0 / messages as f64).round();
    let report = Report { scenario: "dedup", without_ids, with_ids, bytes_per_id };
    if json_output {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for side in [&report.without_ids, &report.with_ids] {
            println!(
                "{} messages {} ids: nats-server RSS {:.1} MiB before, {:.1} MiB after ({:.0} published/s)",
                side.messages,
                if side.with_ids { "with distinct" } else { "without" },
                side.rss_before_mb,
                side.rss_after_mb,
                side.published_per_s
            );
        }
        println!("memory per id in the duplicate window: {:.0} bytes", report.bytes_per_id);
    }
    Ok(())
}

async fn side(binary: &std::path::Path, messages: u64, with_ids: bool) -> anyhow::Result<Side> {
    let data_dir = std::env::temp_dir().join(format!(
        "edgehook-bench-dedup-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let logins = HubLogins::generate();
    let port = free_port().context("finding a free port")?;
    let leaf_port = free_port().context("finding a free port")?;
    let server =
        NatsServer::start(binary, &data_dir, ServerSpec::hub(port, leaf_port, logins.server_env()?)).await?;
    let measured = fill(&server, &logins, port, messages, with_ids).await;
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data_dir);
    measured
}

async fn fill(
    server: &NatsServer,
    logins: &HubLogins,
    port: u16,
    messages: u64,
    with_ids: bool,
) -> anyhow::Result<Side> {
    let pid = server.pid().context("the nats-server's pid")?;
    let client = edgehook::services::nats_client(&logins.service_url(&format!("127.0.0.1:{port}"))).await?;
    let jetstream = jetstream::new(client);
    jetstream
        .create_stream(stream::Config {
            name: "DEDUP".to_owned(),
            subjects: vec!["dedup.>".to_owned()],
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(3600),
            ..Default::default()
        })
        .await
        .context("creating the stream")?;
    tokio::time::sleep(SETTLE).await;
    let rss_before_mb = deployment::rss_mb(pid).unwrap_or(f64::NAN);
    progress(format_args!(
        "dedup: {messages} messages {} ids (nats-server {rss_before_mb:.1} MiB)",
        if with_ids { "with" } else { "without" }
    ));
    let client_id = ClientId::generate();
    let payload = Bytes::from(vec![b'x'; 200]);
    let mut acks = FuturesUnordered::new();
    let started = Instant::now();
    for _ in 0..messages {
        let mut message = PublishMessage::build().payload(payload.clone());
        if with_ids {
            // What ingest sets: `<client>:<event_id>`, an event id as long as edgehook's own.
            message = message.message_id(format!("{client_id}:evt_{}", &MessageId::generate().as_str()[4..]));
        }
        acks.push(jetstream.send_publish("dedup.events", message).await.context("publishing")?.into_future());
        while acks.len() >= IN_FLIGHT {
            acks.next().await.expect("an ack").context("storing")?;
        }
    }
    while let Some(ack) = acks.next().await {
        ack.context("storing")?;
    }
    let published_per_s = (messages as f64 / started.elapsed().as_secs_f64()).round();
    tokio::time::sleep(SETTLE).await;
    let rss_after_mb = deployment::rss_mb(pid).unwrap_or(f64::NAN);
    Ok(Side { with_ids, messages, rss_before_mb, rss_after_mb, published_per_s })
}
