//! The delivery path end to end: ingest -> JetStream -> relay -> a real HTTP endpoint.

use edgehook_testkit as support;

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Reply, World};

const QUIET: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_delivery_arrives_signed_and_the_reference_library_verifies_it() {
    let world = World::start().await;
    let webhook = world.webhook("/hook", json!({})).await;
    let secret = webhook["signing_secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));

    let accepted = world.send("evt_signed", "payment.succeeded", json!({"amount": 1200})).await;

    let delivery = &world.receiver.wait_for("/hook", 1).await[0];
    assert_eq!(delivery.header("webhook-id"), accepted["message_id"].as_str().unwrap());
    assert_eq!(delivery.json()["event_id"], "evt_signed");
    assert_eq!(delivery.json()["data"], json!({"amount": 1200}));
    assert!(delivery.header("webhook-signature").starts_with("v1,"));

    // The Standard Webhooks reference library, not our own code, says whether it verifies.
    assert!(
        support::verifiers::standard_webhooks(secret, delivery),
        "standardwebhooks refused our signature"
    );
    let wrong = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assert!(!support::verifiers::standard_webhooks(wrong, delivery), "a wrong secret must not verify");
}

#[tokio::test]
async fn data_arrives_exactly_as_the_source_wrote_it() {
    let world = World::start().await;
    world.webhook("/exact", json!({"trigger_conditions": {"filters": {"amount_gt": 10}}})).await;

    // Decimals with trailing zeros, integers beyond 64 bits, escapes and key order would all
    // change if `data` were parsed into a JSON tree and written again on the way.
    let data = r#"{"amount": 10.50, "ledger_id": 123456789012345678901234567890, "note": "caf\u00e9 \"quoted\"", "z": 1, "a": {"y": [1.0, 2e3]}}"#;
    let body = format!(
        r#"{{"event_id": "evt_exact", "event_type": "payment.succeeded", "client_id": "{}", "data": {data}}}"#,
        world.client_id
    );
    let (status, answer) = world.api.ingest_at("/api/v1/events/ingest", &world.source, body.as_bytes()).await;
    assert_eq!(status, 202, "{answer}");

    let delivery = &world.receiver.wait_for("/exact", 1).await[0];
    let delivered = std::str::from_utf8(&delivery.body).unwrap();
    assert!(delivered.contains(&format!(r#""data":{data}"#)), "data changed on the way: {delivered}");
}

#[tokio::test]
async fn filters_and_event_types_exclude_what_a_webhook_does_not_want() {
    let world = World::start().await;
    world
        .webhook(
            "/big-usd",
            json!({"event_types": ["payment.*"], "trigger_conditions": {"filters": {"amount_gt": 1000, "currency": "USD"}}}),
        )
        .await;

    world.send("evt_small", "payment.succeeded", json!({"amount": 10, "currency": "USD"})).await;
    world.send("evt_eur", "payment.succeeded", json!({"amount": 5000, "currency": "EUR"})).await;
    world.send("evt_order", "order.created", json!({"amount": 5000, "currency": "USD"})).await;
    world.send("evt_big", "payment.refunded", json!({"amount": 5000, "currency": "USD"})).await;

    world.receiver.wait_for("/big-usd", 1).await;
    let received = world.receiver.after_quiet("/big-usd", QUIET).await;
    let ids: Vec<Value> = received.iter().map(|request| request.json()["event_id"].clone()).collect();
    assert_eq!(ids, [json!("evt_big")]);
}

#[tokio::test]
async fn a_failing_webhook_is_retried_alone_and_every_attempt_is_recorded() {
    let world = World::start().await;
    world.receiver.script("/flaky", vec![Reply::Status(500), Reply::Status(200)]);
    let flaky = world.webhook("/flaky", json!({})).await;
    world.webhook("/steady", json!({})).await;

    world.send("evt_retry", "payment.succeeded", json!({"amount": 1})).await;

    let flaky_requests = world.receiver.wait_for("/flaky", 2).await;
    assert_eq!(flaky_requests[0].header("webhook-id"), flaky_requests[1].header("webhook-id"));
    let steady = world.receiver.after_quiet("/steady", QUIET).await;
    assert_eq!(steady.len(), 1, "the healthy webhook must not be sent the event again");

    let flaky_id = flaky["webhook_id"].as_str().unwrap();
    let attempts = support::eventually("two attempts recorded", || async {
        let attempts = world.api.attempts_of_webhook(&world.token, flaky_id).await;
        (attempts.len() == 2).then_some(attempts)
    })
    .await;
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["status_code"], 500);
    assert_eq!(attempts[0]["outcome"], "retrying");
    assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
    assert!(attempts[0]["next_attempt_at"].is_string());
    assert_eq!(attempts[1]["attempt"], 2);
    assert_eq!(attempts[1]["status_code"], 200);
    assert_eq!(attempts[1]["outcome"], "succeeded");

    let (status, by_event) =
        world.api.call(Method::GET, "/api/v1/events/evt_retry/deliveries", Some(&world.token), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        by_event["data"].as_array().unwrap().len(),
        3,
        "two flaky attempts and one steady: {by_event}"
    );
}

#[tokio::test]
async fn a_rejected_delivery_is_dead_lettered_then_redriven() {
    let world = World::start().await;
    world.receiver.script("/strict", vec![Reply::Status(422), Reply::Status(200)]);
    let webhook = world.webhook("/strict", json!({})).await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();

    world.send("evt_rejected", "order.created", json!({"sku": "A-1"})).await;

    let letters = support::eventually("a dead letter", || async {
        let letters = world.api.dead_letters(&world.token, webhook_id).await;
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["event_id"], "evt_rejected");
    assert_eq!(letters[0]["reason"], "rejected");
    assert_eq!(letters[0]["last_status_code"], 422);
    assert_eq!(world.receiver.received("/strict").len(), 1, "a 4xx is not retried blindly");

    let redrive = format!("/api/v1/webhooks/{webhook_id}/dead-letters/redrive");
    let (status, body) = world.api.call(Method::POST, &redrive, Some(&world.token), None).await;
    assert_eq!((status, body["redriven"].clone()), (200, json!(1)), "{body}");

    let requests = world.receiver.wait_for("/strict", 2).await;
    assert_eq!(requests[1].json()["event_id"], "evt_rejected");
    assert!(world.api.dead_letters(&world.token, webhook_id).await.is_empty());
}

/// A dead letter whose retries were parked (waits of 5 s and more leave the consumer and come
/// back as new messages that carry the attempts made) gets the whole retry budget again when
/// it is redriven, not what was left of the old one.
#[tokio::test]
async fn a_redriven_dead_letter_gets_the_whole_retry_budget_again() {
    let world = World::start().await;
    world.receiver.script("/parked", vec![Reply::Status(503)]);
    let retry_config = json!({"max_retries": 2, "initial_delay_ms": 5_000, "max_delay_ms": 5_000, "backoff_multiplier": 1.0});
    let webhook = world.webhook("/parked", json!({"retry_config": retry_config})).await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();
    let budget = 3;

    world.send("evt_parked", "order.created", json!({})).await;
    let dead_letter = |round: usize| {
        let world = &world;
        async move {
            support::eventually(&format!("dead letter after round {round}"), || async {
                let letters = world.api.dead_letters(&world.token, webhook_id).await;
                letters.into_iter().next()
            })
            .await
        }
    };
    let letter = dead_letter(1).await;
    assert_eq!(
        (letter["reason"].clone(), letter["attempts"].clone()),
        (json!("retries_exhausted"), json!(budget))
    );
    assert_eq!(world.receiver.received("/parked").len(), budget as usize);

    let redrive = format!("/api/v1/webhooks/{webhook_id}/dead-letters/redrive");
    let (status, body) = world.api.call(Method::POST, &redrive, Some(&world.token), None).await;
    assert_eq!((status, body["redriven"].clone()), (200, json!(1)), "{body}");

    // Every attempt of the budget again, the retries parked like the first time.
    let requests = world.receiver.wait_for("/parked", 2 * budget as usize).await;
    assert!(requests.iter().all(|request| request.json()["event_id"] == "evt_parked"));
    let letter = dead_letter(2).await;
    assert_eq!(
        (letter["reason"].clone(), letter["attempts"].clone()),
        (json!("retries_exhausted"), json!(budget))
    );
    assert_eq!(
        world.receiver.received("/parked").len(),
        2 * budget as usize,
        "no attempt after the dead letter"
    );
}

#[tokio::test]
async fn a_replay_sends_a_webhooks_events_since_a_time_again() {
    let world = World::start().await;
    let webhook = world.webhook("/orders", json!({"event_types": ["order.*"]})).await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();
    let replay = format!("/api/v1/webhooks/{webhook_id}/replay");

    world.send("evt_old", "order.created", json!({"n": 1})).await;
    world.receiver.wait_for("/orders", 1).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let since = time::OffsetDateTime::now_utc();
    world.send("evt_a", "order.created", json!({"n": 2})).await;
    world.send("evt_skip", "payment.succeeded", json!({"n": 3})).await;
    world.send("evt_b", "order.shipped", json!({"n": 4})).await;
    world.receiver.wait_for("/orders", 3).await;

    // Bad requests name what to fix.
    let (status, body) =
        world.api.call(Method::POST, &replay, Some(&world.token), Some(json!({"since": "yesterday"}))).await;
    assert_eq!((status, body["error"]["field"].clone()), (400, json!("since")), "{body}");
    let (status, body) =
        world.api.call(Method::POST, &replay, Some(&world.token), Some(json!({"cursor": "nope"}))).await;
    assert_eq!((status, body["error"]["field"].clone()), (400, json!("cursor")), "{body}");

    let since = since.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (status, body) =
        world.api.call(Method::POST, &replay, Some(&world.token), Some(json!({"since": since}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["examined"].clone(), body["replayed"].clone()), (json!(3), json!(2)), "{body}");
    assert_eq!(body["cursor"], Value::Null, "{body}");

    // The two events since then come again (the one before, and the one it does not want, do not).
    world.receiver.wait_for("/orders", 5).await;
    let received = world.receiver.after_quiet("/orders", QUIET).await;
    let mut ids: Vec<String> =
        received.iter().map(|request| request.json()["event_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    assert_eq!(ids, ["evt_a", "evt_a", "evt_b", "evt_b", "evt_old"]);
    let ids_of_a: Vec<&str> = received
        .iter()
        .filter(|request| request.json()["event_id"] == "evt_a")
        .map(|request| request.header("webhook-id"))
        .collect();
    assert_eq!(ids_of_a[0], ids_of_a[1], "a replayed event keeps its webhook-id, so a client can tell");
}

#[tokio::test]
async fn exhausted_retries_end_in_a_dead_letter_marked_failed() {
    let world = World::start().await;
    world.receiver.script("/down", vec![Reply::Status(503)]);
    let webhook = world
        .webhook(
            "/down",
            json!({"retry_config": {"max_retries": 2, "initial_delay_ms": 100, "max_delay_ms": 200, "backoff_multiplier": 2.0}}),
        )
        .await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();

    world.send("evt_doomed", "payment.failed", json!({})).await;

    let letters = support::eventually("a dead letter", || async {
        let letters = world.api.dead_letters(&world.token, webhook_id).await;
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    assert_eq!(letters[0]["reason"], "retries_exhausted");
    assert_eq!(letters[0]["attempts"], 3);
    assert_eq!(world.receiver.after_quiet("/down", QUIET).await.len(), 3, "one attempt and two retries");
    let attempts = world.api.attempts_of_webhook(&world.token, webhook_id).await;
    let outcomes: Vec<&str> = attempts.iter().map(|attempt| attempt["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["retrying", "retrying", "failed"]);
}

#[tokio::test]
async fn a_duplicate_event_is_accepted_but_delivered_once() {
    let world = World::start().await;
    world.webhook("/once", json!({})).await;

    let first = world.send("evt_dup", "payment.succeeded", json!({"amount": 1})).await;
    let second = world.send("evt_dup", "payment.succeeded", json!({"amount": 1})).await;
    assert_eq!(first["duplicate"], false);
    assert_eq!(second["duplicate"], true);

    // The same event inside a batch is a duplicate too.
    let event = support::event(&world.client_id, "evt_dup", "payment.succeeded", json!({"amount": 1}));
    let (status, batch) = world.api.ingest_batch(&world.source, &[event]).await;
    assert_eq!(status, 202);
    assert_eq!(batch["results"][0]["duplicate"], true);

    world.receiver.wait_for("/once", 1).await;
    assert_eq!(world.receiver.after_quiet("/once", QUIET).await.len(), 1);
}

#[tokio::test]
async fn a_batch_is_delivered_event_by_event() {
    let world = World::start().await;
    world.webhook("/batch", json!({})).await;
    let events: Vec<Value> = (0..20)
        .map(|n| support::event(&world.client_id, &format!("evt_b{n}"), "order.created", json!({"n": n})))
        .collect();
    let (status, body) = world.api.ingest_batch(&world.source, &events).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 20);

    let received = world.receiver.wait_for("/batch", 20).await;
    let mut ids: Vec<String> =
        received.iter().map(|r| r.json()["event_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
}

#[tokio::test]
async fn sources_can_publish_over_nats_with_the_same_checks() {
    let world = World::start().await;
    world.webhook("/nats", json!({})).await;
    let nats = support::source_login(&world.source).connect(&world.up.credentials.nats_url).await.unwrap();
    let subject = format!("ingest.{}", world.source.id);

    let event = support::event(&world.client_id, "evt_nats", "payment.succeeded", json!({"amount": 7}));
    let reply = nats.request(subject.clone(), event.to_string().into()).await.unwrap();
    let reply: Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["results"][0]["duplicate"], false, "{reply}");
    assert_eq!(world.receiver.wait_for("/nats", 1).await[0].json()["event_id"], "evt_nats");

    let bad = support::event(&world.client_id, "evt.bad", "payment.succeeded", json!({}));
    let reply = nats.request(subject, bad.to_string().into()).await.unwrap();
    let reply: Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["error"]["field"], "event_id", "{reply}");
}
