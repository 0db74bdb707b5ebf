//! What a callback URL may point at.
//!
//! A client registers a URL and edgehook POSTs to it from inside the operator's network, so the
//! URL must not reach that network: HTTPS only, a name that resolves, and only public addresses
//! (no loopback, private, link-local, CGNAT, multicast or cloud metadata). Local development
//! (`edgehook up`) opens both rules; a standalone control plane opens them only when the
//! operator says so.

use std::sync::Arc;
use std::time::Duration;

use edgehook_domain::validation::FieldError;
use edgehook_security::address_policy::{AddressError, AddressPolicy};
use url::Url;

const FIELD: &str = "callback_url";
const MAX_LEN: usize = 2048;
const REACHABILITY_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Debug, Default)]
pub struct CallbackPolicy {
    /// Accept `http://` URLs.
    pub allow_http: bool,
    /// Which addresses a callback may resolve to.
    pub addresses: Arc<AddressPolicy>,
}

impl CallbackPolicy {
    /// Everything allowed: for `edgehook up` on a developer's machine.
    pub fn development() -> Self {
        Self { allow_http: true, addresses: Arc::new(AddressPolicy::development()) }
    }

    /// Parses and checks `raw`; the error says which rule it broke.
    pub async fn check(&self, raw: &str) -> Result<Url, FieldError> {
        self.check_field(raw, FIELD).await
    }

    /// [`Self::check`] for another URL the relays call (an OAuth2 token endpoint), the errors
    /// naming `field`.
    pub async fn check_field(&self, raw: &str, field: &str) -> Result<Url, FieldError> {
        let invalid = |message: String| FieldError::invalid(field, message);
        if raw.len() > MAX_LEN {
            return Err(invalid(format!("must be at most {MAX_LEN} characters")));
        }
        let url = Url::parse(raw).map_err(|error| invalid(format!("is not a URL: {error}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => return Err(FieldError::new(field, "https_required", "must use https")),
            other => return Err(invalid(format!("must be an https URL, not {other}"))),
        }
        let host = url.host_str().ok_or_else(|| invalid("has no host".to_owned()))?;
        let port = url.port_or_known_default().unwrap_or(443);
        self.addresses.check_host(host, port).await.map_err(|error| {
            let code = match error {
                AddressError::Unresolvable { .. } => "unresolvable",
                AddressError::Forbidden { .. } => "forbidden_address",
            };
            FieldError::new(field, code, error.to_string())
        })?;
        Ok(url)
    }

    /// Did the URL answer at all? Any HTTP response counts; the result is informative only.
    /// The request goes through the same address guard as deliveries.
    pub async fn answers(&self, url: &Url) -> bool {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let Ok(client) = reqwest::Client::builder()
            .timeout(REACHABILITY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(self.addresses.resolver())
            .build()
        else {
            return false;
        };
        client.head(url.as_str()).send().await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn strict_policy_refuses_http_and_internal_addresses_with_reasons() {
        let strict = CallbackPolicy::default();
        assert_eq!(strict.check("http://example.com/hook").await.unwrap_err().code, "https_required");
        assert_eq!(strict.check("https://127.0.0.1/hook").await.unwrap_err().code, "forbidden_address");
        assert_eq!(strict.check("https://[::1]:8443/hook").await.unwrap_err().code, "forbidden_address");
        assert_eq!(strict.check("ftp://example.com").await.unwrap_err().field, "callback_url");
        assert!(CallbackPolicy::development().check("http://127.0.0.1:9/hook").await.is_ok());
    }
}
