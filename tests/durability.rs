//! Nothing accepted is lost: across a restart of `edgehook up`, a relay killed mid-delivery,
//! and a clean Ctrl-C.

mod support;

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
