//! `/api/v1/portal/session`: the consumer portal's session. The portal's app redeems the
//! one-time code of its link here for the session cookie ([`crate::portal::session`]), reads
//! the session back after a reload, and ends it.

use bytes::Bytes;
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::validation::parse_json;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::Reply;
use warp::http::{StatusCode, header};

use super::clients;
use super::portal_links::purge;
use crate::AppState;
use crate::portal::link::{Credential, PortalLink};
use crate::portal::{access, session};

/// The code of a portal link.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Redeem {
    /// The `code` of the link's URL (after `#code=`).
    code: String,
}

/// A portal session: whose it is, what it allows, and the token its changes carry.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalSessionView {
    client_id: ClientId,
    client_name: String,
    /// Nothing can be changed in this session.
    read_only: bool,
    /// The only webhooks it sees; null: all of the client's.
    webhooks: Option<Vec<WebhookId>>,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// Send it as `X-CSRF-Token` with every change (POST, PATCH, DELETE).
    csrf_token: String,
}

/// Redeem a portal link's one-time code for a session (a cookie).
#[utoipa::path(
    post,
    path = "/api/v1/portal/session",
    tag = "portal",
    request_body = Redeem,
    responses(
        (status = 200, description = "The session; its cookie (`edgehook_portal`, HttpOnly, SameSite=Strict) is set.", body = PortalSessionView,
            headers(("Set-Cookie" = String, description = "The session cookie."))),
        (status = 400, description = "The body is not `{\"code\"}` (`malformed_json`, `invalid`).", body = ErrorBody),
        (status = 401, description = "The code is not valid, was used already or its link expired or was revoked (`invalid_code`): ask for a new link.", body = ErrorBody),
        (status = 415, description = "Not sent as `application/json` (`unsupported_media_type`).", body = ErrorBody),
    )
)]
pub async fn redeem(
    state: AppState,
    host: Option<String>,
    content_type: Option<String>,
    body: Bytes,
) -> ApiResult {
    // A form a page elsewhere posts cannot be JSON without the browser asking first (CORS).
    if !content_type.as_deref().is_some_and(|value| value.starts_with("application/json")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the code as JSON: Content-Type: application/json",
        ));
    }
    let Redeem { code } = parse_json(&body)?;
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_code",
            "this portal link is not valid any more (used already, expired or revoked): ask for a new one",
        )
    };
    let code = Credential::parse(&code).ok_or_else(refused)?;
    let (link, revision) = session::load(&state, &code.key()).await?.ok_or_else(refused)?;
    let now = edgehook_domain::now();
    if let Err(refusal) = link.redeemable(&code, now) {
        tracing::info!(link = %link.id, ?refusal, "portal code refused");
        return Err(refused());
    }
    let cookie = Credential::generate(&link.client_id, &link.id);
    let redeemed = link.redeemed(cookie.hash(), now);
    let value = serde_json::to_vec(&redeemed).expect("a portal link serializes");
    // Compare-and-set: of two browsers with one code, one gets the session.
    if state.contract.portal_links.update(code.key(), value.into(), revision).await.is_err() {
        return Err(refused());
    }
    let mut response = view(&state, &redeemed).await?;
    let secure = session::secure_for(host.as_deref());
    let max_age = redeemed.session_ttl_seconds as i64;
    response.headers_mut().insert(header::SET_COOKIE, session::set_cookie(&cookie, max_age, secure));
    Ok(response)
}

/// The session the cookie stands for.
#[utoipa::path(
    get,
    path = "/api/v1/portal/session",
    tag = "portal",
    security(("portal" = [])),
    responses(
        (status = 200, description = "The session.", body = PortalSessionView),
        (status = 401, description = "No session, or it ended (`unauthorized`): open a new portal link.", body = ErrorBody),
    )
)]
pub async fn get(state: AppState, cookie: Option<String>) -> ApiResult {
    let link = open(&state, cookie.as_deref()).await?;
    view(&state, &link).await
}

/// End the session (sign out): its link is revoked and the cookie cleared.
#[utoipa::path(
    delete,
    path = "/api/v1/portal/session",
    tag = "portal",
    security(("portal" = [])),
    responses(
        (status = 204, description = "Ended."),
        (status = 401, description = "No session, or it ended already (`unauthorized`).", body = ErrorBody),
        (status = 403, description = "Without the session's `X-CSRF-Token` (`csrf`).", body = ErrorBody),
    )
)]
pub async fn end(
    state: AppState,
    cookie: Option<String>,
    csrf: Option<String>,
    host: Option<String>,
) -> ApiResult {
    let link = open(&state, cookie.as_deref()).await?;
    // Any session may end itself, a read-only one too: only the CSRF token is asked for.
    access::require_csrf(&link, csrf.as_deref())?;
    purge(&state, &PortalLink::key(&link.client_id, &link.id)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie(session::secure_for(host.as_deref())));
    Ok(response)
}

async fn open(state: &AppState, cookie: Option<&str>) -> Result<PortalLink, ApiError> {
    let cookie = cookie.ok_or_else(|| ApiError::unauthorized("no portal session: open your portal link"))?;
    session::open(state, cookie).await
}

async fn view(state: &AppState, link: &PortalLink) -> ApiResult {
    let (client, _) = clients::load(state, &link.client_id).await?;
    let session = link.session.as_ref().expect("a redeemed link has a session");
    let view = PortalSessionView {
        client_id: link.client_id.clone(),
        client_name: client.name,
        read_only: link.read_only,
        webhooks: link.webhooks.clone(),
        expires_at: session.expires_at,
        csrf_token: session.csrf_token.clone(),
    };
    Ok(json(StatusCode::OK, &view))
}
