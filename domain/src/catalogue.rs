//! The event-type catalogue: the event types sources send (`payment.succeeded`), each with a
//! description, an optional JSON Schema (draft 2020-12) for its `data`, examples of that `data`
//! and a deprecation flag.
//!
//! An admin writes it through the control plane, which stores each [`EventType`] in the hub's
//! `event_types` bucket under its name and checks it first ([`EventType::check`]: the schema is a
//! valid draft 2020-12 schema, every example matches it). Ingest follows the bucket and checks
//! each event's `data` against its type's [`Schema`], compiled once per [`EventType::version`];
//! the control plane refuses a webhook pattern that selects no type of a non-empty catalogue
//! ([`subscribable`]). Listings group types by the word before the first dot ([`group_of`]).
//!
//! Schemas are compiled without any retriever (the `jsonschema` crate's `resolve-http` and
//! `resolve-file` features are off): a `$ref` reaches only the schema itself and the bundled
//! meta-schemas, never the network or a file. Their `pattern`s use the `regex` engine, whose
//! matching time is linear in the input, since ingest runs them on every event.

use std::fmt;

use jsonschema::{PatternOptions, Validator};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::event::EventData;
use crate::event_types::{self, pattern_matches};
use crate::operational;
use crate::validation::FieldError;

/// The longest description.
pub const MAX_DESCRIPTION: usize = 1024;
/// The most examples a type keeps.
pub const MAX_EXAMPLES: usize = 20;
/// The dialect every schema is read as; a `$schema` naming another is refused.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
/// How much of the validator's reason an error message quotes (it may quote the data).
const MAX_REASON: usize = 300;

/// One type of the catalogue, as the `event_types` bucket keeps it under its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventType {
    /// A concrete event type (no wildcard), see [`validate_name`].
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A JSON Schema (draft 2020-12) every event's `data` of this type must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// Examples of `data` (JSON objects), each matching the schema; the first is what a test
    /// send delivers when it is given no data.
    #[serde(default)]
    pub examples: Vec<Value>,
    #[serde(default)]
    pub deprecated: bool,
    /// 1 when created, one more on every write: ingest compiles the schema once per version.
    pub version: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl EventType {
    /// The word before the first dot, by which listings group types.
    pub fn group(&self) -> &str {
        group_of(&self.name)
    }

    /// Everything an admin wrote is acceptable: the name ([`validate_name`]), the description's
    /// length, the schema (a valid draft 2020-12 schema: field `schema`), and each example (a
    /// JSON object matching the schema: field `examples[i]`). Returns the compiled schema.
    pub fn check(&self) -> Result<Option<Schema>, FieldError> {
        validate_name(&self.name).map_err(|message| FieldError::invalid("name", message))?;
        if self.description.len() > MAX_DESCRIPTION {
            return Err(FieldError::invalid("description", format!("at most {MAX_DESCRIPTION} characters")));
        }
        if self.examples.len() > MAX_EXAMPLES {
            return Err(FieldError::invalid("examples", format!("at most {MAX_EXAMPLES} examples")));
        }
        let schema = self
            .compile_schema()
            .map_err(|error| FieldError::new("schema", "invalid_schema", error.to_string()))?;
        for (index, example) in self.examples.iter().enumerate() {
            let field = format!("examples[{index}]");
            if !example.is_object() {
                return Err(FieldError::invalid(field, "must be a JSON object (an event's data)"));
            }
            if let Some(Err(mismatch)) = schema.as_ref().map(|schema| schema.check(example)) {
                let message = format!("does not match the schema {mismatch}");
                return Err(FieldError::new(field, "schema_mismatch", message));
            }
        }
        Ok(schema)
    }

    /// Its schema, compiled (`None`: it has none).
    pub fn compile_schema(&self) -> Result<Option<Schema>, InvalidSchema> {
        self.schema.as_ref().map(Schema::compile).transpose()
    }

    /// Checks an event's `data` against `schema` (this type's, compiled): a mismatch is a
    /// `schema_mismatch` of the field `data`, its message naming the type, the version, the
    /// failing JSON pointer and why.
    pub fn check_data(&self, schema: &Schema, data: &EventData) -> Result<(), FieldError> {
        let value = data.parse().map_err(|error| FieldError::invalid("data", error.to_string()))?;
        schema.check(&value).map_err(|mismatch| {
            let message =
                format!("does not match the schema of `{}` (version {}) {mismatch}", self.name, self.version);
            FieldError::new("data", "schema_mismatch", message)
        })
    }
}

/// Checks a catalogue name: an event type name (dot-separated words, no wildcard) outside
/// edgehook's own namespace, which sources may not send.
pub fn validate_name(name: &str) -> Result<(), String> {
    event_types::validate_name(name)?;
    if operational::is_operational(name) {
        let namespace = operational::NAMESPACE;
        return Err(format!("`{namespace}.*` types are edgehook's own notifications, not the catalogue's"));
    }
    Ok(())
}

/// The group of a type: the word before its first dot (the whole name when it has none).
pub fn group_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(group, _)| group)
}

/// Checks a `?group=` filter: one word of letters, digits, `_` and `-`.
pub fn validate_group(group: &str) -> Result<(), String> {
    if group.contains('.') {
        return Err("a group is the word before the first dot, without a dot".to_owned());
    }
    event_types::validate_name(group)
}

/// May a webhook subscribe to `pattern`, given the catalogue's `names`? Only if it selects at
/// least one of them, or one of edgehook's own operational types (always allowed). The caller
/// applies it only to a non-empty catalogue: an empty one allows every pattern.
pub fn subscribable<'a>(pattern: &str, names: impl IntoIterator<Item = &'a str>) -> bool {
    operational::TYPES.iter().any(|name| pattern_matches(pattern, name))
        || names.into_iter().any(|name| pattern_matches(pattern, name))
}

/// A compiled JSON Schema (draft 2020-12).
pub struct Schema(Validator);

/// Why a schema is refused.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSchema(String);

/// Where and why data does not match a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMismatch {
    /// The JSON pointer of the failing value in the data (empty: the whole data).
    pub pointer: String,
    /// The validator's reason.
    pub reason: String,
}

impl fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "at the top level: {}", self.reason)
        } else {
            write!(f, "at {}: {}", self.pointer, self.reason)
        }
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Schema(..)")
    }
}

impl Schema {
    /// Compiles `schema`: refused if it names another dialect in `$schema`, if it does not
    /// validate against the draft 2020-12 meta-schema (the message names where in the schema),
    /// or if it cannot be compiled (a `$ref` that reaches outside it, a pattern the `regex`
    /// engine does not support).
    pub fn compile(schema: &Value) -> Result<Self, InvalidSchema> {
        if let Some(dialect) = schema.get("$schema") {
            let named = dialect.as_str().map(|uri| uri.trim_end_matches('#'));
            if named != Some(DRAFT_2020_12) {
                return Err(InvalidSchema(format!(
                    "`$schema` is {dialect}; edgehook reads draft 2020-12 schemas only (`{DRAFT_2020_12}`)"
                )));
            }
        }
        jsonschema::draft202012::meta::validate(schema).map_err(|error| {
            let mismatch = mismatch(&error);
            let reason = format!("{} (draft 2020-12 meta-schema)", mismatch.reason);
            InvalidSchema(SchemaMismatch { reason, ..mismatch }.to_string())
        })?;
        jsonschema::draft202012::options()
            .with_pattern_options(PatternOptions::regex())
            .build(schema)
            .map(Self)
            .map_err(|error| InvalidSchema(format!("cannot be compiled: {}", excerpt(&error.to_string()))))
    }

    /// Does `data` match? The first mismatch otherwise.
    pub fn check(&self, data: &Value) -> Result<(), SchemaMismatch> {
        self.0.validate(data).map_err(|error| mismatch(&error))
    }
}

fn mismatch(error: &jsonschema::ValidationError<'_>) -> SchemaMismatch {
    SchemaMismatch { pointer: excerpt(error.instance_path().as_str()), reason: excerpt(&error.to_string()) }
}

/// At most [`MAX_REASON`] bytes of `text`, cut at a character boundary.
fn excerpt(text: &str) -> String {
    if text.len() <= MAX_REASON {
        return text.to_owned();
    }
    let mut end = MAX_REASON;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event_type(schema: Option<Value>, examples: Vec<Value>) -> EventType {
        let now = crate::now();
        EventType {
            name: "payment.succeeded".to_owned(),
            description: String::new(),
            schema,
            examples,
            deprecated: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn names_are_concrete_types_outside_edgehooks_namespace() {
        assert!(validate_name("payment.succeeded").is_ok());
        assert!(validate_name("ping").is_ok());
        assert!(validate_name("payment.*").is_err());
        assert!(validate_name("*").is_err());
        assert!(validate_name("payment..succeeded").is_err());
        assert!(validate_name("endpoint.disabled").is_err());
        assert!(validate_name("endpoints.disabled").is_ok());
    }

    #[test]
    fn the_group_is_the_word_before_the_first_dot() {
        assert_eq!(group_of("payment.succeeded"), "payment");
        assert_eq!(group_of("order.item.added"), "order");
        assert_eq!(group_of("ping"), "ping");
        assert!(validate_group("payment").is_ok());
        assert!(validate_group("payment.succeeded").is_err());
        assert!(validate_group("").is_err());
    }

    #[test]
    fn a_pattern_must_select_a_type_of_the_catalogue_or_an_operational_one() {
        let names = ["payment.succeeded", "payment.failed", "order.created"];
        let subscribable = |pattern| subscribable(pattern, names);
        assert!(subscribable("payment.succeeded"));
        assert!(subscribable("payment.*"));
        assert!(subscribable("*"));
        assert!(!subscribable("refund.*"));
        assert!(!subscribable("payment.refunded"));
        assert!(!subscribable("payment"), "a bare prefix is a name, not a pattern");
        assert!(subscribable("endpoint.disabled"));
        assert!(subscribable("endpoint.*"));
        assert!(!subscribable("endpoint.enabled"));
    }

    #[test]
    fn a_schema_that_is_not_draft_2020_12_is_refused_naming_where() {
        let error = event_type(Some(json!({"type": "nmber"})), vec![]).check().unwrap_err();
        assert_eq!((error.field.as_str(), error.code), ("schema", "invalid_schema"));
        assert!(error.message.contains("/type"), "{}", error.message);
        let draft7 = json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"});
        assert_eq!(event_type(Some(draft7), vec![]).check().unwrap_err().field, "schema");
        let declared = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"});
        assert!(event_type(Some(declared), vec![]).check().unwrap().is_some());
        let remote = json!({"$ref": "https://example.com/schema.json"});
        assert_eq!(event_type(Some(remote), vec![]).check().unwrap_err().field, "schema");
    }

    #[test]
    fn each_example_must_be_an_object_matching_the_schema() {
        let schema =
            json!({"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}});
        let good = event_type(Some(schema.clone()), vec![json!({"amount": 1})]);
        assert!(good.check().unwrap().is_some());
        let error = event_type(Some(schema.clone()), vec![json!({"amount": 1}), json!({"amount": "1"})])
            .check()
            .unwrap_err();
        assert_eq!((error.field.as_str(), error.code), ("examples[1]", "schema_mismatch"));
        assert!(error.message.contains("/amount"), "{}", error.message);
        let error = event_type(None, vec![json!([1])]).check().unwrap_err();
        assert_eq!(error.field, "examples[0]");
        assert!(event_type(None, vec![json!({"anything": true})]).check().unwrap().is_none());
    }

    #[test]
    fn a_mismatch_names_the_json_pointer_of_the_failing_value() {
        let schema = Schema::compile(&json!({
            "type": "object",
            "required": ["amount"],
            "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}
        }))
        .unwrap();
        let mismatch = schema.check(&json!({"amount": 1, "items": [{"sku": "a"}, {"sku": 7}]})).unwrap_err();
        assert_eq!(mismatch.pointer, "/items/1/sku");
        assert!(mismatch.to_string().starts_with("at /items/1/sku: "), "{mismatch}");
        let missing = schema.check(&json!({})).unwrap_err();
        assert_eq!(missing.pointer, "");
        assert!(missing.to_string().contains("amount"), "{missing}");
        assert!(schema.check(&json!({"amount": 1})).is_ok());
    }

    #[test]
    fn patterns_run_on_a_linear_time_engine() {
        let schema = Schema::compile(&json!({"properties": {"id": {"pattern": "^(a+)+$"}}})).unwrap();
        let hostile = format!("{}b", "a".repeat(10_000));
        assert!(schema.check(&json!({"id": hostile})).is_err());
        // Look-arounds need a backtracking engine: refused when written, not slow at ingest.
        assert!(Schema::compile(&json!({"pattern": "^(?=a)"})).is_err());
    }

    #[test]
    fn a_long_reason_is_cut() {
        let schema = Schema::compile(&json!({"type": "string"})).unwrap();
        let mismatch = schema.check(&json!({"big": "x".repeat(5_000)})).unwrap_err();
        assert!(mismatch.reason.len() <= MAX_REASON + '…'.len_utf8(), "{}", mismatch.reason.len());
    }
}
