//! Endpoint authentication at delivery: what a webhook's `auth`
//! (`edgehook_domain::endpoint_auth`) adds to each request the [`crate::sender::Sender`] makes.
//!
//! [`EndpointAuthenticator::credentials`] turns the stored settings into [`Credentials`] for
//! one attempt:
//! - **static headers**: their sealed values opened once and kept by sealed form (as the
//!   sender keeps opened signing keys), marked sensitive so that no `Debug` prints them;
//! - **OAuth2** ([`oauth2`]): a bearer token from the webhook's token endpoint, cached per
//!   webhook until shortly before it expires and shared by every delivery of this relay to it
//!   (concurrent deliveries wait for one fetch). After a `401` from the endpoint the sender
//!   asks [`EndpointAuthenticator::after_unauthorized`] once for a fresh token and sends again;
//! - **mTLS** ([`mtls`]): a TLS client of its own for that webhook, presenting its certificate
//!   (and trusting only its CA, when it names one), built once per settings and kept, bounded.
//!
//! A webhook without `auth` costs nothing here: no lock, no lookup. Every request, the token
//! request included, goes through a client with the SSRF guard's resolver, no redirects and
//! the relay's timeouts ([`crate::sender::HttpSettings`]). Failing to authenticate (a token
//! endpoint down, a secret that cannot be opened) is a failed attempt with an error that
//! says which part failed ([`AuthFailure`]); it is retried like any other unless retrying
//! cannot help. Nothing here logs a secret or a token.

pub mod mtls;
pub mod oauth2;

use std::collections::HashMap;
use std::sync::Mutex;

use edgehook_domain::webhook::Webhook;
use edgehook_security::sealing::SecretsKey;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::sender::HttpSettings;
use crate::verdict::Verdict;

/// Opened header values kept; past this the cache starts over (a value is cheap to open again).
const OPENED_HEADERS: usize = 10_000;

/// Why an attempt could not authenticate: the attempt's error and what it means for retrying.
#[derive(Clone, Debug)]
pub struct AuthFailure {
    pub error: String,
    pub verdict: Verdict,
}

impl AuthFailure {
    /// A failure that the same settings will meet again (a retry after a PATCH may succeed).
    fn rejected(error: String) -> Self {
        Self { error, verdict: Verdict::Rejected }
    }

    fn retryable(error: String) -> Self {
        Self { error, verdict: Verdict::Retryable { retry_after: None } }
    }
}

/// What one attempt sends with: the client (a webhook's own for mTLS) and the extra headers.
#[derive(Default)]
pub struct Credentials {
    /// `None`: the sender's shared client.
    pub client: Option<reqwest::Client>,
    /// Static headers, then `Authorization: Bearer …` for OAuth2.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The OAuth2 token sent, to refresh it after a 401 (the endpoint refused it).
    token: Option<oauth2::Bearer>,
}

impl Credentials {
    /// Adds the headers to a request.
    pub fn apply(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        for (name, value) in &self.headers {
            request = request.header(name.clone(), value.clone());
        }
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, token.header().clone());
        }
        request
    }
}

pub struct EndpointAuthenticator {
    secrets: SecretsKey,
    /// Header values by their sealed form.
    opened: Mutex<HashMap<String, HeaderValue>>,
    tokens: oauth2::Tokens,
    clients: mtls::Clients,
}

impl EndpointAuthenticator {
    /// `shared`: the sender's client (token requests go through it); `settings`: how it was
    /// made, for the per-webhook mTLS clients.
    pub fn new(shared: reqwest::Client, settings: HttpSettings, secrets: SecretsKey) -> Self {
        Self {
            tokens: oauth2::Tokens::new(shared, settings.addresses.clone(), secrets.clone()),
            clients: mtls::Clients::new(settings, secrets.clone()),
            opened: Mutex::default(),
            secrets,
        }
    }

    /// What an attempt to `webhook` sends with; fetches an OAuth2 token if none is cached.
    pub async fn credentials(&self, webhook: &Webhook) -> Result<Credentials, AuthFailure> {
        let Some(auth) = &webhook.auth else { return Ok(Credentials::default()) };
        let mut credentials = Credentials::default();
        for (name, sealed) in &auth.headers {
            credentials.headers.push((header_name(name)?, self.header_value(name, sealed)?));
        }
        if let Some(config) = &auth.mtls {
            credentials.client = Some(self.clients.client(&webhook.id, config)?);
        }
        if let Some(config) = &auth.oauth2 {
            credentials.token = Some(self.tokens.bearer(&webhook.id, config, None).await?);
        }
        Ok(credentials)
    }

    /// After the endpoint answered 401 to `sent`: the same credentials with a fresh token
    /// (fetched once, however many deliveries were refused the same token), or `None` when
    /// the webhook has no OAuth2 (a 401 is then the endpoint's final answer).
    pub async fn after_unauthorized(
        &self,
        webhook: &Webhook,
        sent: Credentials,
    ) -> Option<Result<Credentials, AuthFailure>> {
        let config = webhook.auth.as_ref()?.oauth2.as_ref()?;
        let stale = sent.token.as_ref()?;
        let fresh = self.tokens.bearer(&webhook.id, config, Some(stale)).await;
        Some(fresh.map(|token| Credentials { token: Some(token), ..sent }))
    }

    fn header_value(&self, name: &str, sealed: &str) -> Result<HeaderValue, AuthFailure> {
        if let Some(value) = self.opened.lock().expect("opened headers lock").get(sealed) {
            return Ok(value.clone());
        }
        let value = self
            .secrets
            .open(sealed)
            .map_err(|error| AuthFailure::rejected(format!("header {name}: {error}")))?;
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| AuthFailure::rejected(format!("header {name}: not a valid header value")))?;
        value.set_sensitive(true);
        let mut opened = self.opened.lock().expect("opened headers lock");
        if opened.len() >= OPENED_HEADERS {
            opened.clear();
        }
        opened.insert(sealed.to_owned(), value.clone());
        Ok(value)
    }
}

fn header_name(name: &str) -> Result<HeaderName, AuthFailure> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| AuthFailure::rejected(format!("header {name}: not a valid header name")))
}
