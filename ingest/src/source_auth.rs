//! Who is sending: a source's API key, its HMAC over the body, and a fresh timestamp.
//!
//! `Authorization: Bearer <api key>`, `X-Source-Signature: sha256=<hex HMAC-SHA256(secret,
//! raw body)>`, `X-Source-Timestamp: <unix seconds>` no further than the tolerance from now.

use std::sync::Arc;
use std::time::Duration;

use edgehook_domain::source::Source;
use edgehook_service::api_error::ApiError;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{Config, Ingestor};

/// The request headers source authentication reads.
pub struct Credentials<'a> {
    pub authorization: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub timestamp: Option<&'a str>,
}

pub async fn authenticate(
    ingestor: &Ingestor,
    credentials: Credentials<'_>,
    body: &[u8],
    config: &Config,
) -> Result<Arc<Source>, ApiError> {
    let invalid_key =
        || ApiError { code: "invalid_api_key", ..ApiError::unauthorized("the API key is not valid") };
    let api_key =
        credentials.authorization.and_then(|value| value.strip_prefix("Bearer ")).map(str::trim).ok_or_else(
            || ApiError {
                code: "missing_api_key",
                ..ApiError::unauthorized("send `Authorization: Bearer <api key>`")
            },
        )?;
    let source = source_of_api_key(ingestor, api_key).await?.ok_or_else(invalid_key)?;
    check_timestamp(credentials.timestamp, config.timestamp_tolerance)?;
    let secret = config
        .secrets
        .open(&source.signing_secret)
        .map_err(|error| ApiError::internal("opening the source's secret", error))?;
    check_signature(&secret, credentials.signature, body)?;
    Ok(source)
}

/// The source whose API key `api_key` is, if it is one (HTTP and NATS ingest alike).
pub async fn source_of_api_key(ingestor: &Ingestor, api_key: &str) -> Result<Option<Arc<Source>>, ApiError> {
    let Some(source_id) = Source::id_of_api_key(api_key) else { return Ok(None) };
    let source = ingestor
        .sources()
        .get_synced(source_id.as_str())
        .await
        .map_err(|error| ApiError::internal("reading sources", error))?;
    Ok(source.filter(|source| hex::encode(Sha256::digest(api_key.as_bytes())) == source.api_key_sha256))
}

pub(crate) fn check_timestamp(header: Option<&str>, tolerance: Duration) -> Result<(), ApiError> {
    let stale = |message: String| ApiError { code: "invalid_timestamp", ..ApiError::unauthorized(message) };
    let sent: i64 = header
        .ok_or_else(|| stale("send `X-Source-Timestamp: <unix seconds>`".to_owned()))?
        .trim()
        .parse()
        .map_err(|_| stale("X-Source-Timestamp must be Unix seconds".to_owned()))?;
    let skew = (edgehook_domain::now().unix_timestamp() - sent).unsigned_abs();
    if skew > tolerance.as_secs() {
        return Err(stale(format!(
            "X-Source-Timestamp is {skew} s from now; at most {} s is accepted",
            tolerance.as_secs()
        )));
    }
    Ok(())
}

pub(crate) fn check_signature(secret: &str, header: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
    let bad = |message: &str| ApiError { code: "invalid_signature", ..ApiError::unauthorized(message) };
    let hex_signature = header
        .and_then(|value| value.trim().strip_prefix("sha256="))
        .ok_or_else(|| bad("send `X-Source-Signature: sha256=<hex HMAC-SHA256 of the body>`"))?;
    let signature = hex::decode(hex_signature).map_err(|_| bad("X-Source-Signature is not hex"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&signature).map_err(|_| bad("X-Source-Signature does not match the body"))
}

/// The `X-Source-Signature` value for `body`: what a source computes.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_made_with_the_secret_verifies_and_a_tampered_body_does_not() {
        let signature = sign("srcsec_x", b"{\"a\":1}");
        assert!(check_signature("srcsec_x", Some(&signature), b"{\"a\":1}").is_ok());
        assert!(check_signature("srcsec_x", Some(&signature), b"{\"a\":2}").is_err());
        assert!(check_signature("srcsec_y", Some(&signature), b"{\"a\":1}").is_err());
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_refused() {
        let now = edgehook_domain::now().unix_timestamp();
        let tolerance = Duration::from_secs(300);
        assert!(check_timestamp(Some(&now.to_string()), tolerance).is_ok());
        assert!(check_timestamp(Some(&(now - 301).to_string()), tolerance).is_err());
        assert!(check_timestamp(Some(&(now + 301).to_string()), tolerance).is_err());
        assert!(check_timestamp(Some("soon"), tolerance).is_err());
    }
}
