//! The error every input check returns: which field is wrong and why.
//!
//! The HTTP services turn it into `400 {"error": {"code", "message", "field"}}`; the NATS ingest
//! path into the same JSON in its reply.

use serde::Serialize;

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

/// Parses a JSON body, naming the field serde was at when it failed.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, FieldError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return FieldError::new("body", "malformed_json", format!("the body is not valid JSON: {inner}"));
        }
        // serde appends " at line L column C"; the field name says more to an API user.
        let full = inner.to_string();
        let message = full.split(" at line ").next().unwrap_or(&full).to_owned();
        let parent = if path == "." { String::new() } else { path };
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
    fn broken_json_is_reported_as_such() {
        let error = parse_json::<Outer>(b"{not json").unwrap_err();
        assert_eq!(error.code, "malformed_json");
    }
}
