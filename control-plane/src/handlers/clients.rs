//! `POST /api/v1/clients` and `POST /api/v1/clients/{id}/tokens` (admin): onboard a client and
//! mint its bearer tokens.

use crate::auth::Admin;
use bytes::Bytes;
use edgehook_domain::client::Client;
use edgehook_domain::ids::ClientId;
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_service::api_error::{ApiError, ApiResult, json};
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;

use crate::AppState;
use crate::auth::CLIENT_TOKEN_TTL;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClient {
    name: String,
}

#[derive(Serialize)]
struct ClientCreated<'a> {
    client_id: &'a ClientId,
    name: &'a str,
    token: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
}

pub async fn create(state: AppState, _: Admin, body: Bytes) -> ApiResult {
    let input: NewClient = parse_json(&body)?;
    let name = input.name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(FieldError::invalid("name", "must be 1 to 200 characters").into());
    }
    let client =
        Client { id: ClientId::generate(), name: name.to_owned(), created_at: edgehook_domain::now() };
    let value = serde_json::to_vec(&client).expect("a client serializes");
    state
        .contract
        .clients
        .put(client.id.as_str(), value.into())
        .await
        .map_err(|error| ApiError::internal("storing the client", error))?;
    let token = state.tokens.mint_client(&client.id, CLIENT_TOKEN_TTL);
    let created =
        ClientCreated { client_id: &client.id, name: &client.name, token, created_at: client.created_at };
    Ok(json(StatusCode::CREATED, &created))
}

#[derive(Serialize)]
struct TokenMinted {
    token: String,
}

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
