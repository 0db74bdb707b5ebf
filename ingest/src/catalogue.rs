//! The event-type catalogue as ingest applies it: an event of a type with a schema is accepted
//! only if its `data` matches (`400 schema_mismatch`, the message naming the failing JSON
//! pointer); with `--require-known-event-types`, an event of a type not in the catalogue is
//! refused (`400 unknown_event_type`). Both doors (HTTP and NATS) go through
//! [`crate::accept::Ingestor`], which asks [`Catalogue::check`] for every event of a request
//! before publishing any.
//!
//! The catalogue is the hub's `event_types` bucket, followed by a [`KvCache`] (no round trip per
//! event). A change reaches it through the watch within milliseconds; the events a source sends
//! meanwhile are checked against the previous version. A type missing from the copy is
//! confirmed against the bucket only when the flag refuses it (`get_synced`), so a type created
//! just before its first event is never refused, and a catalogue that does not list a type
//! costs its events nothing.
//!
//! Schemas are compiled once per version of a type, not per event: [`Catalogue`] keeps each
//! type's compiled schema with the version (and creation time: a type deleted and created again
//! starts at version 1 again) it was compiled from, and replaces it when a newer version is
//! first used, and lets deleted types go then, so it holds at most one schema per type of the
//! catalogue. A stored schema that does not compile (the control plane refuses such a schema;
//! only a bucket written by other means can hold one) is logged once per version and not
//! applied.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use edgehook_domain::catalogue::{EventType, Schema};
use edgehook_domain::event::EventData;
use edgehook_domain::validation::FieldError;
use edgehook_nats::Contract;
use edgehook_nats::kv_cache::{KvCache, KvCacheError};
use time::OffsetDateTime;

/// The catalogue and the schemas compiled from it; cheap to clone.
#[derive(Clone)]
pub struct Catalogue {
    types: KvCache<EventType>,
    schemas: Arc<Schemas>,
    require_known: bool,
}

/// Each type's schema, compiled from the latest version used, by type name.
#[derive(Default)]
struct Schemas(Mutex<HashMap<String, Compiled>>);

/// A type's schema, compiled from the version it names (`None`: it did not compile).
struct Compiled {
    version: u64,
    created_at: OffsetDateTime,
    schema: Option<Arc<Schema>>,
}

/// Why an event is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Its type is unknown or its data does not match (the field is `event_type` or `data`).
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// The catalogue could not be read to confirm an unknown type.
    #[error(transparent)]
    Unavailable(#[from] KvCacheError),
}

impl Catalogue {
    /// Follows the hub's `event_types` bucket; `require_known`: refuse types it does not list.
    pub fn follow(contract: &Contract, require_known: bool) -> Self {
        Self {
            types: KvCache::follow(contract.jetstream.clone(), contract.event_types.clone()),
            schemas: Arc::default(),
            require_known,
        }
    }

    /// Checks an event of type `name` carrying `data` against the catalogue.
    pub async fn check(&self, name: &str, data: &EventData) -> Result<(), Refusal> {
        let event_type = match self.types.get(name) {
            Some(event_type) => event_type,
            None if !self.require_known => return Ok(()),
            None => self.types.get_synced(name).await?.ok_or_else(|| unknown(name))?,
        };
        let listed = |name: &str| self.types.get(name).is_some();
        let Some(schema) = self.schemas.of(&event_type, listed) else { return Ok(()) };
        Ok(event_type.check_data(&schema, data)?)
    }
}

impl Schemas {
    /// The compiled schema of this version of `event_type`: compiled now if it is the first
    /// event of this version, replacing an older version's; the types no longer `listed` are
    /// let go then.
    fn of(&self, event_type: &EventType, listed: impl Fn(&str) -> bool) -> Option<Arc<Schema>> {
        event_type.schema.as_ref()?;
        let is_this_version = |compiled: &Compiled| {
            compiled.version == event_type.version && compiled.created_at == event_type.created_at
        };
        if let Some(compiled) = self.compiled().get(&event_type.name).filter(|c| is_this_version(c)) {
            return compiled.schema.clone();
        }
        let schema = match event_type.compile_schema() {
            Ok(schema) => schema.map(Arc::new),
            Err(error) => {
                tracing::error!(event_type = %event_type.name, version = event_type.version, %error, "a stored schema does not compile; events of this type are not checked");
                None
            }
        };
        let compiled = Compiled {
            version: event_type.version,
            created_at: event_type.created_at,
            schema: schema.clone(),
        };
        let mut all = self.compiled();
        // Types deleted since are let go here, when a schema is compiled (rarely).
        all.retain(|name, _| listed(name));
        all.insert(event_type.name.clone(), compiled);
        schema
    }

    fn compiled(&self) -> std::sync::MutexGuard<'_, HashMap<String, Compiled>> {
        self.0.lock().expect("compiled schemas lock")
    }
}

fn unknown(name: &str) -> Refusal {
    let message = format!(
        "`{name}` is not in the event-type catalogue, and this deployment accepts only types it lists"
    );
    FieldError::new("event_type", "unknown_event_type", message).into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event_type(name: &str, version: u64, schema: serde_json::Value) -> EventType {
        let created_at = time::macros::datetime!(2026-12-07 10:00 UTC);
        EventType {
            name: name.to_owned(),
            description: String::new(),
            schema: Some(schema),
            examples: vec![],
            deprecated: false,
            version,
            created_at,
            updated_at: created_at,
        }
    }

    #[test]
    fn a_schema_is_compiled_once_per_version_and_replaced_by_the_next() {
        let schemas = Schemas::default();
        let listed = |_: &str| true;
        let first = event_type("payment.succeeded", 1, json!({"required": ["amount"]}));
        let compiled = schemas.of(&first, listed).unwrap();
        assert!(Arc::ptr_eq(&compiled, &schemas.of(&first, listed).unwrap()), "compiled again");
        let second = event_type("payment.succeeded", 2, json!({"required": ["currency"]}));
        let recompiled = schemas.of(&second, listed).unwrap();
        assert!(!Arc::ptr_eq(&compiled, &recompiled));
        assert!(recompiled.check(&json!({"amount": 1})).is_err(), "the new version applies");
        assert_eq!(schemas.compiled().len(), 1, "one schema per type");
        // Deleted and made again: version 1 again, but another type.
        let remade = EventType { created_at: first.created_at + time::Duration::SECOND, ..first.clone() };
        assert!(!Arc::ptr_eq(&compiled, &schemas.of(&remade, listed).unwrap()));
    }

    #[test]
    fn types_no_longer_listed_are_let_go_and_a_bad_stored_schema_is_not_applied() {
        let schemas = Schemas::default();
        schemas.of(&event_type("a.one", 1, json!({})), |_| true);
        schemas.of(&event_type("b.two", 1, json!({})), |_| true);
        assert!(
            schemas.of(&event_type("c.three", 1, json!({"type": "nmber"})), |name| name != "a.one").is_none()
        );
        let mut kept: Vec<String> = schemas.compiled().keys().cloned().collect();
        kept.sort();
        assert_eq!(kept, ["b.two", "c.three"]);
        let mut no_schema = event_type("d.four", 1, json!({}));
        no_schema.schema = None;
        assert!(schemas.of(&no_schema, |_| true).is_none());
    }
}
