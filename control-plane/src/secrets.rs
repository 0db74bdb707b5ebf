//! Random secrets of sources: API keys and HMAC secrets. (Webhook keys: `edgehook_security::signatures`.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use edgehook_domain::ids::SourceId;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A source API key, `<source_id>.<secret>`, and the SHA-256 (hex) that is stored instead.
pub fn source_api_key(source: &SourceId) -> (String, String) {
    let key = format!("{source}.{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()));
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    (key, digest)
}

/// The secret of a source's `X-Source-Signature` HMAC.
pub fn source_signing_secret() -> String {
    format!("srcsec_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
}
