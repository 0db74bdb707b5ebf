//! Payloads encrypted to the client's key, decrypted by an independent JOSE implementation
//! (Python jwcrypto), and signed over what is actually sent.

use edgehook_testkit as support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};
use support::World;
use support::verifiers::{run_python, standard_webhooks};

fn make_key(kind: &str) -> (Value, Value) {
    let (made, out) = run_python("jose.py", &json!({"make": kind}));
    assert!(made);
    let keys: Value = serde_json::from_str(&out).unwrap();
    (keys["private"].clone(), keys["public"].clone())
}

fn decrypt(private: &Value, jwe: &str) -> Value {
    let (decrypted, plaintext) = run_python("jose.py", &json!({"private": private, "jwe": jwe}));
    assert!(decrypted, "jwcrypto could not decrypt {jwe}");
    serde_json::from_str(&plaintext).unwrap()
}

#[tokio::test]
async fn a_whole_payload_encrypted_with_rsa_oaep_256_decrypts_with_jwcrypto() {
    let world = World::start().await;
    let (private, public) = make_key("RSA");
    let webhook = world.webhook("/rsa", json!({"encryption": {"jwk": public}})).await;
    let secret = webhook["signing_secret"].as_str().unwrap();

    world.send("evt_rsa", "payment.succeeded", json!({"amount": 42, "card": "4242"})).await;
    let delivery = world.receiver.wait_for("/rsa", 1).await.remove(0);
    assert_eq!(delivery.header("content-type"), "application/jose");
    let compact = String::from_utf8(delivery.body.to_vec()).unwrap();
    assert!(!compact.contains("4242"), "the payload travels encrypted");
    assert!(standard_webhooks(secret, &delivery), "the signature covers the JWE as sent");

    let event = decrypt(&private, &compact);
    assert_eq!(event["event_id"], "evt_rsa");
    assert_eq!(event["data"], json!({"amount": 42, "card": "4242"}));
}

#[tokio::test]
async fn listed_fields_encrypted_with_ecdh_es_x25519_decrypt_with_jwcrypto() {
    let world = World::start().await;
    let (private, public) = make_key("X25519");
    let webhook = world
        .webhook("/x25519", json!({"encryption": {"jwk": public, "fields": ["card.number", "email"]}}))
        .await;
    let secret = webhook["signing_secret"].as_str().unwrap();

    let data = json!({"amount": 42, "email": "ada@example.com", "card": {"number": "4242424242424242", "brand": "visa"}});
    world.send("evt_fields", "payment.succeeded", data).await;
    let delivery = world.receiver.wait_for("/x25519", 1).await.remove(0);
    assert!(standard_webhooks(secret, &delivery));
    let body = delivery.json();
    assert_eq!(body["data"]["amount"], 42, "unlisted fields stay readable");
    assert_eq!(body["data"]["card"]["brand"], "visa");
    let number = body["data"]["card"]["number"].as_str().unwrap();
    assert_eq!(number.split('.').count(), 5, "a compact JWE: {number}");
    assert_eq!(decrypt(&private, number), json!("4242424242424242"));
    assert_eq!(decrypt(&private, body["data"]["email"].as_str().unwrap()), json!("ada@example.com"));
}

#[tokio::test]
async fn a_private_or_weak_key_is_refused_at_registration() {
    let world = World::start().await;
    let (private, _) = make_key("X25519");
    for (jwk, expected) in [
        (private, "private key"),
        (json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode([0xc5u8; 128]), "e": "AQAB"}), "2048"),
        (json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}), "unsupported"),
    ] {
        let body = json!({"callback_url": world.receiver.url("/x"), "encryption": {"jwk": jwk}});
        let (status, answer) =
            world.api.call(Method::POST, "/api/v1/webhooks", Some(&world.token), Some(body)).await;
        assert_eq!((status, answer["error"]["field"].clone()), (400, json!("encryption.jwk")), "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(expected), "{answer}");
    }
}
