//! Bearer JWTs (HS256). An admin token manages clients and sources; a client token's `sub` is
//! its client id, and it sees only that client's webhooks and deliveries.
//!
//! Routes state who may call them with the warp filters [`admin`], [`client`] and [`anyone`]:
//! each reads the `Authorization` header and extracts the state with the proven caller (or
//! rejects with the API's 401/403 body), so a handler's signature says what it needs
//! (`ClientId`, [`Admin`], [`Caller`]) and a handler cannot forget to check.

use std::time::Duration;

use edgehook_domain::ids::ClientId;
use edgehook_service::api_error::ApiError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use warp::Filter;
use warp::filters::BoxedFilter;

use crate::AppState;

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
    authenticated(state, Ok)
}

/// The state and the admin; 403 for a client token.
pub fn admin(state: AppState) -> BoxedFilter<(AppState, Admin)> {
    authenticated(state, |caller| caller.require_admin().map(|()| Admin))
}

/// The state and the calling client; 403 for an admin token (webhooks belong to a client).
pub fn client(state: AppState) -> BoxedFilter<(AppState, ClientId)> {
    authenticated(state, |caller| caller.require_client().cloned())
}

fn authenticated<T: Send + 'static>(
    state: AppState,
    require: fn(Caller) -> Result<T, ApiError>,
) -> BoxedFilter<(AppState, T)> {
    warp::header::optional::<String>("authorization")
        .and_then(move |authorization: Option<String>| {
            let state = state.clone();
            async move {
                let caller = state.tokens.authenticate(authorization.as_deref()).and_then(require);
                caller.map(|caller| (state, caller)).map_err(warp::reject::custom)
            }
        })
        .untuple_one()
        .boxed()
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
