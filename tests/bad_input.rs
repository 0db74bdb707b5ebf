//! Bad input to every HTTP endpoint: whatever arrives, ingest and the control plane answer a 4xx
//! with the `{"error": {code, message, field}}` body, never a 5xx, never a panic.
//!
//! Why end to end: the body limits, warp's rejections and the JSON checks
//! (`edgehook_domain::validation::parse_json`) are wired per route; a unit test of the parser
//! cannot show that each route goes through them. Oversized, 10,000-deep, non-UTF-8 and
//! duplicate-key bodies are sent over real HTTP to a real `edgehook up`; the properties of the
//! parsers themselves are `ingest/src/properties.rs`.

use edgehook_testkit as support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{World, api::sign};

/// A body of each kind of bad input, made from a good `object` body (a JSON object).
fn bad_bodies(object: &Value) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let text = object.to_string();
    let inner = &text[1..text.len() - 1];
    let first_key = object.as_object().unwrap().keys().next().unwrap().clone();
    let first_value = object[&first_key].to_string();
    let deep = |open: &str, close: &str| {
        format!("{{{inner}, \"deep\": {}{}}}", open.repeat(10_000), close.repeat(10_000)).into_bytes()
    };
    let mut not_utf8 = format!("{{{inner}, \"note\": \"").into_bytes();
    not_utf8.extend_from_slice(b"caf\xe9 \xff\xfe\"}");
    vec![
        ("10,000 arrays deep", deep("[", "]"), "too_deep"),
        ("10,000 objects deep", deep("{\"a\":", "}"), "too_deep"),
        ("not UTF-8", not_utf8, "malformed_json"),
        (
            "a duplicate key",
            format!("{{{inner}, {}: {first_value}}}", json!(first_key)).into_bytes(),
            "duplicate_key",
        ),
        ("a lone surrogate", format!("{{{inner}, \"note\": \"\\ud800\"}}").into_bytes(), "malformed_json"),
        ("trailing garbage", format!("{text} {text}").into_bytes(), "malformed_json"),
        ("NUL bytes", b"\0\0\0".to_vec(), "malformed_json"),
    ]
}

/// Announces a body one byte over `limit` and reads the answer before sending any of it, as
/// a client that sends `Expect: 100-continue` does: the server refuses on the length alone
/// and closes, so a client still writing (reqwest) sees a broken pipe instead of the answer.
async fn oversized(method: &str, url: &str, headers: &[(&str, &str)], limit: usize) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = reqwest::Url::parse(url).unwrap();
    let mut stream =
        tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).await.unwrap();
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n",
        url.path(),
        url.host_str().unwrap(),
        limit + 1
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Asserts the answer is a 4xx with the error body, `code` if given.
async fn assert_refused(what: &str, response: reqwest::Response, code: Option<&str>) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        panic!("{what}: {status} without a JSON body: {}", String::from_utf8_lossy(&bytes))
    });
    assert!((400..500).contains(&status), "{what}: {status} {body}");
    let error = &body["error"];
    assert!(error["code"].is_string() && error["message"].is_string(), "{what}: {body}");
    if let Some(code) = code {
        assert_eq!(error["code"], code, "{what}: {body}");
    }
}

#[tokio::test]
async fn ingest_refuses_every_kind_of_bad_body_with_the_error_body() {
    let world = World::start().await;
    let http = reqwest::Client::new();
    let event = support::event(&world.client_id, "evt_bad", "payment.succeeded", json!({"amount": 1}));
    let data_deep = {
        event
            .to_string()
            .replace(
                "{\"amount\":1}",
                &format!("{{\"amount\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000)),
            )
            .into_bytes()
    };
    let data_duplicate =
        event.to_string().replace("{\"amount\":1}", "{\"amount\":1,\"amount\":2}").into_bytes();

    for path in ["/api/v1/events/ingest", "/api/v1/events/batch"] {
        let batch = path.ends_with("batch");
        let mut cases = bad_bodies(&event);
        cases.push(("data 10,000 deep", data_deep.clone(), "too_deep"));
        cases.push(("a duplicate key in data", data_duplicate.clone(), "duplicate_key"));
        for (what, body, code) in cases {
            let body =
                if batch && code != "payload_too_large" { [b"[", &body[..], b"]"].concat() } else { body };
            let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
            let response = http
                .post(format!("{}{path}", world.api.ingest))
                .bearer_auth(&world.source.api_key)
                .header("x-source-signature", sign(&world.source.signing_secret, &body))
                .header("x-source-timestamp", timestamp)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_refused(&format!("{path}: {what}"), response, Some(code)).await;
        }
    }

    // Over the body limit: 413 before anything else is looked at.
    for path in ["/api/v1/events/ingest", "/api/v1/events/batch"] {
        let limit = edgehook_ingest::DEFAULT_MAX_BODY_BYTES as usize;
        let (status, body) = oversized("POST", &format!("{}{path}", world.api.ingest), &[], limit).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (413, json!("payload_too_large")),
            "{path}: {body}"
        );
        assert!(body["error"]["message"].is_string(), "{body}");
    }

    // Headers: whatever they hold, a 401 with the body.
    for (authorization, signature, timestamp) in [
        ("Bearer", "sha256=", "0"),
        ("Bearer src_x.y", "sha256=zz", "-99999999999999999999"),
        ("Basic dXNlcjpwYXNz", "md5=00", "1e9"),
        (&*format!("Bearer {}", world.source.api_key), "sha256=00", "not a time"),
    ] {
        let response = http
            .post(format!("{}/api/v1/events/ingest", world.api.ingest))
            .header("authorization", authorization)
            .header("x-source-signature", signature)
            .header("x-source-timestamp", timestamp)
            .body(event.to_string())
            .send()
            .await
            .unwrap();
        assert_refused(&format!("headers {authorization:?}"), response, None).await;
    }
    let response = http
        .post(format!("{}/api/v1/events/ingest", world.api.ingest))
        .header("authorization", reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap())
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_refused("a non-UTF-8 authorization header", response, Some("missing_api_key")).await;

    // Still serving, and the good event goes through.
    let (status, answer) = world.api.ingest(&world.source, &event).await;
    assert_eq!(status, 202, "{answer}");
}

#[tokio::test]
async fn the_control_plane_refuses_every_kind_of_bad_body_with_the_error_body() {
    let world = World::start().await;
    let http = reqwest::Client::new();
    let webhook = world.webhook("/fine", json!({})).await;
    let id = webhook["webhook_id"].as_str().unwrap();
    let admin = world.api.admin_token.clone();
    let client = world.token.clone();
    let routes = [
        (Method::POST, "/api/v1/clients".to_owned(), admin.clone(), json!({"name": "acme"})),
        (
            Method::POST,
            "/api/v1/sources".to_owned(),
            admin,
            json!({"name": "s", "allowed_event_types": ["*"]}),
        ),
        (
            Method::POST,
            "/api/v1/webhooks".to_owned(),
            client.clone(),
            json!({"callback_url": world.receiver.url("/x"), "event_types": ["a.b"]}),
        ),
        (Method::PATCH, format!("/api/v1/webhooks/{id}"), client.clone(), json!({"description": "d"})),
        (
            Method::POST,
            format!("/api/v1/webhooks/{id}/rotate-secret"),
            client.clone(),
            json!({"signature": "ed25519"}),
        ),
        (
            Method::POST,
            format!("/api/v1/webhooks/{id}/replay"),
            client,
            json!({"since": "2026-01-01T00:00:00Z"}),
        ),
    ];
    for (method, path, token, good) in routes {
        let authorization = format!("Bearer {token}");
        {
            let url = format!("{}{path}", world.api.control_plane);
            let headers = [("Authorization", authorization.as_str())];
            let (status, body) = oversized(method.as_str(), &url, &headers, 64 * 1024).await;
            assert_eq!(
                (status, body["error"]["code"].clone()),
                (413, json!("payload_too_large")),
                "{path}: {body}"
            );
        }
        for (what, body, code) in bad_bodies(&good) {
            let response = http
                .request(method.clone(), format!("{}{path}", world.api.control_plane))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_refused(&format!("{method} {path}: {what}"), response, Some(code)).await;
        }
        // Valid JSON of the wrong shape, and no JSON at all.
        for body in
            ["null", "[]", "\"text\"", "1e999999", "{\"description\": {\"a\": [1, {\"b\": null}]}}", ""]
        {
            let response = http
                .request(method.clone(), format!("{}{path}", world.api.control_plane))
                .bearer_auth(&token)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            if status < 300 {
                continue; // `rotate-secret` takes an empty body: a rotation with defaults.
            }
            assert_refused(&format!("{method} {path}: {body:?}"), response, None).await;
        }
    }

    // Still serving; the webhook unchanged by any of it.
    let (status, after) =
        world.api.call(Method::GET, &format!("/api/v1/webhooks/{id}"), Some(&world.token), None).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["callback_url"], webhook["callback_url"]);
}
