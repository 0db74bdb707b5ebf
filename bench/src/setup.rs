//! Registration through the control plane: one client, one source allowed every event type (with
//! the highest rate limit), and one webhook per receiver endpoint (`/wh/<n>`), each with a short
//! retry schedule.

use anyhow::{Context, bail};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::deployment::Credentials;

const SOURCE_RATE_LIMIT: u32 = 1_000_000;

/// What the run needs to send events and verify their deliveries.
pub struct Registered {
    pub client_id: String,
    pub api_key: String,
    pub source_secret: String,
    pub nats_subject: String,
    pub nats_inbox_prefix: String,
    /// Each webhook's `whsec_` signing secret, in endpoint order.
    pub webhook_secrets: Vec<String>,
    webhook_ids: Vec<String>,
    client_token: String,
}

#[derive(Deserialize)]
struct ClientCreated {
    client_id: String,
    token: String,
}

#[derive(Deserialize)]
struct SourceCreated {
    api_key: String,
    signing_secret: String,
    nats_subject: String,
    nats_inbox_prefix: String,
}

#[derive(Deserialize)]
struct WebhookCreated {
    webhook_id: String,
    signing_secret: String,
}

/// The rate limit of the bench's webhooks: far above what one machine delivers, so the
/// pipeline is measured, not the limit (the default is 1,000/s). The report warns when a run
/// gets near it anyway (a deployment attached with `--target` may cap it lower).
pub const WEBHOOK_REQUESTS_PER_MINUTE: u64 = 60_000_000;

pub async fn register(
    http: &reqwest::Client,
    credentials: &Credentials,
    run_id: &str,
    callback_urls: &[String],
    webhook_fields: &serde_json::Value,
) -> anyhow::Result<Registered> {
    let cp = &credentials.control_plane_url;
    let admin = &credentials.admin_token;
    let client: ClientCreated =
        post(http, &format!("{cp}/api/v1/clients"), admin, json!({"name": format!("bench-{run_id}")}))
            .await
            .context("creating the bench client")?;
    let source: SourceCreated = post(
        http,
        &format!("{cp}/api/v1/sources"),
        admin,
        // The highest rate limit a source may have: the bench measures the pipeline, not the
        // source throttle (20000 events/s by default).
        json!({
            "name": format!("bench-{run_id}"),
            "allowed_event_types": ["*"],
            "max_events_per_second": SOURCE_RATE_LIMIT
        }),
    )
    .await
    .context("creating the bench source")?;
    let mut webhook_secrets = Vec::with_capacity(callback_urls.len());
    let mut webhook_ids = Vec::with_capacity(callback_urls.len());
    for url in callback_urls {
        // The bench measures the pipeline, not the webhooks' own rate limit (default 1,000/s).
        let mut body = json!({
            "callback_url": url,
            "rate_limit": {"requests_per_minute": WEBHOOK_REQUESTS_PER_MINUTE},
            "retry_config": {
                "max_retries": 10,
                "initial_delay_ms": 200,
                "max_delay_ms": 2000,
                "backoff_multiplier": 2.0
            }
        });
        if let (Some(body), Some(fields)) = (body.as_object_mut(), webhook_fields.as_object()) {
            body.extend(fields.clone());
        }
        let webhook: WebhookCreated = post(http, &format!("{cp}/api/v1/webhooks"), &client.token, body)
            .await
            .with_context(|| format!("registering the webhook {url}"))?;
        webhook_secrets.push(webhook.signing_secret);
        webhook_ids.push(webhook.webhook_id);
    }
    Ok(Registered {
        client_id: client.client_id,
        api_key: source.api_key,
        source_secret: source.signing_secret,
        nats_subject: source.nats_subject,
        nats_inbox_prefix: source.nats_inbox_prefix,
        webhook_secrets,
        webhook_ids,
        client_token: client.token,
    })
}

/// Deletes the run's webhooks, so that a deployment the bench does not own stops delivering (and
/// retrying) to a receiver that is gone. Best effort: failures are only reported.
pub async fn unregister(http: &reqwest::Client, credentials: &Credentials, registered: &Registered) {
    let cp = &credentials.control_plane_url;
    for id in &registered.webhook_ids {
        let url = format!("{cp}/api/v1/webhooks/{id}");
        let outcome = http.delete(&url).bearer_auth(&registered.client_token).send().await;
        match outcome {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => super::progress(format_args!("DELETE {url} answered {}", response.status())),
            Err(error) => super::progress(format_args!("DELETE {url}: {error}")),
        }
    }
}

pub(crate) async fn post<T: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: serde_json::Value,
) -> anyhow::Result<T> {
    let response =
        http.post(url).bearer_auth(token).json(&body).send().await.with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let text = response.text().await.with_context(|| format!("reading the answer of POST {url}"))?;
    if !status.is_success() {
        bail!("POST {url} answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url} answered an unexpected body: {text}"))
}
