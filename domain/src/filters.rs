//! Trigger conditions: which events, by the content of their `data`, a webhook wants.
//!
//! On the wire a filter set is a JSON object whose keys name a field of `data` (dots reach into
//! nested objects) with an optional operator suffix:
//!
//! | key                | matches when the field...            |
//! |--------------------|--------------------------------------|
//! | `amount_gt`: 1000  | is a number greater than 1000        |
//! | `amount_gte`, `_lt`, `_lte` | likewise                    |
//! | `currency_in`: [..]| equals one of the listed values      |
//! | `currency_ne`: "X" | is absent or differs from the value  |
//! | `currency`: "USD"  | equals the value                     |
//!
//! Every condition must hold. Parsing happens once, when a webhook is registered, so that a bad
//! filter is a 400 naming the key and the relay only evaluates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::EventData;

/// A webhook's parsed filter set; serializes back to the wire form it came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, Value>", into = "BTreeMap<String, Value>")]
pub struct Filters {
    conditions: Vec<Condition>,
}

#[derive(Clone, Debug, PartialEq)]
struct Condition {
    key: String,
    path: Vec<String>,
    op: Op,
    operand: Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
}

const SUFFIXES: [(&str, Op); 6] = [
    ("_gte", Op::Gte),
    ("_lte", Op::Lte),
    ("_gt", Op::Gt),
    ("_lt", Op::Lt),
    ("_in", Op::In),
    ("_ne", Op::Ne),
];

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Does the event's `data` satisfy every condition?
    pub fn matches(&self, data: &Value) -> bool {
        self.conditions.iter().all(|condition| condition.holds(data))
    }

    /// [`Self::matches`] for data as it travels: parsed only if there is a condition to check.
    /// Data too deep to parse satisfies no condition (the webhook does not get the event).
    pub fn matches_data(&self, data: &EventData) -> bool {
        self.is_empty() || data.parse().is_ok_and(|data| self.matches(&data))
    }
}

impl Condition {
    fn parse(key: String, operand: Value) -> Result<Self, String> {
        let (field, op) = SUFFIXES
            .iter()
            .find_map(|(suffix, op)| key.strip_suffix(suffix).map(|field| (field, *op)))
            .unwrap_or((key.as_str(), Op::Eq));
        let path: Vec<String> = field.split('.').map(str::to_owned).collect();
        if path.iter().any(String::is_empty) {
            return Err(format!("`{key}` does not name a field of `data`"));
        }
        match op {
            Op::Gt | Op::Gte | Op::Lt | Op::Lte if !operand.is_number() => {
                return Err(format!("`{key}` compares numbers: give a number, not {operand}"));
            }
            Op::In if !operand.is_array() => {
                return Err(format!("`{key}` takes a list of values, not {operand}"));
            }
            _ => {}
        }
        Ok(Self { key, path, op, operand })
    }

    fn holds(&self, data: &Value) -> bool {
        let field = self.path.iter().try_fold(data, |value, segment| value.get(segment));
        match (self.op, field) {
            (Op::Ne, None) => true,
            (_, None) => false,
            (Op::Eq, Some(value)) => *value == self.operand,
            (Op::Ne, Some(value)) => *value != self.operand,
            (Op::In, Some(value)) => self.operand.as_array().is_some_and(|list| list.contains(value)),
            (op, Some(value)) => match (value.as_f64(), self.operand.as_f64()) {
                (Some(actual), Some(bound)) => match op {
                    Op::Gt => actual > bound,
                    Op::Gte => actual >= bound,
                    Op::Lt => actual < bound,
                    _ => actual <= bound,
                },
                _ => false,
            },
        }
    }
}

impl TryFrom<BTreeMap<String, Value>> for Filters {
    type Error = String;

    fn try_from(map: BTreeMap<String, Value>) -> Result<Self, String> {
        let conditions =
            map.into_iter().map(|(key, operand)| Condition::parse(key, operand)).collect::<Result<_, _>>()?;
        Ok(Self { conditions })
    }
}

impl From<Filters> for BTreeMap<String, Value> {
    fn from(filters: Filters) -> Self {
        filters.conditions.into_iter().map(|condition| (condition.key, condition.operand)).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn filters(value: Value) -> Filters {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn numeric_bounds_and_equality_must_all_hold() {
        let f = filters(json!({"amount_gt": 1000, "currency": "USD"}));
        assert!(f.matches(&json!({"amount": 1500, "currency": "USD"})));
        assert!(!f.matches(&json!({"amount": 500, "currency": "USD"})));
        assert!(!f.matches(&json!({"amount": 1500, "currency": "EUR"})));
        assert!(!f.matches(&json!({"currency": "USD"})));
    }

    #[test]
    fn inclusive_bounds_include_the_bound() {
        let f = filters(json!({"amount_gte": 10, "amount_lte": 20}));
        assert!(f.matches(&json!({"amount": 10})));
        assert!(f.matches(&json!({"amount": 20})));
        assert!(!f.matches(&json!({"amount": 20.5})));
    }

    #[test]
    fn in_and_ne_and_nested_fields() {
        let f = filters(json!({"customer.country_in": ["FR", "DE"], "status_ne": "test"}));
        assert!(f.matches(&json!({"customer": {"country": "FR"}})));
        assert!(!f.matches(&json!({"customer": {"country": "US"}})));
        assert!(!f.matches(&json!({"customer": {"country": "DE"}, "status": "test"})));
    }

    #[test]
    fn a_bound_that_is_not_a_number_is_refused_with_the_key() {
        let error = serde_json::from_value::<Filters>(json!({"amount_gt": "big"})).unwrap_err();
        assert!(error.to_string().contains("amount_gt"), "{error}");
        assert!(serde_json::from_value::<Filters>(json!({"currency_in": "USD"})).is_err());
    }

    #[test]
    fn filters_round_trip_to_their_wire_form() {
        let wire = json!({"amount_gt": 1000, "currency": "USD"});
        assert_eq!(serde_json::to_value(filters(wire.clone())).unwrap(), wire);
    }
}
