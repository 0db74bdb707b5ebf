//! A webhook's signing keys: rotation with an overlap, and its public keys.
//!
//! `POST /api/v1/webhooks/{id}/rotate-secret` makes a new key (optionally of the other scheme);
//! the old one keeps signing every delivery beside the new one for `overlap_seconds` (default
//! 24 h), so a client can deploy the new key with no delivery failing verification.
//! `GET /api/v1/webhooks/{id}/public-key` lists the `whpk_` keys `v1a` signatures verify with.

use edgehook_domain::ids::{ClientId, WebhookId};
use std::time::Duration;

use bytes::Bytes;
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_domain::webhook::{RetiringSecret, Webhook};
use edgehook_security::signatures::Scheme;
use edgehook_service::api_error::{ApiError, ApiResult, json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::http::StatusCode;

use super::owned_webhook;
use super::webhooks::{NewKey, WebhookView, store_update};
use crate::AppState;

const DEFAULT_OVERLAP: Duration = Duration::from_secs(24 * 3600);
const MAX_OVERLAP: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Rotation {
    /// How long the replaced key keeps signing.
    overlap_seconds: Option<u64>,
    /// A scheme to switch to; default: keep the current one.
    signature: Option<Scheme>,
}

pub async fn rotate(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let current = owned_webhook(&state, &client, &id).await?;
    let rotation: Rotation =
        if body.iter().all(u8::is_ascii_whitespace) { Rotation::default() } else { parse_json(&body)? };
    let overlap = rotation.overlap_seconds.map_or(DEFAULT_OVERLAP, Duration::from_secs);
    if overlap > MAX_OVERLAP {
        let message = format!("at most {} seconds", MAX_OVERLAP.as_secs());
        return Err(FieldError::new("overlap_seconds", "out_of_range", message).into());
    }
    let now = edgehook_domain::now();
    let scheme = rotation.signature.unwrap_or(current.signature);
    let key = NewKey::generate(&state, scheme);
    let webhook = store_update(&state, &client, &current.id, |stored| {
        let mut retiring: Vec<RetiringSecret> =
            stored.retiring_secrets.iter().filter(|key| key.retires_at > now).cloned().collect();
        if !overlap.is_zero() {
            retiring.push(RetiringSecret {
                secret: stored.signing_secret.clone(),
                public_key: stored.public_key.clone(),
                retires_at: now + overlap,
            });
        }
        Webhook {
            signature: scheme,
            signing_secret: key.sealed.clone(),
            public_key: key.public_key.clone(),
            retiring_secrets: retiring,
            updated_at: now,
            ..stored
        }
    })
    .await?;
    Ok(json(StatusCode::OK, &WebhookView::just_keyed(&webhook, &key.secret)))
}

#[derive(Serialize)]
struct PublicKey {
    public_key: String,
    status: &'static str,
    #[serde(with = "time::serde::rfc3339::option")]
    retires_at: Option<OffsetDateTime>,
}

#[derive(Serialize)]
struct PublicKeys {
    signature: Scheme,
    public_keys: Vec<PublicKey>,
}

pub async fn public_keys(id: WebhookId, state: AppState, client: ClientId) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let now = edgehook_domain::now();
    let current = webhook.public_key.clone().map(|public_key| PublicKey {
        public_key,
        status: "current",
        retires_at: None,
    });
    let retiring = webhook.retiring_secrets.iter().filter(|key| key.retires_at > now).filter_map(|key| {
        let public_key = key.public_key.clone()?;
        Some(PublicKey { public_key, status: "retiring", retires_at: Some(key.retires_at) })
    });
    let public_keys: Vec<PublicKey> = current.into_iter().chain(retiring).collect();
    if public_keys.is_empty() {
        return Err(ApiError {
            code: "no_public_key",
            ..ApiError::not_found("a public key (this webhook signs with a shared HMAC secret)")
        });
    }
    Ok(json(StatusCode::OK, &PublicKeys { signature: webhook.signature, public_keys }))
}
