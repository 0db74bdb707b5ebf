//! OAuth2 client credentials (RFC 6749 §4.4) for a webhook's endpoint: the bearer token the
//! relay sends, fetched from the webhook's token endpoint and cached.
//!
//! The request itself is the maintained `oauth2` crate's (form body, client authenticated
//! with HTTP Basic as §2.3.1 says, `scope`, the `audience` parameter, the JSON answer parsed
//! and checked), without its bundled HTTP client (reqwest 0.12, while edgehook is on 0.13,
//! and a client of its own would bypass the SSRF guard): it asks for an async HTTP function,
//! and ours sends through the relay's shared client (SSRF guard as resolver, no redirects,
//! the relay's timeouts), checks an IP literal against the guard as the sender does, and
//! turns any answer but 200 into an error carrying the status and the start of the body. So
//! a failure reads `OAuth2 token endpoint https://…: HTTP 500: …`.
//!
//! **Cache.** One slot per webhook, behind an async lock: a delivery takes the slot's token
//! while it is valid, until shortly before it expires (`expires_in` less a quarter of it, at
//! most 30 s; 5 minutes when the server gives no `expires_in`). Otherwise it fetches while
//! holding the lock, so concurrent deliveries wait for that one fetch and use its token (or
//! its failure: a delivery that was waiting while a fetch failed fails with it, rather than
//! each trying again in turn). A slot whose credentials changed (a PATCH) starts empty.
//! **Refresh on 401**: the sender hands back the token the endpoint refused; the slot fetches
//! a new one unless it already holds a newer one (another delivery refreshed first). The
//! sender resends once with it; a second 401 is the endpoint's answer.
//!
//! Slots are kept for at most [`SLOTS`] webhooks (the map starts over past it). Each relay
//! has its own cache: N relays of a region fetch about N tokens per lifetime.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edgehook_domain::endpoint_auth::OAuth2;
use edgehook_domain::ids::WebhookId;
use edgehook_security::address_policy::AddressPolicy;
use edgehook_security::sealing::SecretsKey;
use futures::StreamExt;
use oauth2::basic::BasicClient;
use oauth2::{
    ClientId, ClientSecret, HttpRequest, HttpResponse, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use super::AuthFailure;
use crate::sender::{describe, forbidden_address, refused_literal};

/// Webhooks whose token slots are kept.
const SLOTS: usize = 10_000;
/// How long a token without `expires_in` is used (or until the endpoint answers 401).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// A token is used a day at most, whatever its `expires_in`.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Renewed this long before it expires, at most.
const MAX_MARGIN: Duration = Duration::from_secs(30);
/// The most of a token endpoint's answer read.
const MAX_ANSWER: usize = 64 * 1024;
/// How much of a failed answer's body the error quotes.
const EXCERPT: usize = 256;

/// Every token fetched gets a number, to tell a refused token from a newer one.
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

/// A token to send: the `Authorization` value (marked sensitive) and its generation.
#[derive(Clone)]
pub struct Bearer {
    header: HeaderValue,
    generation: u64,
}

impl Bearer {
    pub fn header(&self) -> &HeaderValue {
        &self.header
    }
}

struct Cached {
    bearer: Bearer,
    fetched_at: Instant,
    renew_at: Instant,
}

#[derive(Default)]
struct Slot {
    /// The settings the token was fetched with.
    config: Option<OAuth2>,
    token: Option<Cached>,
    /// The last fetch's failure, for the deliveries that were waiting for it.
    failure: Option<(Instant, AuthFailure)>,
}

pub struct Tokens {
    http: reqwest::Client,
    addresses: Arc<AddressPolicy>,
    secrets: SecretsKey,
    slots: Mutex<HashMap<WebhookId, Arc<tokio::sync::Mutex<Slot>>>>,
}

impl Tokens {
    pub fn new(http: reqwest::Client, addresses: Arc<AddressPolicy>, secrets: SecretsKey) -> Self {
        Self { http, addresses, secrets, slots: Mutex::default() }
    }

    fn slot(&self, webhook: &WebhookId) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().expect("token slots lock");
        if slots.len() >= SLOTS && !slots.contains_key(webhook) {
            slots.clear();
        }
        slots.entry(webhook.clone()).or_default().clone()
    }

    /// A valid token for `webhook`, fetched if needed; `refused`: the token the endpoint just
    /// answered 401 to, which is not handed out again.
    pub async fn bearer(
        &self,
        webhook: &WebhookId,
        config: &OAuth2,
        refused: Option<&Bearer>,
    ) -> Result<Bearer, AuthFailure> {
        let asked_at = Instant::now();
        let slot = self.slot(webhook);
        let mut slot = slot.lock().await;
        if slot.config.as_ref() != Some(config) {
            *slot = Slot { config: Some(config.clone()), ..Slot::default() };
        }
        let refused = refused.map(|bearer| bearer.generation);
        if let Some(token) = &slot.token {
            // Fetched while this delivery waited counts as fresh, whatever its lifetime.
            let fresh = token.renew_at > Instant::now() || token.fetched_at >= asked_at;
            if fresh && Some(token.bearer.generation) != refused {
                return Ok(token.bearer.clone());
            }
        }
        if let Some((_, failure)) = slot.failure.as_ref().filter(|(failed_at, _)| *failed_at >= asked_at) {
            return Err(failure.clone());
        }
        match self.fetch(config).await {
            Ok(cached) => {
                let bearer = cached.bearer.clone();
                slot.token = Some(cached);
                slot.failure = None;
                Ok(bearer)
            }
            Err(failure) => {
                slot.token = None;
                slot.failure = Some((Instant::now(), failure.clone()));
                Err(failure)
            }
        }
    }

    async fn fetch(&self, config: &OAuth2) -> Result<Cached, AuthFailure> {
        let endpoint = &config.token_url;
        let failed =
            |detail: String| AuthFailure::retryable(format!("OAuth2 token endpoint {endpoint}: {detail}"));
        let token_url = TokenUrl::new(endpoint.clone()).map_err(|error| {
            AuthFailure::rejected(format!("OAuth2 token endpoint {endpoint}: not a URL: {error}"))
        })?;
        if let Some(refusal) = refused_literal(&self.addresses, token_url.url()) {
            return Err(AuthFailure::rejected(format!("OAuth2 token endpoint {endpoint}: {refusal}")));
        }
        let secret = self.secrets.open(&config.client_secret).map_err(|error| {
            AuthFailure::rejected(format!("OAuth2 token endpoint {endpoint}: the client secret: {error}"))
        })?;
        let client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(secret))
            .set_token_uri(token_url);
        let mut request = client.exchange_client_credentials();
        for scope in config.scope.iter().flat_map(|scope| scope.split(' ')) {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        if let Some(audience) = &config.audience {
            request = request.add_extra_param("audience", audience.clone());
        }
        let fetched_at = Instant::now();
        let answer = request.request_async(&TokenHttp(self)).await.map_err(|error| match error {
            RequestTokenError::Request(TokenHttpError::Refused(refusal)) => {
                AuthFailure::rejected(format!("OAuth2 token endpoint {endpoint}: {refusal}"))
            }
            RequestTokenError::Request(error) => failed(error.to_string()),
            RequestTokenError::Parse(error, _) => {
                failed(format!("the answer is not a token response: {error}"))
            }
            RequestTokenError::ServerResponse(error) => failed(error.to_string()),
            RequestTokenError::Other(error) => failed(error),
        })?;
        let lifetime = answer.expires_in().unwrap_or(DEFAULT_LIFETIME).min(MAX_LIFETIME);
        let margin = (lifetime / 4).min(MAX_MARGIN);
        let mut header = HeaderValue::from_str(&format!("Bearer {}", answer.access_token().secret()))
            .map_err(|_| failed("the access token is not a valid header value".to_owned()))?;
        header.set_sensitive(true);
        let generation = GENERATIONS.fetch_add(1, Ordering::Relaxed);
        Ok(Cached {
            bearer: Bearer { header, generation },
            fetched_at,
            renew_at: fetched_at + lifetime - margin,
        })
    }

    /// The `oauth2` crate's HTTP function: through the relay's client; any status but 200 is
    /// an error quoting the status and the start of the body.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TokenHttpError> {
        let request =
            reqwest::Request::try_from(request).map_err(|error| TokenHttpError::Other(error.to_string()))?;
        let response = self.http.execute(request).await.map_err(|error| match forbidden_address(&error) {
            Some(refusal) => TokenHttpError::Refused(refusal.to_string()),
            None => TokenHttpError::Other(describe(&error)),
        })?;
        let status = response.status();
        let content_type = response.headers().get(CONTENT_TYPE).cloned();
        let mut body = Vec::new();
        let mut chunks = response.bytes_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|error| TokenHttpError::Other(describe(&error)))?;
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_ANSWER - body.len())]);
            if body.len() >= MAX_ANSWER {
                break;
            }
        }
        if status != reqwest::StatusCode::OK {
            let excerpt = String::from_utf8_lossy(&body[..body.len().min(EXCERPT)]).into_owned();
            return Err(TokenHttpError::Status(status.as_u16(), excerpt));
        }
        let mut answer = oauth2::http::Response::builder().status(status.as_u16());
        if let Some(content_type) = content_type {
            answer = answer.header(CONTENT_TYPE, content_type);
        }
        answer.body(body).map_err(|error| TokenHttpError::Other(error.to_string()))
    }
}

/// The HTTP function the `oauth2` crate calls (a type of its own rather than a closure, so
/// that the delivery's future stays `Send` for every lifetime).
struct TokenHttp<'a>(&'a Tokens);

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp<'_> {
    type Error = TokenHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TokenHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.0.send(request))
    }
}

#[derive(Debug, thiserror::Error)]
enum TokenHttpError {
    #[error("HTTP {0}: {1}")]
    Status(u16, String),
    /// The SSRF guard refused the address.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Other(String),
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::sender::HttpSettings;
    use crate::verdict::Verdict;

    /// A token endpoint on loopback answering each request after `delay` with `status` and a
    /// fresh token; returns its URL and the count of requests.
    async fn token_endpoint(status: u16, delay: Duration) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        let count = Arc::new(AtomicUsize::new(0));
        let counted = count.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::spawn(async move {
                    let mut request = vec![0; 4096];
                    let _ = socket.read(&mut request).await;
                    tokio::time::sleep(delay).await;
                    let body = if status == 200 {
                        format!(
                            r#"{{"access_token": "token-{n}", "token_type": "Bearer", "expires_in": 3600}}"#
                        )
                    } else {
                        "down".to_owned()
                    };
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        (url, count)
    }

    fn tokens() -> (Tokens, SecretsKey) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let secrets = SecretsKey::from_base64(&SecretsKey::generate()).unwrap();
        let addresses = Arc::new(AddressPolicy::development());
        let settings =
            HttpSettings { timeout: Duration::from_secs(5), concurrency: 8, addresses: addresses.clone() };
        (Tokens::new(settings.builder().build().unwrap(), addresses, secrets.clone()), secrets)
    }

    fn config(url: &str, secrets: &SecretsKey) -> OAuth2 {
        OAuth2 {
            token_url: url.to_owned(),
            client_id: "id".to_owned(),
            client_secret: secrets.seal("secret"),
            scope: None,
            audience: None,
        }
    }

    #[tokio::test]
    async fn concurrent_deliveries_share_one_fetch_and_a_refused_token_is_replaced_once() {
        let (url, count) = token_endpoint(200, Duration::from_millis(100)).await;
        let (tokens, secrets) = tokens();
        let (webhook, config) = (WebhookId::generate(), config(&url, &secrets));
        let bearers =
            futures::future::join_all((0..50).map(|_| tokens.bearer(&webhook, &config, None))).await;
        let bearers: Vec<Bearer> = bearers.into_iter().map(Result::unwrap).collect();
        assert_eq!(count.load(Ordering::SeqCst), 1, "50 concurrent deliveries, one token request");
        assert!(bearers.iter().all(|bearer| bearer.header() == "Bearer token-1"));

        // Ten deliveries refused the same token: one new token for all of them.
        let refused = bearers[0].clone();
        let fresh =
            futures::future::join_all((0..10).map(|_| tokens.bearer(&webhook, &config, Some(&refused))))
                .await;
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert!(fresh.iter().all(|bearer| bearer.as_ref().unwrap().header() == "Bearer token-2"));
        // Still valid: no more requests.
        assert_eq!(tokens.bearer(&webhook, &config, None).await.unwrap().header(), "Bearer token-2");
        assert_eq!(count.load(Ordering::SeqCst), 2);
        // Other settings (a PATCH): a token of their own.
        let changed = OAuth2 { scope: Some("more".to_owned()), ..config.clone() };
        assert_eq!(tokens.bearer(&webhook, &changed, None).await.unwrap().header(), "Bearer token-3");
    }

    #[tokio::test]
    async fn a_failing_token_endpoint_fails_the_waiting_deliveries_with_one_request_and_says_so() {
        let (url, count) = token_endpoint(500, Duration::from_millis(100)).await;
        let (tokens, secrets) = tokens();
        let (webhook, config) = (WebhookId::generate(), config(&url, &secrets));
        let failures =
            futures::future::join_all((0..20).map(|_| tokens.bearer(&webhook, &config, None))).await;
        assert_eq!(count.load(Ordering::SeqCst), 1, "the deliveries waiting for the fetch share its failure");
        for failure in failures {
            let failure = failure.err().unwrap();
            assert_eq!(failure.error, format!("OAuth2 token endpoint {url}: HTTP 500: down"));
            assert_eq!(failure.verdict, Verdict::Retryable { retry_after: None });
        }
        // A later delivery tries again.
        assert!(tokens.bearer(&webhook, &config, None).await.is_err());
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
