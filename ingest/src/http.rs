//! HTTP ingest.
//!
//! ```text
//! POST /api/v1/events/ingest   one event       202 {"event_id", "message_id", "duplicate"}
//! POST /api/v1/events/batch    a JSON array    202 {"results": [...]} (all or nothing)
//! GET  /api/v1/openapi.json      this API's OpenAPI 3.1 document (crate::openapi)
//! GET  /healthz, /readyz, /metrics (edgehook_service::ops)
//! ```

use std::net::SocketAddr;

use bytes::Bytes;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json, recover, respond};
use serde::Serialize;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, StatusCode};
use warp::reply::Response;

use crate::accept::{Accepted, Shape, count_rejected};
use crate::source_auth::{self, Credentials};
use crate::validate::{IncomingEvent, parse_events};
use crate::{Config, Ingestor};

#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchAccepted {
    /// One answer per event, in the order sent.
    results: Vec<Accepted>,
}

/// Send one event. Authenticated by the source's API key and an HMAC of the body.
#[utoipa::path(
    post,
    path = "/api/v1/events/ingest",
    tag = "ingest",
    request_body = IncomingEvent,
    security(("source_api_key" = [], "source_signature" = [], "source_timestamp" = [])),
    responses(
        (status = 202, description = "Stored: it will be delivered (or it was a duplicate).", body = Accepted),
        (status = 400, description = "The event is wrong (`malformed_json`, `invalid`, `required`, `too_deep`, \
            `duplicate_key`, `unknown_client`, `unknown_event_type`, `schema_mismatch`); `field` names it.", body = ErrorBody),
        (status = 403, description = "The source may not send this type or from this address (`forbidden`, `ip_not_allowed`).", body = ErrorBody),
        (status = 429, description = "Over the source's `max_events_per_second` (`rate_limited`); see Retry-After.", body = ErrorBody),
    )
)]
#[allow(dead_code)]
fn one() {}

/// Send 1 to 1,000 events at once: all are stored or none (`events[i].field` names a bad one).
#[utoipa::path(
    post,
    path = "/api/v1/events/batch",
    tag = "ingest",
    request_body = Vec<IncomingEvent>,
    security(("source_api_key" = [], "source_signature" = [], "source_timestamp" = [])),
    responses(
        (status = 202, description = "All stored.", body = BatchAccepted),
        (status = 400, description = "An event is wrong (codes as for one event); none is stored.", body = ErrorBody),
        (status = 403, description = "The source may not send a type or from this address (`forbidden`, `ip_not_allowed`).", body = ErrorBody),
        (status = 429, description = "Over the source's `max_events_per_second` (`rate_limited`); see Retry-After.", body = ErrorBody),
    )
)]
#[allow(dead_code)]
fn batch() {}

pub fn routes(ingestor: Ingestor, config: Config, ops: BoxedFilter<(Response,)>) -> BoxedFilter<(Response,)> {
    let limit = config.max_body_bytes;
    let context = warp::any().map(move || (ingestor.clone(), config.clone()));
    let request = warp::post()
        .and(context)
        .and(warp::addr::remote())
        .and(warp::header::headers_cloned())
        .and(warp::body::content_length_limit(limit).and(warp::body::bytes()));
    let single = warp::path!("api" / "v1" / "events" / "ingest").and(request.clone()).then(
        |(ingestor, config), remote, headers, body| {
            ingest(ingestor, config, remote, headers, body, Shape::Single)
        },
    );
    let batch = warp::path!("api" / "v1" / "events" / "batch").and(request).then(
        |(ingestor, config), remote, headers, body| {
            ingest(ingestor, config, remote, headers, body, Shape::Batch)
        },
    );
    let document = edgehook_service::openapi::route(&crate::openapi::document());
    single
        .or(batch)
        .unify()
        .map(respond)
        .or(ops)
        .unify()
        .or(document)
        .unify()
        .recover(recover)
        .unify()
        .boxed()
}

async fn ingest(
    ingestor: Ingestor,
    config: Config,
    remote: Option<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
    shape: Shape,
) -> ApiResult {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let credentials = Credentials {
        authorization: header("authorization"),
        signature: header("x-source-signature"),
        timestamp: header("x-source-timestamp"),
    };
    let source = source_auth::authenticate(&ingestor, credentials, &body, &config)
        .await
        .inspect_err(|_| count_rejected("unknown"))?;
    if let Some(remote) = remote.filter(|remote| !source.admits(remote.ip())) {
        count_rejected(source.id.as_str());
        let message = format!("this source may not send from {}", remote.ip());
        return Err(ApiError { code: "ip_not_allowed", ..ApiError::forbidden(message) });
    }
    let events = parse_events(&body, shape).inspect_err(|_| count_rejected(source.id.as_str()))?;
    let mut results = ingestor.accept(&source, events, shape).await?;
    Ok(match shape {
        Shape::Single => json(StatusCode::ACCEPTED, &results.remove(0)),
        Shape::Batch => json(StatusCode::ACCEPTED, &BatchAccepted { results }),
    })
}
