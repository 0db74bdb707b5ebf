//! `POST/GET/DELETE /api/v1/clients/{id}/portal-links`: the SaaS's backend (admin token) mints a
//! link into the consumer portal for one of its customers, lists the live ones, revokes one or
//! all. See [`crate::portal`] for what a link becomes.

use bytes::Bytes;
use edgehook_domain::ids::{ClientId, PortalLinkId, WebhookId};
use edgehook_domain::validation::{FieldError, parse_optional_json};
use edgehook_domain::webhook::Webhook;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::Reply;
use warp::http::StatusCode;

use super::clients;
use crate::AppState;
use crate::auth::Admin;
use crate::portal::link::{Credential, PortalLink};
use crate::portal::session;

const DEFAULT_SESSION_TTL: u64 = 3600;
const MAX_SESSION_TTL: u64 = 24 * 3600;
const DEFAULT_LINK_TTL: u64 = 15 * 60;
const MAX_LINK_TTL: u64 = 3600;
/// Short lives are allowed (a test, a link shown right away); the defaults are what most want.
const MIN_TTL: u64 = 1;
const MAX_WEBHOOKS: usize = 100;

/// What a link allows (every field optional).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLinkFields {
    /// Nothing can be changed through it (default false).
    #[serde(default)]
    read_only: bool,
    /// The only webhooks of the client it shows (1 to 100); absent or null: all of them.
    webhooks: Option<Vec<WebhookId>>,
    /// How long the session lasts once the link is opened, 1 to 86,400 s (default 3,600).
    #[schema(minimum = 1, maximum = 86_400)]
    session_ttl_seconds: Option<u64>,
    /// How long the link may wait to be opened, 1 to 3,600 s (default 900).
    #[schema(minimum = 1, maximum = 3_600)]
    link_ttl_seconds: Option<u64>,
}

/// A link, as listed (its code is shown only when it is minted).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalLinkView {
    id: PortalLinkId,
    client_id: ClientId,
    read_only: bool,
    webhooks: Option<Vec<WebhookId>>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Not opened by then, it is refused.
    #[serde(with = "time::serde::rfc3339")]
    link_expires_at: OffsetDateTime,
    session_ttl_seconds: u64,
    /// When it was opened; null while it is not.
    #[serde(with = "time::serde::rfc3339::option")]
    opened_at: Option<OffsetDateTime>,
    /// When the session it became ends; null while it is not opened.
    #[serde(with = "time::serde::rfc3339::option")]
    session_expires_at: Option<OffsetDateTime>,
}

impl PortalLinkView {
    fn of(link: &PortalLink) -> Self {
        Self {
            id: link.id.clone(),
            client_id: link.client_id.clone(),
            read_only: link.read_only,
            webhooks: link.webhooks.clone(),
            created_at: link.created_at,
            link_expires_at: link.link_expires_at,
            session_ttl_seconds: link.session_ttl_seconds,
            opened_at: link.session.as_ref().map(|session| session.started_at),
            session_expires_at: link.session.as_ref().map(|session| session.expires_at),
        }
    }
}

/// A link just minted: the URL to send the customer to (once: the code in it opens one session).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalLinkMinted {
    #[serde(flatten)]
    link: PortalLinkView,
    /// `<public URL>/portal/#code=<code>`: open it in a browser or an iframe.
    url: String,
    /// The one-time code in `url`, for a page that builds its own.
    code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalLinkList {
    data: Vec<PortalLinkView>,
}

/// Mint a link into the consumer portal for a client.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{client_id}/portal-links",
    tag = "portal",
    params(("client_id" = ClientId, Path)),
    request_body(content = Option<PortalLinkFields>, description = "optional"),
    security(("admin" = [])),
    responses(
        (status = 201, description = "The link: send the customer to `url` (it opens one session).", body = PortalLinkMinted),
        (status = 400, description = "A field is wrong: `webhooks` (`invalid`: not this client's webhook, empty or over 100), `session_ttl_seconds`, `link_ttl_seconds` (`out_of_range`), or the body (`malformed_json`, `invalid`).", body = ErrorBody),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
        (status = 404, description = "No such client (`not_found`).", body = ErrorBody),
    )
)]
pub async fn create(
    client: ClientId,
    state: AppState,
    _: Admin,
    host: Option<String>,
    body: Bytes,
) -> ApiResult {
    clients::load(&state, &client).await?;
    let fields: PortalLinkFields = parse_optional_json(&body)?;
    let session_ttl =
        ttl(fields.session_ttl_seconds, DEFAULT_SESSION_TTL, MAX_SESSION_TTL, "session_ttl_seconds")?;
    let link_ttl = ttl(fields.link_ttl_seconds, DEFAULT_LINK_TTL, MAX_LINK_TTL, "link_ttl_seconds")?;
    if let Some(webhooks) = &fields.webhooks {
        check_webhooks(&state, &client, webhooks).await?;
    }
    let now = edgehook_domain::now();
    let id = PortalLinkId::generate();
    let code = Credential::generate(&client, &id);
    let link = PortalLink {
        id,
        client_id: client,
        read_only: fields.read_only,
        webhooks: fields.webhooks,
        created_at: now,
        link_expires_at: now + time::Duration::seconds(link_ttl as i64),
        session_ttl_seconds: session_ttl,
        code_hash: code.hash(),
        session: None,
    };
    let value = serde_json::to_vec(&link).expect("a portal link serializes");
    state
        .contract
        .portal_links
        .create(code.key(), value.into())
        .await
        .map_err(|error| ApiError::internal("storing the portal link", error))?;
    let base = state
        .portal
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", host.as_deref().unwrap_or("127.0.0.1:8080")));
    let minted = PortalLinkMinted {
        link: PortalLinkView::of(&link),
        url: format!("{}/portal/#code={code}", base.trim_end_matches('/')),
        code: code.to_string(),
    };
    Ok(json(StatusCode::CREATED, &minted))
}

/// A client's links that are not expired or revoked, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{client_id}/portal-links",
    tag = "portal",
    params(("client_id" = ClientId, Path)),
    security(("admin" = [])),
    responses(
        (status = 200, description = "The client's live links (codes are never shown again).", body = PortalLinkList),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn list(client: ClientId, state: AppState, _: Admin) -> ApiResult {
    let now = edgehook_domain::now();
    let mut data = Vec::new();
    for key in keys_of(&state, &client).await? {
        if let Some((link, _)) = session::load(&state, &key).await? {
            let live = link.session.as_ref().map_or(link.link_expires_at, |session| session.expires_at) > now;
            if live {
                data.push(PortalLinkView::of(&link));
            }
        }
    }
    data.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(json(StatusCode::OK, &PortalLinkList { data }))
}

/// Revoke a link: it can no longer be opened, and its session ends at its next request.
#[utoipa::path(
    delete,
    path = "/api/v1/clients/{client_id}/portal-links/{link_id}",
    tag = "portal",
    params(("client_id" = ClientId, Path), ("link_id" = PortalLinkId, Path)),
    security(("admin" = [])),
    responses(
        (status = 204, description = "Revoked."),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
        (status = 404, description = "No such link of this client (`not_found`).", body = ErrorBody),
    )
)]
pub async fn revoke(client: ClientId, link: PortalLinkId, state: AppState, _: Admin) -> ApiResult {
    let key = PortalLink::key(&client, &link);
    if session::load(&state, &key).await?.is_none() {
        return Err(ApiError::not_found("portal link"));
    }
    purge(&state, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Revoke every link of a client (say, when its account closes).
#[utoipa::path(
    delete,
    path = "/api/v1/clients/{client_id}/portal-links",
    tag = "portal",
    params(("client_id" = ClientId, Path)),
    security(("admin" = [])),
    responses(
        (status = 204, description = "Every link and session of the client revoked."),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn revoke_all(client: ClientId, state: AppState, _: Admin) -> ApiResult {
    for key in keys_of(&state, &client).await? {
        purge(&state, &key).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn purge(state: &AppState, key: &str) -> Result<(), ApiError> {
    state
        .contract
        .portal_links
        .purge(key)
        .await
        .map_err(|error| ApiError::internal("revoking the portal link", error))
}

/// The bucket keys of a client's links.
async fn keys_of(state: &AppState, client: &ClientId) -> Result<Vec<String>, ApiError> {
    let failed =
        |error: &dyn std::fmt::Display| ApiError::internal("listing portal links", error.to_string());
    let prefix = format!("{client}.");
    let keys = state.contract.portal_links.keys().await.map_err(|error| failed(&error))?;
    let keys: Vec<String> = keys.try_collect().await.map_err(|error| failed(&error))?;
    Ok(keys.into_iter().filter(|key| key.starts_with(&prefix)).collect())
}

fn ttl(asked: Option<u64>, default: u64, max: u64, field: &str) -> Result<u64, FieldError> {
    match asked.unwrap_or(default) {
        seconds @ MIN_TTL.. if seconds <= max => Ok(seconds),
        _ => Err(FieldError::new(field, "out_of_range", format!("must be {MIN_TTL} to {max} seconds"))),
    }
}

async fn check_webhooks(state: &AppState, client: &ClientId, webhooks: &[WebhookId]) -> Result<(), ApiError> {
    if webhooks.is_empty() || webhooks.len() > MAX_WEBHOOKS {
        let message = format!("list 1 to {MAX_WEBHOOKS} webhooks, or leave it out for all");
        return Err(FieldError::invalid("webhooks", message).into());
    }
    state.webhooks.sync().await.map_err(|error| ApiError::internal("reading webhooks", error))?;
    for (index, id) in webhooks.iter().enumerate() {
        if state.webhooks.get(&Webhook::key(client, id)).is_none() {
            let message = format!("{id} is not a webhook of this client");
            return Err(FieldError::invalid(format!("webhooks[{index}]"), message).into());
        }
    }
    Ok(())
}
