//! A hub and regions, each region its own nats-server (a leaf node with its own JetStream
//! domain): deliveries happen in the webhook's region, and regions survive losing the hub.

use edgehook_testkit as support;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use support::{Api, Receiver, Reply, Source, Topology, Up};

const QUIET: Duration = Duration::from_secs(2);
const QUICK_RETRIES: &str =
    r#"{"max_retries": 30, "initial_delay_ms": 300, "max_delay_ms": 1000, "backoff_multiplier": 2.0}"#;

/// A client and a source on `api`.
async fn tenant(api: &Api) -> (String, String, Source) {
    let (client_id, token) = api.create_client("acme").await;
    (client_id, token, api.create_source(&["*"]).await)
}

async fn webhook(api: &Api, token: &str, url: String, region: &str) -> String {
    let retry: Value = serde_json::from_str(QUICK_RETRIES).unwrap();
    let body = json!({"callback_url": url, "region": region, "retry_config": retry});
    api.create_webhook(token, body).await["webhook_id"].as_str().unwrap().to_owned()
}

/// Ingests, retrying while the hub is coming back.
async fn send(api: &Api, source: &Source, client_id: &str, event_id: &str) {
    let event = support::event(client_id, event_id, "order.created", json!({"id": event_id}));
    support::eventually(&format!("{event_id} accepted"), || async {
        let (status, _) = api.ingest(source, &event).await;
        (status == 202).then_some(())
    })
    .await;
}

fn event_ids(requests: &[support::receiver::Received]) -> Vec<String> {
    requests.iter().map(|request| request.json()["event_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_region_delivers_its_own_webhooks_and_the_hub_sees_every_attempt() {
    let up = Up::start_with(&["--regions", "eu,us"]).await;
    let api = Api::new(&up.credentials);
    let receiver = Receiver::start().await;
    let (client_id, token, source) = tenant(&api).await;
    let eu = webhook(&api, &token, receiver.url("/eu"), "eu").await;
    let us = webhook(&api, &token, receiver.url("/us"), "us").await;
    let (status, refused) = api
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&token),
            Some(json!({"callback_url": receiver.url("/x"), "region": "mars"})),
        )
        .await;
    assert_eq!((status, refused["error"]["field"].clone()), (400, json!("region")), "{refused}");

    send(&api, &source, &client_id, "evt_both").await;
    receiver.wait_for("/eu", 1).await;
    receiver.wait_for("/us", 1).await;

    // The hub's history has both attempts, each from its own region.
    for (webhook_id, region) in [(&eu, "eu"), (&us, "us")] {
        let attempts = support::eventually("the attempt at the hub", || async {
            let attempts = api.attempts_of_webhook(&token, webhook_id).await;
            (!attempts.is_empty()).then_some(attempts)
        })
        .await;
        assert_eq!(attempts[0]["region"], region);
        assert_eq!(attempts[0]["outcome"], "succeeded");
    }

    let regions = support::eventually("both regions with a live relay", || async {
        let (_, body) = api.call(Method::GET, "/api/v1/regions", Some(&token), None).await;
        let regions = body["data"].as_array().cloned().unwrap_or_default();
        regions
            .iter()
            .all(|region| region["relays"].as_array().is_some_and(|relays| !relays.is_empty()))
            .then_some(regions)
    })
    .await;
    let names: Vec<&str> = regions.iter().map(|region| region["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["eu", "us"]);
    for region in &regions {
        assert_eq!(region["reachable"], true, "{region}");
        assert_eq!(region["domain"], region["name"], "each region is its own JetStream domain");
        assert_eq!(region["replication"]["lag"], 0, "{region}");
    }
}

#[tokio::test]
async fn a_region_keeps_delivering_and_retrying_while_the_hub_is_down() {
    let mut topology = Topology::start(&["eu"], false).await;
    let api = topology.api();
    let receiver = Receiver::start().await;
    let (client_id, token, source) = tenant(&api).await;
    let webhook_id = webhook(&api, &token, receiver.url("/eu"), "eu").await;
    receiver
        .script("/eu", vec![Reply::Status(503), Reply::Status(503), Reply::Status(503), Reply::Status(200)]);

    send(&api, &source, &client_id, "evt_before").await;
    receiver.wait_for("/eu", 1).await;
    topology.hub.kill();

    // The region retries and delivers with no hub at all.
    let requests = receiver.wait_for("/eu", 4).await;
    assert!(event_ids(&requests).iter().all(|id| id == "evt_before"));

    topology.hub.start_again().await;
    send(&api, &source, &client_id, "evt_after").await;
    support::eventually("the event ingested after the hub returned", || async {
        event_ids(&receiver.received("/eu")).contains(&"evt_after".to_owned()).then_some(())
    })
    .await;

    // Attempts the region recorded while the hub was down reach the hub's history, once
    // JetStream re-establishes the hub's source of the region's records (its own retry
    // schedule: up to a minute after a hub crash).
    support::eventually_within("every attempt in the hub's history", Duration::from_secs(120), || async {
        let attempts = api.attempts_of_webhook(&token, &webhook_id).await;
        let outcomes: Vec<String> =
            attempts.iter().map(|a| a["outcome"].as_str().unwrap_or_default().to_owned()).collect();
        (outcomes.iter().filter(|o| *o == "succeeded").count() == 2 && outcomes.len() >= 5).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_cut_leaf_link_catches_up_by_itself() {
    let topology = Topology::start(&["eu"], true).await;
    let api = topology.api();
    let receiver = Receiver::start().await;
    let (client_id, token, source) = tenant(&api).await;
    webhook(&api, &token, receiver.url("/eu"), "eu").await;
    send(&api, &source, &client_id, "evt_0").await;
    receiver.wait_for("/eu", 1).await;

    let link = topology.regions["eu"].link.as_ref().unwrap();
    link.cut();
    for n in 1..=5 {
        send(&api, &source, &client_id, &format!("evt_{n}")).await;
    }
    assert_eq!(receiver.after_quiet("/eu", QUIET).await.len(), 1, "nothing crosses a cut link");

    link.restore();
    let requests = receiver.wait_for("/eu", 6).await;
    let mut ids = event_ids(&requests);
    ids.sort();
    ids.dedup();
    assert_eq!(ids, ["evt_0", "evt_1", "evt_2", "evt_3", "evt_4", "evt_5"]);
}

#[tokio::test]
async fn a_region_down_holds_up_no_other_and_delivers_its_backlog_when_back() {
    let mut topology = Topology::start(&["eu", "us"], false).await;
    let api = topology.api();
    let receiver = Receiver::start().await;
    let (client_id, token, source) = tenant(&api).await;
    webhook(&api, &token, receiver.url("/eu"), "eu").await;
    webhook(&api, &token, receiver.url("/us"), "us").await;

    topology.kill_region("eu");
    for n in 0..10 {
        send(&api, &source, &client_id, &format!("evt_{n}")).await;
    }
    assert_eq!(receiver.wait_for("/us", 10).await.len(), 10, "us delivers everything while eu is down");
    assert!(receiver.received("/eu").is_empty());

    topology.restart_region("eu").await;
    let mut ids = event_ids(&receiver.wait_for("/eu", 10).await);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "eu delivers its whole backlog once back");
}

#[tokio::test]
async fn webhook_changes_at_the_hub_take_effect_in_the_region_and_the_lag_is_reported() {
    let topology = Topology::start(&["eu"], false).await;
    let api = topology.api();
    let receiver = Receiver::start().await;
    let (client_id, token, source) = tenant(&api).await;
    let webhook_id = webhook(&api, &token, receiver.url("/old"), "eu").await;
    send(&api, &source, &client_id, "evt_old").await;
    receiver.wait_for("/old", 1).await;

    // A new URL: measured from the PATCH answer to the first delivery at the new URL.
    let path = format!("/api/v1/webhooks/{webhook_id}");
    let changed = Instant::now();
    let (status, _) = api
        .call(Method::PATCH, &path, Some(&token), Some(json!({"callback_url": receiver.url("/new")})))
        .await;
    assert_eq!(status, 200);
    send(&api, &source, &client_id, "evt_new").await;
    receiver.wait_for("/new", 1).await;
    let lag = changed.elapsed();
    println!("webhook change to delivery at the new URL in region eu: {} ms", lag.as_millis());
    assert!(receiver.received("/old").len() == 1, "nothing more goes to the old URL");

    // Disabled: nothing new is delivered.
    let (status, _) = api.call(Method::PATCH, &path, Some(&token), Some(json!({"status": "inactive"}))).await;
    assert_eq!(status, 200);
    send(&api, &source, &client_id, "evt_disabled").await;
    assert_eq!(receiver.after_quiet("/new", QUIET).await.len(), 1, "an inactive webhook receives nothing");
}

#[tokio::test]
async fn a_webhook_moved_to_another_region_continues_there_without_loss_or_double_delivery() {
    let topology = Topology::start(&["eu", "us"], false).await;
    let api = topology.api();
    let receiver = Receiver::start().await;
    let (client_id, token, source) = tenant(&api).await;
    let webhook_id = webhook(&api, &token, receiver.url("/moving"), "eu").await;

    send(&api, &source, &client_id, "evt_delivered").await;
    receiver.wait_for("/moving", 1).await;

    // A delivery still retrying in eu when the webhook moves.
    receiver.script("/moving", vec![Reply::Status(503)]);
    send(&api, &source, &client_id, "evt_pending").await;
    receiver.wait_for("/moving", 2).await;
    let (status, moved) = api
        .call(
            Method::PATCH,
            &format!("/api/v1/webhooks/{webhook_id}"),
            Some(&token),
            Some(json!({"region": "us"})),
        )
        .await;
    assert_eq!((status, moved["region"].clone()), (200, json!("us")), "{moved}");
    receiver.script("/moving", vec![Reply::Status(200)]);
    send(&api, &source, &client_id, "evt_moved").await;

    let attempts = support::eventually("both later events delivered from us", || async {
        let attempts = api.attempts_of_webhook(&token, &webhook_id).await;
        let from_us: Vec<&Value> =
            attempts.iter().filter(|a| a["region"] == "us" && a["outcome"] == "succeeded").collect();
        (from_us.len() >= 2).then(|| attempts.clone())
    })
    .await;
    let succeeded = |event: &str| {
        attempts.iter().filter(|a| a["event_id"] == event && a["outcome"] == "succeeded").count()
    };
    assert_eq!(succeeded("evt_delivered"), 1);
    assert_eq!(succeeded("evt_pending"), 1);
    let ids = event_ids(&receiver.after_quiet("/moving", QUIET).await);
    assert_eq!(ids.iter().filter(|id| *id == "evt_delivered").count(), 1, "already delivered: never again");
    assert!(ids.contains(&"evt_moved".to_owned()));
}

/// An expunge reaches into a leaf region: its event's dead letter in `DLQ_eu` (and the hub's
/// copy in DEAD_LETTERS) and its task copies go, and no nats-server's files (hub or region)
/// hold the payload afterwards.
#[tokio::test]
async fn an_expunge_erases_the_payload_in_a_leaf_region_too() {
    const SECRET: &str = "eu-secret-payload-7731";
    let up = Up::start_with(&["--regions", "eu"]).await;
    let api = Api::new(&up.credentials);
    let receiver = Receiver::start().await;
    receiver.script("/eu", vec![Reply::Status(400)]);
    let (client_id, token, source) = tenant(&api).await;
    let eu = webhook(&api, &token, receiver.url("/eu"), "eu").await;
    let event = support::event(&client_id, "evt_eu_secret", "order.created", json!({"secret": SECRET}));
    assert_eq!(api.ingest(&source, &event).await.0, 202);
    receiver.wait_for("/eu", 1).await;
    let letters = format!("/api/v1/webhooks/{eu}/dead-letters");
    support::eventually("the dead letter at the hub", || async {
        let (_, body) = api.call(Method::GET, &letters, Some(&token), None).await;
        (body["data"].as_array()?.len() == 1).then_some(())
    })
    .await;

    let (status, expunged) =
        api.call(Method::DELETE, "/api/v1/events/evt_eu_secret", Some(&token), None).await;
    assert_eq!(status, 200, "{expunged}");
    assert_eq!(expunged["incomplete"], json!([]), "{expunged}");
    assert_eq!(expunged["erased"]["dead_letters"], 2, "DLQ_eu and the hub's copy: {expunged}");
    assert!(expunged["erased"]["tasks"].as_u64().unwrap() >= 1, "{expunged}");
    let holding = support::files_holding(&up.data_dir(), SECRET.as_bytes(), "history.db");
    assert!(holding.is_empty(), "the payload is still in {holding:?}");
}
