//! What a portal session may do with one request of the client API: the pure decision the
//! [`crate::auth`] filters apply when a request comes with the portal's cookie instead of a
//! bearer token.
//!
//! - every change (not GET or HEAD) carries the session's `X-CSRF-Token` (the cookie is
//!   SameSite=Strict already; the header also keeps out a same-site page that is not the
//!   portal's, since only the portal's script has the token);
//! - a read-only session changes nothing;
//! - a session limited to some webhooks sees only those (another is not found, as another
//!   client's is), cannot add one, and cannot list the client's events (they span webhooks):
//!   it reads one event only as its webhooks had it;
//! - no session polls: a poll takes deliveries away from the client's own consumer.

use edgehook_domain::ids::WebhookId;
use edgehook_service::api_error::ApiError;
use warp::http::{Method, StatusCode};

use super::link::PortalLink;

/// `Ok` when `link`'s session may send `method path` with `csrf` as its `X-CSRF-Token`.
pub fn check(link: &PortalLink, method: &Method, path: &str, csrf: Option<&str>) -> Result<(), ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let changes = !matches!(*method, Method::GET | Method::HEAD);
    if changes {
        require_csrf(link, csrf)?;
        if link.read_only {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "read_only", "this portal link is read-only"));
        }
    }
    match segments.as_slice() {
        ["api", "v1", "webhooks", _, "poll", ..] => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_in_portal",
            "poll webhooks are polled with the client's token, not from the portal",
        )),
        ["api", "v1", "webhooks"] if changes && link.webhooks.is_some() => Err(limited("add webhooks")),
        ["api", "v1", "webhooks", id, ..] => match id.parse::<WebhookId>() {
            Ok(id) if link.sees(&id) => Ok(()),
            _ => Err(ApiError::not_found("webhook")),
        },
        // One event may be read (its handler shows it only through the link's webhooks).
        ["api", "v1", "events", _] if !changes => Ok(()),
        ["api", "v1", "events", ..] if link.webhooks.is_some() => Err(limited("read the client's events")),
        _ => Ok(()),
    }
}

/// 403 unless `csrf` is the session's token.
pub fn require_csrf(link: &PortalLink, csrf: Option<&str>) -> Result<(), ApiError> {
    let expected = link.session.as_ref().map(|session| session.csrf_token.as_str());
    if csrf.is_some() && csrf == expected {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "a change from the portal needs the session's csrf_token as the X-CSRF-Token header",
    ))
}

fn limited(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "limited_session",
        format!("this portal link is limited to some webhooks: it cannot {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::link::Credential;
    use edgehook_domain::ids::{ClientId, PortalLinkId};
    use time::OffsetDateTime;

    fn session(read_only: bool, webhooks: Option<Vec<WebhookId>>) -> PortalLink {
        let now = OffsetDateTime::now_utc();
        let client_id = ClientId::generate();
        let id = PortalLinkId::generate();
        let code = Credential::generate(&client_id, &id);
        PortalLink {
            id,
            client_id,
            read_only,
            webhooks,
            created_at: now,
            link_expires_at: now,
            session_ttl_seconds: 3600,
            code_hash: code.hash(),
            session: None,
        }
        .redeemed(code.hash(), now)
    }

    fn csrf(link: &PortalLink) -> Option<&str> {
        link.session.as_ref().map(|session| session.csrf_token.as_str())
    }

    #[test]
    fn reading_needs_no_token_and_changing_needs_the_sessions() {
        let link = session(false, None);
        let webhook = format!("/api/v1/webhooks/{}", WebhookId::generate());
        assert!(check(&link, &Method::GET, &webhook, None).is_ok());
        assert_eq!(check(&link, &Method::PATCH, &webhook, None).unwrap_err().code, "csrf");
        assert_eq!(check(&link, &Method::PATCH, &webhook, Some("guess")).unwrap_err().code, "csrf");
        assert!(check(&link, &Method::PATCH, &webhook, csrf(&link)).is_ok());
    }

    #[test]
    fn a_read_only_session_changes_nothing() {
        let link = session(true, None);
        for (method, path) in [
            (Method::POST, "/api/v1/webhooks".to_owned()),
            (Method::DELETE, format!("/api/v1/webhooks/{}", WebhookId::generate())),
            (Method::POST, format!("/api/v1/webhooks/{}/test", WebhookId::generate())),
        ] {
            assert_eq!(check(&link, &method, &path, csrf(&link)).unwrap_err().code, "read_only");
        }
        assert!(check(&link, &Method::GET, "/api/v1/webhooks", None).is_ok());
    }

    #[test]
    fn a_limited_session_sees_its_webhooks_only() {
        let mine = WebhookId::generate();
        let link = session(false, Some(vec![mine.clone()]));
        let token = csrf(&link);
        assert!(check(&link, &Method::GET, &format!("/api/v1/webhooks/{mine}/deliveries"), None).is_ok());
        assert!(check(&link, &Method::POST, &format!("/api/v1/webhooks/{mine}/test"), token).is_ok());
        let other = format!("/api/v1/webhooks/{}", WebhookId::generate());
        assert_eq!(check(&link, &Method::GET, &other, None).unwrap_err().status, StatusCode::NOT_FOUND);
        assert_eq!(
            check(&link, &Method::POST, "/api/v1/webhooks", token).unwrap_err().code,
            "limited_session"
        );
        assert_eq!(check(&link, &Method::GET, "/api/v1/events", None).unwrap_err().code, "limited_session");
        assert!(check(&link, &Method::GET, "/api/v1/events/evt_1", None).is_ok());
        let deliveries = "/api/v1/events/evt_1/deliveries";
        assert_eq!(check(&link, &Method::GET, deliveries, None).unwrap_err().code, "limited_session");
        let expunge = check(&link, &Method::DELETE, "/api/v1/events/evt_1", token).unwrap_err();
        assert_eq!(expunge.code, "limited_session");
        assert!(check(&link, &Method::GET, "/api/v1/webhooks", None).is_ok());
        assert!(check(&link, &Method::GET, "/api/v1/event-types", None).is_ok());
    }

    #[test]
    fn no_session_polls() {
        let link = session(false, None);
        let poll = format!("/api/v1/webhooks/{}/poll", WebhookId::generate());
        assert_eq!(check(&link, &Method::GET, &poll, None).unwrap_err().code, "not_in_portal");
    }
}
