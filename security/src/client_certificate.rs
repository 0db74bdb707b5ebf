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

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, DnType, KeyPair};

    use super::*;

    fn certificate(common_name: &str, not_after: OffsetDateTime) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["relay.example".to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, common_name);
        params.distinguished_name.push(DnType::OrganizationName, "Acme");
        params.not_before = OffsetDateTime::UNIX_EPOCH + time::Duration::days(365);
        params.not_after = not_after;
        (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
    }

    fn in_a_year() -> OffsetDateTime {
        rcgen::date_time_ymd(OffsetDateTime::now_utc().year() + 1, 1, 1)
    }

    #[test]
    fn a_certificate_with_its_key_shows_its_subject_and_expiry() {
        let (cert, key) = certificate("relay", in_a_year());
        let facts = check(&cert, &key, Some(&cert), OffsetDateTime::now_utc()).unwrap();
        assert!(facts.subject.contains("CN=relay") && facts.subject.contains("O=Acme"), "{}", facts.subject);
        assert_eq!(facts.not_after, in_a_year());
    }

    #[test]
    fn another_key_garbage_and_an_expired_certificate_name_their_field() {
        let now = OffsetDateTime::now_utc();
        let (cert, _) = certificate("relay", in_a_year());
        let (_, other_key) = certificate("other", in_a_year());
        let error = check(&cert, &other_key, None, now).unwrap_err();
        assert_eq!(error.field, "private_key_pem");
        assert!(error.message.contains("not the key of the certificate"), "{error}");
        assert!(!error.message.contains("PRIVATE KEY-----"), "never quotes the key");

        assert_eq!(check("not a pem", &other_key, None, now).unwrap_err().field, "certificate_pem");
        assert_eq!(check(&cert, "not a key", None, now).unwrap_err().field, "private_key_pem");
        let (cert, key) = certificate("relay", in_a_year());
        assert_eq!(check(&cert, &key, Some("nothing"), now).unwrap_err().field, "ca_pem");

        let (expired, key) = certificate("old", rcgen::date_time_ymd(2001, 1, 1));
        let error = check(&expired, &key, None, now).unwrap_err();
        assert_eq!(error.field, "certificate_pem");
        assert!(error.message.contains("expired"), "{error}");
    }
}
