//! Event type names (`payment.succeeded`) and the patterns that select them (`order.*`).
//!
//! A webhook's `event_types` and a source's `allowed_event_types` are lists of patterns: an
//! exact name, a prefix followed by `.*` (every type below that prefix, at any depth), or `*`
//! alone (every type). An empty list on a webhook means every type.

const MAX_LEN: usize = 128;

/// Checks an event type name: dot-separated segments of letters, digits, `_` and `-`.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_LEN {
        return Err(format!("must be 1 to {MAX_LEN} characters"));
    }
    let valid_segment = |segment: &str| {
        !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if name.split('.').all(valid_segment) {
        Ok(())
    } else {
        Err(format!("`{name}` is not an event type: use dot-separated words of letters, digits, `_` and `-`"))
    }
}

/// Checks a pattern: a name, `<name>.*`, or `*`.
pub fn validate_pattern(pattern: &str) -> Result<(), String> {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => Ok(()),
        Some(prefix) => validate_name(prefix),
        None => validate_name(pattern),
    }
}

/// A string schema for the OpenAPI document.
fn string_schema(
    pattern: &str,
    max_length: usize,
    example: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .max_length(Some(max_length))
        .examples([example])
        .into()
}

/// In the OpenAPI document: a name as [`validate_name`] accepts it.
pub struct EventTypeName;

impl utoipa::PartialSchema for EventTypeName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$", MAX_LEN, "payment.succeeded")
    }
}

impl utoipa::ToSchema for EventTypeName {}

/// In the OpenAPI document: a pattern as [`validate_pattern`] accepts it.
pub struct EventTypePattern;

impl utoipa::PartialSchema for EventTypePattern {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(r"^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$", MAX_LEN + 2, "payment.*")
    }
}

impl utoipa::ToSchema for EventTypePattern {}

/// Does `pattern` select the event type `name`?
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(".*") {
        Some(prefix) => name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == name,
    }
}

/// Does any pattern select `name`? An empty list selects everything.
pub fn selects(patterns: &[String], name: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|pattern| pattern_matches(pattern, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_wildcard_selects_every_type_below_it_and_nothing_else() {
        assert!(pattern_matches("order.*", "order.created"));
        assert!(pattern_matches("order.*", "order.item.added"));
        assert!(!pattern_matches("order.*", "order"));
        assert!(!pattern_matches("order.*", "orders.created"));
    }

    #[test]
    fn an_exact_name_selects_only_itself() {
        assert!(pattern_matches("payment.succeeded", "payment.succeeded"));
        assert!(!pattern_matches("payment.succeeded", "payment.failed"));
    }

    #[test]
    fn an_empty_list_selects_everything() {
        assert!(selects(&[], "anything.at.all"));
        assert!(selects(&["*".to_owned()], "anything.at.all"));
    }

    #[test]
    fn malformed_names_and_patterns_are_refused() {
        assert!(validate_name("payment..succeeded").is_err());
        assert!(validate_name("payment succeeded").is_err());
        assert!(validate_pattern("order.*.created").is_err());
        assert!(validate_pattern("order.*").is_ok());
        assert!(validate_pattern("*").is_ok());
    }
}
