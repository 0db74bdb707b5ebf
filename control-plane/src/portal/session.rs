//! The portal's session cookie: set when a link's code is redeemed, read back on every request
//! that comes without a bearer token, cleared when the session ends.
//!
//! `edgehook_portal=<client>.<link>.<secret>; HttpOnly; SameSite=Strict; Path=/`, `Secure`
//! unless the portal is reached on a loopback address (a browser drops a Secure cookie set
//! over plain HTTP, and `edgehook up` serves plain HTTP on 127.0.0.1), with `Max-Age` the
//! session's life. Built and parsed with the `cookie` crate.

use async_nats::jetstream::kv::Operation;
use edgehook_service::api_error::ApiError;
use warp::http::HeaderValue;

use super::link::{Credential, PortalLink};
use crate::AppState;

/// The cookie's name.
pub const COOKIE: &str = "edgehook_portal";

/// The link whose live session `cookie` is, or 401.
pub async fn open(state: &AppState, cookie: &str) -> Result<PortalLink, ApiError> {
    let ended = || ApiError::unauthorized("the portal session has ended: open a new portal link");
    let credential = Credential::parse(cookie).ok_or_else(ended)?;
    let (link, _) = load(state, &credential.key()).await?.ok_or_else(ended)?;
    let now = edgehook_domain::now();
    if let Err(refusal) = link.session_for(&credential, now) {
        tracing::info!(link = %link.id, ?refusal, "portal cookie refused");
        return Err(ended());
    }
    Ok(link)
}

/// The link stored under `key` and its revision (`None`: never made, expired or revoked).
pub async fn load(state: &AppState, key: &str) -> Result<Option<(PortalLink, u64)>, ApiError> {
    let entry = state
        .contract
        .portal_links
        .entry(key)
        .await
        .map_err(|error| ApiError::internal("reading portal links", error))?;
    let Some(entry) = entry.filter(|entry| entry.operation == Operation::Put) else {
        return Ok(None);
    };
    let link = serde_json::from_slice(&entry.value)
        .map_err(|error| ApiError::internal("reading a portal link", error))?;
    Ok(Some((link, entry.revision)))
}

/// `Set-Cookie` for a session whose cookie is `credential`, for `max_age_seconds`.
pub fn set_cookie(credential: &Credential, max_age_seconds: i64, secure: bool) -> HeaderValue {
    header(credential.to_string(), max_age_seconds, secure)
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    header(String::new(), 0, secure)
}

fn header(value: String, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let cookie = cookie::Cookie::build((COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("a cookie of URL-safe characters is a header value")
}

/// Is a cookie set for a request to `host` (its `Host` header) `Secure`? Everywhere but on a
/// loopback address.
pub fn secure_for(host: Option<&str>) -> bool {
    let Some(host) = host else { return true };
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback());
    !loopback
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgehook_domain::ids::{ClientId, PortalLinkId};

    #[test]
    fn only_loopback_hosts_get_a_cookie_without_secure() {
        for host in ["127.0.0.1:8080", "localhost", "[::1]:8080", "127.0.0.2"] {
            assert!(!secure_for(Some(host)), "{host}");
        }
        for host in ["portal.example.com", "example.com:443", "10.0.0.1:8080", "[2001:db8::1]:80"] {
            assert!(secure_for(Some(host)), "{host}");
        }
        assert!(secure_for(None));
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_when_asked() {
        let credential = Credential::generate(&ClientId::generate(), &PortalLinkId::generate());
        let header = set_cookie(&credential, 3600, true);
        let text = header.to_str().unwrap();
        assert!(text.starts_with(&format!("{COOKIE}={credential};")), "{text}");
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=3600"] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
        assert!(!set_cookie(&credential, 60, false).to_str().unwrap().contains("Secure"));
        assert!(clear_cookie(true).to_str().unwrap().contains("Max-Age=0"));
    }
}
