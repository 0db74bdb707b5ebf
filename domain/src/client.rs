//! The client record kept in the `clients` KV bucket, keyed by client id.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::ClientId;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
