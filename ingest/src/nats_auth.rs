//! Who may connect to the hub's NATS as a source: edgehook's answer to the server's auth
//! callout.
//!
//! `nats/conf/hub.conf` lets the `edgehook` service user in by password. For every other
//! connection the server asks on `$SYS.REQ.USER.AUTH`, which every ingest node serves (one queue
//! group). A source logs in with its API key, as the connection token (or as the password, with
//! its source id as the user). If the key is right and the client's address is on the source's
//! allowlist, the server gets a user JWT that lets the connection publish only to
//! `ingest.<source_id>` and receive replies only under `_INBOX.<source_id>.>`: a source cannot
//! publish as another, nor read another's replies. Anything else is refused with a reason the
//! server logs and the client sees as an authorization violation.
//!
//! The JWT expires after [`LOGIN_TTL`]; the server then closes the connection and the client's
//! reconnect is checked again, so a deleted source or a rotated key is shut out within that time.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use edgehook_nats::subjects;
use futures::StreamExt;
use nkeys::{KeyPair, KeyPairType};

use crate::Ingestor;
use crate::nats_jwt::{self, AuthorizationRequest, Permissions};
use crate::source_auth::source_of_api_key;

pub const AUTH_CALLOUT_SUBJECT: &str = "$SYS.REQ.USER.AUTH";
const QUEUE_GROUP: &str = "edgehook-nats-auth";
const CONCURRENCY: usize = 64;
/// Sources land in the server's global account, beside edgehook's own subjects.
const ACCOUNT: &str = "$G";
pub const LOGIN_TTL: Duration = Duration::from_secs(3600);

/// The account key the hub's `auth_callout.issuer` names: user JWTs are signed with it.
#[derive(Clone)]
pub struct CalloutIssuer(Arc<KeyPair>);

impl std::fmt::Debug for CalloutIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CalloutIssuer({})", self.public_key())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("not an nkey seed")]
    NotASeed,
    #[error("an account seed (SA...) is needed, this one is for a {0:?} key")]
    NotAnAccount(KeyPairType),
}

impl CalloutIssuer {
    pub fn from_seed(seed: &str) -> Result<Self, IssuerError> {
        let key = KeyPair::from_seed(seed.trim()).map_err(|_| IssuerError::NotASeed)?;
        match key.key_pair_type() {
            KeyPairType::Account => Ok(Self(Arc::new(key))),
            other => Err(IssuerError::NotAnAccount(other)),
        }
    }

    /// The public key (A...) for `auth_callout.issuer`.
    pub fn public_key(&self) -> String {
        self.0.public_key()
    }
}

/// Answers the hub's auth callout until `shutdown` completes.
pub async fn run(
    ingestor: Ingestor,
    issuer: CalloutIssuer,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), async_nats::Error> {
    let client = ingestor.nats_client();
    let requests = client.queue_subscribe(AUTH_CALLOUT_SUBJECT, QUEUE_GROUP.to_owned()).await?;
    requests
        .take_until(shutdown)
        .for_each_concurrent(CONCURRENCY, |request| {
            let (ingestor, issuer, client) = (ingestor.clone(), issuer.clone(), client.clone());
            async move {
                let Some(reply) = request.reply else { return };
                let token = String::from_utf8_lossy(&request.payload);
                let request = match nats_jwt::decode_request(&token) {
                    Ok(request) => request,
                    Err(error) => {
                        tracing::warn!(%error, "ignoring an auth callout request that is not the server's");
                        return;
                    }
                };
                let response = answer(&ingestor, &issuer.0, &request).await;
                if let Err(error) = client.publish(reply, response.into()).await {
                    tracing::warn!(%error, "could not answer an auth callout request");
                }
            }
        })
        .await;
    Ok(())
}

async fn answer(ingestor: &Ingestor, issuer: &KeyPair, request: &AuthorizationRequest) -> String {
    let outcome = match admit(ingestor, request).await {
        Ok((source_id, permissions)) => {
            tracing::info!(source_id, "source logged in over NATS");
            Ok(nats_jwt::user_jwt(
                issuer,
                request,
                &source_id,
                ACCOUNT,
                &permissions,
                LOGIN_TTL.as_secs() as i64,
            ))
        }
        Err(reason) => {
            tracing::info!(reason, client = ?request.nats.client_info.host, "NATS login refused");
            Err(reason)
        }
    };
    nats_jwt::authorization_response(issuer, request, outcome)
}

/// The source a login is for and what it may do, or why it is refused.
async fn admit(ingestor: &Ingestor, request: &AuthorizationRequest) -> Result<(String, Permissions), String> {
    let options = &request.nats.connect_opts;
    let api_key = options
        .auth_token
        .as_deref()
        .or(options.pass.as_deref())
        .ok_or("log in with the source's API key as the token (nats://<api key>@host)")?;
    let source = source_of_api_key(ingestor, api_key)
        .await
        .map_err(|error| format!("sources unavailable: {}", error.message))?
        .ok_or("the API key is not valid")?;
    if options.user.as_deref().is_some_and(|user| user != source.id.as_str()) {
        return Err("the user, when given, must be the source id of the API key".to_owned());
    }
    let address: Option<IpAddr> = request.nats.client_info.host.as_deref().and_then(|host| host.parse().ok());
    if !source.allowed_ips.is_empty() && !address.is_some_and(|address| source.admits(address)) {
        return Err(format!("address {address:?} is not on the source's allowlist"));
    }
    let permissions = Permissions {
        publish: vec![subjects::ingest(&source.id)],
        subscribe: vec![subjects::source_inbox_prefix(&source.id) + ".>"],
    };
    Ok((source.id.to_string(), permissions))
}
