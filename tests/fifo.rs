//! FIFO endpoints end to end: deliveries one at a time in ingest order, through failed
//! attempts, a relay killed mid-run, several relays, a move to another region, dead letters and
//! a redrive; per ordering key, a stuck key does not hold the others; a FIFO endpoint does not
//! slow the other webhooks.

use edgehook_testkit as support;

use std::time::{Duration, Instant};

use edgehook_domain::event::EventData;
use edgehook_domain::ordering;
use reqwest::Method;
use serde_json::{Value, json};
use support::receiver::Received;
use support::{Reply, Topology, World};

/// Quick retries, many of them: a failed attempt comes back within ~100 ms.
fn quick_retries() -> Value {
    json!({"max_retries": 20, "initial_delay_ms": 50, "max_delay_ms": 100, "backoff_multiplier": 2.0})
}

fn events(client_id: &str, count: usize, start: usize) -> Vec<Value> {
    (start..start + count)
        .map(|n| support::event(client_id, &format!("evt-{n:05}"), "order.updated", json!({"n": n})))
        .collect()
}

async fn ingest_in_batches(api: &support::Api, source: &support::Source, events: &[Value]) {
    for batch in events.chunks(250) {
        let (status, body) = api.ingest_batch(source, batch).await;
        assert_eq!(status, 202, "{body}");
    }
}

fn n_of(request: &Received) -> i64 {
    request.json()["data"]["n"].as_i64().unwrap()
}

/// Asserts FIFO over what the endpoint received: each request is the next event, or the one
/// just delivered again (at least once: a relay killed after the endpoint answered and before
/// its acknowledgement), or a retry of the next; never one further on. Returns the number of
/// events delivered in order (from 0).
fn delivered_in_order(requests: &[Received]) -> i64 {
    let mut last_delivered = -1;
    for (index, request) in requests.iter().enumerate() {
        let n = n_of(request);
        assert!(
            n == last_delivered || n == last_delivered + 1,
            "request {index} carried event {n} while {last_delivered} was the last delivered: out of order; the 8 before: {:?}",
            requests[index.saturating_sub(8)..index].iter().map(|r| (n_of(r), r.status)).collect::<Vec<_>>()
        );
        if request.status == 200 && n == last_delivered + 1 {
            last_delivered = n;
        }
    }
    last_delivered + 1
}

async fn delivered_count(receiver: &support::Receiver, path: &str, count: i64, patience: Duration) {
    support::eventually_within(&format!("{count} events delivered to {path}"), patience, || async {
        let delivered = delivered_in_order(&receiver.received(path));
        (delivered >= count).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_thousand_events_arrive_in_ingest_order_through_failures_and_a_killed_relay() {
    let mut topology = Topology::start(&["eu"], false).await;
    topology.replace_relays("eu", 2, &[]).await;
    let api = topology.api();
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let receiver = support::Receiver::start().await;
    // One request in 23 fails: the event is retried before the next goes.
    let script = (0..1_200).map(|i| if i % 23 == 22 { Reply::Status(500) } else { Reply::Status(200) });
    receiver.script("/fifo", script.collect());
    let webhook = api
        .create_webhook(
            &token,
            json!({"callback_url": receiver.url("/fifo"), "region": "eu", "ordering": "fifo", "retry_config": quick_retries()}),
        )
        .await;
    assert_eq!(webhook["ordering"], "fifo");

    ingest_in_batches(&api, &source, &events(&client_id, 1_000, 0)).await;
    delivered_count(&receiver, "/fifo", 300, Duration::from_secs(60)).await;
    // One of the two relays dies in the middle; a task it held comes back after the ack wait,
    // still first in its lane, to the other relay.
    topology.kill_one_relay("eu");

    delivered_count(&receiver, "/fifo", 1_000, Duration::from_secs(180)).await;
    let requests = receiver.received("/fifo");
    let failed = requests.iter().filter(|request| request.status == 500).count();
    assert!(failed >= 30, "only {failed} failed attempts");
    assert_eq!(delivered_in_order(&requests), 1_000);
    eprintln!("{} requests for 1,000 events, {failed} failed", requests.len());
}

#[tokio::test]
async fn order_survives_a_move_to_another_region() {
    let topology = Topology::start(&["eu", "us"], false).await;
    let api = topology.api();
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let receiver = support::Receiver::start().await;
    receiver.script("/moving", vec![Reply::Hang(Duration::from_millis(20))]);
    let webhook = api
        .create_webhook(
            &token,
            json!({"callback_url": receiver.url("/moving"), "region": "eu", "ordering": "fifo", "retry_config": quick_retries()}),
        )
        .await;
    let id = webhook["webhook_id"].as_str().unwrap();

    ingest_in_batches(&api, &source, &events(&client_id, 300, 0)).await;
    delivered_count(&receiver, "/moving", 50, Duration::from_secs(60)).await;
    let (status, body) = api
        .call(Method::PATCH, &format!("/api/v1/webhooks/{id}"), Some(&token), Some(json!({"region": "us"})))
        .await;
    assert_eq!((status, body["region"].clone()), (200, json!("us")), "{body}");
    // Events routed after the move queue behind the ones routed before.
    ingest_in_batches(&api, &source, &events(&client_id, 100, 300)).await;

    delivered_count(&receiver, "/moving", 400, Duration::from_secs(120)).await;
    assert_eq!(delivered_in_order(&receiver.received("/moving")), 400);
}

#[tokio::test]
async fn a_stuck_ordering_key_does_not_delay_the_other_keys() {
    let world = World::start().await;
    let lane = |key: &str| ordering::lane(Some("order_id"), &EventData::from(json!({"order_id": key})));
    // Keys in other lanes than the stuck one (keys sharing a lane wait for each other).
    let stuck_lane = lane("stuck");
    let others: Vec<String> =
        (0..).map(|n| format!("order-{n}")).filter(|key| lane(key) != stuck_lane).take(5).collect();
    world.receiver.answer_bodies_containing("/keyed", r#""order_id":"stuck""#, Reply::Status(503));
    world
        .webhook(
            "/keyed",
            json!({"ordering": "fifo", "ordering_key": "order_id", "retry_config": {"max_retries": 50, "initial_delay_ms": 500, "max_delay_ms": 500, "backoff_multiplier": 1.0}}),
        )
        .await;

    let mut batch = Vec::new();
    for seq in 0..10 {
        for key in others.iter().map(String::as_str).chain(["stuck"]) {
            let data = json!({"order_id": key, "seq": seq});
            batch.push(support::event(&world.client_id, &format!("{key}-{seq}"), "order.updated", data));
        }
    }
    ingest_in_batches(&world.api, &world.source, &batch).await;

    let by_key = |requests: &[Received], key: &str| -> Vec<(i64, u16)> {
        requests
            .iter()
            .filter(|request| request.json()["data"]["order_id"] == key)
            .map(|request| (request.json()["data"]["seq"].as_i64().unwrap(), request.status))
            .collect()
    };
    let delivered = |requests: &[Received], key: &str| {
        by_key(requests, key)
            .into_iter()
            .filter(|(_, status)| *status == 200)
            .map(|(seq, _)| seq)
            .collect::<Vec<_>>()
    };
    support::eventually_within("every other key delivered", Duration::from_secs(60), || async {
        let requests = world.receiver.received("/keyed");
        others.iter().all(|key| delivered(&requests, key).len() >= 10).then_some(())
    })
    .await;
    let requests = world.receiver.received("/keyed");
    for key in &others {
        assert_eq!(delivered(&requests, key), (0..10).collect::<Vec<_>>(), "{key} out of order");
    }
    let stuck = by_key(&requests, "stuck");
    assert!(!stuck.is_empty());
    assert!(
        stuck.iter().all(|(seq, status)| *seq == 0 && *status == 503),
        "the stuck key went on: {stuck:?}"
    );

    // Once its endpoint takes it, the stuck key continues where it stopped, in order.
    world.receiver.clear_rules("/keyed");
    support::eventually_within("the stuck key delivered", Duration::from_secs(60), || async {
        (delivered(&world.receiver.received("/keyed"), "stuck").len() >= 10).then_some(())
    })
    .await;
    let stuck = delivered(&world.receiver.received("/keyed"), "stuck");
    assert_eq!(stuck, (0..10).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_dead_letter_says_it_broke_the_order_and_a_redrive_sends_it_after_the_queue() {
    let world = World::start().await;
    world.receiver.answer_bodies_containing("/strict", r#""n":2}"#, Reply::Status(422));
    let webhook =
        world.webhook("/strict", json!({"ordering": "fifo", "retry_config": quick_retries()})).await;
    let id = webhook["webhook_id"].as_str().unwrap();

    ingest_in_batches(&world.api, &world.source, &events(&world.client_id, 5, 0)).await;
    let requests = world.receiver.wait_for("/strict", 5).await;
    let order: Vec<(i64, u16)> = requests.iter().map(|request| (n_of(request), request.status)).collect();
    assert_eq!(order, [(0, 200), (1, 200), (2, 422), (3, 200), (4, 200)], "given up, then the next went");

    let letters = world.api.dead_letters(&world.token, id).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["event_id"], "evt-00002");
    assert_eq!(letters[0]["broke_order"], true);

    world.receiver.clear_rules("/strict");
    let redrive = format!("/api/v1/webhooks/{id}/dead-letters/redrive");
    let (status, body) = world.api.call(Method::POST, &redrive, Some(&world.token), None).await;
    assert_eq!((status, body["redriven"].clone()), (200, json!(1)), "{body}");
    // Redriven letters join the end of the queue: after what was queued before the redrive.
    ingest_in_batches(&world.api, &world.source, &events(&world.client_id, 1, 5)).await;
    let requests = world.receiver.wait_for("/strict", 7).await;
    let tail: Vec<(i64, u16)> = requests[5..].iter().map(|request| (n_of(request), request.status)).collect();
    assert_eq!(tail, [(2, 200), (5, 200)]);
}

#[tokio::test]
async fn a_fifo_endpoint_goes_one_at_a_time_and_does_not_slow_the_other_webhooks() {
    let world = World::start().await;
    let hang = Duration::from_millis(500);
    world.receiver.script("/slow-fifo", vec![Reply::Hang(hang)]);
    world.webhook("/slow-fifo", json!({"ordering": "fifo"})).await;
    world.webhook("/fast", json!({})).await;

    let started = Instant::now();
    ingest_in_batches(&world.api, &world.source, &events(&world.client_id, 100, 0)).await;
    world.receiver.wait_for_within("/fast", 100, Duration::from_secs(30)).await;
    let fast_done = started.elapsed();
    let fifo_so_far = world.receiver.received("/slow-fifo").len();
    assert!(
        fifo_so_far < 100,
        "the other webhook got its 100 in {fast_done:?}, not waiting for the FIFO one ({fifo_so_far} so far)"
    );

    // One at a time: each request to the FIFO endpoint starts after the previous one's answer.
    let requests = world.receiver.wait_for_within("/slow-fifo", 6, Duration::from_secs(30)).await;
    for pair in requests.windows(2) {
        let apart = pair[1].at.duration_since(pair[0].at);
        assert!(apart >= hang, "two FIFO requests {apart:?} apart: the second did not wait for the first");
    }
    assert_eq!(delivered_in_order(&requests), requests.len() as i64);
}

#[tokio::test]
async fn ordering_settings_are_checked_and_shown() {
    let world = World::start().await;
    let world = &world;
    let refused = |body: Value| async move {
        let mut webhook = json!({"callback_url": world.receiver.url("/x")});
        webhook.as_object_mut().unwrap().extend(body.as_object().cloned().unwrap());
        world.api.call(Method::POST, "/api/v1/webhooks", Some(&world.token), Some(webhook)).await
    };
    let (status, body) = refused(json!({"ordering_key": "order_id"})).await;
    assert_eq!((status, body["error"]["field"].clone()), (400, json!("ordering_key")), "{body}");
    let (status, body) = refused(json!({"ordering": "fifo", "ordering_key": "a..b"})).await;
    assert_eq!((status, body["error"]["field"].clone()), (400, json!("ordering_key")), "{body}");
    let (status, body) = refused(json!({"ordering": "lifo"})).await;
    assert_eq!(status, 400, "{body}");
    let poll = json!({"ordering": "fifo", "delivery": "poll"});
    let (status, body) =
        world.api.call(Method::POST, "/api/v1/webhooks", Some(&world.token), Some(poll)).await;
    assert_eq!((status, body["error"]["field"].clone()), (400, json!("ordering")), "{body}");

    let webhook = world.webhook("/x", json!({"ordering": "fifo", "ordering_key": "order.id"})).await;
    assert_eq!(
        (webhook["ordering"].clone(), webhook["ordering_key"].clone()),
        (json!("fifo"), json!("order.id"))
    );
    let plain = world.webhook("/y", json!({})).await;
    assert_eq!(plain["ordering"], "none");
    assert!(plain.get("ordering_key").is_none());
}
