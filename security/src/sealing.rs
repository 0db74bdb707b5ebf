//! Secrets at rest: webhook signing keys and source HMAC secrets are stored sealed with
//! XChaCha20-Poly1305 under a key from the operator's configuration, so a copy of the KV
//! buckets (a backup, a region's mirror) reveals none of them.
//!
//! A sealed value is `sealed:v1:<base64 of 24-byte nonce and ciphertext>`. The control plane
//! seals; relays and ingest open what they sign or verify with. The secrets' owners see them once,
//! in the answer that made them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct SecretsKey(XChaCha20Poly1305);

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the secrets key is standard base64 of 32 bytes (make one with `openssl rand -base64 32`)")]
    BadKey,
    #[error("a stored secret cannot be opened with this secrets key (was it sealed under another?)")]
    CannotOpen,
}

impl SecretsKey {
    pub fn from_base64(encoded: &str) -> Result<Self, SealError> {
        let bytes = STANDARD.decode(encoded.trim()).map_err(|_| SealError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(Self(XChaCha20Poly1305::new(&key.into())))
    }

    /// A fresh key, base64-encoded, for configuration.
    pub fn generate() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    pub fn seal(&self, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self.0.encrypt(&XNonce::from(nonce), secret.as_bytes()).expect("sealing cannot fail");
        format!("{PREFIX}{}", STANDARD.encode([nonce.as_slice(), &sealed].concat()))
    }

    /// The secret inside `stored`; a value stored before sealing existed passes through.
    pub fn open(&self, stored: &str) -> Result<String, SealError> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let bytes = STANDARD.decode(encoded).map_err(|_| SealError::CannotOpen)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::CannotOpen);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce length");
        let secret = self.0.decrypt(&XNonce::from(nonce), sealed).map_err(|_| SealError::CannotOpen)?;
        String::from_utf8(secret).map_err(|_| SealError::CannotOpen)
    }
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_shows_nothing() {
        let key = SecretsKey::from_base64(&SecretsKey::generate()).unwrap();
        let sealed = key.seal("whsec_top-secret");
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("top-secret"));
        assert_ne!(sealed, key.seal("whsec_top-secret"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), "whsec_top-secret");
        let other = SecretsKey::from_base64(&SecretsKey::generate()).unwrap();
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn a_bad_key_is_refused_with_how_to_make_one() {
        let error = SecretsKey::from_base64("short").unwrap_err();
        assert!(error.to_string().contains("openssl rand"));
    }
}
