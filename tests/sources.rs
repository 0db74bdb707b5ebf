//! What a source may do: send from its allowed addresses, at its allowed rate.

mod support;

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
