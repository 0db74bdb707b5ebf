//! The control plane's OpenAPI 3.1 document, derived from its handlers' annotations.
//!
//! Each handler carries a `#[utoipa::path]` (method, path, parameters, body, every answer and
//! its error codes) and each request and answer type derives `ToSchema`, so the document is
//! written by the code it describes. This file lists them and adds what is true of the whole
//! API: the two bearer-token schemes (an admin token manages clients, sources and the event
//! catalogue; a client token its own webhooks and history) and the answers every operation can
//! give (`edgehook_service::openapi`). Served at `GET /api/v1/openapi.json`; `make openapi`
//! writes it to `openapi/control-plane.json`, and a test fails when the two differ.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers::{clients, regions, sources};

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
        sources::create,
        regions::list,
    ),
    modifiers(&BearerTokens),
    tags(
        (name = "clients", description = "The SaaS's customers, who own webhooks (admin)."),
        (name = "sources", description = "Event producers and their credentials (admin)."),
        (name = "regions", description = "Where webhooks are delivered from."),
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
            "client",
            bearer("A client's token (from `POST /api/v1/clients` or `.../tokens`): its `sub` is the client id."),
        );
    }
}

/// The document, as served and committed.
pub fn document() -> utoipa::openapi::OpenApi {
    edgehook_service::openapi::document(ControlPlaneApi::openapi())
}
