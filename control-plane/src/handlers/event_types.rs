//! `/api/v1/event-types`: the event-type catalogue. Admins write it (POST, PATCH, DELETE);
//! admins and clients read it (GET: one type, or the list sorted by name, each with its
//! `group`, the word before the first dot, which `?group=` filters on).
//!
//! Each type is stored in the hub's `event_types` bucket under its name
//! ([`edgehook_domain::catalogue`]). Ingest follows the bucket and checks every event's `data`
//! against its type's schema (`edgehook_ingest::catalogue`); the webhooks' handlers refuse a
//! pattern that selects no type of a non-empty catalogue ([`check_subscriptions`]); a test send
//! takes a type's first example. A write is checked whole before it is stored
//! ([`EventType::check`]: a valid draft 2020-12 schema, every example matching it) and bumps the
//! type's `version`. PATCH is a JSON merge patch (RFC 7396) of the fields, except that a
//! `schema` it names replaces the stored one whole (merging two schemas key by key would make a
//! third nobody wrote); it is written only if the type did not change meanwhile (409
//! otherwise), like a webhook's.

use std::collections::HashMap;

use async_nats::jetstream::kv;
use bytes::Bytes;
use edgehook_domain::catalogue::{self, EventType};
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Reply;

use super::webhooks::merge_patch;
use super::{PageParams, PageQuery};
use crate::AppState;
use crate::auth::{Admin, Caller};

/// What an admin sets, on create and (merged with the current values) on PATCH.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventTypeFields {
    #[schema(value_type = edgehook_domain::event_types::EventTypeName)]
    name: String,
    /// At most 1,024 bytes.
    #[serde(default)]
    #[schema(max_length = 1024)]
    description: String,
    /// A JSON Schema (draft 2020-12) every event's `data` of this type must match.
    #[serde(default)]
    #[schema(value_type = Option<serde_json::Value>)]
    schema: Option<Value>,
    /// Up to 20 examples of `data` (JSON objects), each matching the schema; the first is what
    /// a test send delivers when given no data.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, max_items = 20)]
    examples: Vec<Value>,
    /// Informational: ingest still accepts the type.
    #[serde(default)]
    deprecated: bool,
}

/// A PATCH of an event type: a JSON merge patch of [`EventTypeFields`], except that `schema`
/// replaces the stored schema whole (`null` removes it); the name cannot change (in the
/// document only; the handler merges the raw JSON).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EventTypePatch {
    #[schema(value_type = Option<edgehook_domain::event_types::EventTypeName>)]
    name: Option<String>,
    #[schema(max_length = 1024)]
    description: Option<String>,
    #[schema(value_type = Option<serde_json::Value>)]
    schema: Option<Value>,
    #[schema(value_type = Option<Vec<Object>>, max_items = 20)]
    examples: Option<Vec<Value>>,
    deprecated: Option<bool>,
}

impl EventTypeFields {
    fn of(event_type: &EventType) -> Self {
        Self {
            name: event_type.name.clone(),
            description: event_type.description.clone(),
            schema: event_type.schema.clone(),
            examples: event_type.examples.clone(),
            deprecated: event_type.deprecated,
        }
    }

    /// The type these fields make, written now, checked ([`EventType::check`]).
    fn into_checked(self, version: u64, created_at: Option<OffsetDateTime>) -> Result<EventType, FieldError> {
        let now = edgehook_domain::now();
        let event_type = EventType {
            name: self.name,
            description: self.description,
            schema: self.schema,
            examples: self.examples,
            deprecated: self.deprecated,
            version,
            created_at: created_at.unwrap_or(now),
            updated_at: now,
        };
        event_type.check()?;
        Ok(event_type)
    }
}

/// A type as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventTypeView<'a> {
    #[schema(value_type = edgehook_domain::event_types::EventTypeName)]
    name: &'a str,
    /// The word before the first dot.
    group: &'a str,
    description: &'a str,
    /// The schema, or `null`.
    #[schema(value_type = Option<serde_json::Value>)]
    schema: Option<&'a Value>,
    #[schema(value_type = Vec<Object>)]
    examples: &'a [Value],
    deprecated: bool,
    version: u64,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl<'a> EventTypeView<'a> {
    fn of(event_type: &'a EventType) -> Self {
        Self {
            name: &event_type.name,
            group: event_type.group(),
            description: &event_type.description,
            schema: event_type.schema.as_ref(),
            examples: &event_type.examples,
            deprecated: event_type.deprecated,
            version: event_type.version,
            created_at: event_type.created_at,
            updated_at: event_type.updated_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventTypeList<'a> {
    data: Vec<EventTypeView<'a>>,
    /// The `after` of the next page; `null` on the last.
    next_cursor: Option<&'a str>,
}

/// `?group=` of the catalogue's list, in the OpenAPI document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct GroupFilter {
    /// Only the types whose name starts with this word and a dot (or is this word).
    #[param(nullable = false, pattern = r"^[A-Za-z0-9_-]{1,128}$")]
    group: Option<String>,
}

/// `{name}` of one event type, in the OpenAPI document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct EventTypePath {
    /// The type's name (`payment.succeeded`).
    #[param(value_type = edgehook_domain::event_types::EventTypeName)]
    name: String,
}

/// Add a type to the catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/event-types",
    tag = "event-types",
    request_body = EventTypeFields,
    security(("admin" = [])),
    responses(
        (status = 201, description = "Created, version 1.", body = EventTypeView),
        (status = 400, description = "`malformed_json`, `too_deep`, `duplicate_key`, `required`, `invalid` (an unknown or wrongly typed field, `name`, `description`, `examples[i]`), `invalid_schema` (`schema`), `schema_mismatch` (an example, `examples[i]`).", body = ErrorBody),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "A type of this name exists (`conflict`, field `name`): PATCH it.", body = ErrorBody),
    )
)]
pub async fn create(state: AppState, _: Admin, body: Bytes) -> ApiResult {
    let fields: EventTypeFields = parse_json(&body)?;
    let event_type = fields.into_checked(1, None)?;
    let value = serde_json::to_vec(&event_type).expect("an event type serializes");
    state.contract.event_types.create(&event_type.name, value.into()).await.map_err(|error| {
        if error.kind() == kv::CreateErrorKind::AlreadyExists {
            let message = format!("the event type `{}` exists; PATCH it instead", event_type.name);
            ApiError { field: Some("name".to_owned()), ..conflict(message) }
        } else {
            ApiError::internal("storing the event type", error)
        }
    })?;
    Ok(json(StatusCode::CREATED, &EventTypeView::of(&event_type)))
}

/// The catalogue, sorted by name, optionally one group's types.
#[utoipa::path(
    get,
    path = "/api/v1/event-types",
    tag = "event-types",
    params(GroupFilter, PageParams),
    security(("admin" = []), ("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "A page of types.", body = EventTypeList),
        (status = 400, description = "`limit` out of range (`out_of_range`); `group` or `after` not a name (`invalid`).", body = ErrorBody),
    )
)]
pub async fn list(state: AppState, _: Caller, query: HashMap<String, String>) -> ApiResult {
    let page = PageQuery::parse(&query)?;
    let group = query.get("group").map(String::as_str);
    if let Some(group) = group {
        catalogue::validate_group(group).map_err(|message| FieldError::invalid("group", message))?;
    }
    if let Some(after) = &page.after {
        catalogue::validate_name(after).map_err(|_| {
            FieldError::invalid("after", "must be a type name (the next_cursor of the previous page)")
        })?;
    }
    state.event_types.sync().await.map_err(|error| ApiError::internal("reading the event types", error))?;
    // A group's types are the keys starting with it (among others: `payment_x` follows
    // `payment`); a cursor before the group starts at the group.
    let after = page.after.as_deref().filter(|after| group.is_none_or(|group| *after >= group));
    let mut types: Vec<_> = state
        .event_types
        .range(group.unwrap_or(""), after, usize::MAX)
        .into_iter()
        .filter(|event_type| group.is_none_or(|group| event_type.group() == group))
        .take(page.limit + 1)
        .collect();
    let more = types.len() > page.limit;
    types.truncate(page.limit);
    let list = EventTypeList {
        data: types.iter().map(|event_type| EventTypeView::of(event_type)).collect(),
        next_cursor: if more { types.last().map(|event_type| event_type.name.as_str()) } else { None },
    };
    Ok(json(StatusCode::OK, &list))
}

/// One event type.
#[utoipa::path(
    get,
    path = "/api/v1/event-types/{name}",
    tag = "event-types",
    params(EventTypePath),
    security(("admin" = []), ("client" = []), ("portal" = [])),
    responses((status = 200, description = "The type.", body = EventTypeView))
)]
pub async fn get(name: String, state: AppState, _: Caller) -> ApiResult {
    let (event_type, _) = load(&state, &name).await?;
    Ok(json(StatusCode::OK, &EventTypeView::of(&event_type)))
}

/// Change a type (a JSON merge patch; a `schema` replaces the stored one); its version goes up.
#[utoipa::path(
    patch,
    path = "/api/v1/event-types/{name}",
    tag = "event-types",
    params(EventTypePath),
    request_body = EventTypePatch,
    security(("admin" = [])),
    responses(
        (status = 200, description = "The type as changed.", body = EventTypeView),
        (status = 400, description = "`malformed_json`, `too_deep`, `duplicate_key`, `required`, `invalid` (an unknown or wrongly typed field, `name`, `description`, `examples[i]`), `invalid_schema` (`schema`), `schema_mismatch` (an example, `examples[i]`); `invalid` for a body that is not an object or a new `name`.", body = ErrorBody),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "The type changed meanwhile (`conflict`); send it again.", body = ErrorBody),
    )
)]
pub async fn update(name: String, state: AppState, _: Admin, body: Bytes) -> ApiResult {
    let (stored, revision) = load(&state, &name).await?;
    let patch: Value = parse_json(&body)?;
    let Value::Object(patch) = patch else {
        return Err(
            FieldError::invalid("body", "a PATCH body is a JSON object of the fields to change").into()
        );
    };
    let mut merged = serde_json::to_value(EventTypeFields::of(&stored)).expect("fields serialize");
    if patch.contains_key("schema") {
        merged.as_object_mut().expect("fields are an object").remove("schema");
    }
    merge_patch(&mut merged, Value::Object(patch));
    let fields: EventTypeFields = parse_json(&serde_json::to_vec(&merged).expect("JSON serializes"))?;
    if fields.name != stored.name {
        let message = "the name is the type's identity: create a type with the new name instead";
        return Err(FieldError::invalid("name", message).into());
    }
    let event_type = fields.into_checked(stored.version + 1, Some(stored.created_at))?;
    let value = serde_json::to_vec(&event_type).expect("an event type serializes");
    state
        .contract
        .event_types
        .update(&event_type.name, value.into(), revision)
        .await
        .map_err(|_| conflict("the event type changed while this request ran; send it again".to_owned()))?;
    Ok(json(StatusCode::OK, &EventTypeView::of(&event_type)))
}

/// Remove a type from the catalogue (webhooks subscribed to it keep their patterns).
#[utoipa::path(
    delete,
    path = "/api/v1/event-types/{name}",
    tag = "event-types",
    params(EventTypePath),
    security(("admin" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "The type changed meanwhile (`conflict`); send it again.", body = ErrorBody),
    )
)]
pub async fn delete(name: String, state: AppState, _: Admin) -> ApiResult {
    let (_, revision) = load(&state, &name).await?;
    state
        .contract
        .event_types
        .delete_expect_revision(&name, Some(revision))
        .await
        .map_err(|_| conflict("the event type changed while this request ran; send it again".to_owned()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The stored type and its revision; 404 if there is none (or the name cannot be one).
async fn load(state: &AppState, name: &str) -> Result<(EventType, u64), ApiError> {
    let not_found = || ApiError::not_found("event type");
    catalogue::validate_name(name).map_err(|_| not_found())?;
    let entry = state
        .contract
        .event_types
        .entry(name)
        .await
        .map_err(|error| ApiError::internal("reading the event type", error))?
        .filter(|entry| entry.operation == kv::Operation::Put)
        .ok_or_else(not_found)?;
    let event_type = serde_json::from_slice(&entry.value)
        .map_err(|error| ApiError::internal("reading the event type", error))?;
    Ok((event_type, entry.revision))
}

fn conflict(message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "conflict", message)
}

/// 400 `unknown_event_type` naming `event_types[i]` for the first of `patterns` that selects no
/// type of the catalogue (nor an operational one), unless the catalogue is empty: then every
/// pattern goes, as before there was a catalogue. Patterns in `kept` (what the webhook already
/// subscribed to, on PATCH) go too: a type deleted since does not block other changes.
pub(super) async fn check_subscriptions(
    state: &AppState,
    patterns: &[String],
    kept: &[String],
) -> Result<(), ApiError> {
    state.event_types.sync().await.map_err(|error| ApiError::internal("reading the event types", error))?;
    let types = state.event_types.range("", None, usize::MAX);
    if types.is_empty() {
        return Ok(());
    }
    let names = || types.iter().map(|event_type| event_type.name.as_str());
    let unknown = patterns
        .iter()
        .enumerate()
        .find(|(_, pattern)| !kept.contains(pattern) && !catalogue::subscribable(pattern, names()));
    match unknown {
        None => Ok(()),
        Some((index, pattern)) => {
            let message =
                format!("`{pattern}` selects no type of the event-type catalogue (GET /api/v1/event-types)");
            Err(FieldError::new(format!("event_types[{index}]"), "unknown_event_type", message).into())
        }
    }
}
