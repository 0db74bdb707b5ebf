//! The webhook HTTP client: one signed POST per attempt, and what the answer was.
//!
//! Redirects are never followed (a 3xx is an answer, not a hop), every address connected to
//! passes the [`AddressPolicy`] (the SSRF guard: a name that resolves inside is refused at
//! delivery time too), connections are pooled and kept alive per endpoint, and the whole
//! attempt is bounded by the relay's timeout.
//!
//! A webhook's `auth` (static headers, an OAuth2 token, a client certificate) is
//! [`crate::endpoint_auth`]'s: it hands each attempt its [`Credentials`] (a webhook's own
//! client for mTLS) and, after a 401 to an OAuth2 token, fresh ones for one more try.
//!
//! The control plane's test send (`POST /api/v1/webhooks/{id}/test`) sends with this same
//! client, so a test is signed, encrypted and guarded exactly as a delivery; it keeps more of
//! the answer's body ([`Sender::keeping_response_body`]) to show it to the client. Its poll
//! endpoints render each polled message with [`Sender::render`], the one function that makes a
//! delivery's body and signature, so a polled message verifies exactly as a POSTed one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edgehook_domain::event::Event;
use edgehook_domain::webhook::Webhook;
use edgehook_security::address_policy::{AddressError, AddressPolicy};
use edgehook_security::sealing::SecretsKey;
use futures::StreamExt;
use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};

use crate::endpoint_auth::{Credentials, EndpointAuthenticator};
use crate::payload;
use crate::verdict::{Verdict, parse_retry_after, verdict_for_status};
use edgehook_security::signatures::SigningKey;

/// How much of an error response's body is kept in the attempt record.
const BODY_EXCERPT: usize = 256;
/// Opened signing keys kept; past this the cache starts over (a key is cheap to open again).
const OPENED_KEYS: usize = 10_000;

/// How the relay's HTTP clients are made: the shared one and each mTLS webhook's own.
#[derive(Clone)]
pub struct HttpSettings {
    pub timeout: Duration,
    /// Connections kept per endpoint.
    pub concurrency: usize,
    /// The SSRF guard, as the clients' resolver.
    pub addresses: Arc<AddressPolicy>,
}

impl HttpSettings {
    /// A client builder with the relay's rules: the guard's resolver, no redirects, timeouts.
    pub fn builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(self.concurrency)
            .user_agent(concat!("edgehook/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(self.addresses.resolver())
    }
}

#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    addresses: Arc<AddressPolicy>,
    /// The webhooks' endpoint authentication.
    auth: Arc<EndpointAuthenticator>,
    secrets: SecretsKey,
    /// Signing keys by their sealed form, so that a key is opened once, not per attempt.
    opened: Arc<Mutex<HashMap<String, Arc<SigningKey>>>>,
    /// How much of a response's body [`Attempt::response_body`] keeps.
    response_body: usize,
}

/// A delivery rendered and signed ([`Sender::render`]): the body, exactly the bytes signed,
/// and its headers' values.
#[derive(Debug)]
pub struct Signed {
    pub body: Vec<u8>,
    /// `Content-Type`: `application/json`, or `application/jose` for a whole-body JWE.
    pub content_type: &'static str,
    /// `webhook-id`: the event's message id (the same on every attempt).
    pub webhook_id: String,
    /// `webhook-timestamp`: Unix seconds, when it was signed.
    pub timestamp: i64,
    /// `webhook-signature`: one entry per active key, space-separated.
    pub signature: String,
}

/// What happened to one attempt.
#[derive(Debug)]
pub struct Attempt {
    pub status_code: Option<u16>,
    pub latency: Duration,
    pub error: Option<String>,
    pub verdict: Verdict,
    /// The first bytes of the response's body (as many as the sender keeps, lossy UTF-8);
    /// `None` without a response.
    pub response_body: Option<String>,
}

impl Sender {
    /// `concurrency`: deliveries in flight at once, as many connections as one endpoint may keep
    /// open between them (fewer would close and reopen connections under load).
    pub fn new(
        timeout: Duration,
        concurrency: usize,
        addresses: Arc<AddressPolicy>,
        secrets: SecretsKey,
    ) -> Self {
        // rustls with ring everywhere; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let settings = HttpSettings { timeout, concurrency, addresses: addresses.clone() };
        let client = settings.builder().build().expect("the HTTP client configuration is valid");
        let auth = Arc::new(EndpointAuthenticator::new(client.clone(), settings, secrets.clone()));
        Self { client, addresses, auth, secrets, opened: Arc::default(), response_body: BODY_EXCERPT }
    }

    /// The same sender keeping up to `bytes` of each response's body in
    /// [`Attempt::response_body`] (default 256; an error's text quotes at most 256 either way).
    pub fn keeping_response_body(self, bytes: usize) -> Self {
        Self { response_body: bytes, ..self }
    }

    fn signing_key(&self, sealed: &str) -> Result<Arc<SigningKey>, String> {
        if let Some(key) = self.opened.lock().expect("opened keys lock").get(sealed) {
            return Ok(key.clone());
        }
        let secret = self.secrets.open(sealed).map_err(|error| error.to_string())?;
        let key = Arc::new(SigningKey::from_secret(&secret).map_err(|error| error.to_string())?);
        let mut opened = self.opened.lock().expect("opened keys lock");
        if opened.len() >= OPENED_KEYS {
            opened.clear();
        }
        opened.insert(sealed.to_owned(), key.clone());
        Ok(key)
    }

    /// The `webhook-signature` value: during a key rotation every active key signs, one entry
    /// each, space-separated.
    fn sign(
        &self,
        webhook: &Webhook,
        message_id: &str,
        timestamp: i64,
        body: &[u8],
    ) -> Result<String, String> {
        let signatures = webhook
            .signing_secrets(edgehook_domain::now())
            .map(|sealed| Ok(self.signing_key(sealed)?.sign(message_id, timestamp, body)))
            .collect::<Result<Vec<String>, String>>()?;
        Ok(signatures.join(" "))
    }

    /// `event` as `webhook` receives it, now: the body (JSON, or JWE with encryption) and the
    /// Standard Webhooks headers signing exactly those bytes. Every delivery is made here:
    /// [`Sender::send`] POSTs it, a poll webhook's client is handed it
    /// (`control-plane/src/handlers/poll.rs`). `Err`: why it cannot be made (a key that does not
    /// open, a JWK that does not encrypt), which retrying will not fix.
    pub fn render(&self, webhook: &Webhook, event: &Event) -> Result<Signed, String> {
        let payload = payload::render(webhook, event)?;
        let webhook_id = event.message_id.to_string();
        let timestamp = edgehook_domain::now().unix_timestamp();
        let signature = self
            .sign(webhook, &webhook_id, timestamp, &payload.body)
            .map_err(|error| format!("cannot sign: {error}"))?;
        Ok(Signed {
            body: payload.body,
            content_type: payload.content_type,
            webhook_id,
            timestamp,
            signature,
        })
    }

    pub async fn send(&self, webhook: &Webhook, event: &Event) -> Attempt {
        let started = Instant::now();
        // Parsed once here and handed to the client, which would parse the string again.
        let url = match reqwest::Url::parse(&webhook.callback_url) {
            Ok(url) => url,
            Err(error) => {
                return failed(started, format!("invalid callback URL: {error}"), Verdict::Rejected);
            }
        };
        if let Some(refusal) = refused_literal(&self.addresses, &url) {
            return failed(started, refusal, Verdict::Rejected);
        }
        let signed = match self.render(webhook, event) {
            Ok(signed) => signed,
            Err(error) => return failed(started, error, Verdict::Rejected),
        };
        let credentials = match self.auth.credentials(webhook).await {
            Ok(credentials) => credentials,
            Err(failure) => return failed(started, failure.error, failure.verdict),
        };
        let body = bytes::Bytes::from(signed.body);
        let post = |credentials: &Credentials| {
            let client = credentials.client.as_ref().unwrap_or(&self.client);
            credentials
                .apply(client.post(url.clone()))
                .header(CONTENT_TYPE, HeaderValue::from_static(signed.content_type))
                .header("webhook-id", signed.webhook_id.as_str())
                .header("webhook-timestamp", signed.timestamp.to_string())
                .header("webhook-signature", signed.signature.as_str())
                .body(body.clone())
                .send()
        };
        let mut sent = post(&credentials).await;
        // An OAuth2 token the endpoint refuses: once more with a fresh one.
        if sent.as_ref().is_ok_and(|response| response.status() == reqwest::StatusCode::UNAUTHORIZED) {
            match self.auth.after_unauthorized(webhook, credentials).await {
                None => {}
                Some(Ok(refreshed)) => sent = post(&refreshed).await,
                Some(Err(failure)) => return failed(started, failure.error, failure.verdict),
            }
        }
        let response = match sent {
            Ok(response) => response,
            // A name resolving to a forbidden address will not get better by retrying soon.
            Err(error) if forbidden_address(&error).is_some() => {
                let refusal = forbidden_address(&error).map(ToString::to_string).unwrap_or_default();
                return failed(started, refusal, Verdict::Rejected);
            }
            Err(error) => {
                let retry = Verdict::Retryable { retry_after: None };
                return failed(started, describe(&error), retry);
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_retry_after);
        let verdict = verdict_for_status(status, retry_after);
        let excerpt = read_excerpt(response, self.response_body).await;
        let error = match verdict {
            Verdict::Delivered => None,
            _ if (300..400).contains(&status) => Some(format!("HTTP {status}: redirects are not followed")),
            _ => Some(format!("HTTP {status}: {}", prefix(&excerpt, BODY_EXCERPT))),
        };
        let latency = started.elapsed();
        Attempt { status_code: Some(status), latency, error, verdict, response_body: Some(excerpt) }
    }
}

/// IP literals never reach the resolver, so the guard checks them here.
pub(crate) fn refused_literal(addresses: &AddressPolicy, url: &reqwest::Url) -> Option<String> {
    let address: IpAddr = url.host_str()?.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
    let class = addresses.refusal(address)?;
    Some(format!("{address} is a {class} address, which callbacks may not reach"))
}

fn failed(started: Instant, error: String, verdict: Verdict) -> Attempt {
    Attempt {
        status_code: None,
        latency: started.elapsed(),
        error: Some(error),
        verdict,
        response_body: None,
    }
}

/// The guard's refusal, if that is why the request failed.
pub(crate) fn forbidden_address(error: &reqwest::Error) -> Option<&AddressError> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<AddressError>() {
            return Some(refusal);
        }
        source = cause.source();
    }
    None
}

/// What went wrong, with the innermost cause when the text does not have it yet (reqwest's
/// own text names only the step: a TLS alert, a client certificate the endpoint refused, is
/// in the cause).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let text = if error.is_connect() {
        let source = std::error::Error::source(error).map_or(error.to_string(), ToString::to_string);
        format!("could not connect: {source}")
    } else {
        error.to_string()
    };
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let cause = cause.to_string();
    if text.contains(&cause) { text } else { format!("{text}: {cause}") }
}

/// Reads the body to its end (so the connection can be reused) keeping its first `limit` bytes.
async fn read_excerpt(response: reqwest::Response, limit: usize) -> String {
    let mut kept = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(Ok(chunk)) = chunks.next().await {
        let room = limit.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// At most `limit` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, limit: usize) -> &str {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
