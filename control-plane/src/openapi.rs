//! The control plane's OpenAPI 3.1 document, derived from its handlers' annotations.
//!
//! Each handler carries a `#[utoipa::path]` (method, path, parameters, body, every answer and
//! its error codes) and each request and answer type derives `ToSchema`, so the document is
//! written by the code it describes. This file lists them and adds what is true of the whole
//! API: the two bearer-token schemes (an admin token manages clients, sources and the event
//! catalogue; a client token its own webhooks and history) and the answers every operation can
//! give (`edgehook_service::openapi`). Served at `GET /api/v1/openapi.json`; `make openapi`
//! writes it to `openapi/control-plane.json`, and a test fails when the two differ.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers::{
    clients, dead_letters, deliveries, event_types, events, keys, poll, portal_links, portal_session,
    regions, replay, sources, stats, test_send, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "edgehook control plane",
        description = "Clients, sources, webhooks, the event-type catalogue and delivery history of edgehook, \
                       a webhook delivery service on NATS JetStream. Errors are always \
                       `{\"error\": {\"code\", \"message\", \"field\"}}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "`edgehook up` on this machine")),
    paths(
        clients::create,
        clients::get,
        clients::update,
        clients::mint_token,
        portal_links::create,
        portal_links::list,
        portal_links::revoke,
        portal_links::revoke_all,
        portal_session::redeem,
        portal_session::get,
        portal_session::end,
        sources::create,
        regions::list,
        webhooks::create,
        webhooks::list,
        webhooks::get,
        webhooks::update,
        webhooks::delete,
        test_send::send,
        keys::rotate,
        keys::public_keys,
        poll::poll,
        poll::ack,
        deliveries::of_webhook,
        stats::of_webhook,
        dead_letters::list,
        dead_letters::redrive,
        replay::start,
        events::list,
        events::get,
        events::expunge,
        deliveries::of_event,
        event_types::create,
        event_types::list,
        event_types::get,
        event_types::update,
        event_types::delete,
    ),
    modifiers(&BearerTokens, &OptionalBodies),
    tags(
        (name = "clients", description = "The SaaS's customers, who own webhooks (admin)."),
        (name = "portal", description = "Links into the consumer portal (admin) and the portal's session (a cookie standing for the client's token)."),
        (name = "sources", description = "Event producers and their credentials (admin)."),
        (name = "regions", description = "Where webhooks are delivered from."),
        (name = "event-types", description = "The event-type catalogue: names, schemas for `data`, examples (admins write, everyone reads)."),
        (name = "webhooks", description = "A client's webhooks and their signing keys (client)."),
        (name = "deliveries", description = "Every delivery attempt, by webhook or by event (client)."),
        (name = "stats", description = "A webhook's last hour and day of deliveries (client; needs a history store)."),
        (name = "dead-letters", description = "Deliveries that gave up, and sending them again (client)."),
        (name = "replay", description = "Sending a webhook's past events again (client)."),
        (name = "events", description = "A client's events, how each went, and erasing one (client; needs a history store)."),
        (name = "operations", description = "Health, readiness and metrics."),
    )
)]
struct ControlPlaneApi;

/// The admin and client bearer tokens (HS256 JWTs).
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "admin",
            bearer("An admin token (the deployment's, printed by `edgehook up` or minted with `edgehook admin-token`)."),
        );
        components.add_security_scheme(
            "portal",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "edgehook_portal",
                "The consumer portal's session cookie (from `POST /api/v1/portal/session`): the client \
                 operations that name it take it instead of the client's token, within what the portal \
                 link allows; every change also sends the session's `X-CSRF-Token` header.",
            ))),
        );
        components.add_security_scheme(
            "client",
            bearer(
                "A client's token (from `POST /api/v1/clients` or `.../tokens`): its `sub` is the client id.",
            ),
        );
    }
}

/// A body a handler takes optionally (`request_body(content = Option<T>)`: rotate-secret,
/// redrive) is either absent or a `T`, never `null`: utoipa writes `oneOf: [null, T]`, this
/// leaves `T` (the body stays not required).
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{Schema, Type};
        use utoipa::openapi::{RefOr, Required};
        let is_null = |schema: &RefOr<Schema>| {
            matches!(schema, RefOr::T(Schema::Object(object))
                if object.schema_type == utoipa::openapi::schema::SchemaType::Type(Type::Null))
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.post, &mut item.put, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let Some(body) = operation.request_body.as_mut() else { continue };
                if body.required == Some(Required::True) {
                    continue;
                }
                for content in body.content.values_mut() {
                    if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                        && one_of.items.len() == 2
                        && one_of.items.iter().any(is_null)
                    {
                        let schema = one_of.items.iter().find(|item| !is_null(item)).cloned();
                        content.schema = schema;
                    }
                }
            }
        }
    }
}

/// The document, as served and committed.
pub fn document() -> utoipa::openapi::OpenApi {
    edgehook_service::openapi::document(ControlPlaneApi::openapi())
}
