//! The URL map of the control plane API.
//!
//! ```text
//! POST   /api/v1/clients                          admin   onboard a client, get its token
//! POST   /api/v1/clients/{id}/tokens              admin   mint another token for a client
//! POST   /api/v1/sources                          admin   onboard a source
//! GET    /api/v1/regions                          any     regions, replication, live relays
//! POST   /api/v1/webhooks                         client  register a webhook
//! GET    /api/v1/webhooks                         client  list (paged)
//! GET    /api/v1/webhooks/{id}                    client
//! PATCH  /api/v1/webhooks/{id}                    client  JSON merge patch
//! DELETE /api/v1/webhooks/{id}                    client
//! POST   /api/v1/webhooks/{id}/rotate-secret      client  new key; the old one signs on a while
//! GET    /api/v1/webhooks/{id}/public-key         client  whpk_ keys (Ed25519 webhooks)
//! GET    /api/v1/webhooks/{id}/deliveries         client  every attempt (paged)
//! GET    /api/v1/webhooks/{id}/dead-letters       client  (paged)
//! POST   /api/v1/webhooks/{id}/dead-letters/redrive client
//! POST   /api/v1/webhooks/{id}/replay             client  send its events since a time again
//! GET    /api/v1/events/{event_id}/deliveries     client  every attempt for one event
//! GET    /healthz, /readyz, /metrics                      operations (edgehook_service::ops)
//! ```

use std::collections::HashMap;

use edgehook_nats::streams;
use edgehook_service::api_error::{recover, respond};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::AppState;
use crate::handlers::{clients, dead_letters, deliveries, keys, regions, replay, sources, webhooks};

/// Request bodies of the control plane are small JSON documents.
const MAX_BODY_BYTES: u64 = 64 * 1024;

pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    let shared = state.clone();
    let with_state = warp::any().map(move || shared.clone());
    let auth = warp::header::optional::<String>("authorization");
    let body = warp::body::content_length_limit(MAX_BODY_BYTES).and(warp::body::bytes());
    let query = warp::query::<HashMap<String, String>>();
    // Every route extracts the state first, then its path parameters, then the header.
    let route = |method: warp::filters::BoxedFilter<()>| with_state.clone().and(method);

    let clients = route(warp::post().boxed())
        .and(warp::path!("api" / "v1" / "clients"))
        .and(auth)
        .and(body)
        .then(clients::create)
        .or(route(warp::post().boxed())
            .and(warp::path!("api" / "v1" / "clients" / String / "tokens"))
            .and(auth)
            .then(clients::mint_token))
        .unify()
        .or(route(warp::get().boxed())
            .and(warp::path!("api" / "v1" / "regions"))
            .and(auth)
            .then(regions::list))
        .unify()
        .or(route(warp::post().boxed())
            .and(warp::path!("api" / "v1" / "sources"))
            .and(auth)
            .and(body)
            .then(sources::create))
        .unify()
        .boxed();

    let webhooks = route(warp::post().boxed())
        .and(warp::path!("api" / "v1" / "webhooks"))
        .and(auth)
        .and(body)
        .then(webhooks::create)
        .or(route(warp::get().boxed())
            .and(warp::path!("api" / "v1" / "webhooks"))
            .and(auth)
            .and(query)
            .then(webhooks::list))
        .unify()
        .or(route(warp::get().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String))
            .and(auth)
            .then(webhooks::get))
        .unify()
        .or(route(warp::patch().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String))
            .and(auth)
            .and(body)
            .then(webhooks::update))
        .unify()
        .or(route(warp::delete().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String))
            .and(auth)
            .then(webhooks::delete))
        .unify()
        .or(route(warp::post().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String / "rotate-secret"))
            .and(auth)
            .and(body)
            .then(keys::rotate))
        .unify()
        .or(route(warp::get().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String / "public-key"))
            .and(auth)
            .then(keys::public_keys))
        .unify()
        .boxed();

    let history = route(warp::get().boxed())
        .and(warp::path!("api" / "v1" / "webhooks" / String / "deliveries"))
        .and(auth)
        .and(query)
        .then(deliveries::of_webhook)
        .or(route(warp::get().boxed())
            .and(warp::path!("api" / "v1" / "events" / String / "deliveries"))
            .and(auth)
            .and(query)
            .then(deliveries::of_event))
        .unify()
        .or(route(warp::get().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String / "dead-letters"))
            .and(auth)
            .and(query)
            .then(dead_letters::list))
        .unify()
        .or(route(warp::post().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String / "dead-letters" / "redrive"))
            .and(auth)
            .then(dead_letters::redrive))
        .unify()
        .or(route(warp::post().boxed())
            .and(warp::path!("api" / "v1" / "webhooks" / String / "replay"))
            .and(auth)
            .and(body)
            .then(replay::start))
        .unify()
        .boxed();

    let ops = edgehook_service::ops::routes(state.contract.readiness(
        &["KV_webhooks", "KV_sources", "KV_clients", "KV_regions", streams::ATTEMPTS, streams::DEAD_LETTERS],
        &[],
    ));

    clients
        .or(webhooks)
        .unify()
        .map(respond)
        .or(history.map(respond))
        .unify()
        .or(ops)
        .unify()
        .recover(recover)
        .unify()
        .boxed()
}
