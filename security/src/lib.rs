//! What keeps edgehook's promises to clients safe, shared by the services that need it.
//!
//! - [`signatures`]: Standard Webhooks `v1` (HMAC-SHA256) and `v1a` (Ed25519) signing and
//!   verifying; the relay signs, `edgehook verify`, the bench and the tests verify;
//! - [`sealing`]: secrets sealed at rest with the operator's key (XChaCha20-Poly1305): the
//!   control plane seals, the relay and ingest open;
//! - [`jwe`]: payload encryption to a client's public key (JWE compact);
//! - [`address_policy`]: the SSRF guard: which addresses a callback URL may resolve to, at
//!   registration (control plane) and at connect time (the relay's resolver);
//! - [`client_certificate`]: a webhook's mTLS client certificate and key checked when
//!   registered (they parse, the key is the certificate's), with the subject and expiry shown.
//!
//! Its own crate so that the contract (`edgehook-nats`) and the domain (`edgehook-domain`)
//! carry no cryptography and no HTTP client.

pub mod address_policy;
pub mod client_certificate;
pub mod jwe;
pub mod sealing;
pub mod signatures;
