//! Nothing accepted is lost: across a restart of `edgehook up`, a relay killed mid-delivery,
//! and a clean Ctrl-C.

use edgehook_testkit as support;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use support::{Api, NatsServer, Receiver, Reply, Service, Up, World, free_port};

#[tokio::test]
async fn up_restarted_on_the_same_data_dir_keeps_webhooks_sources_tokens_and_pending_events() {
    let mut world = World::start().await;
    world.receiver.script("/later", vec![Reply::Status(503)]);
    let webhook = world
        .webhook(
            "/later",
            json!({"retry_config": {"max_retries": 20, "initial_delay_ms": 500, "max_delay_ms": 500, "backoff_multiplier": 1.0}}),
        )
        .await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap().to_owned();
    world.send("evt_pending", "payment.succeeded", json!({"amount": 3})).await;
    world.receiver.wait_for("/later", 1).await;

    world.up.restart().await;
    world.receiver.script("/later", vec![Reply::Status(200)]);
    let api = Api::new(&world.up.credentials);

    // The token minted before the restart still works, and the webhook is still there.
    let (status, kept) =
        api.call(Method::GET, &format!("/api/v1/webhooks/{webhook_id}"), Some(&world.token), None).await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["callback_url"], world.receiver.url("/later"));

    // The event accepted before the restart is delivered after it.
    support::eventually("the pending event delivered", || async {
        let attempts = api.attempts_of_webhook(&world.token, &webhook_id).await;
        attempts.iter().any(|attempt| attempt["outcome"] == "succeeded").then_some(())
    })
    .await;

    // The source's credentials survived too.
    let (status, answer) = api
        .ingest(&world.source, &support::event(&world.client_id, "evt_after", "payment.succeeded", json!({})))
        .await;
    assert_eq!(status, 202, "{answer}");
    support::eventually("the event sent after the restart delivered", || async {
        let received = world.receiver.received("/later");
        received.iter().any(|request| request.json()["event_id"] == "evt_after").then_some(())
    })
    .await;
}

#[tokio::test]
async fn ctrl_c_stops_up_and_its_nats_server() {
    let mut up = Up::start().await;
    let nats_port = up.nats_port();
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", nats_port)).await.is_ok());
    assert!(up.interrupt(), "edgehook up must exit 0 on Ctrl-C");
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", nats_port)).await.is_err(),
        "the nats-server child must be gone"
    );
}

/// The three services as separate processes on a nats-server the test runs.
struct Deployment {
    nats: NatsServer,
    logs: tempfile::TempDir,
    _control_plane: Service,
    _ingest: Service,
    _router: Service,
    credentials: support::processes::DevCredentials,
}

impl Deployment {
    async fn start() -> Self {
        let nats = NatsServer::hub().await;
        let logs = tempfile::tempdir().unwrap();
        let (control_port, ingest_port) = (free_port(), free_port());
        let control_addr = format!("127.0.0.1:{control_port}");
        let control_plane = Service::start(
            logs.path(),
            "control-plane",
            &[
                "control-plane",
                "--nats-url",
                &nats.url,
                "--addr",
                &control_addr,
                "--jwt-secret",
                support::topology::JWT_SECRET,
                "--allow-http-callbacks",
                "--allow-private-callbacks",
            ],
        );
        let ingest_addr = format!("127.0.0.1:{ingest_port}");
        let ingest = Service::start(
            logs.path(),
            "ingest",
            &["ingest", "--nats-url", &nats.url, "--addr", &ingest_addr],
        );
        let router_admin = format!("127.0.0.1:{}", free_port());
        let router = Service::start(
            logs.path(),
            "router",
            &["router", "--nats-url", &nats.url, "--admin-addr", &router_admin],
        );
        let credentials = support::processes::DevCredentials {
            control_plane_url: format!("http://{control_addr}"),
            ingest_url: format!("http://{ingest_addr}"),
            nats_url: nats.source_url(),
            nats_service_url: nats.url.clone(),
            admin_token: support::topology::admin_token(),
        };
        for url in [&credentials.control_plane_url, &credentials.ingest_url] {
            support::until_healthy(url).await;
        }
        Self { nats, logs, _control_plane: control_plane, _ingest: ingest, _router: router, credentials }
    }

    fn relay(&self, name: &str) -> Service {
        Service::start(
            self.logs.path(),
            name,
            &[
                "relay",
                "--nats-url",
                &self.nats.url,
                "--region",
                "local",
                "--delivery-timeout-ms",
                "15000",
                "--allow-private-callbacks",
                "--admin-addr",
                &format!("127.0.0.1:{}", free_port()),
            ],
        )
    }
}

#[tokio::test]
async fn a_relay_killed_mid_delivery_is_replaced_and_the_event_still_arrives() {
    let deployment = Deployment::start().await;
    let api = Api::new(&deployment.credentials);
    let receiver = Receiver::start().await;
    // The first request hangs long enough for the relay to die holding it.
    receiver.script("/slow", vec![Reply::Hang(Duration::from_secs(5)), Reply::Status(200)]);
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let webhook = api.create_webhook(&token, json!({"callback_url": receiver.url("/slow")})).await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();

    let doomed = deployment.relay("relay-1");
    let (status, _) =
        api.ingest(&source, &support::event(&client_id, "evt_survivor", "order.created", json!({}))).await;
    assert_eq!(status, 202);
    receiver.wait_for("/slow", 1).await;
    doomed.kill();
    let _replacement = deployment.relay("relay-2");

    // JetStream hands the unacknowledged delivery to the new relay after ack_wait (30 s).
    let requests = receiver.wait_for_within("/slow", 2, Duration::from_secs(90)).await;
    assert_eq!(requests[0].header("webhook-id"), requests[1].header("webhook-id"));
    assert_eq!(requests[1].json()["event_id"], "evt_survivor");
    let attempts = support::eventually("the successful attempt recorded", || async {
        let attempts = api.attempts_of_webhook(&token, webhook_id).await;
        attempts.into_iter().find(|attempt| attempt["outcome"] == "succeeded")
    })
    .await;
    assert_eq!(attempts["attempt"], 2, "the killed attempt counts as the first");
    assert_eq!(attempts["region"], "local");
}

/// edgehook before 2026-11-23 kept copies of a co-located region's tasks and records
/// (`DLV_local`, `ATT_local`, `DLQ_local`), which the hub sourced. A relay of today takes such
/// a hub over: it refuses to start while the task copy still holds a task, and once the older
/// relay has delivered it, retires the copies without losing a record or sending a task again.
#[tokio::test]
async fn a_hub_laid_out_by_an_older_edgehook_is_taken_over_without_losing_or_resending() {
    use async_nats::jetstream::{self, consumer, stream};
    use futures::StreamExt;
    let hub = NatsServer::hub().await;
    let logs = tempfile::tempdir().unwrap();
    let js = jetstream::new(support::connect_service(&hub.url).await);
    let plain = |name: &str, subject: &str| stream::Config {
        name: name.to_owned(),
        subjects: vec![subject.to_owned()],
        ..Default::default()
    };
    let sourcing = |name: &str, source: &str| stream::Config {
        name: name.to_owned(),
        sources: Some(vec![stream::Source { name: source.to_owned(), ..Default::default() }]),
        ..Default::default()
    };
    js.create_stream(plain("DELIVERIES", "deliveries.>")).await.unwrap();
    js.create_stream(plain("PARK_local", "rgn.local.park.>")).await.unwrap();
    js.create_stream(plain("ATT_local", "rgn.local.attempts.>")).await.unwrap();
    js.create_stream(plain("DLQ_local", "rgn.local.deadletters.>")).await.unwrap();
    js.create_stream(sourcing("ATTEMPTS", "ATT_local")).await.unwrap();
    js.create_stream(sourcing("DEAD_LETTERS", "DLQ_local")).await.unwrap();
    let copy = js
        .create_stream(stream::Config {
            name: "DLV_local".to_owned(),
            retention: stream::RetentionPolicy::WorkQueue,
            sources: Some(vec![stream::Source {
                name: "DELIVERIES".to_owned(),
                filter_subject: Some("deliveries.local.>".to_owned()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .await
        .unwrap();
    let older_relay: consumer::PullConsumer = copy
        .create_consumer(consumer::pull::Config {
            durable_name: Some("dispatch-standard".to_owned()),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .unwrap();
    js.publish("rgn.local.attempts.c.w.old", "an older attempt".into()).await.unwrap().await.unwrap();
    for task in ["delivered by the older relay", "still waiting in the copy"] {
        js.publish("deliveries.local.standard.c.w", task.into()).await.unwrap().await.unwrap();
    }
    let take_one = || async {
        let mut batch = older_relay.fetch().max_messages(1).messages().await.unwrap();
        let message = batch.next().await.expect("a task in the copy").unwrap();
        message.double_ack().await.unwrap();
    };
    support::eventually("the copy to take both tasks", || async {
        let info = js.get_stream("DLV_local").await.ok()?.info().await.ok()?.state.clone();
        (info.messages == 2).then_some(())
    })
    .await;
    take_one().await;

    let relay_args = ["relay", "--nats-url", hub.url.as_str(), "--admin-addr"];
    let refused = Service::start(
        logs.path(),
        "refused",
        &[&relay_args[..], &[&format!("127.0.0.1:{}", free_port())]].concat(),
    );
    support::eventually("the relay to say why it does not start", || async {
        let log = std::fs::read_to_string(&refused.log).unwrap();
        log.contains("DLV_local still holds 1 delivery tasks").then_some(())
    })
    .await;
    drop(refused);
    assert!(js.get_stream("DLV_local").await.is_ok(), "a copy holding a task is kept");

    take_one().await;
    let relay = Service::start(
        logs.path(),
        "relay",
        &[&relay_args[..], &[&format!("127.0.0.1:{}", free_port())]].concat(),
    );
    support::eventually("the copies to be retired", || async {
        for name in ["DLV_local", "ATT_local", "DLQ_local"] {
            js.get_stream(name).await.is_err().then_some(())?;
        }
        Some(())
    })
    .await;
    let mut attempts = js.get_stream("ATTEMPTS").await.unwrap();
    let attempts = attempts.info().await.unwrap().clone();
    assert_eq!(attempts.state.messages, 1, "the older attempt is still in the history");
    assert!(attempts.config.subjects.contains(&"rgn.local.attempts.>".to_owned()));
    assert!(attempts.config.sources.unwrap_or_default().is_empty());

    let deliveries = js.get_stream("DELIVERIES").await.unwrap();
    let dispatch = || async {
        let mut consumer: consumer::PullConsumer =
            deliveries.get_consumer("dispatch-standard").await.unwrap();
        consumer.info().await.unwrap().clone()
    };
    let info = dispatch().await;
    assert_eq!(
        info.config.deliver_policy,
        consumer::DeliverPolicy::ByStartSequence { start_sequence: 3 },
        "the relay starts after the tasks the copy had"
    );
    assert_eq!(info.num_pending + info.num_ack_pending as u64, 0, "no old task is sent again");
    js.publish("deliveries.local.standard.c.w", "routed after the upgrade".into())
        .await
        .unwrap()
        .await
        .unwrap();
    support::eventually("the relay to take the new task", || async {
        let info = dispatch().await;
        (info.delivered.stream_sequence == 3).then_some(())
    })
    .await;
    drop(relay);
}

/// EVENTS' deduplication window is the hub owner's choice (`--events-dedup-window-secs` on `up`
/// and the control plane): a new value updates the existing stream in place (its events kept,
/// duplicates still dropped), and a service bootstrapping without one leaves it as it is.
#[tokio::test]
async fn the_events_dedup_window_is_set_on_the_existing_stream_and_kept_by_other_services() {
    use edgehook_nats::Contract;
    use edgehook_nats::streams::EVENTS;

    let hub = NatsServer::hub().await;
    let client = support::connect_service(&hub.url).await;
    let ten_minutes = Duration::from_secs(600);
    let contract = Contract::bootstrap_hub(client.clone(), None, Some(ten_minutes)).await.unwrap();
    let js = contract.jetstream.clone();
    let stream_state = || async {
        let info = js.get_stream(EVENTS).await.unwrap().info().await.unwrap().clone();
        (info.config.duplicate_window, info.state.messages)
    };
    assert_eq!(stream_state().await, (ten_minutes, 0));
    let publish = || async {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", "cli_dedup:evt_1");
        js.publish_with_headers("events.cli_dedup", headers, "{}".into()).await.unwrap().await.unwrap()
    };
    assert!(!publish().await.duplicate);

    // Ingest and the router bootstrap without a window: the operator's stays.
    Contract::bootstrap(client.clone()).await.unwrap();
    assert_eq!(stream_state().await, (ten_minutes, 1));

    // The control plane restarted with another window updates the stream; nothing is lost.
    Contract::bootstrap_hub(client.clone(), None, Some(Duration::from_secs(7200))).await.unwrap();
    assert_eq!(stream_state().await, (Duration::from_secs(7200), 1));
    assert!(publish().await.duplicate, "the event stored before the change is still a duplicate");
    assert_eq!(stream_state().await.1, 1);
}
