//! Standard Webhooks signatures, both schemes, both directions.
//!
//! `v1,<base64 HMAC-SHA256(key, content)>` with a `whsec_` secret, or `v1a,<base64 Ed25519
//! signature>` with a `whsk_` private key whose `whpk_` public key clients verify with. The
//! content is `{webhook-id}.{webhook-timestamp}.{raw body}`, the body exactly as sent. Clients
//! check these with the Standard Webhooks libraries, so this must match them byte for byte: the
//! key is the base64-decoded part of the secret, never the string.
//!
//! Relays sign; `edgehook verify` and the tests verify; the control plane makes keys.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, Verifier};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const HMAC_PREFIX: &str = "whsec_";
const PRIVATE_PREFIX: &str = "whsk_";
const PUBLIC_PREFIX: &str = "whpk_";

pub use edgehook_domain::webhook::Scheme;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("a key is `whsec_`, `whsk_` or `whpk_` followed by standard base64")]
    Malformed,
    #[error("an Ed25519 key is 32 bytes (or 64: seed and public key)")]
    WrongLength,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("no signature of this key's scheme in webhook-signature")]
    NoMatchingSignature,
    #[error("the signature does not match: wrong key, or the id, timestamp or body changed")]
    Mismatch,
}

/// What signs: an HMAC secret or an Ed25519 private key.
pub enum SigningKey {
    Hmac(Vec<u8>),
    Ed25519(ed25519_dalek::SigningKey),
}

/// What verifies: an HMAC secret or an Ed25519 public key.
pub enum VerifyingKey {
    Hmac(Vec<u8>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// Makes a new key of `scheme`, as its secret string (`whsec_...` or `whsk_...`).
pub fn generate(scheme: Scheme) -> String {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    match scheme {
        Scheme::HmacSha256 => format!("{HMAC_PREFIX}{}", STANDARD.encode(seed)),
        Scheme::Ed25519 => format!("{PRIVATE_PREFIX}{}", STANDARD.encode(seed)),
    }
}

/// The bytes every scheme signs.
pub fn content(message_id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(message_id.len() + body.len() + 16);
    content.extend_from_slice(message_id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(timestamp.to_string().as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    content
}

fn decode(encoded: &str) -> Result<Vec<u8>, KeyError> {
    STANDARD.decode(encoded).map_err(|_| KeyError::Malformed)
}

fn ed25519_seed(bytes: &[u8]) -> Result<[u8; 32], KeyError> {
    // The Go library stores the 32-byte seed, Svix the 64 bytes of seed and public key.
    match bytes.len() {
        32 | 64 => Ok(bytes[..32].try_into().expect("32 bytes")),
        _ => Err(KeyError::WrongLength),
    }
}

impl SigningKey {
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        if let Some(encoded) = secret.strip_prefix(PRIVATE_PREFIX) {
            let seed = ed25519_seed(&decode(encoded)?)?;
            return Ok(Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)));
        }
        Ok(Self::Hmac(decode(secret.strip_prefix(HMAC_PREFIX).unwrap_or(secret))?))
    }

    pub fn scheme(&self) -> Scheme {
        match self {
            Self::Hmac(_) => Scheme::HmacSha256,
            Self::Ed25519(_) => Scheme::Ed25519,
        }
    }

    /// One `webhook-signature` entry.
    pub fn sign(&self, message_id: &str, timestamp: i64, body: &[u8]) -> String {
        let content = content(message_id, timestamp, body);
        match self {
            Self::Hmac(key) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
                mac.update(&content);
                format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
            }
            Self::Ed25519(key) => format!("v1a,{}", STANDARD.encode(key.sign(&content).to_bytes())),
        }
    }

    /// The `whpk_` key clients verify `v1a` with; none for a shared HMAC secret.
    pub fn public_key(&self) -> Option<String> {
        match self {
            Self::Hmac(_) => None,
            Self::Ed25519(key) => {
                Some(format!("{PUBLIC_PREFIX}{}", STANDARD.encode(key.verifying_key().as_bytes())))
            }
        }
    }
}

impl VerifyingKey {
    /// `whsec_` (HMAC), `whpk_` (Ed25519 public) or `whsk_` (Ed25519 private, its public half).
    pub fn parse(key: &str) -> Result<Self, KeyError> {
        if let Some(encoded) = key.strip_prefix(PUBLIC_PREFIX) {
            let bytes: [u8; 32] = decode(encoded)?.try_into().map_err(|_| KeyError::WrongLength)?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Malformed)?;
            return Ok(Self::Ed25519(key));
        }
        Ok(match SigningKey::from_secret(key)? {
            SigningKey::Hmac(secret) => Self::Hmac(secret),
            SigningKey::Ed25519(private) => Self::Ed25519(private.verifying_key()),
        })
    }

    /// Checks a `webhook-signature` header (space-separated entries, any of which may match);
    /// returns the version that matched.
    pub fn verify(
        &self,
        message_id: &str,
        timestamp: i64,
        body: &[u8],
        header: &str,
    ) -> Result<&'static str, VerifyError> {
        let content = content(message_id, timestamp, body);
        let wanted = match self {
            Self::Hmac(_) => "v1",
            Self::Ed25519(_) => "v1a",
        };
        let mut candidates = header
            .split_whitespace()
            .filter_map(|entry| entry.split_once(','))
            .filter(|(version, _)| *version == wanted)
            .filter_map(|(_, signature)| STANDARD.decode(signature).ok())
            .peekable();
        if candidates.peek().is_none() {
            return Err(VerifyError::NoMatchingSignature);
        }
        let matched = candidates.any(|signature| match self {
            Self::Hmac(key) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
                mac.update(&content);
                mac.verify_slice(&signature).is_ok()
            }
            Self::Ed25519(key) => ed25519_dalek::Signature::from_slice(&signature)
                .is_ok_and(|signature| key.verify(&content, &signature).is_ok()),
        });
        if matched { Ok(wanted) } else { Err(VerifyError::Mismatch) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The vectors of ../shared/notes/standard-webhooks.md, checked with independent libraries.
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn hmac_matches_the_standard_webhooks_test_vector() {
        let key = SigningKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(key.sign(ID, TIMESTAMP, BODY), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn ed25519_matches_the_standard_webhooks_test_vector() {
        let key = SigningKey::from_secret("whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=").unwrap();
        assert_eq!(
            key.sign(ID, TIMESTAMP, BODY),
            "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag=="
        );
        assert_eq!(key.public_key().unwrap(), "whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=");
    }

    #[test]
    fn a_64_byte_svix_style_private_key_is_accepted() {
        let seed = STANDARD.decode("VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=").unwrap();
        let public = STANDARD.decode("ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=").unwrap();
        let key =
            SigningKey::from_secret(&format!("whsk_{}", STANDARD.encode([seed, public].concat()))).unwrap();
        assert_eq!(key.public_key().unwrap(), "whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=");
    }

    #[test]
    fn verification_accepts_any_matching_entry_and_refuses_tampering() {
        for scheme in [Scheme::HmacSha256, Scheme::Ed25519] {
            let secret = generate(scheme);
            let signer = SigningKey::from_secret(&secret).unwrap();
            let verifier = match signer.public_key() {
                Some(public) => VerifyingKey::parse(&public).unwrap(),
                None => VerifyingKey::parse(&secret).unwrap(),
            };
            let other = SigningKey::from_secret(&generate(scheme)).unwrap();
            let header = format!("{} {}", other.sign(ID, TIMESTAMP, BODY), signer.sign(ID, TIMESTAMP, BODY));
            assert!(verifier.verify(ID, TIMESTAMP, BODY, &header).is_ok(), "{scheme:?}");
            assert_eq!(verifier.verify(ID, TIMESTAMP, b"{}", &header), Err(VerifyError::Mismatch));
            assert_eq!(verifier.verify(ID, TIMESTAMP + 1, BODY, &header), Err(VerifyError::Mismatch));
        }
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(SigningKey::from_secret("whsec_not base64!").is_err());
        assert!(SigningKey::from_secret("whsk_AAAA").is_err());
        assert!(VerifyingKey::parse("whpk_AAAA").is_err());
    }
}
