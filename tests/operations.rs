//! What an operator sees: health, readiness, Prometheus metrics, JSON logs and
//! `edgehook status`, against running deployments.

use edgehook_testkit as support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Api, Reply, Topology, Up, World};

async fn get(url: &str) -> (u16, String) {
    try_get(url).await.unwrap_or_else(|| panic!("{url} does not answer"))
}

/// `None` while nothing listens yet.
async fn try_get(url: &str) -> Option<(u16, String)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::get(url).await.ok()?;
    Some((response.status().as_u16(), response.text().await.ok()?))
}

/// Metric names (without histogram suffixes) a Prometheus text exposition contains.
fn exported(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split(['{', ' ']).next())
        .map(|name| {
            name.trim_end_matches("_bucket").trim_end_matches("_sum").trim_end_matches("_count").to_owned()
        })
        .collect()
}

/// Every `edgehook_*` name in a file of rules or dashboards.
fn used_in(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(support::project_root().join(path)).unwrap();
    let mut names = BTreeSet::new();
    for (start, _) in text.match_indices("edgehook_") {
        let name: String =
            text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        names.insert(
            name.trim_end_matches("_bucket").trim_end_matches("_sum").trim_end_matches("_count").to_owned(),
        );
    }
    names
}

/// One delivered, one retried, one dead-lettered event, so every kind of metric exists.
async fn drive_traffic(world: &World) -> Value {
    world.receiver.script("/flaky", vec![Reply::Status(500), Reply::Status(200)]);
    world.receiver.script("/broken", vec![Reply::Status(400)]);
    world.webhook("/ok", json!({})).await;
    world.webhook("/flaky", json!({})).await;
    let broken = world.webhook("/broken", json!({})).await;
    world.send("evt_ops", "order.created", json!({"n": 1})).await;
    world.receiver.wait_for("/ok", 1).await;
    world.receiver.wait_for("/flaky", 2).await;
    world.receiver.wait_for("/broken", 1).await;
    broken
}

#[tokio::test]
async fn every_service_reports_health_and_exports_every_metric_the_alerts_and_dashboard_use() {
    let world = World::start().await;
    drive_traffic(&world).await;
    let credentials = &world.up.credentials;
    for base in [&credentials.control_plane_url, &credentials.ingest_url] {
        assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
        let (status, body) = get(&format!("{base}/readyz")).await;
        assert_eq!(status, 200, "{base}/readyz: {body}");
    }

    // Gauges are refreshed every few seconds (regions', endpoints', backlogs'): poll until
    // every metric the alerts and the dashboard use is exported, or the patience runs out.
    let used: BTreeSet<String> = used_in("ops/prometheus/alerts.yml")
        .into_iter()
        .chain(used_in("ops/grafana/edgehook-dashboard.json"))
        .collect();
    assert!(!used.is_empty());
    let metrics_url = format!("{}/metrics", credentials.control_plane_url);
    let deadline = tokio::time::Instant::now() + support::WAIT;
    let (text, missing) = loop {
        let (_, text) = get(&metrics_url).await;
        let exported = exported(&text);
        let missing: Vec<String> = used.iter().filter(|name| !exported.contains(*name)).cloned().collect();
        if missing.is_empty() || tokio::time::Instant::now() > deadline {
            break (text, missing);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    for line in [
        r#"result="accepted""#,
        r#"outcome="succeeded""#,
        r#"outcome="retrying""#,
        r#"outcome="failed""#,
        r#"status_class="4xx""#,
        r#"stream="EVENTS",consumer="router""#,
        r#"reason="rejected""#,
    ] {
        assert!(text.contains(line), "/metrics has no {line}:\n{text}");
    }
    assert!(missing.is_empty(), "used by alerts or dashboard but not exported: {missing:?}");
}

#[tokio::test]
async fn readiness_follows_nats_and_each_standalone_service_serves_its_own_endpoints() {
    let mut topology = Topology::start(&["eu"], false).await;
    let relay = topology.regions["eu"].relay_admin_url.clone();
    let router = topology.router_admin_url.clone();
    let control_plane = topology.credentials.control_plane_url.clone();
    for base in [&relay, &router, &control_plane] {
        let url = format!("{base}/readyz");
        support::eventually(&format!("{url} ready"), || async {
            try_get(&url).await.filter(|(status, _)| *status == 200).map(|_| ())
        })
        .await;
    }
    // The backlog gauges come with the relay's first periodic report.
    support::eventually("the relay's backlog gauges", || async {
        let (_, relay_metrics) = get(&format!("{relay}/metrics")).await;
        relay_metrics.contains("edgehook_jetstream_consumer_pending_messages").then_some(())
    })
    .await;

    topology.hub.kill();
    let url = format!("{control_plane}/readyz");
    let body = support::eventually("the control plane not ready without NATS", || async {
        let (status, body) = get(&url).await;
        (status == 503).then_some(body)
    })
    .await;
    assert!(body.contains("reason"), "{body}");
    // The region does not need the hub to be ready.
    assert_eq!(get(&format!("{relay}/readyz")).await.0, 200);
}

#[tokio::test]
async fn json_logs_record_failed_attempts_and_never_a_secret() {
    let up = Up::start_with(&["--log-format", "json"]).await;
    let api = Api::new(&up.credentials);
    let receiver = support::Receiver::start().await;
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    receiver.script("/logged", vec![Reply::Status(503)]);
    let retry = json!({"max_retries": 1, "initial_delay_ms": 100});
    let webhook = api
        .create_webhook(&token, json!({"callback_url": receiver.url("/logged"), "retry_config": retry}))
        .await;
    let (status, _) =
        api.ingest(&source, &support::event(&client_id, "evt_log", "order.created", json!({}))).await;
    assert_eq!(status, 202);
    receiver.wait_for("/logged", 2).await;

    let log_path = up.data_dir().parent().unwrap().join("edgehook.log");
    let attempt = support::eventually("the attempt in the log", || {
        let log_path = log_path.clone();
        async move {
            let log = std::fs::read_to_string(&log_path).ok()?;
            log.lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .find(|line| line["fields"]["message"] == "delivery attempt failed")
        }
    })
    .await;
    let fields = &attempt["fields"];
    assert_eq!(fields["event_id"], "evt_log");
    assert_eq!(fields["webhook_id"], webhook["webhook_id"]);
    assert_eq!(fields["region"], "local");
    assert_eq!(fields["attempt"], 1);
    assert!(fields["status"].as_str().unwrap().contains("503"), "{fields}");
    assert_eq!(fields["outcome"], "Retrying");
    assert!(fields.get("latency_ms").is_some());

    // Only the log lines: `up` prints the development admin token on purpose, on stdout.
    let log: String = std::fs::read_to_string(&log_path)
        .unwrap()
        .lines()
        .filter(|line| serde_json::from_str::<Value>(line).is_ok())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(log.contains("delivery attempt failed"));
    let secret = webhook["signing_secret"].as_str().unwrap();
    assert!(!log.contains(secret.trim_start_matches("whsec_")), "a signing secret was logged");
    assert!(
        !log.contains(&source.signing_secret) && !log.contains(&source.api_key),
        "a source secret was logged"
    );
    assert!(!log.contains(&up.credentials.admin_token), "the admin token was logged");
}

/// `edgehook status`'s output for the deployment at `nats_url`.
fn status(nats_url: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args(["status", "--nats-url", nats_url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The history writer's numbers in a status output: messages pending, ack pending, age of the
/// oldest not stored (seconds).
fn history_writer_lag(text: &str) -> Option<(u64, u64, u64)> {
    let line =
        text.lines().find(|line| line.trim_start().starts_with("attempt-log messages not stored yet"))?;
    let numbers: Vec<&str> = line.split_whitespace().rev().take(3).collect();
    let [age, ack_pending, pending] = numbers[..] else { return None };
    Some((pending.parse().ok()?, ack_pending.parse().ok()?, age.strip_suffix('s')?.parse().ok()?))
}

#[tokio::test]
async fn status_prints_streams_backlog_regions_and_the_worst_endpoints() {
    let world = World::start().await;
    let broken = drive_traffic(&world).await;
    let broken_id = broken["webhook_id"].as_str().unwrap();
    let expected = [
        "EVENTS",
        "EVENTS/router",
        "DELIVERIES/dispatch",
        "REGION local",
        "HISTORY WRITER ATTEMPTS/history-writer",
        "WORST ENDPOINTS",
        broken_id,
    ];
    // Until the dead letter's attempt is in the ranking and `up`'s writer has stored every record.
    let text = support::eventually("status with every attempt recorded and stored", || async {
        let text = status(&world.up.credentials.nats_service_url);
        let complete = expected.iter().all(|expected| text.contains(expected));
        (complete && history_writer_lag(&text) == Some((0, 0, 0))).then_some(text)
    })
    .await;
    assert!(!text.contains("NOT RUNNING"), "{text}");
}

/// The history writer's lines on a hub whose writer never started, then whose writer holds one
/// message and has two more waiting.
#[tokio::test]
async fn status_shows_a_missing_or_lagging_history_writer() {
    let hub = support::NatsServer::hub().await;
    let js = async_nats::jetstream::new(support::connect_service(&hub.url).await);
    js.create_stream(async_nats::jetstream::stream::Config {
        name: "ATTEMPTS".into(),
        subjects: vec!["rgn.local.attempts.>".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let published = std::time::Instant::now();
    for n in 0..3 {
        js.publish(format!("rgn.local.attempts.cl_1.wh_{n}"), "[]".into()).await.unwrap().await.unwrap();
    }

    let text = status(&hub.url);
    assert!(text.contains("HISTORY WRITER ATTEMPTS/history-writer"), "{text}");
    assert!(text.contains("NOT RUNNING: no ATTEMPTS/history-writer consumer"), "{text}");
    assert_eq!(history_writer_lag(&text), None, "{text}");

    // The writer's consumer, as a writer makes it, with one message delivered and not acknowledged.
    let consumer = edgehook_nats::history_feed::consumer(&js).await.unwrap();
    let mut held = consumer.fetch().max_messages(1).messages().await.unwrap();
    let _held = futures::StreamExt::next(&mut held).await.unwrap().unwrap();
    let (pending, ack_pending, age) = support::eventually("status showing the writer's lag", || async {
        history_writer_lag(&status(&hub.url))
            .filter(|(pending, ack_pending, _)| (*pending, *ack_pending) == (2, 1))
    })
    .await;
    assert_eq!((pending, ack_pending), (2, 1));
    assert!(
        age <= published.elapsed().as_secs() + 1,
        "the oldest is {age} s old, published {:?} ago",
        published.elapsed()
    );
}

#[tokio::test]
async fn up_prints_nats_urls_without_the_services_password() {
    let up = Up::start().await;
    let service_url = edgehook_nats::connection::NatsUrl::parse(&up.credentials.nats_service_url).unwrap();
    let password = up
        .credentials
        .nats_service_url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(login, _)| login.split_once(':'))
        .map(|(_, password)| password.to_owned())
        .expect("the service URL in dev-credentials.json carries the login");
    let log_path = up.data_dir().parent().unwrap().join("edgehook.log");
    let log = support::eventually("up's banner", || {
        let log_path = log_path.clone();
        async move { std::fs::read_to_string(&log_path).ok().filter(|log| log.contains("region local")) }
    })
    .await;
    assert!(!log.contains(&password), "the services' NATS password is on the terminal:\n{log}");
    assert!(log.contains(&service_url.address().replace("nats://", "nats://***@")), "{log}");
}
