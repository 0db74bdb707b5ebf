//! Bearer JWTs (HS256). An admin token manages clients and sources; a client token's `sub` is
//! its client id, and it sees only that client's webhooks and deliveries. A request without a
//! bearer token may instead carry the consumer portal's session cookie: it stands for its
//! client's token within what its link allows ([`crate::portal::access`]), and never for an
//! admin's.
//!
//! Routes state who may call them with the warp filters [`admin`], [`client`] and [`anyone`]:
//! each reads the `Authorization` header (or the portal cookie) and extracts the state with the
//! proven caller (or rejects with the API's 401/403 body), so a handler's signature says what
//! it needs (`ClientId`, [`Admin`], [`Caller`]) and a handler cannot forget to check.

use std::time::Duration;

use edgehook_domain::ids::ClientId;
use edgehook_domain::ids::WebhookId;
use edgehook_service::api_error::ApiError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::Method;

use crate::AppState;
use crate::portal::link::PortalLink;
use crate::portal::{access, session};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Admin,
    Client(ClientId),
}

/// Proof that the caller holds an admin token: what an admin-only handler takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admin;

/// The state and a caller with any valid token.
pub fn anyone(state: AppState) -> BoxedFilter<(AppState, Caller)> {
    authenticated(state, |proven| Ok(proven.caller))
}

/// The state and the admin; 403 for a client token or a portal session.
pub fn admin(state: AppState) -> BoxedFilter<(AppState, Admin)> {
    authenticated(state, |proven| proven.caller.require_admin().map(|()| Admin))
}

/// The state and the calling client; 403 for an admin token (webhooks belong to a client).
pub fn client(state: AppState) -> BoxedFilter<(AppState, ClientId)> {
    authenticated(state, |proven| proven.caller.require_client().cloned())
}

/// [`client`], and the webhooks the caller may see: `None` all of the client's, `Some` only
/// these (a portal link limited to some webhooks).
pub fn client_seeing(state: AppState) -> BoxedFilter<(AppState, ClientId, Option<Vec<WebhookId>>)> {
    authenticated(state, |proven| {
        let client = proven.caller.require_client()?.clone();
        Ok((client, proven.portal.and_then(|link| link.webhooks)))
    })
    .map(|state, (client, seeing)| (state, client, seeing))
    .untuple_one()
    .boxed()
}

/// What a request proved: its caller, and the portal link when it came with the portal's
/// session cookie.
struct Proven {
    caller: Caller,
    portal: Option<PortalLink>,
}

fn authenticated<T: Send + 'static>(
    state: AppState,
    require: fn(Proven) -> Result<T, ApiError>,
) -> BoxedFilter<(AppState, T)> {
    warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(session::COOKIE))
        .and(warp::method())
        .and(warp::path::full())
        .and(warp::header::optional::<String>("x-csrf-token"))
        .and_then(
            move |authorization: Option<String>,
                  cookie: Option<String>,
                  method: Method,
                  path: warp::path::FullPath,
                  csrf: Option<String>| {
                let state = state.clone();
                async move {
                    let proven = match (authorization, cookie) {
                        (None, Some(cookie)) => {
                            prove_portal(&state, &cookie, &method, path.as_str(), csrf.as_deref()).await
                        }
                        (authorization, _) => state
                            .tokens
                            .authenticate(authorization.as_deref())
                            .map(|caller| Proven { caller, portal: None }),
                    };
                    proven.and_then(require).map(|proven| (state, proven)).map_err(warp::reject::custom)
                }
            },
        )
        .untuple_one()
        .boxed()
}

/// A request with the portal's cookie: its session's client, if the link allows the request.
async fn prove_portal(
    state: &AppState,
    cookie: &str,
    method: &Method,
    path: &str,
    csrf: Option<&str>,
) -> Result<Proven, ApiError> {
    let link = session::open(state, cookie).await?;
    access::check(&link, method, path, csrf)?;
    Ok(Proven { caller: Caller::Client(link.client_id.clone()), portal: Some(link) })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    Admin,
    Client,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    iat: i64,
    exp: i64,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// Client tokens last a year unless asked otherwise.
pub const CLIENT_TOKEN_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

impl Tokens {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn mint_admin(&self, ttl: Duration) -> String {
        self.mint("admin".to_owned(), Role::Admin, ttl)
    }

    pub fn mint_client(&self, client: &ClientId, ttl: Duration) -> String {
        self.mint(client.to_string(), Role::Client, ttl)
    }

    fn mint(&self, sub: String, role: Role, ttl: Duration) -> String {
        let iat = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims { sub, role, iat, exp: iat + ttl.as_secs() as i64 };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// Reads the `Authorization` header.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, ApiError> {
        let token = authorization
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("send `Authorization: Bearer <token>`"))?;
        let claims = jsonwebtoken::decode::<Claims>(token.trim(), &self.decoding, &self.validation)
            .map_err(|error| ApiError::unauthorized(format!("the bearer token is not valid: {error}")))?
            .claims;
        match claims.role {
            Role::Admin => Ok(Caller::Admin),
            Role::Client => claims
                .sub
                .parse()
                .map(Caller::Client)
                .map_err(|_| ApiError::unauthorized("the token's subject is not a client id")),
        }
    }
}

impl Caller {
    fn require_admin(&self) -> Result<(), ApiError> {
        match self {
            Caller::Admin => Ok(()),
            Caller::Client(_) => Err(ApiError::forbidden("this needs an admin token")),
        }
    }

    fn require_client(&self) -> Result<&ClientId, ApiError> {
        match self {
            Caller::Client(client) => Ok(client),
            Caller::Admin => Err(ApiError::forbidden("webhooks belong to a client: use that client's token")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_token_authenticates_as_that_client() {
        let tokens = Tokens::new(b"test-secret");
        let client = ClientId::generate();
        let token = tokens.mint_client(&client, CLIENT_TOKEN_TTL);
        let caller = tokens.authenticate(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(caller, Caller::Client(client));
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let token = Tokens::new(b"one").mint_admin(CLIENT_TOKEN_TTL);
        let error = Tokens::new(b"two").authenticate(Some(&format!("Bearer {token}"))).unwrap_err();
        assert_eq!(error.status, 401);
        assert!(Tokens::new(b"two").authenticate(None).is_err());
    }
}
