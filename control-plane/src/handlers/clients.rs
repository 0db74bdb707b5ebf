//! `POST /api/v1/clients`, `GET` and `PATCH /api/v1/clients/{id}` and `POST
//! /api/v1/clients/{id}/tokens` (admin): onboard a client, see and change it, mint its bearer
//! tokens.
//!
//! A client's `retention` (`{"attempt_days", "event_days"}`, each optional) shortens how long
//! the history store keeps its attempts and event payloads; the history writer applies it
//! (`edgehook_history::writer`). The deployment's `--history-retention-days` and
//! `--event-retention-days` are the ceiling: those flags belong to the writer, not the control
//! plane, so a longer value is accepted here and has no effect beyond them. PATCH is a JSON merge
//! patch (RFC 7396) of `name` and `retention`, written only if the record did not change
//! meanwhile (409 otherwise), like a webhook's.

use crate::auth::Admin;
use bytes::Bytes;
use edgehook_domain::client::{Client, Retention};
use edgehook_domain::ids::ClientId;
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use warp::http::StatusCode;

use crate::AppState;
use crate::auth::CLIENT_TOKEN_TTL;
use crate::handlers::webhooks::merge_patch;

/// What the admin sets, on create and (merged with the current values) on PATCH.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientFields {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    #[serde(default)]
    retention: Retention,
}

impl ClientFields {
    /// The name trimmed, the retention in range.
    fn validate(self) -> Result<(String, Retention), FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(FieldError::invalid("name", "must be 1 to 200 characters"));
        }
        self.retention.validate().map_err(|error| error.under("retention"))?;
        Ok((name.to_owned(), self.retention))
    }
}

/// A PATCH of a client: a JSON merge patch (RFC 7396) of [`ClientFields`] (in the document only;
/// the handler merges the raw JSON).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ClientPatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: Option<String>,
    retention: Option<Retention>,
}

/// A client as the API shows it (`retention` always there; `{}` is the deployment's).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientView<'a> {
    client_id: &'a ClientId,
    name: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    retention: Retention,
}

impl<'a> ClientView<'a> {
    fn of(client: &'a Client) -> Self {
        Self {
            client_id: &client.id,
            name: &client.name,
            created_at: client.created_at,
            retention: client.retention,
        }
    }
}

/// A client just made, with its first bearer token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientCreated<'a> {
    #[serde(flatten)]
    client: ClientView<'a>,
    /// The client's bearer token (a JWT) for `Authorization: Bearer`.
    token: String,
}

/// Onboard a client; the answer carries its first token.
#[utoipa::path(
    post,
    path = "/api/v1/clients",
    tag = "clients",
    request_body = ClientFields,
    security(("admin" = [])),
    responses(
        (status = 201, description = "Created.", body = ClientCreated),
        (status = 400, description = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `required`, `invalid`: a wrong type or an unknown field), `name` (`invalid`), `retention` (`out_of_range`).", body = ErrorBody),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn create(state: AppState, _: Admin, body: Bytes) -> ApiResult {
    let (name, retention) = parse_json::<ClientFields>(&body)?.validate()?;
    let client = Client { id: ClientId::generate(), name, created_at: edgehook_domain::now(), retention };
    let value = serde_json::to_vec(&client).expect("a client serializes");
    state
        .contract
        .clients
        .put(client.id.as_str(), value.into())
        .await
        .map_err(|error| ApiError::internal("storing the client", error))?;
    let token = state.tokens.mint_client(&client.id, CLIENT_TOKEN_TTL);
    Ok(json(StatusCode::CREATED, &ClientCreated { client: ClientView::of(&client), token }))
}

/// A client: its name and retention.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{client_id}",
    tag = "clients",
    params(("client_id" = ClientId, Path)),
    security(("admin" = [])),
    responses(
        (status = 200, description = "The client.", body = ClientView),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn get(id: ClientId, state: AppState, _: Admin) -> ApiResult {
    let (client, _) = load(&state, &id).await?;
    Ok(json(StatusCode::OK, &ClientView::of(&client)))
}

/// Change a client's name or retention (a JSON merge patch).
#[utoipa::path(
    patch,
    path = "/api/v1/clients/{client_id}",
    tag = "clients",
    params(("client_id" = ClientId, Path)),
    request_body = ClientPatch,
    security(("admin" = [])),
    responses(
        (status = 200, description = "The client as changed.", body = ClientView),
        (status = 400, description = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `required`, `invalid`: a wrong type or an unknown field), `name` (`invalid`), `retention` (`out_of_range`).", body = ErrorBody),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "The client changed meanwhile (`conflict`); send it again.", body = ErrorBody),
    )
)]
pub async fn update(id: ClientId, state: AppState, _: Admin, body: Bytes) -> ApiResult {
    let (stored, revision) = load(&state, &id).await?;
    let patch: Value = parse_json(&body)?;
    if !patch.is_object() {
        return Err(
            FieldError::invalid("body", "a PATCH body is a JSON object of the fields to change").into()
        );
    }
    let current = ClientFields { name: stored.name.clone(), retention: stored.retention };
    let mut merged = serde_json::to_value(current).expect("fields serialize");
    merge_patch(&mut merged, patch);
    let fields: ClientFields = parse_json(&serde_json::to_vec(&merged).expect("JSON serializes"))?;
    let (name, retention) = fields.validate()?;
    let client = Client { name, retention, ..stored };
    let value = serde_json::to_vec(&client).expect("a client serializes");
    state.contract.clients.update(client.id.as_str(), value.into(), revision).await.map_err(|_| {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the client changed while this request ran; send it again",
        )
    })?;
    Ok(json(StatusCode::OK, &ClientView::of(&client)))
}

/// The stored client and its revision; 404 if there is none.
pub(crate) async fn load(state: &AppState, id: &ClientId) -> Result<(Client, u64), ApiError> {
    let entry = state
        .contract
        .clients
        .entry(id.as_str())
        .await
        .map_err(|error| ApiError::internal("reading the client", error))?
        .filter(|entry| entry.operation == async_nats::jetstream::kv::Operation::Put)
        .ok_or_else(|| ApiError::not_found("client"))?;
    let client = serde_json::from_slice(&entry.value)
        .map_err(|error| ApiError::internal("reading the client", error))?;
    Ok((client, entry.revision))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenMinted {
    /// Another bearer token (a JWT) for the client.
    token: String,
}

/// Mint another bearer token for a client.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{client_id}/tokens",
    tag = "clients",
    params(("client_id" = ClientId, Path)),
    security(("admin" = [])),
    responses(
        (status = 201, description = "A new token.", body = TokenMinted),
        (status = 403, description = "Not an admin token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn mint_token(client: ClientId, state: AppState, _: Admin) -> ApiResult {
    let known = state
        .contract
        .clients
        .get(client.as_str())
        .await
        .map_err(|error| ApiError::internal("reading clients", error))?;
    if known.is_none() {
        return Err(ApiError::not_found("client"));
    }
    Ok(json(StatusCode::CREATED, &TokenMinted { token: state.tokens.mint_client(&client, CLIENT_TOKEN_TTL) }))
}
