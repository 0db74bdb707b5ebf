//! A webhook's signing keys: rotation with an overlap, and its public keys.
//!
//! `POST /api/v1/webhooks/{id}/rotate-secret` makes a new key (optionally of the other scheme);
//! the old one keeps signing every delivery beside the new one for `overlap_seconds` (default
//! 24 h), so a client can deploy the new key with no delivery failing verification.
//! `GET /api/v1/webhooks/{id}/public-key` lists the `whpk_` keys `v1a` signatures verify with.

use edgehook_domain::ids::{ClientId, WebhookId};
use std::time::Duration;

use bytes::Bytes;
use edgehook_domain::validation::{FieldError, parse_optional_json};
use edgehook_domain::webhook::{RetiringSecret, Webhook};
use edgehook_security::signatures::Scheme;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::http::StatusCode;

use super::owned_webhook;
use super::webhooks::{NewKey, WebhookView, store_update};
use crate::AppState;

const DEFAULT_OVERLAP: Duration = Duration::from_secs(24 * 3600);
const MAX_OVERLAP: Duration = Duration::from_secs(7 * 24 * 3600);

/// A rotation's settings (the body is optional: none keeps the scheme, with a 24 h overlap).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// How long the replaced key keeps signing, 0 to 604,800 s (7 days; default 86,400: 24 h);
    /// 0 retires it now.
    #[schema(maximum = 604_800)]
    overlap_seconds: Option<u64>,
    /// A scheme to switch to; default: keep the current one.
    signature: Option<Scheme>,
}

/// Make a new signing key; the old one keeps signing beside it for the overlap.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{webhook_id}/rotate-secret",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    request_body(content = Option<Rotation>, description = "optional"),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The webhook with its new key: `signing_secret` (HMAC, shown only here) or `public_key` (Ed25519).", body = WebhookView),
        (status = 400, description = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `invalid`: a wrong type or an unknown field), `overlap_seconds` (`out_of_range`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "The webhook changed meanwhile (`conflict`); send it again.", body = ErrorBody),
    )
)]
pub async fn rotate(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let current = owned_webhook(&state, &client, &id).await?;
    let rotation: Rotation = parse_optional_json(&body)?;
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

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// A `whpk_` Ed25519 public key.
    #[schema(pattern = "^whpk_")]
    public_key: String,
    status: KeyStatus,
    /// When a retiring key stops signing; `null` for the current one.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    retires_at: Option<OffsetDateTime>,
}

/// `current` signs every delivery; `retiring` beside it until `retires_at`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Current,
    Retiring,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicKeys {
    /// The webhook's scheme now.
    signature: Scheme,
    /// The current key (Ed25519 webhooks), then those retiring; never empty.
    #[schema(min_items = 1)]
    public_keys: Vec<PublicKey>,
}

/// The `whpk_` public keys the webhook's `v1a` signatures verify with, current and retiring.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{webhook_id}/public-key",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The public keys.", body = PublicKeys),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 404, description = "No such webhook (`not_found`), or it signs with a shared HMAC secret and has no public key (`no_public_key`).", body = ErrorBody),
    )
)]
pub async fn public_keys(id: WebhookId, state: AppState, client: ClientId) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let now = edgehook_domain::now();
    let current = webhook.public_key.clone().map(|public_key| PublicKey {
        public_key,
        status: KeyStatus::Current,
        retires_at: None,
    });
    let retiring = webhook.retiring_secrets.iter().filter(|key| key.retires_at > now).filter_map(|key| {
        let public_key = key.public_key.clone()?;
        Some(PublicKey { public_key, status: KeyStatus::Retiring, retires_at: Some(key.retires_at) })
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
