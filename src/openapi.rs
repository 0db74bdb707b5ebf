//! `edgehook openapi`: the API documents, as the services serve them and as `make openapi`
//! commits them under `openapi/`.
//!
//! Each service has its own (`control-plane`, `ingest`). `all` merges them into one for the
//! generated clients (`clients/`), so an integrator has one package: ingest's operations keep
//! their own server (port 8081 under `edgehook up`) in the document, the control plane's are
//! on the document's (8080).

use utoipa::openapi::{OpenApi, Server};

use crate::cli::{ApiService, OpenapiArgs};

pub fn run(args: OpenapiArgs) -> anyhow::Result<()> {
    let json = document(args.service)
        .to_pretty_json()
        .map_err(|error| anyhow::anyhow!("rendering the document: {error}"))?;
    println!("{json}");
    Ok(())
}

pub fn document(service: ApiService) -> OpenApi {
    match service {
        ApiService::ControlPlane => edgehook_control_plane::openapi::document(),
        ApiService::Ingest => edgehook_ingest::openapi::document(),
        ApiService::All => combined(),
    }
}

/// The control plane's document with ingest's operations added, each on ingest's server.
fn combined() -> OpenApi {
    let mut all = edgehook_control_plane::openapi::document();
    all.info.title = "edgehook".to_owned();
    all.info.description = Some(
        "The control plane (clients, sources, webhooks, the event-type catalogue, delivery history) \
         and ingest (events from sources) of edgehook. Errors are always \
         `{\"error\": {\"code\", \"message\", \"field\"}}`."
            .to_owned(),
    );
    let mut ingest = edgehook_ingest::openapi::document();
    let servers: Vec<Server> = ingest.servers.take().unwrap_or_default();
    for (path, item) in ingest.paths.paths.iter_mut() {
        if path.starts_with("/api/") {
            item.servers = Some(servers.clone());
        }
    }
    // Keeps the control plane's entry where both have one (the operations endpoints).
    all.merge(ingest);
    all
}
