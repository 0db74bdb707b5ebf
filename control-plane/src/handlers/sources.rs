//! `POST /api/v1/sources` (admin): onboard an event producer. The answer carries its API key
//! and signing secret; only the key's hash is stored.

use crate::auth::Admin;
use bytes::Bytes;
use edgehook_domain::event_types;
use edgehook_domain::ids::SourceId;
use edgehook_domain::source::{DEFAULT_MAX_EVENTS_PER_SECOND, Source};
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_nats::subjects;
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;

use crate::{AppState, secrets};

const MAX_RATE: u32 = 1_000_000;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSource {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    /// Event type patterns the source may send (`*` for all); at least one.
    #[schema(value_type = Vec<edgehook_domain::event_types::EventTypePattern>, min_items = 1)]
    allowed_event_types: Vec<String>,
    /// Subnets the source may send from over HTTP (e.g. `203.0.113.0/24`); empty: any.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    allowed_ips: Vec<ipnet::IpNet>,
    /// 1 to 1,000,000 (default 1,000).
    #[schema(minimum = 1, maximum = 1_000_000)]
    #[serde(default = "default_rate")]
    max_events_per_second: u32,
}

fn default_rate() -> u32 {
    DEFAULT_MAX_EVENTS_PER_SECOND
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceCreated<'a> {
    source_id: &'a SourceId,
    name: &'a str,
    allowed_event_types: &'a [String],
    #[schema(value_type = Vec<String>)]
    allowed_ips: &'a [ipnet::IpNet],
    max_events_per_second: u32,
    /// `Authorization: Bearer <api_key>` on ingest requests.
    api_key: String,
    /// Key of the `X-Source-Signature` HMAC.
    signing_secret: &'a str,
    /// Where the source may also publish events over NATS (request/reply), logged in with its
    /// API key as the token.
    nats_subject: String,
    /// The inbox prefix its NATS client must use to get replies (the only one it may read).
    nats_inbox_prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
}

/// Onboard a source; the answer carries its API key and signing secret, shown only here.
#[utoipa::path(
    post,
    path = "/api/v1/sources",
    tag = "sources",
    request_body = NewSource,
    security(("admin" = [])),
    responses(
        (status = 201, description = "Created.", body = SourceCreated),
        (status = 400, description = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `required`, `invalid`: a wrong type or an unknown field), `name`, `allowed_event_types` (`invalid`, `required`), `max_events_per_second` (`out_of_range`).", body = ErrorBody),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn create(state: AppState, _: Admin, body: Bytes) -> ApiResult {
    let input: NewSource = parse_json(&body)?;
    let name = input.name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(FieldError::invalid("name", "must be 1 to 200 characters").into());
    }
    if input.allowed_event_types.is_empty() {
        return Err(FieldError::new(
            "allowed_event_types",
            "required",
            "list the event types the source may send (`*` for all)",
        )
        .into());
    }
    for (index, pattern) in input.allowed_event_types.iter().enumerate() {
        event_types::validate_pattern(pattern)
            .map_err(|message| FieldError::invalid(format!("allowed_event_types[{index}]"), message))?;
    }
    if !(1..=MAX_RATE).contains(&input.max_events_per_second) {
        let message = format!("must be 1 to {MAX_RATE}");
        return Err(FieldError::new("max_events_per_second", "out_of_range", message).into());
    }
    let id = SourceId::generate();
    let (api_key, api_key_sha256) = secrets::source_api_key(&id);
    let signing_secret = secrets::source_signing_secret();
    let source = Source {
        id,
        name: name.to_owned(),
        allowed_event_types: input.allowed_event_types,
        allowed_ips: input.allowed_ips,
        max_events_per_second: input.max_events_per_second,
        api_key_sha256,
        signing_secret: state.secrets.seal(&signing_secret),
        created_at: edgehook_domain::now(),
    };
    let value = serde_json::to_vec(&source).expect("a source serializes");
    state
        .contract
        .sources
        .put(source.id.as_str(), value.into())
        .await
        .map_err(|error| ApiError::internal("storing the source", error))?;
    let created = SourceCreated {
        source_id: &source.id,
        name: &source.name,
        allowed_event_types: &source.allowed_event_types,
        allowed_ips: &source.allowed_ips,
        max_events_per_second: source.max_events_per_second,
        api_key,
        signing_secret: &signing_secret,
        nats_subject: subjects::ingest(&source.id),
        nats_inbox_prefix: subjects::source_inbox_prefix(&source.id),
        created_at: source.created_at,
    };
    Ok(json(StatusCode::CREATED, &created))
}
