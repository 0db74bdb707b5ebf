//! Client certificates for mutual TLS to an endpoint (a webhook's `auth.mtls`): checked when
//! the control plane registers them, so that a certificate that cannot work is a clear 400
//! rather than a delivery failing later.
//!
//! [`check`] parses the certificate chain, the private key and the optional CA bundle (PEM),
//! refuses a key that is not the certificate's (rustls' `CertifiedKey::from_der`, the same
//! loading the relay's TLS client does, with ring) and a certificate already expired, and
//! returns what answers may show of it: its subject and expiry (read with `x509-cert`). The
//! relay builds its per-webhook TLS client from the same PEMs (`edgehook_relay::endpoint_auth`).
//! Messages never quote the key.

use edgehook_domain::endpoint_auth::CertificateFacts;
use edgehook_domain::validation::FieldError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;
use x509_cert::der::Decode;

/// Checks a client certificate, its key and an optional CA bundle; errors name the field
/// (`certificate_pem`, `private_key_pem`, `ca_pem`, relative to `auth.mtls`).
pub fn check(
    certificate_pem: &str,
    private_key_pem: &str,
    ca_pem: Option<&str>,
    now: OffsetDateTime,
) -> Result<CertificateFacts, FieldError> {
    let chain =
        certificates(certificate_pem).map_err(|message| FieldError::invalid("certificate_pem", message))?;
    let leaf = x509_cert::Certificate::from_der(&chain[0]).map_err(|error| {
        FieldError::invalid("certificate_pem", format!("the first certificate does not parse: {error}"))
    })?;
    let key = PrivateKeyDer::from_pem_slice(private_key_pem.as_bytes()).map_err(|_| {
        FieldError::invalid(
            "private_key_pem",
            "holds no private key in PEM (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)",
        )
    })?;
    let provider = rustls::crypto::ring::default_provider();
    rustls::sign::CertifiedKey::from_der(chain, key, &provider).map_err(|error| {
        let message = match error {
            rustls::Error::InconsistentKeys(_) => "is not the key of the certificate".to_owned(),
            other => format!("cannot be used: {other}"),
        };
        FieldError::invalid("private_key_pem", message)
    })?;
    let validity = &leaf.tbs_certificate.validity;
    let not_after = OffsetDateTime::UNIX_EPOCH + validity.not_after.to_unix_duration();
    if not_after <= now {
        return Err(FieldError::invalid(
            "certificate_pem",
            format!("the certificate expired at {not_after}"),
        ));
    }
    if let Some(ca) = ca_pem {
        certificates(ca).map_err(|message| FieldError::invalid("ca_pem", message))?;
    }
    Ok(CertificateFacts { subject: leaf.tbs_certificate.subject.to_string(), not_after })
}

/// Every certificate of a PEM text; at least one.
fn certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("is not PEM: {error}"))?;
    if certificates.is_empty() {
        return Err("holds no `CERTIFICATE` in PEM".to_owned());
    }
    for certificate in &certificates {
        x509_cert::Certificate::from_der(certificate)
            .map_err(|error| format!("holds a certificate that does not parse: {error}"))?;
    }
    Ok(certificates)
}
