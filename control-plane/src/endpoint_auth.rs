//! A webhook's `auth` as the API takes it (`edgehook_domain::endpoint_auth`): checked, then
//! sealed for the record.
//!
//! Beyond the shape the domain checks, the token URL must be a URL the relays may call (the
//! callback rules: https unless the deployment allows http, and only addresses the SSRF guard
//! lets through), and a client certificate must parse, with a key that is its own and not
//! expired (`edgehook_security::client_certificate`). Then every secret (header values, the
//! client secret, the private key) is sealed with the deployment's secrets key, like the
//! signing keys. Errors name the field under `auth` and never quote a secret.

use edgehook_domain::endpoint_auth::{EndpointAuth, EndpointAuthRequest};
use edgehook_domain::validation::FieldError;

use crate::AppState;

/// `auth` checked and sealed for storage.
pub async fn sealed(state: &AppState, request: EndpointAuthRequest) -> Result<EndpointAuth, FieldError> {
    request.validate().map_err(|error| error.under("auth"))?;
    if let Some(oauth2) = &request.oauth2 {
        state
            .callback_policy
            .check_field(&oauth2.token_url, "token_url")
            .await
            .map_err(|error| error.under("oauth2").under("auth"))?;
    }
    let certificate = match &request.mtls {
        Some(mtls) => Some(
            edgehook_security::client_certificate::check(
                &mtls.certificate_pem,
                &mtls.private_key_pem,
                mtls.ca_pem.as_deref(),
                edgehook_domain::now(),
            )
            .map_err(|error| error.under("mtls").under("auth"))?,
        ),
        None => None,
    };
    Ok(request.sealed(|secret| state.secrets.seal(secret), certificate))
}
