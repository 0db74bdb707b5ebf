//! Ingest's OpenAPI 3.1 document: the two HTTP doors sources send events through, derived
//! from the annotations in [`crate::http`] and the types they carry.
//!
//! A source proves itself with three headers, three security schemes that must all be present:
//! `Authorization: Bearer <api key>`, `X-Source-Signature: sha256=<hex HMAC-SHA256(signing
//! secret, raw body)>` and `X-Source-Timestamp: <unix seconds>` ([`crate::source_auth`]). Served
//! at `GET /api/v1/openapi.json`; `make openapi` writes it to `openapi/ingest.json`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "edgehook ingest",
        description = "Where sources hand events to edgehook. An event is answered 202 only once it is \
                       stored durably. Errors are always `{\"error\": {\"code\", \"message\", \"field\"}}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "http://127.0.0.1:8081", description = "`edgehook up` on this machine")),
    paths(crate::http::one, crate::http::batch),
    modifiers(&SourceCredentials),
    tags(
        (name = "ingest", description = "Events from sources."),
        (name = "operations", description = "Health, readiness and metrics."),
    )
)]
struct IngestApi;

/// The source's API key, body signature and timestamp.
struct SourceCredentials;

impl Modify for SourceCredentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "source_api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The source's API key (`POST /api/v1/sources` answers it once)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "source_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Source-Signature",
                "`sha256=` and the hex HMAC-SHA256 of the raw body, keyed by the source's signing secret.",
            ))),
        );
        components.add_security_scheme(
            "source_timestamp",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Source-Timestamp",
                "Unix seconds when the request was made; refused when too far from now.",
            ))),
        );
    }
}

/// The document, as served and committed.
pub fn document() -> utoipa::openapi::OpenApi {
    edgehook_service::openapi::document(IngestApi::openapi())
}
