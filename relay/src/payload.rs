//! What is sent: the event as JSON, or, for a webhook that registered a key, encrypted to it as
//! a JWE (the whole body, `application/jose`), or with the listed fields of `data` replaced by
//! JWEs of their values. The signature is made over these bytes, exactly as sent.

use edgehook_domain::event::Event;
use edgehook_domain::webhook::Webhook;
use edgehook_security::jwe::RecipientKey;
use serde_json::Value;

pub struct Payload {
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

pub fn render(webhook: &Webhook, event: &Event) -> Result<Payload, String> {
    let body = event.delivery_body();
    let Some(encryption) = &webhook.encryption else {
        return Ok(Payload { body, content_type: "application/json" });
    };
    let key = RecipientKey::from_jwk(&encryption.jwk).map_err(|error| format!("cannot encrypt: {error}"))?;
    if encryption.fields.is_empty() {
        return Ok(Payload { body: key.encrypt(&body).into_bytes(), content_type: "application/jose" });
    }
    let mut document: Value = serde_json::from_slice(&body).expect("the delivery body is JSON");
    for field in &encryption.fields {
        let pointer = format!("/data/{}", field.replace('~', "~0").replace('/', "~1").replace('.', "/"));
        if let Some(value) = document.pointer_mut(&pointer) {
            let plaintext = serde_json::to_vec(value).expect("JSON serializes");
            *value = Value::String(key.encrypt(&plaintext));
        }
    }
    Ok(Payload {
        body: serde_json::to_vec(&document).expect("JSON serializes"),
        content_type: "application/json",
    })
}
