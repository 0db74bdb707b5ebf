//! A portal link and the session it is exchanged for: the record kept in the `portal_links`
//! bucket, its secrets, and the pure decisions over it (may this code be redeemed, is this
//! cookie a live session).
//!
//! A link carries a one-time code `<client>.<link>.<secret>`; the bucket holds only the
//! secret's SHA-256, so a copy of the bucket opens nothing. Redeeming writes the session into
//! the same record with a compare-and-set on its revision: of two browsers racing with one
//! code, one wins. The session cookie is `<client>.<link>.<another secret>`, checked the same
//! way; revoking a link deletes its record, which ends its session at the next request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use edgehook_domain::ids::{ClientId, PortalLinkId, WebhookId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// What a portal link grants, and its state: stored as JSON under [`PortalLink::key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalLink {
    pub id: PortalLinkId,
    pub client_id: ClientId,
    /// Nothing may be changed through it.
    pub read_only: bool,
    /// The only webhooks it may see; `None`: all of the client's.
    pub webhooks: Option<Vec<WebhookId>>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Unredeemed after this, the code is refused.
    #[serde(with = "time::serde::rfc3339")]
    pub link_expires_at: OffsetDateTime,
    pub session_ttl_seconds: u64,
    /// SHA-256 (hex) of the code's secret.
    pub code_hash: String,
    /// Set when the code is redeemed.
    pub session: Option<Session>,
}

/// The session a redeemed link became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// SHA-256 (hex) of the cookie's secret.
    pub cookie_hash: String,
    /// What every change must carry as `X-CSRF-Token`.
    pub csrf_token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Why a code or a cookie opens nothing. The caller is told only that it does not (which of
/// these it was is logged), so a guesser learns nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    WrongSecret,
    AlreadyRedeemed,
    LinkExpired,
    NoSession,
    SessionExpired,
}

/// `<client>.<link>.<secret>`: a code or a cookie, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub client_id: ClientId,
    pub link_id: PortalLinkId,
    pub secret: String,
}

impl Credential {
    /// A fresh credential for `link` with 32 random bytes of secret.
    pub fn generate(client_id: &ClientId, link_id: &PortalLinkId) -> Self {
        Self {
            client_id: client_id.clone(),
            link_id: link_id.clone(),
            secret: URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()),
        }
    }

    /// `None` for anything not shaped as one (never an error that says more).
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().splitn(3, '.');
        let client_id = parts.next()?.parse().ok()?;
        let link_id = parts.next()?.parse().ok()?;
        let secret = parts.next()?;
        let valid =
            secret.len() == 43 && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| Self { client_id, link_id, secret: secret.to_owned() })
    }

    /// The bucket key of the link it names.
    pub fn key(&self) -> String {
        PortalLink::key(&self.client_id, &self.link_id)
    }

    pub fn hash(&self) -> String {
        hash(&self.secret)
    }
}

impl std::fmt::Display for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.client_id, self.link_id, self.secret)
    }
}

/// SHA-256 of a secret, hex.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random token for `X-CSRF-Token`.
pub fn csrf_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

impl PortalLink {
    /// `<client>.<link>`: a client's links share a prefix, so they can be listed and revoked
    /// together.
    pub fn key(client_id: &ClientId, link_id: &PortalLinkId) -> String {
        format!("{client_id}.{link_id}")
    }

    /// May `code` be redeemed at `now`? Once, before the link expires.
    pub fn redeemable(&self, code: &Credential, now: OffsetDateTime) -> Result<(), Refusal> {
        if !same(&code.hash(), &self.code_hash) || code.client_id != self.client_id {
            return Err(Refusal::WrongSecret);
        }
        if self.session.is_some() {
            return Err(Refusal::AlreadyRedeemed);
        }
        if now >= self.link_expires_at {
            return Err(Refusal::LinkExpired);
        }
        Ok(())
    }

    /// The link redeemed at `now`: its session, whose cookie secret hashes to `cookie_hash`.
    pub fn redeemed(&self, cookie_hash: String, now: OffsetDateTime) -> Self {
        let ttl = time::Duration::seconds(self.session_ttl_seconds as i64);
        Self {
            session: Some(Session {
                cookie_hash,
                csrf_token: csrf_token(),
                started_at: now,
                expires_at: now + ttl,
            }),
            ..self.clone()
        }
    }

    /// The live session `cookie` opens at `now`.
    pub fn session_for(&self, cookie: &Credential, now: OffsetDateTime) -> Result<&Session, Refusal> {
        let session = self.session.as_ref().ok_or(Refusal::NoSession)?;
        if !same(&cookie.hash(), &session.cookie_hash) || cookie.client_id != self.client_id {
            return Err(Refusal::WrongSecret);
        }
        if now >= session.expires_at {
            return Err(Refusal::SessionExpired);
        }
        Ok(session)
    }

    /// May this link's session see `webhook`?
    pub fn sees(&self, webhook: &WebhookId) -> bool {
        self.webhooks.as_ref().is_none_or(|allowed| allowed.contains(webhook))
    }
}

/// Two hex digests compared in constant time (they are hashes of secrets, but cheap to do
/// right).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(now: OffsetDateTime) -> (PortalLink, Credential) {
        let client_id = ClientId::generate();
        let id = PortalLinkId::generate();
        let code = Credential::generate(&client_id, &id);
        let link = PortalLink {
            id,
            client_id,
            read_only: false,
            webhooks: None,
            created_at: now,
            link_expires_at: now + time::Duration::minutes(15),
            session_ttl_seconds: 3600,
            code_hash: code.hash(),
            session: None,
        };
        (link, code)
    }

    #[test]
    fn a_credential_reads_back_as_written_and_nothing_else_parses() {
        let (_, code) = link(OffsetDateTime::now_utc());
        assert_eq!(Credential::parse(&code.to_string()), Some(code.clone()));
        assert_eq!(Credential::parse(&format!("{}x", code)), None);
        assert_eq!(Credential::parse("cl_x.pl_y.z"), None);
        assert_eq!(Credential::parse(""), None);
    }

    #[test]
    fn a_code_is_redeemed_once_before_the_link_expires() {
        let now = OffsetDateTime::now_utc();
        let (link, code) = link(now);
        assert_eq!(link.redeemable(&code, now), Ok(()));
        let cookie = Credential::generate(&link.client_id, &link.id);
        let redeemed = link.redeemed(cookie.hash(), now);
        assert_eq!(redeemed.redeemable(&code, now), Err(Refusal::AlreadyRedeemed));
        assert_eq!(link.redeemable(&code, now + time::Duration::minutes(15)), Err(Refusal::LinkExpired));
        let wrong = Credential::generate(&link.client_id, &link.id);
        assert_eq!(link.redeemable(&wrong, now), Err(Refusal::WrongSecret));
    }

    #[test]
    fn a_session_opens_with_its_cookie_until_it_expires() {
        let now = OffsetDateTime::now_utc();
        let (link, code) = link(now);
        assert_eq!(link.session_for(&code, now), Err(Refusal::NoSession));
        let cookie = Credential::generate(&link.client_id, &link.id);
        let redeemed = link.redeemed(cookie.hash(), now);
        assert!(redeemed.session_for(&cookie, now).is_ok());
        assert_eq!(redeemed.session_for(&code, now), Err(Refusal::WrongSecret));
        assert_eq!(
            redeemed.session_for(&cookie, now + time::Duration::hours(1)),
            Err(Refusal::SessionExpired)
        );
    }

    #[test]
    fn a_limited_link_sees_only_its_webhooks() {
        let (mut link, _) = link(OffsetDateTime::now_utc());
        let mine = WebhookId::generate();
        assert!(link.sees(&mine));
        link.webhooks = Some(vec![mine.clone()]);
        assert!(link.sees(&mine));
        assert!(!link.sees(&WebhookId::generate()));
    }
}
