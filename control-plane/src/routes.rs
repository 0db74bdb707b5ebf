//! The URL map of the control plane API.
//!
//! ```text
//! POST   /api/v1/clients                          admin   onboard a client, get its token
//! GET    /api/v1/clients/{id}                     admin   a client (name, retention)
//! PATCH  /api/v1/clients/{id}                     admin   JSON merge patch: name, retention
//! POST   /api/v1/clients/{id}/tokens              admin   mint another token for a client
//! POST   /api/v1/clients/{id}/portal-links        admin   a one-time link into the consumer portal
//! GET    /api/v1/clients/{id}/portal-links        admin   the client's live links
//! DELETE /api/v1/clients/{id}/portal-links[/{l}]  admin   revoke one link (or all) and its session
//! POST   /api/v1/portal/session                   -       redeem a link's code for the session cookie
//! GET    /api/v1/portal/session                   cookie  the session, its CSRF token
//! DELETE /api/v1/portal/session                   cookie  sign out
//! GET    /portal/                                 -       the consumer portal (crate::portal::assets)
//! POST   /api/v1/sources                          admin   onboard a source
//! GET    /api/v1/regions                          any     regions, replication, live relays
//! POST   /api/v1/webhooks                         client  register a webhook
//! GET    /api/v1/webhooks                         client  list (paged)
//! GET    /api/v1/webhooks/{id}                    client
//! PATCH  /api/v1/webhooks/{id}                    client  JSON merge patch; enabling replays the missed
//! DELETE /api/v1/webhooks/{id}                    client
//! POST   /api/v1/webhooks/{id}/rotate-secret      client  new key; the old one signs on a while
//! GET    /api/v1/webhooks/{id}/public-key         client  whpk_ keys (Ed25519 webhooks)
//! GET    /api/v1/webhooks/{id}/deliveries         client  every attempt (paged, filtered)
//! GET    /api/v1/webhooks/{id}/stats              client  last hour and day: outcomes, latency
//! GET    /api/v1/webhooks/{id}/dead-letters       client  (paged)
//! POST   /api/v1/webhooks/{id}/dead-letters/redrive client  send again: all (a batch a call) or one event's
//! POST   /api/v1/webhooks/{id}/replay             client  send its events since a time again, or one
//! POST   /api/v1/webhooks/{id}/test               client  send one event now, see the attempt
//! GET    /api/v1/webhooks/{id}/poll               client  a poll webhook's deliveries (?max=&wait=)
//! POST   /api/v1/webhooks/{id}/poll/ack           client  acknowledge polled deliveries
//! POST   /api/v1/event-types                      admin   add a type to the catalogue
//! GET    /api/v1/event-types                      any     the catalogue by name (paged, ?group=)
//! GET    /api/v1/event-types/{name}               any
//! PATCH  /api/v1/event-types/{name}               admin   JSON merge patch (a schema is replaced)
//! DELETE /api/v1/event-types/{name}               admin
//! GET    /api/v1/events                           client  its events, each with how it went (paged)
//! GET    /api/v1/events/{event_id}                client  one event, its payload
//! DELETE /api/v1/events/{event_id}                client  expunge: its payload erased everywhere
//! GET    /api/v1/events/{event_id}/deliveries     client  every attempt for one event
//! GET    /api/v1/openapi.json                     -       this API's OpenAPI 3.1 document
//! GET    /healthz, /readyz, /metrics                      operations (edgehook_service::ops)
//! ```
//!
//! Every `client` route also takes the portal's session cookie instead of a bearer token
//! ([`auth`]). API answers forbid being framed or sniffed; the portal's pages carry their own
//! policy.

use std::collections::HashMap;
use std::str::FromStr;

use edgehook_domain::ids::{ClientId, PortalLinkId, WebhookId};
use edgehook_nats::streams;
use edgehook_service::api_error::{ApiError, ApiResult, recover, respond};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::AppState;
use crate::auth;
use crate::handlers::{
    clients, dead_letters, deliveries, event_types, events, keys, poll, portal_links, portal_session,
    regions, replay, sources, stats, test_send, webhooks,
};

/// Request bodies of the control plane are small JSON documents.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Each route is its method and path (typed ids extracted in path order), then who may call it
/// (an [`auth`] filter: the state and the proven caller), then its query or body; the handler
/// takes them in that order, so a route and its handler cannot disagree without a type error.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    let admin = auth::admin(state.clone());
    let client = auth::client(state.clone());
    let anyone = auth::anyone(state.clone());
    let body = || warp::body::content_length_limit(MAX_BODY_BYTES).and(warp::body::bytes());
    // A POST whose body is optional (redrive, test): none at all (no Content-Length, not
    // chunked) is an empty body; one that is sent is limited and read as any other.
    let optional_body = || {
        warp::header::optional::<String>("content-length")
            .and(warp::header::optional::<String>("transfer-encoding"))
            .and_then(|length: Option<String>, encoding: Option<String>| async move {
                match (length, encoding) {
                    (None, None) => Ok(bytes::Bytes::new()),
                    _ => Err(warp::reject::not_found()),
                }
            })
            .or(body())
            .unify()
    };
    let query = || warp::query::<HashMap<String, String>>();
    let webhook = || path_id::<WebhookId>("webhook");

    let event_type = || warp::path!("api" / "v1" / "event-types" / String);
    let catalogue = warp::post()
        .and(warp::path!("api" / "v1" / "event-types"))
        .and(admin.clone())
        .and(body())
        .then(event_types::create)
        .or(warp::get()
            .and(warp::path!("api" / "v1" / "event-types"))
            .and(anyone.clone())
            .and(query())
            .then(event_types::list))
        .unify()
        .or(warp::get().and(event_type()).and(anyone.clone()).then(event_types::get))
        .unify()
        .or(warp::patch().and(event_type()).and(admin.clone()).and(body()).then(event_types::update))
        .unify()
        .or(warp::delete().and(event_type()).and(admin.clone()).then(event_types::delete))
        .unify()
        .or(warp::post()
            .and(webhook_path(webhook(), Some(warp::path!("test").boxed())))
            .and(client.clone())
            .and(optional_body())
            .then(test_send::send))
        .unify()
        .boxed();

    let clients = warp::post()
        .and(warp::path!("api" / "v1" / "clients"))
        .and(admin.clone())
        .and(body())
        .then(clients::create)
        .or(warp::post()
            .and(warp::path!("api" / "v1" / "clients" / ..))
            .and(path_id::<ClientId>("client"))
            .and(warp::path!("tokens"))
            .and(admin.clone())
            .then(clients::mint_token))
        .unify()
        .or(warp::get().and(client_path()).and(admin.clone()).then(clients::get))
        .unify()
        .or(portal(admin.clone(), optional_body()))
        .unify()
        .or(warp::patch().and(client_path()).and(admin.clone()).and(body()).then(clients::update))
        .unify()
        .or(warp::get().and(warp::path!("api" / "v1" / "regions")).and(anyone).then(regions::list))
        .unify()
        .or(warp::post()
            .and(warp::path!("api" / "v1" / "sources"))
            .and(admin)
            .and(body())
            .then(sources::create))
        .unify()
        .boxed();

    let webhooks = warp::post()
        .and(warp::path!("api" / "v1" / "webhooks"))
        .and(client.clone())
        .and(body())
        .then(webhooks::create)
        .or(warp::get()
            .and(warp::path!("api" / "v1" / "webhooks"))
            .and(auth::client_seeing(state.clone()))
            .and(query())
            .then(webhooks::list))
        .unify()
        .or(warp::get().and(webhook_path(webhook(), None)).and(client.clone()).then(webhooks::get))
        .unify()
        .or(warp::patch()
            .and(webhook_path(webhook(), None))
            .and(client.clone())
            .and(body())
            .then(webhooks::update))
        .unify()
        .or(warp::delete().and(webhook_path(webhook(), None)).and(client.clone()).then(webhooks::delete))
        .unify()
        .or(warp::post()
            .and(webhook_path(webhook(), Some(warp::path!("rotate-secret").boxed())))
            .and(client.clone())
            .and(optional_body())
            .then(keys::rotate))
        .unify()
        .or(warp::get()
            .and(webhook_path(webhook(), Some(warp::path!("public-key").boxed())))
            .and(client.clone())
            .then(keys::public_keys))
        .unify()
        .or(warp::get()
            .and(webhook_path(webhook(), Some(warp::path!("poll").boxed())))
            .and(client.clone())
            .and(query())
            .then(poll::poll))
        .unify()
        .or(warp::post()
            .and(webhook_path(webhook(), Some(warp::path!("poll" / "ack").boxed())))
            .and(client.clone())
            .and(body())
            .then(poll::ack))
        .unify()
        .boxed();

    let history = warp::get()
        .and(webhook_path(webhook(), Some(warp::path!("deliveries").boxed())))
        .and(client.clone())
        .and(query())
        .then(deliveries::of_webhook)
        .or(warp::get()
            .and(webhook_path(webhook(), Some(warp::path!("stats").boxed())))
            .and(client.clone())
            .then(stats::of_webhook))
        .unify()
        .or(warp::get()
            .and(warp::path!("api" / "v1" / "events" / ..).and(event_id()).and(warp::path!("deliveries")))
            .and(client.clone())
            .and(query())
            .then(deliveries::of_event))
        .unify()
        .or(warp::get()
            .and(warp::path!("api" / "v1" / "events"))
            .and(client.clone())
            .and(query())
            .then(events::list))
        .unify()
        .or(warp::get()
            .and(warp::path!("api" / "v1" / "events" / ..).and(event_id()).and(warp::path::end()))
            .and(auth::client_seeing(state.clone()))
            .then(events::get))
        .unify()
        .or(warp::delete()
            .and(warp::path!("api" / "v1" / "events" / ..).and(event_id()).and(warp::path::end()))
            .and(client.clone())
            .then(events::expunge))
        .unify()
        .or(warp::get()
            .and(webhook_path(webhook(), Some(warp::path!("dead-letters").boxed())))
            .and(client.clone())
            .and(query())
            .then(dead_letters::list))
        .unify()
        .or(warp::post()
            .and(webhook_path(webhook(), Some(warp::path!("dead-letters" / "redrive").boxed())))
            .and(client.clone())
            .and(optional_body())
            .then(dead_letters::redrive))
        .unify()
        .or(warp::post()
            .and(webhook_path(webhook(), Some(warp::path!("replay").boxed())))
            .and(client)
            .and(body())
            .then(replay::start))
        .unify()
        .boxed();

    let ops = edgehook_service::ops::routes(state.contract.readiness(
        &[
            "KV_webhooks",
            "KV_sources",
            "KV_clients",
            "KV_regions",
            "KV_event_types",
            streams::ATTEMPTS,
            streams::DEAD_LETTERS,
        ],
        &[],
    ));

    let document = edgehook_service::openapi::route(&crate::openapi::document());
    let app = crate::portal::assets::routes(state.portal.frame_ancestors.clone());
    let session = portal_session(state, body());

    let api = clients
        .or(webhooks)
        .unify()
        .or(catalogue)
        .unify()
        .map(respond)
        .or(history.map(respond))
        .unify()
        .or(session.map(respond))
        .unify()
        .or(ops)
        .unify()
        .or(document)
        .unify()
        .recover(recover)
        .unify()
        .with(warp::reply::with::headers(api_headers()))
        .map(warp::Reply::into_response);
    app.or(api).unify().boxed()
}

/// What every API answer says to a browser: never render it in a frame, never guess its type.
fn api_headers() -> warp::http::HeaderMap {
    use warp::http::{HeaderValue, header};
    let mut headers = warp::http::HeaderMap::new();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
}

/// The admin's portal links of a client (`/api/v1/clients/{id}/portal-links[/{link}]`).
fn portal<B>(admin: BoxedFilter<(AppState, auth::Admin)>, optional_body: B) -> BoxedFilter<(ApiResult,)>
where
    B: Filter<Extract = (bytes::Bytes,), Error = warp::Rejection> + Clone + Send + Sync + 'static,
{
    let links = || {
        warp::path!("api" / "v1" / "clients" / ..)
            .and(path_id::<ClientId>("client"))
            .and(warp::path("portal-links"))
    };
    let host = || warp::header::optional::<String>("host");
    warp::post()
        .and(links())
        .and(warp::path::end())
        .and(admin.clone())
        .and(host())
        .and(optional_body)
        .then(portal_links::create)
        .or(warp::get().and(links()).and(warp::path::end()).and(admin.clone()).then(portal_links::list))
        .unify()
        .or(warp::delete()
            .and(links())
            .and(warp::path::end())
            .and(admin.clone())
            .then(portal_links::revoke_all))
        .unify()
        .or(warp::delete()
            .and(links())
            .and(path_id::<PortalLinkId>("portal link"))
            .and(warp::path::end())
            .and(admin)
            .then(portal_links::revoke))
        .unify()
        .boxed()
}

/// `/api/v1/portal/session`: redeemed without a token, then read and ended with its cookie.
fn portal_session<B>(state: AppState, body: B) -> BoxedFilter<(ApiResult,)>
where
    B: Filter<Extract = (bytes::Bytes,), Error = warp::Rejection> + Clone + Send + Sync + 'static,
{
    let path = || warp::path!("api" / "v1" / "portal" / "session");
    let state = warp::any().map(move || state.clone());
    let cookie = || warp::cookie::optional::<String>(crate::portal::session::COOKIE);
    let host = || warp::header::optional::<String>("host");
    warp::post()
        .and(path())
        .and(state.clone())
        .and(host())
        .and(warp::header::optional::<String>("content-type"))
        .and(body)
        .then(portal_session::redeem)
        .or(warp::get().and(path()).and(state.clone()).and(cookie()).then(portal_session::get))
        .unify()
        .or(warp::delete()
            .and(path())
            .and(state)
            .and(cookie())
            .and(warp::header::optional::<String>("x-csrf-token"))
            .and(host())
            .then(portal_session::end))
        .unify()
        .boxed()
}

/// `/api/v1/clients/{id}` and nothing after it.
fn client_path() -> BoxedFilter<(ClientId,)> {
    warp::path!("api" / "v1" / "clients" / ..).and(path_id("client")).and(warp::path::end()).boxed()
}

/// `/api/v1/webhooks/{id}` followed by `rest` (or nothing): the typed id.
fn webhook_path(id: BoxedFilter<(WebhookId,)>, rest: Option<BoxedFilter<()>>) -> BoxedFilter<(WebhookId,)> {
    let prefix = warp::path!("api" / "v1" / "webhooks" / ..).and(id);
    match rest {
        Some(rest) => prefix.and(rest).boxed(),
        None => prefix.and(warp::path::end()).boxed(),
    }
}

/// An event id from the path, percent-decoded (`evt%3A1` is `evt:1`: ids may hold `:`, which
/// clients encode).
fn event_id() -> BoxedFilter<(String,)> {
    warp::path::param::<String>()
        .map(|raw: String| percent_encoding::percent_decode_str(&raw).decode_utf8_lossy().into_owned())
        .boxed()
}

/// One path segment as a typed id: a malformed one is the `what` that does not exist (404), as
/// another client's would be.
fn path_id<T: FromStr + Send + 'static>(what: &'static str) -> BoxedFilter<(T,)> {
    warp::path::param::<String>()
        .and_then(move |raw: String| async move {
            raw.parse::<T>().map_err(|_| warp::reject::custom(ApiError::not_found(what)))
        })
        .boxed()
}
