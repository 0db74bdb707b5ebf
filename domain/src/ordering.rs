//! FIFO endpoints: a webhook's deliveries attempted one at a time, in the order ingest
//! accepted the events, optionally per value of a field of `data` (the ordering key).
//!
//! How the order is kept is the contract's and the relay's (a FIFO webhook's tasks go to one
//! JetStream queue per *lane*, each read by a consumer that lets one task out at a time); this
//! module decides only what is pure: whether a webhook is FIFO, what a valid ordering key is,
//! and which lane an event takes. Without a key every event takes lane 0; with one, the key's
//! value is hashed (FNV-1a, the `fnv` crate: fixed, so stable across processes and versions, as a
//! value must always take the same lane; not std's hasher, whose algorithm may change) onto [`KEY_LANES`] lanes, so the events of one key stay in order and keys in
//! different lanes go in parallel. Keys that share a lane wait for each other: the number of
//! lanes bounds the parallelism (and the consumers per webhook) while key values are unbounded.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::hash::Hasher;

use fnv::FnvHasher;

use crate::event::EventData;
use crate::validation::FieldError;

/// The lanes of a webhook with an ordering key: at most this many keys are delivered at once.
pub const KEY_LANES: u32 = 16;
/// The longest ordering key (a dotted path into `data`).
const MAX_KEY_LEN: usize = 256;

/// How a webhook's deliveries are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Ordering {
    /// Deliveries go in parallel, as fast as the endpoint takes them (the default).
    #[default]
    None,
    /// One at a time, in the order ingest accepted the events (per value of `ordering_key`,
    /// if set); a failing delivery is retried before the next goes.
    Fifo,
}

impl Ordering {
    pub fn is_fifo(self) -> bool {
        self == Ordering::Fifo
    }
}

/// An ordering key: `ordering_key` is only for a FIFO webhook, and names a field of `data`
/// (dots reach nested fields).
pub fn validate(ordering: Ordering, key: Option<&str>) -> Result<(), FieldError> {
    let Some(key) = key else { return Ok(()) };
    if !ordering.is_fifo() {
        return Err(FieldError::invalid("ordering_key", "an ordering key needs `\"ordering\": \"fifo\"`"));
    }
    if key.is_empty() || key.len() > MAX_KEY_LEN || key.split('.').any(str::is_empty) {
        return Err(FieldError::invalid(
            "ordering_key",
            format!("a field of `data` (dots for nested fields), at most {MAX_KEY_LEN} bytes"),
        ));
    }
    Ok(())
}

/// The lane of an event whose `data` is `data`: 0 without a key; with one, the lane of the
/// key's value (an absent field, or data that cannot be read, is the empty value: all such
/// events share one lane and stay in order among themselves).
pub fn lane(key: Option<&str>, data: &EventData) -> u32 {
    let Some(key) = key else { return 0 };
    let value = data
        .parse()
        .ok()
        .and_then(|data| key.split('.').try_fold(data, |value, segment| value.get(segment).cloned()));
    lane_of_value(value.as_ref())
}

/// Strings hash as their text (so `"42"` and `42` share a lane, as a reader would expect of
/// an order id), anything else as its JSON.
fn lane_of_value(value: Option<&Value>) -> u32 {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    let mut hasher = FnvHasher::default();
    hasher.write(text.as_bytes());
    (hasher.finish() % u64::from(KEY_LANES)) as u32
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn data(value: Value) -> EventData {
        EventData::from(value)
    }

    #[test]
    fn without_a_key_every_event_takes_lane_zero() {
        assert_eq!(lane(None, &data(json!({"order_id": "a"}))), 0);
        assert_eq!(lane(None, &data(json!({"order_id": "b"}))), 0);
    }

    #[test]
    fn a_key_value_always_takes_the_same_lane_and_values_spread() {
        let of = |id: &str| lane(Some("order.id"), &data(json!({"order": {"id": id}})));
        assert_eq!(of("o-1"), of("o-1"));
        let lanes: std::collections::BTreeSet<u32> = (0..200).map(|n| of(&format!("o-{n}"))).collect();
        assert_eq!(lanes.len(), KEY_LANES as usize, "200 keys cover every lane");
        assert!(lanes.iter().all(|lane| *lane < KEY_LANES));
        // Pinned: a lane must not change between versions, or queued events would reorder.
        assert_eq!(of("o-1"), lane_of_value(Some(&json!("o-1"))));
        assert_eq!(lane(Some("n"), &data(json!({"n": 42}))), lane(Some("n"), &data(json!({"n": "42"}))));
    }

    #[test]
    fn events_without_the_field_share_the_lane_of_the_empty_value() {
        let missing = lane(Some("order_id"), &data(json!({"other": 1})));
        assert_eq!(missing, lane(Some("order_id"), &data(json!({"order_id": null}))));
        assert_eq!(missing, lane(Some("order_id"), &data(json!({"order_id": ""}))));
    }

    #[test]
    fn an_ordering_key_needs_fifo_and_names_a_field() {
        assert!(validate(Ordering::Fifo, Some("order_id")).is_ok());
        assert!(validate(Ordering::Fifo, None).is_ok());
        assert!(validate(Ordering::None, None).is_ok());
        assert_eq!(validate(Ordering::None, Some("order_id")).unwrap_err().field, "ordering_key");
        assert_eq!(validate(Ordering::Fifo, Some("a..b")).unwrap_err().field, "ordering_key");
        assert_eq!(validate(Ordering::Fifo, Some("")).unwrap_err().field, "ordering_key");
    }
}
