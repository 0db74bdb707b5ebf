//! The public APIs' contracts: who may see what, and a clear error for every bad request.

use edgehook_testkit as support;

use reqwest::Method;
use serde_json::{Value, json};
use support::World;

#[tokio::test]
async fn a_client_cannot_see_or_touch_another_clients_webhook() {
    let world = World::start().await;
    let webhook = world.webhook("/mine", json!({})).await;
    let id = webhook["webhook_id"].as_str().unwrap();
    let (_, intruder) = world.api.create_client("intruder").await;

    for (method, path, body) in [
        (Method::GET, format!("/api/v1/webhooks/{id}"), None),
        (Method::PATCH, format!("/api/v1/webhooks/{id}"), Some(json!({"status": "inactive"}))),
        (Method::DELETE, format!("/api/v1/webhooks/{id}"), None),
        (Method::GET, format!("/api/v1/webhooks/{id}/deliveries"), None),
        (Method::GET, format!("/api/v1/webhooks/{id}/dead-letters"), None),
        (Method::POST, format!("/api/v1/webhooks/{id}/dead-letters/redrive"), None),
    ] {
        let (status, body) = world.api.call(method.clone(), &path, Some(&intruder), body).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (_, list) = world.api.call(Method::GET, "/api/v1/webhooks", Some(&intruder), None).await;
    assert_eq!(list["data"], json!([]));

    // The owner still has it, unchanged.
    let (status, mine) =
        world.api.call(Method::GET, &format!("/api/v1/webhooks/{id}"), Some(&world.token), None).await;
    assert_eq!((status, mine["status"].clone()), (200, json!("active")));
    assert!(mine.get("signing_secret").is_none(), "the secret is shown only at creation");
}

#[tokio::test]
async fn tokens_decide_who_may_do_what() {
    let world = World::start().await;
    let (status, body) = world.api.call(Method::GET, "/api/v1/webhooks", None, None).await;
    assert_eq!((status, body["error"]["code"].clone()), (401, json!("unauthorized")));
    let (status, _) = world.api.call(Method::GET, "/api/v1/webhooks", Some("not-a-jwt"), None).await;
    assert_eq!(status, 401);
    let (status, _) =
        world.api.call(Method::POST, "/api/v1/clients", Some(&world.token), Some(json!({"name": "x"}))).await;
    assert_eq!(status, 403, "a client token cannot create clients");
    let (status, _) = world
        .api
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&world.api.admin_token),
            Some(json!({"callback_url": "http://x"})),
        )
        .await;
    assert_eq!(status, 403, "webhooks belong to a client");
}

#[tokio::test]
async fn webhooks_are_listed_in_pages_changed_by_merge_patch_and_deleted() {
    let world = World::start().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            world.webhook(&format!("/w{n}"), json!({})).await["webhook_id"].as_str().unwrap().to_owned(),
        );
    }
    let (_, first) = world.api.call(Method::GET, "/api/v1/webhooks?limit=2", Some(&world.token), None).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = world
        .api
        .call(Method::GET, &format!("/api/v1/webhooks?limit=2&after={cursor}"), Some(&world.token), None)
        .await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    let mut listed: Vec<String> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["data"].as_array().unwrap())
        .map(|webhook| webhook["webhook_id"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);

    let path = format!("/api/v1/webhooks/{}", ids[0]);
    let patch = json!({"retry_config": {"max_retries": 7}, "event_types": ["order.*"], "status": "inactive"});
    let (status, patched) = world.api.call(Method::PATCH, &path, Some(&world.token), Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["retry_config"]["max_retries"], 7);
    assert_eq!(patched["retry_config"]["initial_delay_ms"], 200, "unnamed settings are kept");
    assert_eq!(patched["status"], "inactive");

    let (status, _) = world.api.call(Method::DELETE, &path, Some(&world.token), None).await;
    assert_eq!(status, 204);
    let (status, _) = world.api.call(Method::GET, &path, Some(&world.token), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_bad_webhook_gets_a_400_naming_the_field() {
    let world = World::start().await;
    let url = world.receiver.url("/x");
    let cases = [
        (json!({}), "callback_url", "required"),
        (json!({"callback_url": "not a url"}), "callback_url", "invalid"),
        (json!({"callback_url": "ftp://example.com/"}), "callback_url", "invalid"),
        (json!({"callback_url": url, "event_types": ["ok.type", "bad type"]}), "event_types[1]", "invalid"),
        (
            json!({"callback_url": url, "retry_config": {"max_retries": 1000}}),
            "retry_config.max_retries",
            "out_of_range",
        ),
        (
            json!({"callback_url": url, "retry_config": {"max_retries": "five"}}),
            "retry_config.max_retries",
            "invalid",
        ),
        (
            json!({"callback_url": url, "trigger_conditions": {"filters": {"amount_gt": "big"}}}),
            "trigger_conditions.filters",
            "invalid",
        ),
        (
            json!({"callback_url": url, "rate_limit": {"requests_per_minute": 0}}),
            "rate_limit.requests_per_minute",
            "out_of_range",
        ),
        (json!({"callback_url": url, "status": "paused"}), "status", "invalid"),
        (json!({"callback_url": url, "colour": "blue"}), "colour", "invalid"),
    ];
    for (body, field, code) in cases {
        let (status, answer) =
            world.api.call(Method::POST, "/api/v1/webhooks", Some(&world.token), Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }

    let raw = reqwest::Client::new()
        .post(format!("{}/api/v1/webhooks", world.api.control_plane))
        .bearer_auth(&world.token)
        .body("{\"callback_url\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let answer: Value = raw.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "malformed_json");
}

#[tokio::test]
async fn ingest_refuses_each_bad_request_with_a_clear_error() {
    let world = World::start().await;
    let event = support::event(&world.client_id, "evt_1", "payment.succeeded", json!({"amount": 1}));
    let body = serde_json::to_vec(&event).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = support::api::sign(&world.source.signing_secret, &body);
    let ingest = "/api/v1/events/ingest";
    let key = world.source.api_key.as_str();
    let fresh = now.to_string();

    let refused = |status: u16, code: &'static str| {
        move |(got, answer): (u16, Value)| {
            assert_eq!(got, status, "{answer}");
            assert_eq!(answer["error"]["code"], code, "{answer}");
        }
    };
    refused(401, "missing_api_key")(
        world.api.ingest_with(ingest, None, Some(&signature), Some(&fresh), body.clone()).await,
    );
    let wrong_key = format!("{}.wrong", world.source.id);
    refused(401, "invalid_api_key")(
        world.api.ingest_with(ingest, Some(&wrong_key), Some(&signature), Some(&fresh), body.clone()).await,
    );
    refused(401, "invalid_signature")(
        world.api.ingest_with(ingest, Some(key), Some("sha256=00ff"), Some(&fresh), body.clone()).await,
    );
    let stale = (now - 301).to_string();
    refused(401, "invalid_timestamp")(
        world.api.ingest_with(ingest, Some(key), Some(&signature), Some(&stale), body.clone()).await,
    );

    let (status, answer) = world.api.ingest_at(ingest, &world.source, b"{\"event_id\": ").await;
    assert_eq!((status, answer["error"]["code"].clone()), (400, json!("malformed_json")), "{answer}");

    let mut missing = event.clone();
    missing.as_object_mut().unwrap().remove("event_type");
    let (status, answer) = world.api.ingest(&world.source, &missing).await;
    assert_eq!((status, answer["error"]["field"].clone()), (400, json!("event_type")), "{answer}");

    let unknown_client =
        support::event("cl_01M834KK6HYYS45H6MHPWXEF6D", "evt_2", "payment.succeeded", json!({}));
    let (status, answer) = world.api.ingest(&world.source, &unknown_client).await;
    assert_eq!((status, answer["error"]["code"].clone()), (400, json!("unknown_client")), "{answer}");

    // An oversized body (413 `payload_too_large`) is in tests/bad_input.rs: the server answers
    // on the length alone and closes, so a client still writing the body may see a broken pipe
    // instead of the answer; that test reads the 413 the way a 100-continue client does.

    let narrow = world.api.create_source(&["order.*"]).await;
    let (status, answer) = world.api.ingest(&narrow, &event).await;
    assert_eq!((status, answer["error"]["field"].clone()), (403, json!("event_type")), "{answer}");

    let batch = [event.clone(), support::event(&world.client_id, "evt_3", "bad type", json!({}))];
    let (status, answer) = world.api.ingest_batch(&world.source, &batch).await;
    assert_eq!((status, answer["error"]["field"].clone()), (400, json!("[1].event_type")), "{answer}");

    // Nothing refused above was published: the one good event is still new.
    let (status, answer) = world.api.ingest(&world.source, &event).await;
    assert_eq!((status, answer["duplicate"].clone()), (202, json!(false)), "{answer}");
}
