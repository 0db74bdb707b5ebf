//! A client's own retention, end to end: set and changed through the API (validated like every
//! field), then applied by the history writer's retention pass reading the `clients` bucket of
//! an `edgehook up` (its embedded SQLite store).
//!
//! Why here and not only in the store's tests: the pieces meet only in a deployment (the
//! control plane writes the record, the writer reads it from JetStream); a field name or a
//! serde default that differs between them would pass both crates' tests and keep data longer
//! than a client was promised.

use edgehook_testkit as support;

use async_nats::jetstream;
use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_history::writer::{WriterConfig, clients_retention};
use edgehook_history::{AttemptQuery, EventQuery, HistoryStore, Scope, StoredEvent};
use reqwest::Method;
use serde_json::{Value, json};
use support::World;
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn a_clients_retention_is_set_validated_changed_and_applied() {
    let world = World::start().await;
    let admin = world.api.admin_token.clone();
    let call = |method: Method, path: String, token: &str, body: Option<Value>| {
        let (world, token) = (&world, token.to_owned());
        async move { world.api.call(method, &path, Some(&token), body).await }
    };

    let body = json!({"name": "short", "retention": {"attempt_days": 3, "event_days": 1}});
    let (status, created) = call(Method::POST, "/api/v1/clients".into(), &admin, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["retention"], json!({"attempt_days": 3, "event_days": 1}));
    assert!(created["token"].is_string(), "{created}");
    let id = created["client_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/clients/{id}");

    for (retention, field) in [
        (json!({"attempt_days": 0}), "retention.attempt_days"),
        (json!({"event_days": -1}), "retention.event_days"),
        (json!({"event_days": "7"}), "retention.event_days"),
        (json!({"attempt_days": 3651}), "retention.attempt_days"),
        (json!({"days": 3}), "retention.days"),
    ] {
        let body = json!({"name": "x", "retention": retention});
        let (status, answer) = call(Method::POST, "/api/v1/clients".into(), &admin, Some(body.clone())).await;
        assert_eq!((status, answer["error"]["field"].as_str()), (400, Some(field)), "POST {body}: {answer}");
        let patch = json!({"retention": retention});
        let (status, answer) = call(Method::PATCH, path.clone(), &admin, Some(patch.clone())).await;
        assert_eq!(
            (status, answer["error"]["field"].as_str()),
            (400, Some(field)),
            "PATCH {patch}: {answer}"
        );
    }

    // A merge patch: what it names changes, `null` removes, the rest stays.
    let patch = json!({"retention": {"event_days": 2}});
    let (status, patched) = call(Method::PATCH, path.clone(), &admin, Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["retention"], json!({"attempt_days": 3, "event_days": 2}));
    assert_eq!((patched["name"].as_str(), patched["client_id"].as_str()), (Some("short"), Some(id.as_str())));
    let patch = json!({"name": "shorter", "retention": {"attempt_days": null}});
    let (_, patched) = call(Method::PATCH, path.clone(), &admin, Some(patch)).await;
    assert_eq!(
        (patched["name"].as_str(), &patched["retention"]),
        (Some("shorter"), &json!({"event_days": 2}))
    );
    let (_, patched) =
        call(Method::PATCH, path.clone(), &admin, Some(json!({"retention": {"attempt_days": 3}}))).await;
    assert_eq!(patched["retention"], json!({"attempt_days": 3, "event_days": 2}));
    let (status, shown) = call(Method::GET, path.clone(), &admin, None).await;
    assert_eq!(
        (status, &shown["retention"], shown["name"].as_str()),
        (200, &patched["retention"], Some("shorter"))
    );
    // A client without its own retention shows `{}`: the deployment's.
    let (_, acme) = call(Method::GET, format!("/api/v1/clients/{}", world.client_id), &admin, None).await;
    assert_eq!(acme["retention"], json!({}), "{acme}");

    // Admin only; an unknown or malformed client is 404; the body is an object of known fields.
    let (status, _) = call(Method::PATCH, path.clone(), &world.token, Some(json!({"name": "mine"}))).await;
    assert_eq!(status, 403);
    for unknown in [format!("/api/v1/clients/{}", ClientId::generate()), "/api/v1/clients/nope".into()] {
        let (status, answer) = call(Method::PATCH, unknown.clone(), &admin, Some(json!({"name": "x"}))).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (404, Some("not_found")), "{unknown}");
    }
    for (bad, field) in
        [(json!([]), "body"), (json!({"client_id": "x"}), "client_id"), (json!({"name": " "}), "name")]
    {
        let (status, answer) = call(Method::PATCH, path.clone(), &admin, Some(bad.clone())).await;
        assert_eq!((status, answer["error"]["field"].as_str()), (400, Some(field)), "{bad}: {answer}");
    }

    // The writer's pass: 3 days of attempts and 2 of events for `short`; acme keeps the
    // deployment's 30 and 7.
    let store =
        HistoryStore::open(&HistoryStore::sqlite_url(&world.up.data_dir().join("history.db"))).await.unwrap();
    let (short, acme): (ClientId, ClientId) = (id.parse().unwrap(), world.client_id.parse().unwrap());
    let webhook = WebhookId::generate();
    let now = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let (old, recent) = (now - Duration::days(5), now - Duration::days(1));
    let attempts: Vec<AttemptRecord> = [(&short, old), (&short, recent), (&acme, old)]
        .into_iter()
        .map(|(client, at)| attempt(client, &webhook, at))
        .collect();
    store.insert(&attempts).await.unwrap();
    let events: Vec<StoredEvent> = [(&short, now - Duration::days(3)), (&short, recent), (&acme, old)]
        .into_iter()
        .map(|(client, at)| StoredEvent {
            accepted_at: at,
            client_id: client.clone(),
            event_id: format!("evt_{}", at.unix_timestamp()),
            message_id: MessageId::generate(),
            event_type: "order.created".into(),
            body: Some("{}".into()),
        })
        .collect();
    store.insert_events(&events).await.unwrap();

    let js = jetstream::new(support::connect_service(&world.up.credentials.nats_service_url).await);
    let removed = clients_retention(&js, &store, WriterConfig::default(), now).await.unwrap();
    assert_eq!(removed, (1, 1), "short's attempt of 5 days ago and event of 3");
    let attempts_of = |client: &ClientId| {
        let query = AttemptQuery::new(client.clone(), Scope::Webhook(webhook.clone()), 10);
        let store = &store;
        async move {
            store.attempts(&query).await.unwrap().records.iter().map(|r| r.attempted_at).collect::<Vec<_>>()
        }
    };
    assert_eq!(attempts_of(&short).await, [recent]);
    assert_eq!(attempts_of(&acme).await, [old]);
    let events_of = |client: &ClientId| {
        let query = EventQuery {
            client_id: client.clone(),
            since: None,
            until: None,
            event_type: None,
            after: None,
            limit: 10,
        };
        let store = &store;
        async move { store.events(&query).await.unwrap().events.iter().map(|e| e.accepted_at).collect::<Vec<_>>() }
    };
    assert_eq!(events_of(&short).await, [recent]);
    assert_eq!(events_of(&acme).await, [old], "within the deployment's 7 days");

    // Longer than the deployment's changes nothing beyond it: acme asks for 60 days of attempts.
    let acme_path = format!("/api/v1/clients/{acme}");
    let (status, _) =
        call(Method::PATCH, acme_path, &admin, Some(json!({"retention": {"attempt_days": 60}}))).await;
    assert_eq!(status, 200);
    assert_eq!(clients_retention(&js, &store, WriterConfig::default(), now).await.unwrap(), (0, 0));
}

fn attempt(client: &ClientId, webhook: &WebhookId, at: OffsetDateTime) -> AttemptRecord {
    AttemptRecord {
        message_id: MessageId::generate(),
        event_id: format!("evt_{}", at.unix_timestamp()),
        event_type: "order.created".into(),
        webhook_id: webhook.clone(),
        client_id: client.clone(),
        attempt: 1,
        attempted_at: at,
        status_code: Some(200),
        latency_ms: 5,
        error: None,
        outcome: AttemptOutcome::Succeeded,
        next_attempt_at: None,
        region: "local".into(),
    }
}
