//! Mutual TLS to a webhook's endpoint: a TLS client of the webhook's own, presenting its
//! client certificate to that endpoint only.
//!
//! The client is built like the sender's shared one ([`HttpSettings::builder`]: the SSRF
//! guard as resolver, no redirects, the same timeouts and pool), plus the identity (the
//! certificate chain and the private key, opened from its sealed form only here) over rustls,
//! and, when the webhook names a CA, trusting that CA only for the endpoint's server
//! certificate. Built once per settings and kept, so connections are pooled as for any
//! endpoint: a webhook's entry is rebuilt when its `mtls` settings change (not on other
//! changes of the webhook), and at most [`CLIENTS`] are kept (the least recently used goes).
//! A client that cannot be built (a key that no longer opens) is kept as its error, so each
//! attempt does not build it again; the attempt fails with it, not retried.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use edgehook_domain::endpoint_auth::Mtls;
use edgehook_domain::ids::WebhookId;
use edgehook_security::sealing::SecretsKey;

use super::AuthFailure;
use crate::sender::HttpSettings;

/// Per-webhook clients kept.
const CLIENTS: usize = 1_000;

struct Entry {
    config: Mtls,
    client: Result<reqwest::Client, String>,
    used: Instant,
}

pub struct Clients {
    settings: HttpSettings,
    secrets: SecretsKey,
    built: Mutex<HashMap<WebhookId, Entry>>,
}

impl Clients {
    pub fn new(settings: HttpSettings, secrets: SecretsKey) -> Self {
        Self { settings, secrets, built: Mutex::default() }
    }

    /// The client presenting `config`'s certificate for `webhook`.
    pub fn client(&self, webhook: &WebhookId, config: &Mtls) -> Result<reqwest::Client, AuthFailure> {
        let mut built = self.built.lock().expect("mTLS clients lock");
        let entry = match built.get_mut(webhook) {
            Some(entry) if entry.config == *config => entry,
            _ => {
                if built.len() >= CLIENTS && !built.contains_key(webhook) {
                    let oldest = built.iter().min_by_key(|(_, entry)| entry.used).map(|(id, _)| id.clone());
                    built.remove(&oldest.expect("a full map has an oldest entry"));
                }
                let client = self.build(config);
                built.insert(webhook.clone(), Entry { config: config.clone(), client, used: Instant::now() });
                built.get_mut(webhook).expect("just inserted")
            }
        };
        entry.used = Instant::now();
        entry.client.clone().map_err(AuthFailure::rejected)
    }

    fn build(&self, config: &Mtls) -> Result<reqwest::Client, String> {
        let key = self
            .secrets
            .open(&config.private_key_pem)
            .map_err(|error| format!("mTLS client certificate: the private key: {error}"))?;
        let pem = format!("{}\n{key}", config.certificate_pem);
        let identity = reqwest::Identity::from_pem(pem.as_bytes())
            .map_err(|error| format!("mTLS client certificate: {}", source_of(&error)))?;
        let mut builder = self.settings.builder().identity(identity);
        if let Some(ca) = &config.ca_pem {
            let roots = reqwest::Certificate::from_pem_bundle(ca.as_bytes())
                .map_err(|error| format!("mTLS CA: {}", source_of(&error)))?;
            builder = builder.tls_certs_only(roots);
        }
        builder.build().map_err(|error| format!("mTLS client: {}", source_of(&error)))
    }
}

/// The innermost cause of an error, which says what was wrong (reqwest's own text does not).
fn source_of(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
