//! The error body every edgehook HTTP API answers with, and the warp plumbing around it.
//!
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`: control plane and ingest
//! speak the same shape, so a client handles errors once.

use std::convert::Infallible;

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Rejection, Reply};

use edgehook_domain::validation::FieldError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Seconds, sent as `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

pub type ApiResult = Result<Response, ApiError>;

/// The body of every error answer.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"error": {"code": "invalid", "message": "must be 1 to 200 characters", "field": "name"}}))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: what to branch on (`invalid`, `not_found`, `conflict`...).
    pub code: String,
    /// For people: what is wrong and what to do.
    pub message: String,
    /// The request field at fault (`retry_config.max_retries`, `events[3].data`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, retry_after: None }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    /// A failure of ours (NATS unreachable...): logged in full, answered without internals.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("{context}; try again"))
    }
}

/// A filter may reject with the error body itself (authentication, a malformed path id):
/// [`recover`] answers it as it is.
impl warp::reject::Reject for ApiError {}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: error.code,
            message: error.message,
            field: Some(error.field),
            retry_after: None,
        }
    }
}

impl ApiError {
    /// The JSON error body, for transports other than HTTP (NATS ingest replies).
    pub fn body(&self) -> Vec<u8> {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        };
        serde_json::to_vec(&body).expect("an error body serializes")
    }
}

impl Reply for ApiError {
    fn into_response(self) -> Response {
        let mut response = Response::new(self.body().into());
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            warp::http::header::CONTENT_TYPE,
            warp::http::HeaderValue::from_static("application/json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(warp::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// A JSON response with `status`.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// Flattens a handler's result into the response; use as `.then(handler).map(respond)`.
pub fn respond(result: ApiResult) -> Response {
    result.unwrap_or_else(Reply::into_response)
}

/// Turns warp's rejections (no route, wrong method, body too large...) into the error body.
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    let error = if let Some(error) = rejection.find::<ApiError>() {
        error.clone()
    } else if rejection.is_not_found() {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the body is larger than allowed")
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        ApiError::new(StatusCode::LENGTH_REQUIRED, "length_required", "send a Content-Length header")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this route has no such method")
    } else if let Some(invalid) = rejection.find::<warp::reject::InvalidHeader>() {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_header", invalid.to_string())
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "the request could not be understood")
    };
    Ok(error.into_response())
}
