//! The NATS JWTs of an auth callout: the server's signed authorization request (decoded and
//! verified here) and the authorization response carrying a user JWT (made and signed here).
//!
//! Both are JWTs signed with nkeys (`"alg": "ed25519-nkey"`, an Ed25519 signature over
//! `header.claims`, base64url without padding), in the claim layout of nats-io/jwt v2. Only the
//! claims edgehook reads or needs are modelled.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nkeys::KeyPair;
use serde::Deserialize;
use serde_json::{Value, json};

const HEADER: &str = r#"{"typ":"JWT","alg":"ed25519-nkey"}"#;

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("not a JWT: expected three base64url parts")]
    Malformed,
    #[error("unexpected claims: {0}")]
    Claims(#[from] serde_json::Error),
    #[error("issuer `{0}` is not a public nkey")]
    Issuer(String),
    #[error("the signature does not verify")]
    Signature,
}

/// What a server asks about a connecting client (`$SYS.REQ.USER.AUTH`).
#[derive(Debug, Deserialize)]
pub struct AuthorizationRequest {
    /// The server's public nkey; the request is signed with it.
    pub iss: String,
    pub nats: RequestDetails,
}

#[derive(Debug, Deserialize)]
pub struct RequestDetails {
    pub server_id: ServerId,
    /// The public key the server made for this connection: the subject of the user JWT.
    pub user_nkey: String,
    #[serde(default)]
    pub client_info: ClientInfo,
    #[serde(default, alias = "client_opts")]
    pub connect_opts: ConnectOptions,
}

#[derive(Debug, Deserialize)]
pub struct ServerId {
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ClientInfo {
    /// The client's address as the server saw it.
    #[serde(default)]
    pub host: Option<String>,
}

/// What the client sent in its CONNECT.
#[derive(Debug, Default, Deserialize)]
pub struct ConnectOptions {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub pass: Option<String>,
    #[serde(default)]
    pub auth_token: Option<String>,
}

/// Subjects a user may publish to and subscribe to; nothing else.
pub struct Permissions {
    pub publish: Vec<String>,
    pub subscribe: Vec<String>,
}

/// Decodes a server's authorization request and checks it is signed by its issuer.
pub fn decode_request(token: &str) -> Result<AuthorizationRequest, JwtError> {
    let (signed, signature) = token.trim().rsplit_once('.').ok_or(JwtError::Malformed)?;
    let (_header, claims) = signed.split_once('.').ok_or(JwtError::Malformed)?;
    let claims = URL_SAFE_NO_PAD.decode(claims).map_err(|_| JwtError::Malformed)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| JwtError::Malformed)?;
    let request: AuthorizationRequest = serde_json::from_slice(&claims)?;
    let server = KeyPair::from_public_key(&request.iss).map_err(|_| JwtError::Issuer(request.iss.clone()))?;
    server.verify(signed.as_bytes(), &signature).map_err(|_| JwtError::Signature)?;
    Ok(request)
}

/// A user JWT for the connection `request` describes, in `account`, valid for `ttl_secs`.
pub fn user_jwt(
    issuer: &KeyPair,
    request: &AuthorizationRequest,
    name: &str,
    account: &str,
    permissions: &Permissions,
    ttl_secs: i64,
) -> String {
    let now = edgehook_domain::now().unix_timestamp();
    sign(
        issuer,
        json!({
            "jti": ulid::Ulid::new().to_string(),
            "iat": now,
            "exp": now + ttl_secs,
            "iss": issuer.public_key(),
            "sub": request.nats.user_nkey,
            "aud": account,
            "name": name,
            "nats": {
                "pub": {"allow": permissions.publish},
                "sub": {"allow": permissions.subscribe},
                "subs": -1,
                "data": -1,
                "payload": -1,
                "type": "user",
                "version": 2,
            },
        }),
    )
}

/// The answer to `request`: a user JWT to let the client in, or why it is refused.
pub fn authorization_response(
    issuer: &KeyPair,
    request: &AuthorizationRequest,
    outcome: Result<String, String>,
) -> String {
    let details = match outcome {
        Ok(user_jwt) => json!({"jwt": user_jwt, "type": "authorization_response", "version": 2}),
        Err(reason) => json!({"error": reason, "type": "authorization_response", "version": 2}),
    };
    sign(
        issuer,
        json!({
            "jti": ulid::Ulid::new().to_string(),
            "iat": edgehook_domain::now().unix_timestamp(),
            "iss": issuer.public_key(),
            "sub": request.nats.user_nkey,
            "aud": request.nats.server_id.id,
            "nats": details,
        }),
    )
}

fn sign(issuer: &KeyPair, claims: Value) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"))
    );
    let signature = issuer.sign(signed.as_bytes()).expect("an account seed signs");
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_signed_by(server: &KeyPair, user: &KeyPair) -> String {
        sign(
            server,
            json!({
                "iss": server.public_key(),
                "sub": "nats_user_auth_request",
                "nats": {
                    "server_id": {"id": server.public_key(), "name": "hub"},
                    "user_nkey": user.public_key(),
                    "client_info": {"host": "127.0.0.1"},
                    "connect_opts": {"auth_token": "src_x.key"},
                },
            }),
        )
    }

    fn claims_of(token: &str) -> Value {
        let claims = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap()
    }

    #[test]
    fn a_server_request_is_read_once_its_signature_verifies() {
        let (server, user) = (KeyPair::new_server(), KeyPair::new_user());
        let request = decode_request(&request_signed_by(&server, &user)).unwrap();
        assert_eq!(request.nats.user_nkey, user.public_key());
        assert_eq!(request.nats.connect_opts.auth_token.as_deref(), Some("src_x.key"));
        assert_eq!(request.nats.client_info.host.as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn a_tampered_request_is_refused() {
        let (server, user) = (KeyPair::new_server(), KeyPair::new_user());
        let token = request_signed_by(&server, &user);
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = request_signed_by(&KeyPair::new_server(), &KeyPair::new_user());
        parts[2] = forged.split('.').nth(2).unwrap();
        assert!(matches!(decode_request(&parts.join(".")), Err(JwtError::Signature)));
        assert!(matches!(decode_request("not-a-jwt"), Err(JwtError::Malformed)));
    }

    #[test]
    fn the_response_names_the_server_and_carries_a_user_jwt_for_the_connection() {
        let (server, user, issuer) = (KeyPair::new_server(), KeyPair::new_user(), KeyPair::new_account());
        let request = decode_request(&request_signed_by(&server, &user)).unwrap();
        let permissions =
            Permissions { publish: vec!["ingest.src_x".into()], subscribe: vec!["_INBOX.src_x.>".into()] };
        let user_token = user_jwt(&issuer, &request, "src_x", "$G", &permissions, 60);
        let response = authorization_response(&issuer, &request, Ok(user_token.clone()));

        let claims = claims_of(&response);
        assert_eq!(claims["aud"], server.public_key());
        assert_eq!(claims["sub"], user.public_key());
        assert_eq!(claims["iss"], issuer.public_key());
        assert_eq!(claims["nats"]["jwt"], user_token);
        let user_claims = claims_of(&user_token);
        assert_eq!(user_claims["sub"], user.public_key());
        assert_eq!(user_claims["aud"], "$G");
        assert_eq!(user_claims["nats"]["pub"]["allow"], json!(["ingest.src_x"]));
        let (signed, signature) = user_token.rsplit_once('.').unwrap();
        issuer.verify(signed.as_bytes(), &URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    }
}
