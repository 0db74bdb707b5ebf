//! Regions: where relays run, each with its own copy of what it needs.
//!
//! The hub (JetStream domain `hub`) holds everything written centrally. A region is a NATS leaf
//! node of the hub with its own JetStream domain, named after the region; its streams are
//! suffixed with its name (`DLV_eu`, `ATT_eu`, ...). A region may also live inside the hub's
//! domain (`edgehook up` with no `--regions` runs one such co-located region, `local`); it then
//! uses the hub's DELIVERIES, ATTEMPTS and DEAD_LETTERS themselves (see `co_located.rs`).
//!
//! ```text
//! hub  DELIVERIES deliveries.<region>.>  ──source (filter)──▶  DLV_<region>     dispatch consumer
//! hub  KV webhooks                       ──mirror──────────▶  KV webhooks_<region>
//! hub  ATTEMPTS      ◀──source── ATT_<region>  rgn.<region>.attempts.<client>.<webhook>
//! hub  DEAD_LETTERS  ◀──source── DLQ_<region>  rgn.<region>.deadletters.<client>.<webhook>
//! ```
//!
//! Regional subjects live under `rgn.<region>.`, which no hub stream captures: with one NATS
//! account a publish crosses the leaf link, so overlapping subjects would be stored twice.

use serde::{Deserialize, Serialize};

use crate::streams::{ATTEMPTS, DEAD_LETTERS, DELIVERIES};
use edgehook_domain::validation::FieldError;

/// The hub's JetStream domain.
pub const HUB_DOMAIN: &str = "hub";
pub use edgehook_domain::webhook::LOCAL_REGION;

/// A region as the hub knows it (kept in the `regions` bucket).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub name: String,
    /// The JetStream domain its streams live in: its own name for a leaf node, `hub` when
    /// co-located with the hub.
    pub domain: String,
}

impl Region {
    /// A region on a leaf node of its own.
    pub fn leaf(name: &str) -> Result<Self, FieldError> {
        validate_name(name)?;
        Ok(Self { name: name.to_owned(), domain: name.to_owned() })
    }

    /// A region whose streams live in the hub's own domain.
    pub fn co_located(name: &str) -> Result<Self, FieldError> {
        validate_name(name)?;
        Ok(Self { name: name.to_owned(), domain: HUB_DOMAIN.to_owned() })
    }

    pub fn is_co_located(&self) -> bool {
        self.domain == HUB_DOMAIN
    }

    /// The API prefix the hub reaches this region's streams with (`None` inside the hub).
    pub fn api_prefix(&self) -> Option<String> {
        (!self.is_co_located()).then(|| format!("$JS.{}.API", self.domain))
    }

    /// The stream the region's relays pull tasks from. A co-located region pulls straight from
    /// the hub's DELIVERIES: a copy on the same server would store every task twice.
    pub fn deliveries_stream(&self) -> String {
        match self.is_co_located() {
            true => DELIVERIES.to_owned(),
            false => format!("DLV_{}", self.name),
        }
    }

    /// Delivery tasks set aside until a time (see `relay/src/parking.rs`).
    pub fn parking_stream(&self) -> String {
        format!("PARK_{}", self.name)
    }

    /// Where the region's relays record attempts: the hub's ATTEMPTS itself for a co-located
    /// region (it captures `rgn.<region>.attempts.>`), else the region's own, which the hub sources.
    pub fn attempts_stream(&self) -> String {
        match self.is_co_located() {
            true => ATTEMPTS.to_owned(),
            false => format!("ATT_{}", self.name),
        }
    }

    pub fn dead_letters_stream(&self) -> String {
        match self.is_co_located() {
            true => DEAD_LETTERS.to_owned(),
            false => format!("DLQ_{}", self.name),
        }
    }

    pub fn webhooks_bucket(&self) -> String {
        format!("webhooks_{}", self.name)
    }
}

/// Region names become stream names, JetStream domains and subject tokens.
pub fn validate_name(name: &str) -> Result<(), FieldError> {
    let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if name.is_empty() || name.len() > 32 || !name.chars().all(valid_char) || name == HUB_DOMAIN {
        return Err(FieldError::invalid(
            "region",
            format!("`{name}` is not a region name: 1 to 32 lowercase letters, digits or `-`, not `hub`"),
        ));
    }
    Ok(())
}

/// Parses `eu,us` into leaf regions.
pub fn parse_list(list: &str) -> Result<Vec<Region>, FieldError> {
    let regions: Vec<Region> = list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(Region::leaf)
        .collect::<Result<_, _>>()?;
    if regions.is_empty() {
        return Err(FieldError::invalid("regions", "name at least one region"));
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_must_fit_streams_domains_and_subjects() {
        assert!(Region::leaf("eu-west-1").is_ok());
        for bad in ["", "EU", "eu.west", "eu west", "hub", "eu*"] {
            assert!(Region::leaf(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_leaf_region_is_reached_through_its_domain_and_a_co_located_one_directly() {
        assert_eq!(Region::leaf("eu").unwrap().api_prefix().as_deref(), Some("$JS.eu.API"));
        assert_eq!(Region::co_located("local").unwrap().api_prefix(), None);
        assert_eq!(parse_list("eu, us").unwrap().len(), 2);
    }
}

/// What a relay writes to the hub's `relays` bucket (key `<region>.<relay_id>`) every few
/// seconds; the bucket's max age makes a silent relay disappear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayHeartbeat {
    pub relay_id: String,
    pub region: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: time::OffsetDateTime,
}
