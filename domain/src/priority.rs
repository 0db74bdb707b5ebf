//! Priority tiers. A webhook has one (default `standard`); an event may carry its own, which
//! wins. The tier is a token of the delivery subject, `deliveries.<region>.<tier>.…`, and each
//! tier has its own consumer in the region, so a relay can serve `high` first under load and
//! still give `bulk` a share.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    High,
    #[default]
    Standard,
    Bulk,
}

impl Priority {
    /// Highest first.
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Standard, Priority::Bulk];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Standard => "standard",
            Priority::Bulk => "bulk",
        }
    }
}
