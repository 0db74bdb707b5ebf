//! Endpoint authentication: how a relay proves itself to a webhook's endpoint, beside the
//! signature that lets the endpoint check the payload.
//!
//! A webhook's `auth` names up to three things:
//! - **`headers`**: static headers sent with every delivery (`Authorization: Bearer …`,
//!   `X-Api-Key: …`);
//! - **`oauth2`**: the OAuth2 client credentials grant: the relay fetches a token from
//!   `token_url` and sends it as `Authorization: Bearer <token>`;
//! - **`mtls`**: a client certificate and key the relay's TLS client presents to this endpoint
//!   only, with an optional CA the endpoint's server certificate must chain to.
//!
//! `headers` combine with either of the others; `oauth2` and `mtls` do not combine (a token
//! bound to a certificate, RFC 8705, would need the token request to present it too, which is
//! not what anyone asked for yet), and with `oauth2` no static header may be `Authorization`.
//!
//! Three shapes of the same settings, because each place sees a different amount of secret:
//! - [`EndpointAuthRequest`], what a client sends (create, PATCH): secrets in clear. It has no
//!   `Debug`, so no log line can print one.
//! - [`EndpointAuth`], what is stored in the webhook record (the `webhooks` bucket, mirrored to
//!   every region): header values, the client secret and the private key **sealed** by the
//!   control plane (`edgehook_security::sealing`), opened only by the relay that sends.
//! - [`EndpointAuthView`], what answers show: header names, the token URL, client id, scope
//!   and audience, the certificate's subject and expiry. Never a secret, not even sealed.
//!
//! This module checks the shape ([`EndpointAuthRequest::validate`]: header names and values,
//! sizes, combinations); the control plane checks what needs the network or cryptography (the
//! token URL against the SSRF guard, the PEMs parse and the key matches the certificate).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::validation::FieldError;

/// At most this many static headers.
pub const MAX_HEADERS: usize = 20;
/// A header name's length, at most.
pub const MAX_HEADER_NAME: usize = 128;
/// A header value's length, at most (bytes).
pub const MAX_HEADER_VALUE: usize = 4096;
/// `client_id`, `client_secret`, `scope` and `audience`, at most (bytes).
pub const MAX_OAUTH2_FIELD: usize = 1024;
/// The token URL, at most (as a callback URL).
pub const MAX_TOKEN_URL: usize = 2048;
/// A certificate chain or CA bundle in PEM, at most (bytes).
pub const MAX_CERTIFICATE_PEM: usize = 64 * 1024;
/// A private key in PEM, at most (bytes).
pub const MAX_PRIVATE_KEY_PEM: usize = 16 * 1024;

/// Headers edgehook sets itself, or that belong to the connection rather than the request:
/// a static header may not be one of them (nor any `webhook-*`, the Standard Webhooks ones).
pub const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "upgrade",
    "te",
    "trailer",
    "expect",
    "user-agent",
];

/// Is `name` (any case) a header edgehook sets or that belongs to the connection?
pub fn is_reserved_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("webhook-") || RESERVED_HEADERS.contains(&lower.as_str())
}

// `auth` as a client sends it: secrets in clear, so no `Debug`, on purpose.
/// How the relay authenticates to the endpoint: static `headers`, OAuth2 client credentials
/// (`oauth2`), a client certificate (`mtls`). `headers` combine with either of the others;
/// `oauth2` and `mtls` do not combine.
#[derive(Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointAuthRequest {
    /// Static headers sent with every delivery, by name (at most 20; values visible ASCII,
    /// at most 4,096 bytes). Not the ones edgehook sets (`content-type`, `user-agent`,
    /// `webhook-*`, …). The values are sealed at rest and never shown again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Request>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MtlsRequest>,
}

/// The OAuth2 client credentials grant (RFC 6749 §4.4): the relay POSTs
/// `grant_type=client_credentials` (with `scope` and `audience` when given) to `token_url`,
/// the client authenticated with HTTP Basic, and sends the token it gets as a bearer token.
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Request {
    /// The token endpoint: `https` (`http` only where the deployment allows it for callbacks),
    /// checked like a callback URL (it must resolve to addresses deliveries may reach).
    #[schema(max_length = 2048, examples("https://auth.example.com/oauth2/token"))]
    pub token_url: String,
    #[schema(max_length = 1024)]
    pub client_id: String,
    /// Sealed at rest, never shown again.
    #[schema(max_length = 1024)]
    pub client_secret: String,
    /// Space-separated scopes to ask for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub scope: Option<String>,
    /// The `audience` parameter some servers (Auth0, Okta) want.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub audience: Option<String>,
}

/// A client certificate the relay presents to this endpoint (mutual TLS).
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MtlsRequest {
    /// The client certificate in PEM, optionally followed by its intermediates.
    #[schema(max_length = 65536)]
    pub certificate_pem: String,
    /// Its private key in PEM (PKCS#8, PKCS#1 or SEC1); sealed at rest, never shown again.
    #[schema(max_length = 16384)]
    pub private_key_pem: String,
    /// CA certificates (PEM) the endpoint's server certificate must chain to, instead of the
    /// usual public roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 65536)]
    pub ca_pem: Option<String>,
}

/// `auth` as stored in the webhook record: header values, the client secret and the private
/// key sealed (`sealed:v1:…`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointAuth {
    /// Header name (as given) to its sealed value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<Mtls>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OAuth2 {
    pub token_url: String,
    pub client_id: String,
    /// Sealed.
    pub client_secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mtls {
    pub certificate_pem: String,
    /// Sealed.
    pub private_key_pem: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    /// The certificate's subject (RFC 4514), read when it was registered, for answers.
    pub subject: String,
    /// When the certificate expires.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

/// What answers show of `auth`: no secret, sealed or not.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EndpointAuthView {
    /// The static headers' names (their values are never shown).
    pub headers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub oauth2: Option<OAuth2View>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub mtls: Option<MtlsView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OAuth2View {
    pub token_url: String,
    pub client_id: String,
    #[schema(required = true)]
    pub scope: Option<String>,
    #[schema(required = true)]
    pub audience: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MtlsView {
    /// The client certificate's subject, e.g. `CN=relay.example.com,O=Example`.
    pub subject: String,
    /// When the client certificate expires.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Whether the endpoint's certificate is checked against a CA of the webhook's own.
    pub custom_ca: bool,
}

impl From<&EndpointAuth> for EndpointAuthView {
    fn from(auth: &EndpointAuth) -> Self {
        Self {
            headers: auth.headers.keys().cloned().collect(),
            oauth2: auth.oauth2.as_ref().map(|oauth2| OAuth2View {
                token_url: oauth2.token_url.clone(),
                client_id: oauth2.client_id.clone(),
                scope: oauth2.scope.clone(),
                audience: oauth2.audience.clone(),
            }),
            mtls: auth.mtls.as_ref().map(|mtls| MtlsView {
                subject: mtls.subject.clone(),
                not_after: mtls.not_after,
                custom_ca: mtls.ca_pem.is_some(),
            }),
        }
    }
}

/// What the control plane learnt of a client certificate when it checked it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateFacts {
    pub subject: String,
    pub not_after: OffsetDateTime,
}

impl EndpointAuthRequest {
    /// The shape of the settings (fields relative to `auth`). Messages never quote a value.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.headers.is_empty() && self.oauth2.is_none() && self.mtls.is_none() {
            return Err(FieldError::invalid(
                "",
                "name at least one of `headers`, `oauth2`, `mtls` (`\"auth\": null` removes authentication)",
            ));
        }
        if self.oauth2.is_some() && self.mtls.is_some() {
            return Err(FieldError::invalid("mtls", "`oauth2` and `mtls` cannot be combined"));
        }
        self.validate_headers()?;
        if let Some(oauth2) = &self.oauth2 {
            oauth2.validate().map_err(|error| error.under("oauth2"))?;
        }
        if let Some(mtls) = &self.mtls {
            mtls.validate().map_err(|error| error.under("mtls"))?;
        }
        Ok(())
    }

    fn validate_headers(&self) -> Result<(), FieldError> {
        if self.headers.len() > MAX_HEADERS {
            return Err(FieldError::invalid("headers", format!("at most {MAX_HEADERS} headers")));
        }
        let mut seen = std::collections::HashSet::new();
        for (name, value) in &self.headers {
            let field = format!("headers.{name}");
            if name.is_empty() || name.len() > MAX_HEADER_NAME || !name.bytes().all(is_token_byte) {
                return Err(FieldError::invalid(
                    field,
                    format!(
                        "is not an HTTP header name (1 to {MAX_HEADER_NAME} letters, digits and !#$%&'*+-.^_`|~)"
                    ),
                ));
            }
            if is_reserved_header(name) {
                return Err(FieldError::new(
                    field,
                    "reserved_header",
                    "is a header edgehook sets itself (content-*, host, user-agent, webhook-*, connection headers)",
                ));
            }
            if self.oauth2.is_some() && name.eq_ignore_ascii_case("authorization") {
                return Err(FieldError::new(
                    field,
                    "reserved_header",
                    "`oauth2` sets Authorization: a static Authorization header cannot go with it",
                ));
            }
            if !seen.insert(name.to_ascii_lowercase()) {
                return Err(FieldError::invalid(field, "is given twice (header names ignore case)"));
            }
            if !is_header_value(value) {
                return Err(FieldError::invalid(
                    field,
                    format!(
                        "the value must be 1 to {MAX_HEADER_VALUE} bytes of visible ASCII (spaces inside only)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl OAuth2Request {
    fn validate(&self) -> Result<(), FieldError> {
        if self.token_url.is_empty() || self.token_url.len() > MAX_TOKEN_URL {
            return Err(FieldError::invalid("token_url", format!("1 to {MAX_TOKEN_URL} characters")));
        }
        let text = |field: &str, value: &str| {
            if value.is_empty() || value.len() > MAX_OAUTH2_FIELD || value.chars().any(char::is_control) {
                Err(FieldError::invalid(
                    field,
                    format!("1 to {MAX_OAUTH2_FIELD} bytes, no control characters"),
                ))
            } else {
                Ok(())
            }
        };
        text("client_id", &self.client_id)?;
        text("client_secret", &self.client_secret)?;
        if let Some(scope) = &self.scope {
            text("scope", scope)?;
            // RFC 6749 §3.3: scope tokens of %x21 / %x23-5B / %x5D-7E, separated by spaces.
            let token =
                |byte: u8| byte == 0x21 || (0x23..=0x5B).contains(&byte) || (0x5D..=0x7E).contains(&byte);
            if !scope.split(' ').all(|part| !part.is_empty() && part.bytes().all(token)) {
                return Err(FieldError::invalid(
                    "scope",
                    "scopes are visible ASCII (no `\"` or `\\`) separated by single spaces",
                ));
            }
        }
        if let Some(audience) = &self.audience {
            text("audience", audience)?;
        }
        Ok(())
    }
}

impl MtlsRequest {
    fn validate(&self) -> Result<(), FieldError> {
        let pem = |field: &str, value: &str, max: usize| {
            if value.trim().is_empty() || value.len() > max {
                Err(FieldError::invalid(field, format!("PEM text of 1 to {max} bytes")))
            } else {
                Ok(())
            }
        };
        pem("certificate_pem", &self.certificate_pem, MAX_CERTIFICATE_PEM)?;
        pem("private_key_pem", &self.private_key_pem, MAX_PRIVATE_KEY_PEM)?;
        if let Some(ca) = &self.ca_pem {
            pem("ca_pem", ca, MAX_CERTIFICATE_PEM)?;
        }
        Ok(())
    }
}

impl EndpointAuthRequest {
    /// The stored form: every secret through `seal`; `certificate` is what the control plane
    /// read of the client certificate (required when there is one).
    pub fn sealed(
        self,
        seal: impl Fn(&str) -> String,
        certificate: Option<CertificateFacts>,
    ) -> EndpointAuth {
        EndpointAuth {
            headers: self.headers.iter().map(|(name, value)| (name.clone(), seal(value))).collect(),
            oauth2: self.oauth2.map(|oauth2| OAuth2 {
                client_secret: seal(&oauth2.client_secret),
                token_url: oauth2.token_url,
                client_id: oauth2.client_id,
                scope: oauth2.scope,
                audience: oauth2.audience,
            }),
            mtls: self.mtls.map(|mtls| {
                let facts = certificate.expect("the certificate was checked before sealing");
                Mtls {
                    private_key_pem: seal(&mtls.private_key_pem),
                    certificate_pem: mtls.certificate_pem,
                    ca_pem: mtls.ca_pem,
                    subject: facts.subject,
                    not_after: facts.not_after,
                }
            }),
        }
    }
}

/// RFC 9110 `tchar`.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Visible ASCII, spaces inside but not at either end, 1 to [`MAX_HEADER_VALUE`] bytes.
fn is_header_value(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_HEADER_VALUE
        && value.bytes().all(|byte| byte == b' ' || byte.is_ascii_graphic())
        && !value.starts_with(' ')
        && !value.ends_with(' ')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(value: serde_json::Value) -> EndpointAuthRequest {
        serde_json::from_value(value).unwrap()
    }

    fn refusal(value: serde_json::Value) -> FieldError {
        request(value).validate().unwrap_err()
    }

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    #[test]
    fn each_kind_alone_and_headers_with_either_other_are_accepted() {
        let oauth2 = json!({"token_url": "https://auth.example.com/token", "client_id": "id", "client_secret": "s", "scope": "a b:c", "audience": "https://api"});
        let mtls = json!({"certificate_pem": PEM, "private_key_pem": PEM});
        for auth in [
            json!({"headers": {"Authorization": "Bearer abc.def", "X-Api-Key": "k 1"}}),
            json!({"oauth2": oauth2}),
            json!({"mtls": mtls}),
            json!({"headers": {"X-Tenant": "t"}, "oauth2": oauth2}),
            json!({"headers": {"Authorization": "Bearer x"}, "mtls": mtls}),
        ] {
            assert!(request(auth.clone()).validate().is_ok(), "{auth}");
        }
    }

    #[test]
    fn an_empty_auth_and_oauth2_with_mtls_are_refused() {
        assert_eq!(refusal(json!({})).field, "");
        let both = json!({
            "oauth2": {"token_url": "https://a/t", "client_id": "i", "client_secret": "s"},
            "mtls": {"certificate_pem": PEM, "private_key_pem": PEM},
        });
        assert_eq!(refusal(both).field, "mtls");
    }

    #[test]
    fn header_names_must_be_tokens_and_not_edgehooks_own() {
        assert_eq!(refusal(json!({"headers": {"X Api": "v"}})).field, "headers.X Api");
        assert_eq!(refusal(json!({"headers": {"X:Api": "v"}})).code, "invalid");
        assert_eq!(refusal(json!({"headers": {"": "v"}})).field, "headers.");
        for reserved in [
            "Content-Type",
            "content-length",
            "Host",
            "Webhook-Signature",
            "webhook-id",
            "User-Agent",
            "Transfer-Encoding",
        ] {
            let error = refusal(json!({"headers": {reserved: "v"}}));
            assert_eq!(
                (error.field.as_str(), error.code),
                (format!("headers.{reserved}").as_str(), "reserved_header")
            );
        }
        let with_oauth2 = json!({
            "headers": {"authorization": "Bearer x"},
            "oauth2": {"token_url": "https://a/t", "client_id": "i", "client_secret": "s"},
        });
        assert_eq!(refusal(with_oauth2).code, "reserved_header");
        let twice = refusal(json!({"headers": {"X-Key": "a", "x-key": "b"}}));
        assert!(twice.message.contains("twice"), "{twice}");
    }

    #[test]
    fn header_values_are_visible_ascii_bounded_and_never_quoted() {
        for value in
            ["", " lead", "trail ", "new\nline", "caf\u{e9}", "tab\there", &"x".repeat(MAX_HEADER_VALUE + 1)]
        {
            let error = refusal(json!({"headers": {"X-Key": value}}));
            assert_eq!(error.field, "headers.X-Key", "{value:?}");
            if !value.is_empty() {
                assert!(!error.message.contains(value), "the message quotes the value");
            }
        }
        assert!(request(json!({"headers": {"X-Key": "x".repeat(MAX_HEADER_VALUE)}})).validate().is_ok());
        let many: serde_json::Map<String, serde_json::Value> =
            (0..=MAX_HEADERS).map(|n| (format!("X-{n}"), json!("v"))).collect();
        assert_eq!(refusal(json!({"headers": many})).field, "headers");
    }

    #[test]
    fn oauth2_fields_are_bounded_and_name_themselves() {
        let base = json!({"token_url": "https://a/t", "client_id": "i", "client_secret": "s"});
        let with = |key: &str, value: serde_json::Value| {
            let mut oauth2 = base.clone();
            oauth2[key] = value;
            refusal(json!({"oauth2": oauth2})).field
        };
        assert_eq!(with("token_url", json!("")), "oauth2.token_url");
        assert_eq!(with("client_id", json!("")), "oauth2.client_id");
        assert_eq!(with("client_secret", json!("a\u{7}b")), "oauth2.client_secret");
        assert_eq!(with("client_secret", json!("x".repeat(MAX_OAUTH2_FIELD + 1))), "oauth2.client_secret");
        assert_eq!(with("scope", json!("a  b")), "oauth2.scope");
        assert_eq!(with("scope", json!("a\"b")), "oauth2.scope");
        assert_eq!(with("audience", json!("")), "oauth2.audience");
    }

    #[test]
    fn pems_must_be_there_and_bounded() {
        let error = refusal(json!({"mtls": {"certificate_pem": " ", "private_key_pem": PEM}}));
        assert_eq!(error.field, "mtls.certificate_pem");
        let error = refusal(
            json!({"mtls": {"certificate_pem": PEM, "private_key_pem": "x".repeat(MAX_PRIVATE_KEY_PEM + 1)}}),
        );
        assert_eq!(error.field, "mtls.private_key_pem");
    }

    #[test]
    fn sealing_seals_every_secret_and_the_view_shows_none() {
        let auth = request(json!({
            "headers": {"X-Api-Key": "key-value"},
            "mtls": {"certificate_pem": PEM, "private_key_pem": "private-key", "ca_pem": PEM},
        }));
        let facts = CertificateFacts { subject: "CN=relay".into(), not_after: OffsetDateTime::UNIX_EPOCH };
        let sealed = auth.sealed(|secret| format!("sealed({})", secret.len()), Some(facts));
        let stored = serde_json::to_string(&sealed).unwrap();
        assert!(!stored.contains("key-value") && !stored.contains("private-key"), "{stored}");
        let view = serde_json::to_value(EndpointAuthView::from(&sealed)).unwrap();
        assert_eq!(view["headers"], json!(["X-Api-Key"]));
        assert_eq!(view["mtls"]["subject"], "CN=relay");
        assert_eq!(view["mtls"]["custom_ca"], true);
        assert!(!view.to_string().contains("sealed("), "{view}");

        let oauth2 = request(json!({"oauth2": {"token_url": "https://a/t", "client_id": "i", "client_secret": "client-secret"}}))
            .sealed(|_| "sealed".into(), None);
        assert_eq!(oauth2.oauth2.as_ref().unwrap().client_secret, "sealed");
        let view = serde_json::to_value(EndpointAuthView::from(&oauth2)).unwrap();
        assert_eq!(
            view,
            json!({"headers": [], "oauth2": {"token_url": "https://a/t", "client_id": "i", "scope": null, "audience": null}})
        );
    }
}
