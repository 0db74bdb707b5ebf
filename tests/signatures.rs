//! Signatures clients verify with independent libraries: `v1` (HMAC, Standard Webhooks'
//! reference library), `v1a` (Ed25519, Python `cryptography`), key rotation with an overlap,
//! and `edgehook verify` for a captured delivery.

use edgehook_testkit as support;

use std::process::Command;
use std::time::Duration;

use async_nats::jetstream::message::PublishMessage;
use reqwest::Method;
use serde_json::json;
use support::World;
use support::receiver::Received;
use support::verifiers::{ed25519, standard_webhooks};

fn entries(delivery: &Received) -> Vec<String> {
    delivery
        .header("webhook-signature")
        .split_whitespace()
        .map(|entry| entry.split(',').next().unwrap().to_owned())
        .collect()
}

/// `edgehook verify` on a captured delivery; returns whether it succeeded, and what it said.
fn edgehook_verify(key: &str, delivery: &Received, body: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let body_path = dir.path().join("body");
    std::fs::write(&body_path, body).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args([
            "verify",
            "--secret",
            key,
            "--headers",
            &serde_json::to_string(&delivery.headers).unwrap(),
            "--body",
        ])
        .arg(&body_path)
        .output()
        .unwrap();
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), said)
}

#[tokio::test]
async fn an_ed25519_webhook_is_verified_with_its_public_key_by_an_independent_library() {
    let world = World::start().await;
    let webhook = world.webhook("/ed", json!({"signature": "ed25519"})).await;
    assert!(webhook.get("signing_secret").is_none(), "the private key never leaves edgehook: {webhook}");
    let public_key = webhook["public_key"].as_str().unwrap().to_owned();
    assert!(public_key.starts_with("whpk_"));
    let id = webhook["webhook_id"].as_str().unwrap();
    let (status, keys) = world
        .api
        .call(Method::GET, &format!("/api/v1/webhooks/{id}/public-key"), Some(&world.token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(keys["public_keys"][0]["public_key"], public_key.as_str());

    world.send("evt_ed", "order.created", json!({"n": 1})).await;
    let delivery = &world.receiver.wait_for("/ed", 1).await[0];
    assert_eq!(entries(delivery), ["v1a"]);
    assert!(ed25519(&public_key, delivery), "cryptography's Ed25519 refused our v1a signature");

    let (verified, said) = edgehook_verify(&public_key, delivery, &delivery.body);
    assert!(verified && said.contains("v1a"), "{said}");
    let (verified, said) = edgehook_verify(&public_key, delivery, b"{\"tampered\":true}");
    assert!(!verified && said.contains("does not match"), "{said}");
}

#[tokio::test]
async fn during_a_rotation_both_keys_sign_and_after_the_overlap_only_the_new_one() {
    let world = World::start().await;
    let webhook = world.webhook("/rot", json!({})).await;
    let id = webhook["webhook_id"].as_str().unwrap();
    let old_secret = webhook["signing_secret"].as_str().unwrap().to_owned();

    let rotate = format!("/api/v1/webhooks/{id}/rotate-secret");
    let (status, rotated) =
        world.api.call(Method::POST, &rotate, Some(&world.token), Some(json!({"overlap_seconds": 4}))).await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["signing_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);

    world.send("evt_during", "order.created", json!({})).await;
    let during = world.receiver.wait_for("/rot", 1).await.remove(0);
    assert_eq!(entries(&during), ["v1", "v1"], "both keys sign during the overlap");
    assert!(standard_webhooks(&old_secret, &during), "clients on the old secret keep verifying");
    assert!(standard_webhooks(&new_secret, &during), "clients on the new secret verify already");

    tokio::time::sleep(Duration::from_secs(5)).await;
    world.send("evt_after", "order.created", json!({})).await;
    let after = world.receiver.wait_for("/rot", 2).await.remove(1);
    assert_eq!(entries(&after), ["v1"]);
    assert!(standard_webhooks(&new_secret, &after));
    assert!(!standard_webhooks(&old_secret, &after), "the retired secret no longer signs");
    let (verified, said) = edgehook_verify(&new_secret, &after, &after.body);
    assert!(verified && said.contains("v1 signature"), "{said}");
}

#[tokio::test]
async fn rotating_to_ed25519_signs_with_both_schemes_during_the_overlap() {
    let world = World::start().await;
    let webhook = world.webhook("/switch", json!({})).await;
    let id = webhook["webhook_id"].as_str().unwrap();
    let old_secret = webhook["signing_secret"].as_str().unwrap().to_owned();
    let rotate = format!("/api/v1/webhooks/{id}/rotate-secret");
    let (status, rotated) = world
        .api
        .call(Method::POST, &rotate, Some(&world.token), Some(json!({"signature": "ed25519"})))
        .await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(rotated["signature"], "ed25519");
    let public_key = rotated["public_key"].as_str().unwrap().to_owned();

    world.send("evt_switch", "order.created", json!({})).await;
    let delivery = world.receiver.wait_for("/switch", 1).await.remove(0);
    assert_eq!(entries(&delivery), ["v1a", "v1"]);
    assert!(standard_webhooks(&old_secret, &delivery));
    assert!(ed25519(&public_key, &delivery));

    let (status, answer) = world
        .api
        .call(
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            Some(&world.token),
            Some(json!({"signature": "hmac-sha256"})),
        )
        .await;
    assert_eq!((status, answer["error"]["field"].clone()), (400, json!("signature")), "{answer}");
}

#[tokio::test]
async fn secrets_are_sealed_in_the_buckets_and_shown_only_when_made() {
    let world = World::start().await;
    let webhook = world.webhook("/sealed", json!({})).await;
    let secret = webhook["signing_secret"].as_str().unwrap();
    let id = webhook["webhook_id"].as_str().unwrap();

    // What a copy of the buckets (a backup, a region's mirror) holds.
    let nats = support::connect_service(&world.up.credentials.nats_service_url).await;
    let jetstream = async_nats::jetstream::new(nats);
    let stored = |bucket: &'static str, key: String| {
        let jetstream = jetstream.clone();
        async move {
            let store = jetstream.get_key_value(bucket).await.unwrap();
            String::from_utf8(store.get(key).await.unwrap().unwrap().to_vec()).unwrap()
        }
    };
    let raw_webhook = stored("webhooks", format!("{}.{id}", world.client_id)).await;
    assert!(raw_webhook.contains("sealed:v1:"), "{raw_webhook}");
    assert!(
        !raw_webhook.contains(secret.trim_start_matches("whsec_")),
        "the webhook secret is stored in clear"
    );
    let raw_source = stored("sources", world.source.id.clone()).await;
    assert!(!raw_source.contains(&world.source.signing_secret), "the source secret is stored in clear");
    assert!(!raw_source.contains(&world.source.api_key), "the API key is stored in clear");

    let (_, shown) =
        world.api.call(Method::GET, &format!("/api/v1/webhooks/{id}"), Some(&world.token), None).await;
    assert!(shown.get("signing_secret").is_none(), "{shown}");

    // Sealed at rest, and still what signs and authenticates.
    world.send("evt_sealed", "order.created", json!({})).await;
    let delivery = world.receiver.wait_for("/sealed", 1).await.remove(0);
    assert!(standard_webhooks(secret, &delivery));
}

/// Other changes in the bucket's history after the webhook's first version.
const OTHER_CHANGES: usize = 20_000;

/// A relay signs a delivery with a copy of its webhook at least as new as the one the router
/// matched (the rotation here), however far behind its copy is. A relay that starts while a
/// task waits for it fills its copy from the bucket's history, oldest first: the webhook's first
/// version, many other changes, then its rotation. Signing with the first version it sees (as
/// it did) leaves out the new key, and a client on the new secret rejects the delivery.
#[tokio::test]
async fn a_starting_relay_signs_with_a_webhook_at_least_as_new_as_its_task() {
    let mut topology = support::Topology::start(&["eu"], false).await;
    let api = topology.api();
    let receiver = support::Receiver::start().await;
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let path = "/rotated";
    let webhook =
        api.create_webhook(&token, json!({"callback_url": receiver.url(path), "region": "eu"})).await;
    let id = webhook["webhook_id"].as_str().unwrap();
    let old_secret = webhook["signing_secret"].as_str().unwrap().to_owned();
    // A busy bucket: many changes after this webhook's first version (keys of no client's, put
    // as the control plane would, in batches: JetStream bounds the acknowledgements pending).
    let jetstream =
        async_nats::jetstream::new(support::connect_service(&topology.credentials.nats_service_url).await);
    let bucket = jetstream.get_key_value("webhooks").await.unwrap();
    let stored = bucket.get(format!("{client_id}.{id}")).await.unwrap().unwrap();
    for chunk in (0..OTHER_CHANGES).collect::<Vec<_>>().chunks(1_000) {
        let mut puts = Vec::new();
        for n in chunk {
            let subject = format!("$KV.webhooks.others.{n}");
            let put = PublishMessage::build().payload(stored.clone());
            puts.push(jetstream.send_publish(subject, put).await.unwrap());
        }
        for put in puts {
            put.await.unwrap();
        }
    }

    topology.stop_relays("eu");
    let rotate = format!("/api/v1/webhooks/{id}/rotate-secret");
    let (status, rotated) =
        api.call(Method::POST, &rotate, Some(&token), Some(json!({"overlap_seconds": 3600}))).await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["signing_secret"].as_str().unwrap().to_owned();
    let event = support::event(&client_id, "evt_after_rotation", "order.created", json!({}));
    let (status, body) = api.ingest(&source, &event).await;
    assert_eq!(status, 202, "{body}");
    topology.start_relay("eu");

    let delivery = receiver.wait_for(path, 1).await.remove(0);
    assert_eq!(entries(&delivery), ["v1", "v1"], "both keys sign during the overlap");
    assert!(standard_webhooks(&new_secret, &delivery), "clients on the new secret verify already");
    assert!(standard_webhooks(&old_secret, &delivery), "clients on the old secret keep verifying");
}
