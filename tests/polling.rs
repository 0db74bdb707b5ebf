//! Polling endpoints: a webhook with `"delivery": "poll"` whose client takes no inbound
//! connection fetches its deliveries (`GET /api/v1/webhooks/{id}/poll`), verifies them with the
//! Standard Webhooks reference library and acknowledges them (`POST …/poll/ack`); what it does
//! not acknowledge comes back after the visibility timeout, and every fetch is an attempt.
//! No test here starts a receiver: nothing connects to the client.

use edgehook_testkit as support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use support::{Api, Source, Up};

/// A client and a source allowed every type.
async fn tenant(api: &Api) -> (String, String, Source) {
    let (client_id, token) = api.create_client("acme").await;
    (client_id, token, api.create_source(&["*"]).await)
}

/// A poll webhook with `fields` added; returns its id and its `whsec_` secret.
async fn poll_webhook(api: &Api, token: &str, fields: Value) -> (String, String) {
    let mut body = json!({"delivery": "poll"});
    body.as_object_mut().unwrap().extend(fields.as_object().cloned().unwrap_or_default());
    let made = api.create_webhook(token, body).await;
    assert_eq!(
        (made["delivery"].clone(), made["callback_url"].clone()),
        (json!("poll"), Value::Null),
        "{made}"
    );
    (made["webhook_id"].as_str().unwrap().to_owned(), made["signing_secret"].as_str().unwrap().to_owned())
}

async fn poll(api: &Api, token: &str, webhook_id: &str, query: &str) -> Vec<Value> {
    let path = format!("/api/v1/webhooks/{webhook_id}/poll?{query}");
    let (status, body) = api.call(Method::GET, &path, Some(token), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["messages"].as_array().unwrap().clone()
}

async fn ack(api: &Api, token: &str, webhook_id: &str, ack_ids: &[&str]) -> (u16, Value) {
    let path = format!("/api/v1/webhooks/{webhook_id}/poll/ack");
    api.call(Method::POST, &path, Some(token), Some(json!({"ack_ids": ack_ids}))).await
}

/// Acknowledges `messages`, each confirmed.
async fn ack_all(api: &Api, token: &str, webhook_id: &str, messages: &[Value]) {
    let ids: Vec<&str> = messages.iter().map(|message| message["ack_id"].as_str().unwrap()).collect();
    let (status, answer) = ack(api, token, webhook_id, &ids).await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), ids.len());
    assert!(results.iter().all(|result| result["result"] == "acknowledged"), "{answer}");
}

fn event_id(message: &Value) -> String {
    message["event_id"].as_str().unwrap().to_owned()
}

/// The Standard Webhooks reference library (Python) accepts the polled message with `secret`:
/// its headers, and its body as the exact string signed.
fn verifies(secret: &str, message: &Value) -> bool {
    let input = json!({"secret": secret, "headers": message["headers"], "body": message["body"]});
    support::verifiers::run_python("verify_standard_webhooks.py", &input).0
}

async fn send(api: &Api, source: &Source, client_id: &str, event_ids: &[String]) {
    let events: Vec<Value> = event_ids
        .iter()
        .map(|id| support::event(client_id, id, "order.created", json!({"order": id})))
        .collect();
    let (status, body) = api.ingest_batch(source, &events).await;
    assert_eq!(status, 202, "{body}");
}

/// Polls (each poll waiting up to a second) until `wanted` distinct events came; returns the
/// messages by event id (the last of each).
async fn poll_until(
    api: &Api,
    token: &str,
    webhook_id: &str,
    wanted: &HashSet<String>,
) -> HashMap<String, Value> {
    let mut got = HashMap::new();
    let deadline = Instant::now() + support::WAIT;
    while got.len() < wanted.len() {
        assert!(Instant::now() < deadline, "only {} of {} events polled", got.len(), wanted.len());
        for message in poll(api, token, webhook_id, "max=100&wait=1s").await {
            assert!(wanted.contains(&event_id(&message)), "unexpected {message}");
            got.insert(event_id(&message), message);
        }
    }
    got
}

#[tokio::test]
async fn a_client_without_inbound_connections_polls_verifies_acknowledges_and_gets_the_rest_again() {
    let up = Up::start().await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;

    // What a poll webhook may not have, what a push webhook must have, what a PATCH may not change.
    let made = |body: Value| {
        let api = api.clone();
        let token = token.clone();
        async move { api.call(Method::POST, "/api/v1/webhooks", Some(&token), Some(body)).await }
    };
    let (status, refused) =
        made(json!({"delivery": "poll", "callback_url": "https://example.com/hook"})).await;
    assert_eq!((status, refused["error"]["field"].clone()), (400, json!("callback_url")), "{refused}");
    let (status, refused) = made(json!({"event_types": []})).await;
    assert_eq!(
        (status, refused["error"]["field"].clone(), refused["error"]["code"].clone()),
        (400, json!("callback_url"), json!("required")),
        "{refused}"
    );
    let (status, refused) = made(json!({"delivery": "poll", "poll": {"visibility_timeout_ms": 10}})).await;
    assert_eq!(
        (status, refused["error"]["field"].clone()),
        (400, json!("poll.visibility_timeout_ms")),
        "{refused}"
    );

    let retry =
        json!({"max_retries": 10, "initial_delay_ms": 100, "max_delay_ms": 1000, "backoff_multiplier": 2.0});
    let (webhook_id, secret) =
        poll_webhook(&api, &token, json!({"poll": {"visibility_timeout_ms": 2000}, "retry_config": retry}))
            .await;
    let (other_id, _) = poll_webhook(&api, &token, json!({"event_types": ["nothing.ever"]})).await;
    let path = format!("/api/v1/webhooks/{webhook_id}");
    let (status, refused) =
        api.call(Method::PATCH, &path, Some(&token), Some(json!({"delivery": "push"}))).await;
    assert_eq!((status, refused["error"]["field"].clone()), (400, json!("delivery")), "{refused}");
    let (status, patched) =
        api.call(Method::PATCH, &path, Some(&token), Some(json!({"description": "polled"}))).await;
    assert_eq!(
        (status, patched["callback_url"].clone(), patched["poll"].clone()),
        (200, Value::Null, json!({"visibility_timeout_ms": 2000})),
        "{patched}"
    );
    for query in ["max=0", "max=101", "wait=31s", "wait=soon"] {
        let (status, _) = api
            .call(Method::GET, &format!("/api/v1/webhooks/{webhook_id}/poll?{query}"), Some(&token), None)
            .await;
        assert_eq!(status, 400, "{query}");
    }

    let ids: Vec<String> = (0..5).map(|n| format!("evt_p{n}")).collect();
    send(&api, &source, &client_id, &ids).await;
    let wanted: HashSet<String> = ids.iter().cloned().collect();
    let first = poll_until(&api, &token, &webhook_id, &wanted).await;
    for (id, message) in &first {
        assert_eq!(message["attempt"], 1, "{message}");
        assert!(verifies(&secret, message), "the reference library refused {id}: {message}");
        let body: Value = serde_json::from_str(message["body"].as_str().unwrap()).unwrap();
        assert_eq!((body["event_id"].as_str(), &body["data"]["order"]), (Some(id.as_str()), &json!(id)));
        assert!(message["headers"]["webhook-id"].as_str().unwrap().starts_with("msg_"), "{message}");
    }
    // A signature over another body is refused: the verifier does check.
    let mut tampered = first["evt_p0"].clone();
    tampered["body"] = json!(tampered["body"].as_str().unwrap().replace("evt_p0", "evt_pX"));
    assert!(!verifies(&secret, &tampered));

    // Another webhook's ack endpoint refuses this one's ids, and acknowledges nothing.
    let foreign = first["evt_p3"]["ack_id"].as_str().unwrap();
    let (status, refused) = ack(&api, &token, &other_id, &[foreign]).await;
    assert_eq!((status, refused["error"]["field"].clone()), (400, json!("ack_ids[0]")), "{refused}");
    let (status, refused) = ack(&api, &token, &webhook_id, &["bm90IGFuIGFjayBpZA"]).await;
    assert_eq!(status, 400, "{refused}");

    let acked: Vec<Value> = ["evt_p0", "evt_p1", "evt_p2"].iter().map(|id| first[*id].clone()).collect();
    ack_all(&api, &token, &webhook_id, &acked).await;
    // Twice is harmless.
    ack_all(&api, &token, &webhook_id, &acked[..1]).await;

    // After the visibility timeout (2 s) the two not acknowledged come back, as second attempts,
    // and the acknowledged ones never do.
    let again: HashSet<String> = ["evt_p3".to_owned(), "evt_p4".to_owned()].into();
    let second = poll_until(&api, &token, &webhook_id, &again).await;
    for message in second.values() {
        assert_eq!(message["attempt"], 2, "{message}");
        assert!(verifies(&secret, message));
    }
    // evt_p4 with its new id; evt_p3 with the id of its first fetch, whose visibility timeout
    // passed: JetStream acknowledges by the task's sequence, so the old id still does.
    ack_all(&api, &token, &webhook_id, &[second["evt_p4"].clone(), first["evt_p3"].clone()]).await;
    let started = Instant::now();
    assert_eq!(poll(&api, &token, &webhook_id, "max=100&wait=3s").await, Vec::<Value>::new());
    assert!(started.elapsed() >= Duration::from_secs(3) - Duration::from_millis(100));

    // Every fetch is an attempt in the webhook's history: 5 first ones, 2 second ones.
    let attempts = support::eventually("7 attempts in the history", || async {
        let attempts = api.attempts_of_webhook(&token, &webhook_id).await;
        (attempts.len() >= 7).then_some(attempts)
    })
    .await;
    assert_eq!(attempts.len(), 7, "{attempts:?}");
    let seconds: HashSet<&str> =
        attempts.iter().filter(|a| a["attempt"] == 2).map(|a| a["event_id"].as_str().unwrap()).collect();
    assert_eq!(seconds, ["evt_p3", "evt_p4"].into());
    assert!(attempts.iter().all(|a| a["region"] == "local" && a["outcome"] == "retrying"), "{attempts:?}");

    // A push webhook is not polled.
    let push = api
        .create_webhook(
            &token,
            json!({"callback_url": "http://127.0.0.1:9/hook", "event_types": ["nothing.ever"]}),
        )
        .await;
    let path = format!("/api/v1/webhooks/{}/poll", push["webhook_id"].as_str().unwrap());
    let (status, refused) = api.call(Method::GET, &path, Some(&token), None).await;
    assert_eq!((status, refused["error"]["code"].clone()), (409, json!("not_a_poll_webhook")), "{refused}");
}

#[tokio::test]
async fn a_delivery_polled_more_often_than_the_retry_budget_is_dead_lettered_and_can_be_redriven() {
    let up = Up::start().await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;
    let retry = json!({"max_retries": 1});
    let (webhook_id, _) =
        poll_webhook(&api, &token, json!({"poll": {"visibility_timeout_ms": 1000}, "retry_config": retry}))
            .await;
    send(&api, &source, &client_id, &["evt_never_acked".to_owned()]).await;

    // Two fetches (the budget), never acknowledged; the third finds a dead letter instead.
    let mut attempts_seen = Vec::new();
    let deadline = Instant::now() + support::WAIT;
    let letters = loop {
        assert!(Instant::now() < deadline, "no dead letter; attempts polled: {attempts_seen:?}");
        for message in poll(&api, &token, &webhook_id, "max=10&wait=1s").await {
            attempts_seen.push(message["attempt"].as_u64().unwrap());
        }
        let letters = api.dead_letters(&token, &webhook_id).await;
        if !letters.is_empty() {
            break letters;
        }
    };
    assert_eq!(attempts_seen, [1, 2]);
    assert_eq!(letters[0]["reason"], "retries_exhausted", "{letters:?}");

    // Redriven, it is polled again with the whole budget.
    let path = format!("/api/v1/webhooks/{webhook_id}/dead-letters/redrive");
    let (status, answer) = api.call(Method::POST, &path, Some(&token), None).await;
    assert_eq!(status, 200, "{answer}");
    let again = poll_until(&api, &token, &webhook_id, &["evt_never_acked".to_owned()].into()).await;
    assert_eq!(again["evt_never_acked"]["attempt"], 1);
}

#[tokio::test]
async fn a_long_poll_answers_as_soon_as_an_event_comes_and_empty_after_its_wait() {
    let up = Up::start().await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;
    let (webhook_id, _) = poll_webhook(&api, &token, json!({})).await;

    let started = Instant::now();
    assert!(poll(&api, &token, &webhook_id, "wait=2s").await.is_empty());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(1900) && waited < Duration::from_secs(6), "{waited:?}");

    let waiting = {
        let (api, token, webhook_id) = (api.clone(), token.clone(), webhook_id.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let messages = poll(&api, &token, &webhook_id, "max=10&wait=20s").await;
            (messages, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent = Instant::now();
    send(&api, &source, &client_id, &["evt_long".to_owned()]).await;
    let (messages, waited) = waiting.await.unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(event_id(&messages[0]), "evt_long");
    assert!(waited < Duration::from_secs(10), "answered after {waited:?}, not as the event came");
    eprintln!("answered {:?} after the event was sent", sent.elapsed());
}

#[tokio::test]
async fn ten_thousand_events_are_polled_and_acknowledged_without_loss_or_duplicate() {
    const EVENTS: usize = 10_000;
    let up = Up::start().await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;
    let (webhook_id, _) =
        poll_webhook(&api, &token, json!({"poll": {"visibility_timeout_ms": 60_000}})).await;

    let ids: Vec<String> = (0..EVENTS).map(|n| format!("evt_{n:05}")).collect();
    for batch in ids.chunks(1_000) {
        send(&api, &source, &client_id, batch).await;
    }

    let mut acked: HashSet<String> = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    while acked.len() < EVENTS {
        assert!(Instant::now() < deadline, "only {} of {EVENTS} polled", acked.len());
        let messages = poll(&api, &token, &webhook_id, "max=100&wait=2s").await;
        for message in &messages {
            let id = event_id(message);
            assert!(!acked.contains(&id), "{id} polled again after it was acknowledged");
        }
        if !messages.is_empty() {
            ack_all(&api, &token, &webhook_id, &messages).await;
        }
        acked.extend(messages.iter().map(event_id));
    }
    assert_eq!(acked, ids.iter().cloned().collect::<HashSet<_>>());
    assert!(poll(&api, &token, &webhook_id, "max=100&wait=2s").await.is_empty());
}

#[tokio::test]
async fn a_poll_webhook_in_a_leaf_region_is_polled_through_the_hub() {
    let up = Up::start_with(&["--regions", "eu"]).await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;
    let (webhook_id, secret) =
        poll_webhook(&api, &token, json!({"region": "eu", "poll": {"visibility_timeout_ms": 2000}})).await;
    let path = format!("/api/v1/webhooks/{webhook_id}");
    let (status, refused) =
        api.call(Method::PATCH, &path, Some(&token), Some(json!({"region": "local"}))).await;
    assert_eq!((status, refused["error"]["field"].clone()), (400, json!("region")), "{refused}");

    let ids: Vec<String> = (0..3).map(|n| format!("evt_eu{n}")).collect();
    send(&api, &source, &client_id, &ids).await;
    let first = poll_until(&api, &token, &webhook_id, &ids.iter().cloned().collect()).await;
    assert!(first.values().all(|message| verifies(&secret, message)));
    ack_all(&api, &token, &webhook_id, &[first["evt_eu0"].clone(), first["evt_eu1"].clone()]).await;
    let again = poll_until(&api, &token, &webhook_id, &["evt_eu2".to_owned()].into()).await;
    assert_eq!(again["evt_eu2"]["attempt"], 2);
    ack_all(&api, &token, &webhook_id, &[again["evt_eu2"].clone()]).await;
    assert!(poll(&api, &token, &webhook_id, "max=10&wait=3s").await.is_empty());

    let attempts = support::eventually("4 attempts from eu in the history", || async {
        let attempts = api.attempts_of_webhook(&token, &webhook_id).await;
        (attempts.len() >= 4).then_some(attempts)
    })
    .await;
    assert!(attempts.iter().all(|a| a["region"] == "eu"), "{attempts:?}");

    // Deleting the webhook removes its queue in the region: its consumer, and the tasks still
    // waiting there.
    let region = async_nats::jetstream::with_domain(
        support::connect_service(&up.credentials.nats_service_url).await,
        "eu",
    );
    let stream = region.get_stream("DLV_eu").await.unwrap();
    let consumer = format!("poll-{webhook_id}");
    let subject = format!("deliveries.eu.poll.{client_id}.{webhook_id}");
    assert!(stream.consumer_info(&consumer).await.is_ok());
    send(&api, &source, &client_id, &["evt_left".to_owned()]).await;
    support::eventually("evt_left queued in eu", || async {
        stream.get_last_raw_message_by_subject(&subject).await.ok().map(|_| ())
    })
    .await;
    let (status, _) = api.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, 204);
    assert!(stream.consumer_info(&consumer).await.is_err(), "the consumer outlived its webhook");
    assert!(stream.get_last_raw_message_by_subject(&subject).await.is_err(), "its tasks outlived it");
    let (status, _) = api.call(Method::GET, &format!("{path}/poll"), Some(&token), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_task_routed_to_a_push_tier_before_its_webhook_became_a_poll_webhook_is_moved_to_its_poll_queue() {
    let up = Up::start().await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;
    // A push webhook whose endpoint never answers: its task keeps coming back to a relay.
    let closed = format!("http://127.0.0.1:{}/hook", support::free_port());
    let retry =
        json!({"max_retries": 20, "initial_delay_ms": 500, "max_delay_ms": 1000, "backoff_multiplier": 1.0});
    let made = api.create_webhook(&token, json!({"callback_url": closed, "retry_config": retry})).await;
    let (webhook_id, secret) = (
        made["webhook_id"].as_str().unwrap().to_owned(),
        made["signing_secret"].as_str().unwrap().to_owned(),
    );
    send(&api, &source, &client_id, &["evt_moved".to_owned()]).await;
    support::eventually("a failed attempt", || async {
        let attempts = api.attempts_of_webhook(&token, &webhook_id).await;
        (!attempts.is_empty()).then_some(())
    })
    .await;

    // The API never turns a push webhook into a poll one; a write of the bucket does (as an
    // older or newer control plane might): the relay moves the queued task to the poll queue.
    let jetstream =
        async_nats::jetstream::new(support::connect_service(&up.credentials.nats_service_url).await);
    let bucket = jetstream.get_key_value("webhooks").await.unwrap();
    let key = format!("{client_id}.{webhook_id}");
    let entry = bucket.entry(&key).await.unwrap().unwrap();
    let mut stored: Value = serde_json::from_slice(&entry.value).unwrap();
    stored["delivery"] = json!("poll");
    stored["poll"] = json!({"visibility_timeout_ms": 2000});
    stored["callback_url"] = json!("");
    stored["version"] = json!(stored["version"].as_u64().unwrap_or(0) + 1);
    bucket.update(&key, serde_json::to_vec(&stored).unwrap().into(), entry.revision).await.unwrap();
    // Written behind the control plane's back: its copy of the bucket follows soon, not at once.
    support::eventually("the control plane to see the webhook as a poll webhook", || async {
        let path = format!("/api/v1/webhooks/{webhook_id}");
        let (_, webhook) = api.call(Method::GET, &path, Some(&token), None).await;
        (webhook["delivery"] == "poll").then_some(())
    })
    .await;

    let polled = poll_until(&api, &token, &webhook_id, &["evt_moved".to_owned()].into()).await;
    let message = &polled["evt_moved"];
    assert!(message["attempt"].as_u64().unwrap() >= 2, "the attempts made before count: {message}");
    assert!(verifies(&secret, message));
    ack_all(&api, &token, &webhook_id, std::slice::from_ref(message)).await;
    assert!(poll(&api, &token, &webhook_id, "max=10&wait=3s").await.is_empty());
}

#[tokio::test]
async fn an_encrypted_ed25519_poll_webhook_gets_a_jwe_body_signed_as_given() {
    let up = Up::start().await;
    let api = Api::new(&up.credentials);
    let (client_id, token, source) = tenant(&api).await;
    let (made, keys) = support::verifiers::run_python("jose.py", &json!({"make": "X25519"}));
    assert!(made);
    let keys: Value = serde_json::from_str(&keys).unwrap();
    let made = api
        .create_webhook(
            &token,
            json!({"delivery": "poll", "signature": "ed25519", "encryption": {"jwk": keys["public"]}}),
        )
        .await;
    let webhook_id = made["webhook_id"].as_str().unwrap().to_owned();
    let public_key = made["public_key"].as_str().unwrap().to_owned();
    send(&api, &source, &client_id, &["evt_sealed".to_owned()]).await;

    let polled = poll_until(&api, &token, &webhook_id, &["evt_sealed".to_owned()].into()).await;
    let message = &polled["evt_sealed"];
    assert_eq!(message["headers"]["content-type"], "application/jose", "{message}");
    let compact = message["body"].as_str().unwrap();
    assert!(!compact.contains("evt_sealed"), "the body travels encrypted");
    let input = json!({"public_key": public_key, "headers": message["headers"], "body": compact});
    assert!(
        support::verifiers::run_python("verify_ed25519.py", &input).0,
        "the v1a signature covers the JWE"
    );
    let (decrypted, plaintext) =
        support::verifiers::run_python("jose.py", &json!({"private": keys["private"], "jwe": compact}));
    assert!(decrypted);
    let event: Value = serde_json::from_str(&plaintext).unwrap();
    assert_eq!(event["event_id"], "evt_sealed");
    ack_all(&api, &token, &webhook_id, std::slice::from_ref(message)).await;
}
