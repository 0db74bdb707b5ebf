//! A small client of edgehook's public APIs, as a source and a client would use them.

use reqwest::Method;
use serde_json::{Value, json};

use super::processes::DevCredentials;

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub control_plane: String,
    pub ingest: String,
    pub admin_token: String,
}

/// A source's credentials, as `POST /api/v1/sources` returned them.
#[derive(Clone, Debug)]
pub struct Source {
    pub id: String,
    pub api_key: String,
    pub signing_secret: String,
}

/// An event body as a source sends it.
pub fn event(client_id: &str, event_id: &str, event_type: &str, data: Value) -> Value {
    json!({"event_id": event_id, "event_type": event_type, "client_id": client_id, "data": data})
}

impl Api {
    pub fn new(credentials: &DevCredentials) -> Self {
        super::install_crypto_provider();
        Self {
            http: reqwest::Client::new(),
            control_plane: credentials.control_plane_url.clone(),
            ingest: credentials.ingest_url.clone(),
            admin_token: credentials.admin_token.clone(),
        }
    }

    /// A control plane call; returns the status and the JSON body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.control_plane));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    /// Onboards a client; returns its id and token.
    pub async fn create_client(&self, name: &str) -> (String, String) {
        let (status, body) = self
            .call(Method::POST, "/api/v1/clients", Some(&self.admin_token), Some(json!({"name": name})))
            .await;
        assert_eq!(status, 201, "{body}");
        (body["client_id"].as_str().unwrap().to_owned(), body["token"].as_str().unwrap().to_owned())
    }

    pub async fn create_source(&self, allowed_event_types: &[&str]) -> Source {
        self.create_source_with(json!({"name": "test source", "allowed_event_types": allowed_event_types}))
            .await
    }

    /// Onboards a source with every field of `body`.
    pub async fn create_source_with(&self, body: Value) -> Source {
        let (status, body) =
            self.call(Method::POST, "/api/v1/sources", Some(&self.admin_token), Some(body)).await;
        assert_eq!(status, 201, "{body}");
        Source {
            id: body["source_id"].as_str().unwrap().to_owned(),
            api_key: body["api_key"].as_str().unwrap().to_owned(),
            signing_secret: body["signing_secret"].as_str().unwrap().to_owned(),
        }
    }

    /// Registers a webhook; returns the 201 body (with its signing secret).
    pub async fn create_webhook(&self, token: &str, webhook: Value) -> Value {
        let (status, body) = self.call(Method::POST, "/api/v1/webhooks", Some(token), Some(webhook)).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Sends one event, signed and timestamped as the source must.
    pub async fn ingest(&self, source: &Source, event: &Value) -> (u16, Value) {
        self.ingest_at("/api/v1/events/ingest", source, &serde_json::to_vec(event).unwrap()).await
    }

    pub async fn ingest_batch(&self, source: &Source, events: &[Value]) -> (u16, Value) {
        self.ingest_at("/api/v1/events/batch", source, &serde_json::to_vec(events).unwrap()).await
    }

    /// Sends `body` bytes exactly, with correct credentials.
    pub async fn ingest_at(&self, path: &str, source: &Source, body: &[u8]) -> (u16, Value) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = sign(&source.signing_secret, body);
        self.ingest_with(path, Some(&source.api_key), Some(&signature), Some(&now.to_string()), body.to_vec())
            .await
    }

    /// Sends whatever credentials it is given: for the tests of refused requests.
    pub async fn ingest_with(
        &self,
        path: &str,
        api_key: Option<&str>,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = self.http.post(format!("{}{path}", self.ingest)).body(body);
        if let Some(api_key) = api_key {
            request = request.bearer_auth(api_key);
        }
        if let Some(signature) = signature {
            request = request.header("x-source-signature", signature);
        }
        if let Some(timestamp) = timestamp {
            request = request.header("x-source-timestamp", timestamp);
        }
        read(request.send().await.unwrap()).await
    }

    /// Every attempt recorded for a webhook.
    pub async fn attempts_of_webhook(&self, token: &str, webhook_id: &str) -> Vec<Value> {
        self.list(token, &format!("/api/v1/webhooks/{webhook_id}/deliveries")).await
    }

    pub async fn dead_letters(&self, token: &str, webhook_id: &str) -> Vec<Value> {
        self.list(token, &format!("/api/v1/webhooks/{webhook_id}/dead-letters")).await
    }

    async fn list(&self, token: &str, path: &str) -> Vec<Value> {
        let (status, body) = self.call(Method::GET, path, Some(token), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        body["data"].as_array().unwrap().clone()
    }
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`, as a source signs (ingest's own definition).
pub use edgehook_ingest::source_auth::sign;

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    (status, body)
}
