//! What every edgehook OpenAPI document shares: the error answers any operation can give, the
//! operations endpoints, and the route that serves a document.
//!
//! Each service (control plane, ingest) derives its own document from its handlers with utoipa
//! (`openapi.rs` in its crate), so the document is written by the code it describes and cannot
//! drift from it. What is true of every operation is added here once, by [`CommonAnswers`],
//! instead of on each handler: the 400 a malformed header gets, 401 when it needs a token, 404
//! for an unknown route or object, 405, 411 and 413 for a body sent wrong, and 503 when a part
//! behind the service (NATS, the history store) cannot answer. It also names each operation
//! `<tag>_<handler>` (`webhooks_create`): handlers of different resources share names, and the
//! generated clients' method names come from these ids.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi as _};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::{Reply, Response as HttpResponse};

use crate::api_error::ErrorBody;

/// Adds the answers every operation can give (see the module doc) where the handler's own
/// annotation did not already say more, and prefixes each operation id with its tag.
pub struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                add_common(operation);
                name(operation);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [item.get.as_mut(), item.put.as_mut(), item.post.as_mut(), item.delete.as_mut(), item.patch.as_mut()]
        .into_iter()
        .flatten()
}

fn name(operation: &mut Operation) {
    if let (Some(tag), Some(id)) =
        (operation.tags.as_ref().and_then(|tags| tags.first()), &operation.operation_id)
    {
        operation.operation_id = Some(format!("{tag}_{id}"));
    }
}

fn add_common(operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let secured = operation.security.as_ref().is_some_and(|security| !security.is_empty());
    let mut answers = vec![
        ("400", "A header or parameter could not be read (`invalid_header`, `bad_request`)."),
        ("404", "No such route, or no such object for this caller (`not_found`)."),
        ("405", "The route has no such method (`method_not_allowed`)."),
        ("503", "A part behind the service did not answer (`unavailable`); try again."),
    ];
    if secured {
        answers.push((
            "401",
            "No valid credentials (`unauthorized`; ingest: `missing_api_key`, `invalid_api_key`, \
             `invalid_signature`, `stale_timestamp`).",
        ));
    }
    if has_body {
        answers.push(("411", "No Content-Length (`length_required`)."));
        answers.push(("413", "The body is larger than allowed (`payload_too_large`)."));
    }
    for (status, description) in answers {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| error_answer(description));
    }
}

/// An answer with the error body.
pub fn error_answer(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
            .build(),
    )
}

/// The operations endpoints every service serves (`edgehook_service::ops`), in its document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz, metrics), components(schemas(ErrorBody, crate::api_error::ErrorDetail)))]
pub struct Operations;

/// Alive: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive.")))]
#[allow(dead_code)]
fn healthz() {}

/// Ready: the streams and buckets the service needs are reachable.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready: `{\"ready\": true, \"streams\": [...]}`.", body = serde_json::Value),
        (status = 503, description = "Not ready: `{\"ready\": false, \"reason\", \"streams\"}`.", body = serde_json::Value),
    )
)]
#[allow(dead_code)]
fn readyz() {}

/// Prometheus metrics, in the text exposition format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Metrics.", content_type = "text/plain", body = String))
)]
#[allow(dead_code)]
fn metrics() {}

/// A service's document: its own `api` merged with [`Operations`] and [`CommonAnswers`]
/// applied, as served and as committed under `openapi/`.
pub fn document(mut api: OpenApi) -> OpenApi {
    api.merge(Operations::openapi());
    CommonAnswers.modify(&mut api);
    api
}

/// `GET /api/v1/openapi.json`: `document`, rendered once.
pub fn route(document: &OpenApi) -> BoxedFilter<(HttpResponse,)> {
    // Shared, not copied, by each answer.
    let json = bytes::Bytes::from(document.to_pretty_json().expect("an OpenAPI document serializes"));
    warp::path!("api" / "v1" / "openapi.json")
        .and(warp::get())
        .map(move || {
            let mut response = HttpResponse::new(json.clone().into());
            response.headers_mut().insert(
                warp::http::header::CONTENT_TYPE,
                warp::http::HeaderValue::from_static("application/json"),
            );
            *response.status_mut() = StatusCode::OK;
            response.into_response()
        })
        .boxed()
}
