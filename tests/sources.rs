//! What a source may do: send from its allowed addresses, at its allowed rate, over NATS only as
//! itself.

use edgehook_testkit as support;

use std::time::Duration;

use async_nats::{ConnectErrorKind, ConnectOptions, Event, ServerError};
use serde_json::json;
use support::World;

#[tokio::test]
async fn a_source_outside_its_ip_allowlist_is_refused_and_one_inside_is_accepted() {
    let world = World::start().await;
    let event = support::event(&world.client_id, "evt_ip", "order.created", json!({}));

    let elsewhere = world
        .api
        .create_source_with(
            json!({"name": "office", "allowed_event_types": ["*"], "allowed_ips": ["203.0.113.0/24"]}),
        )
        .await;
    let (status, answer) = world.api.ingest(&elsewhere, &event).await;
    assert_eq!((status, answer["error"]["code"].clone()), (403, json!("ip_not_allowed")), "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("127.0.0.1"));

    let local = world
        .api
        .create_source_with(
            json!({"name": "local", "allowed_event_types": ["*"], "allowed_ips": ["127.0.0.0/8"]}),
        )
        .await;
    let (status, answer) = world.api.ingest(&local, &event).await;
    assert_eq!(status, 202, "{answer}");

    let (status, answer) = world
        .api
        .call(
            reqwest::Method::POST,
            "/api/v1/sources",
            Some(&world.api.admin_token),
            Some(json!({"name": "bad", "allowed_event_types": ["*"], "allowed_ips": ["not-a-subnet"]})),
        )
        .await;
    assert_eq!((status, answer["error"]["field"].clone()), (400, json!("allowed_ips[0]")), "{answer}");
}

#[tokio::test]
async fn a_source_far_above_its_rate_is_throttled_with_429_and_counted_for_the_alert() {
    let world = World::start().await;
    let source = world
        .api
        .create_source_with(
            json!({"name": "runaway", "allowed_event_types": ["*"], "max_events_per_second": 5}),
        )
        .await;

    let batch: Vec<_> = (0..5)
        .map(|n| support::event(&world.client_id, &format!("evt_r{n}"), "order.created", json!({})))
        .collect();
    let (status, answer) = world.api.ingest_batch(&source, &batch).await;
    assert_eq!(status, 202, "a second's worth is accepted: {answer}");

    let event = support::event(&world.client_id, "evt_r_over", "order.created", json!({}));
    let (status, answer) = world.api.ingest(&source, &event).await;
    assert_eq!((status, answer["error"]["code"].clone()), (429, json!("rate_limited")), "{answer}");

    let http = reqwest::Client::new();
    let body = serde_json::to_vec(&event).unwrap();
    let response = http
        .post(format!("{}/api/v1/events/ingest", world.api.ingest))
        .bearer_auth(&source.api_key)
        .header("x-source-signature", support::api::sign(&source.signing_secret, &body))
        .header("x-source-timestamp", time::OffsetDateTime::now_utc().unix_timestamp().to_string())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");

    let metrics =
        reqwest::get(format!("{}/metrics", world.api.control_plane)).await.unwrap().text().await.unwrap();
    let throttled =
        format!(r#"edgehook_ingest_events_total{{source_id="{}",result="rate_limited"}}"#, source.id);
    assert!(metrics.contains(&throttled), "{metrics}");

    // A throttled event was not accepted: after the wait it is new.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    let (status, answer) = world.api.ingest(&source, &event).await;
    assert_eq!((status, answer["duplicate"].clone()), (202, json!(false)), "{answer}");
}

#[tokio::test]
async fn over_nats_a_source_logs_in_with_its_api_key_and_may_publish_only_as_itself() {
    let world = World::start().await;
    world.webhook("/over-nats", json!({})).await;
    let url = world.up.credentials.nats_url.clone();
    let other = world.api.create_source(&["*"]).await;

    // No key, a wrong key, a guessed service password, an address off the allowlist: refused.
    let elsewhere = world
        .api
        .create_source_with(
            json!({"name": "office", "allowed_event_types": ["*"], "allowed_ips": ["203.0.113.0/24"]}),
        )
        .await;
    let refused_logins = [
        ("no login", ConnectOptions::new()),
        ("a wrong key", ConnectOptions::with_token(format!("{}.wrong", world.source.id))),
        ("a guessed password", ConnectOptions::with_user_and_password("edgehook".into(), "guess".into())),
        ("an address off the allowlist", support::source_login(&elsewhere)),
    ];
    for (what, login) in refused_logins {
        let error = login.connect(&url).await.err().unwrap_or_else(|| panic!("{what} was let in"));
        assert_eq!(error.kind(), ConnectErrorKind::AuthorizationViolation, "{what}: {error}");
    }

    // Its own key: its own subject takes events...
    let (violations, mut reported) = tokio::sync::mpsc::unbounded_channel();
    let nats = support::source_login(&world.source)
        .event_callback(move |event| {
            let violations = violations.clone();
            async move {
                if let Event::ServerError(ServerError::Other(message)) = event {
                    let _ = violations.send(message);
                }
            }
        })
        .connect(&url)
        .await
        .unwrap();
    let event = support::event(&world.client_id, "evt_own", "order.created", json!({}));
    let reply = nats.request(format!("ingest.{}", world.source.id), event.to_string().into()).await.unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["results"][0]["duplicate"], false, "{reply}");
    assert_eq!(world.receiver.wait_for("/over-nats", 1).await[0].json()["event_id"], "evt_own");

    // ...another source's subject is refused by NATS itself.
    let forged = support::event(&world.client_id, "evt_forged", "order.created", json!({}));
    let other_subject = format!("ingest.{}", other.id);
    let answer = tokio::time::timeout(
        Duration::from_secs(3),
        nats.request(other_subject.clone(), forged.to_string().into()),
    )
    .await;
    assert!(!matches!(answer, Ok(Ok(_))), "a forged publish was answered: {answer:?}");
    let violation = tokio::time::timeout(Duration::from_secs(5), reported.recv()).await.unwrap().unwrap();
    assert!(violation.contains("Permissions Violation for Publish"), "{violation}");
    assert!(violation.contains(&other_subject), "{violation}");

    // Nothing was accepted under the other's name: the same event, sent properly, is new.
    let reply = nats.request(format!("ingest.{}", world.source.id), forged.to_string().into()).await.unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["results"][0]["duplicate"], false, "{reply}");
}
