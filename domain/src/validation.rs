//! The error every input check returns: which field is wrong and why, and the one JSON body
//! parser every API goes through ([`parse_json`]).
//!
//! The HTTP services turn it into `400 {"error": {"code", "message", "field"}}`; the NATS ingest
//! path into the same JSON in its reply.
//!
//! Before a body is deserialized, [`parse_json`] walks it once and refuses what serde alone
//! would let through or choke on later:
//! - **Nesting deeper than [`MAX_JSON_DEPTH`]** (`too_deep`). serde_json stops at 128 levels
//!   only where it builds values; an event's `data` is kept as raw text and skipped over without
//!   any limit, so 10,000 levels used to be accepted by ingest and then failed the router's
//!   filter parse (a panic) or the relay's task parse downstream. The limit leaves room for
//!   the envelopes a task wraps around an event's data.
//! - **Duplicate keys in any object** (`duplicate_key`, the field names the key). JSON leaves
//!   their meaning open: serde_json keeps the last for a map, refuses one for a struct field,
//!   keeps both inside raw `data`, and a receiver's parser may keep the first. A webhook
//!   service forwards data to parsers it does not know, so ambiguous JSON is refused with a
//!   clear 400 rather than delivered with a meaning the source may not have intended.
//! - Bytes that are not UTF-8 (or `\u` escapes that make no character, a lone surrogate) are
//!   malformed JSON (`malformed_json`), as are trailing characters.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `retry_config.max_retries`.
    pub field: String,
    /// Machine-readable reason, e.g. `invalid`, `required`, `out_of_range`.
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(field, "invalid", message)
    }

    /// The same error, reported under a parent field (`filters` -> `trigger_conditions.filters`).
    pub fn under(mut self, parent: &str) -> Self {
        self.field =
            if self.field.is_empty() { parent.to_owned() } else { format!("{parent}.{}", self.field) };
        self
    }
}

/// How deeply arrays and objects may nest in a body an API accepts (the body's own braces
/// count: `{"data": {}}` is 2 deep).
pub const MAX_JSON_DEPTH: usize = 64;

/// [`parse_json`] for a body that may be left out: none at all (or only whitespace) is
/// `T::default()`.
pub fn parse_optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, FieldError> {
    if body.iter().all(u8::is_ascii_whitespace) { Ok(T::default()) } else { parse_json(body) }
}

/// Parses a JSON body, naming the field serde was at when it failed; refuses bodies nested
/// deeper than [`MAX_JSON_DEPTH`] or with a key twice in one object (the module's doc says why).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, FieldError> {
    check_structure(body)?;
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let parent = if path == "." { String::new() } else { path };
        // The body is valid JSON (checked above): a "syntax" error here is serde_json refusing
        // a value of the wrong kind where an enum goes (`{"priority": 1}`), not broken JSON.
        if inner.is_syntax() || inner.is_eof() {
            let field = if parent.is_empty() { "body".to_owned() } else { parent };
            return FieldError::invalid(field, "has the wrong type: expected one of the allowed values");
        }
        // serde appends " at line L column C"; the field name says more to an API user.
        let full = inner.to_string();
        let message = full.split(" at line ").next().unwrap_or(&full).to_owned();
        match message.strip_prefix("missing field `") {
            Some(rest) => {
                let missing = rest.trim_end_matches('`');
                let field =
                    if parent.is_empty() { missing.to_owned() } else { format!("{parent}.{missing}") };
                FieldError::new(field, "required", message)
            }
            None => FieldError::invalid(if parent.is_empty() { "body".to_owned() } else { parent }, message),
        }
    })
}

/// The body is one JSON value, no deeper than [`MAX_JSON_DEPTH`], without a duplicate key.
pub fn check_structure(body: &[u8]) -> Result<(), FieldError> {
    let mut found = None;
    let mut path = Vec::new();
    let walk = Walk { depth: 0, path: &mut path, found: &mut found };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let outcome = walk.deserialize(&mut deserializer).and_then(|()| deserializer.end());
    match (found, outcome) {
        (Some(error), _) => Err(error),
        (None, Ok(())) => Ok(()),
        (None, Err(error)) => {
            Err(FieldError::new("body", "malformed_json", format!("the body is not valid JSON: {error}")))
        }
    }
}

/// One step of a body's path, for the field an error names.
enum Step {
    Key(String),
    Index(usize),
}

fn field_of(path: &[Step]) -> String {
    let mut field = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(key);
            }
            Step::Index(index) => field.push_str(&format!("[{index}]")),
        }
    }
    if field.is_empty() { "body".to_owned() } else { field }
}

/// Walks one value at `depth` (the number of arrays and objects around it), noting in `found`
/// the first structural error; serde's error then only stops the walk.
struct Walk<'a> {
    depth: usize,
    path: &'a mut Vec<Step>,
    found: &'a mut Option<FieldError>,
}

impl Walk<'_> {
    fn refuse<E: serde::de::Error>(&mut self, error: FieldError) -> E {
        let message = error.message.clone();
        *self.found = Some(error);
        E::custom(message)
    }

    fn enter<E: serde::de::Error>(&mut self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            let message = format!("JSON nested deeper than {MAX_JSON_DEPTH} levels is refused");
            return Err(self.refuse(FieldError::new(field_of(self.path), "too_deep", message)));
        }
        Ok(depth)
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut items: A) -> Result<(), A::Error> {
        let depth = self.enter()?;
        let mut index = 0;
        loop {
            self.path.push(Step::Index(index));
            let item = items.next_element_seed(Walk { depth, path: self.path, found: self.found });
            self.path.pop();
            if item?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut entries: A) -> Result<(), A::Error> {
        let depth = self.enter()?;
        let mut keys = BTreeSet::new();
        while let Some(key) = entries.next_key::<String>()? {
            if keys.contains(&key) {
                self.path.push(Step::Key(key.clone()));
                let message = format!(
                    "the key `{key}` appears twice in one object; JSON with duplicate keys is ambiguous and refused"
                );
                let error = FieldError::new(field_of(self.path), "duplicate_key", message);
                self.path.pop();
                return Err(self.refuse(error));
            }
            self.path.push(Step::Key(key.clone()));
            let value = entries.next_value_seed(Walk { depth, path: self.path, found: self.found });
            self.path.pop();
            value?;
            keys.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn a_wrong_type_names_the_nested_field() {
        let error = parse_json::<Outer>(br#"{"inner": {"count": "three"}}"#).unwrap_err();
        assert_eq!(error.field, "inner.count");
        assert_eq!(error.code, "invalid");
    }

    #[test]
    fn a_missing_field_is_named_with_its_parent() {
        let error = parse_json::<Outer>(br#"{"inner": {}}"#).unwrap_err();
        assert_eq!(error.field, "inner.count");
        assert_eq!(error.code, "required");
    }

    #[test]
    fn a_number_where_a_name_goes_is_a_wrong_type_not_broken_json() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            A,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Tagged {
            kind: Kind,
        }
        let error = parse_json::<Tagged>(br#"{"kind": 1}"#).unwrap_err();
        assert_eq!((error.code, error.field.as_str()), ("invalid", "kind"));
    }

    #[test]
    fn broken_json_is_reported_as_such() {
        let error = parse_json::<Outer>(b"{not json").unwrap_err();
        assert_eq!(error.code, "malformed_json");
    }

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn nesting_is_allowed_to_the_limit_and_refused_past_it() {
        assert!(check_structure(nested(MAX_JSON_DEPTH).as_bytes()).is_ok());
        let error = check_structure(nested(MAX_JSON_DEPTH + 1).as_bytes()).unwrap_err();
        assert_eq!(error.code, "too_deep");
        let deep = format!("{{\"data\": {}}}", nested(10_000));
        let error = parse_json::<serde_json::Value>(deep.as_bytes()).unwrap_err();
        let field = format!("data{}", "[0]".repeat(MAX_JSON_DEPTH - 1));
        assert_eq!((error.code, error.field), ("too_deep", field));
    }

    #[test]
    fn a_duplicate_key_is_refused_and_named_wherever_it_is() {
        let error = parse_json::<serde_json::Value>(br#"{"a": 1, "a": 2}"#).unwrap_err();
        assert_eq!((error.code, error.field.as_str()), ("duplicate_key", "a"));
        let error = parse_json::<serde_json::Value>(br#"{"data": {"items": [{"x": 1}, {"x": 1, "x": 2}]}}"#)
            .unwrap_err();
        assert_eq!((error.code, error.field.as_str()), ("duplicate_key", "data.items[1].x"));
        // The same key spelled with an escape is the same key.
        let error = parse_json::<serde_json::Value>(br#"{"a": 1, "\u0061": 2}"#).unwrap_err();
        assert_eq!(error.code, "duplicate_key");
        assert!(parse_json::<serde_json::Value>(br#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#).is_ok());
    }

    #[test]
    fn bytes_that_are_not_json_text_are_malformed() {
        for body in [&b"{\"a\": \"\xff\"}"[..], b"\xfe\xff", br#"{"a": "\ud800"}"#, b"{} {}", b"", b"[1,]"] {
            let error = parse_json::<serde_json::Value>(body).unwrap_err();
            assert_eq!(error.code, "malformed_json", "{}", String::from_utf8_lossy(body));
        }
    }
}
