//! Property tests (proptest) of everything ingest reads from a request before it publishes:
//! the event JSON, batch arrays and the source's headers.
//!
//! Why: these parsers face whatever a source (or anyone who has its key) sends, and what they
//! let through travels on to the router's filters and the relays. Examples cannot cover that
//! input space, so each property states what must hold for *any* input:
//! - no input makes a parser or a check panic (arbitrary bytes, and valid bodies with random
//!   edits, as one event and as a batch);
//! - whatever is accepted is what the checks promise and what later stages can read: the
//!   stored event's JSON and the task that wraps it parse again, filters can parse its `data`,
//!   nothing is nested deeper than [`MAX_JSON_DEPTH`];
//! - an event built from known-good and known-bad fields is accepted exactly when every field
//!   is good, and a refusal names a bad field (duplicate keys and over-deep `data` included);
//! - a signature header is accepted only when it is the body's HMAC, a timestamp only within
//!   the tolerance.

use std::time::Duration;

use edgehook_domain::delivery::DeliveryTask;
use edgehook_domain::event::{Event, validate_event_id};
use edgehook_domain::ids::{ClientId, MessageId, SourceId, WebhookId};
use edgehook_domain::source::Source;
use edgehook_domain::validation::MAX_JSON_DEPTH;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::Value;

use crate::accept::Shape;
use crate::source_auth::{check_signature, check_timestamp, sign};
use crate::validate::{CheckedEvent, MAX_BATCH, parse_events};

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            btree_map("[a-z_\u{e9}\u{1F600}]{0,6}", inner, 0..5)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Value> {
    btree_map("[a-z]{1,6}", json_value(), 0..5).prop_map(|map| Value::Object(map.into_iter().collect()))
}

/// A field of a generated event: its JSON text (None: left out) and whether it is good.
#[derive(Clone, Debug)]
struct Field {
    name: &'static str,
    text: Option<String>,
    good: bool,
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn field(name: &'static str, good: Vec<String>, bad: Vec<String>) -> impl Strategy<Value = Field> {
    let good =
        proptest::sample::select(good).prop_map(move |text| Field { name, text: Some(text), good: true });
    let bad =
        proptest::sample::select(bad).prop_map(move |text| Field { name, text: Some(text), good: false });
    prop_oneof![3 => good, 1 => bad]
}

fn optional(field: impl Strategy<Value = Field>) -> impl Strategy<Value = Field> {
    prop_oneof![field, Just(()).prop_map(|()| Field { name: "", text: None, good: true })]
}

/// An event's fields, each good or bad, and what was done to its text besides.
#[derive(Clone, Debug)]
struct Generated {
    fields: Vec<Field>,
    /// A top-level field written twice (index into `fields`).
    duplicate_field: Option<usize>,
    /// A key written twice inside `data`.
    duplicate_in_data: bool,
    /// `data` wrapped in this many more arrays.
    data_depth: usize,
    unknown_field: bool,
}

fn generated() -> impl Strategy<Value = Generated> {
    let client = ClientId::generate().to_string();
    let event_id = prop_oneof![
        3 => "[A-Za-z0-9_:-]{1,128}".prop_map(|id| Field { name: "event_id", text: Some(quoted(&id)), good: true }),
        1 => proptest::sample::select(vec!["", "a.b", "a b", "evt*", "\u{e9}", "x".repeat(129).leak()])
            .prop_map(|id| Field { name: "event_id", text: Some(quoted(id)), good: false }),
        1 => Just(Field { name: "event_id", text: Some("42".into()), good: false }),
    ];
    let event_type = field(
        "event_type",
        vec![quoted("payment.succeeded"), quoted("order-1.created_now")],
        vec![quoted("not a type"), quoted("endpoint.disabled"), quoted(""), quoted("a..b"), "null".into()],
    );
    let client_id = field("client_id", vec![quoted(&client)], vec![quoted("bob"), quoted(""), "[]".into()]);
    let data = prop_oneof![
        3 => json_object().prop_map(|data| Field { name: "data", text: Some(data.to_string()), good: true }),
        1 => json_value().prop_filter("not an object", |value| !value.is_object())
            .prop_map(|data| Field { name: "data", text: Some(data.to_string()), good: false }),
    ];
    let timestamp = optional(field(
        "timestamp",
        vec![quoted("2026-11-30T02:00:00Z"), quoted("2026-11-30T02:00:00.5+01:00")],
        vec![quoted("yesterday"), "5".into(), quoted("2026-13-01T00:00:00Z")],
    ));
    let version = optional(field(
        "version",
        vec![quoted("1.0"), quoted("2")],
        vec![quoted(""), quoted(&"9".repeat(33)), "1".into()],
    ));
    let priority = optional(field(
        "priority",
        vec![quoted("high"), quoted("standard"), quoted("bulk")],
        vec![quoted("urgent"), "1".into()],
    ));
    (
        (event_id, event_type, client_id, data, timestamp, version, priority),
        proptest::option::weighted(0.1, 0..7usize),
        proptest::bool::weighted(0.1),
        prop_oneof![4 => Just(0usize), 1 => 1..MAX_JSON_DEPTH + 5],
        proptest::bool::weighted(0.1),
    )
        .prop_map(
            |((a, b, c, d, e, f, g), duplicate_field, duplicate_in_data, data_depth, unknown_field)| {
                let fields = vec![a, b, c, d, e, f, g];
                let duplicate_field = duplicate_field.filter(|index| fields[*index].text.is_some());
                Generated { fields, duplicate_field, duplicate_in_data, data_depth, unknown_field }
            },
        )
}

impl Generated {
    /// The event's JSON text.
    fn text(&self) -> String {
        let mut parts = Vec::new();
        for (index, field) in self.fields.iter().enumerate() {
            let Some(text) = &field.text else { continue };
            let mut text = text.clone();
            if field.name == "data" {
                if self.duplicate_in_data && text.starts_with('{') {
                    text = format!("{{\"twice\": 1, \"twice\": 2{}", if text == "{}" { "}" } else { ", " })
                        + &text[1..];
                }
                text = format!("{}{text}{}", "[".repeat(self.data_depth), "]".repeat(self.data_depth));
            }
            parts.push(format!("{}: {text}", quoted(field.name)));
            if self.duplicate_field == Some(index) {
                parts.push(format!("{}: {text}", quoted(field.name)));
            }
        }
        if self.unknown_field {
            parts.push("\"colour\": \"red\"".into());
        }
        format!("{{{}}}", parts.join(", "))
    }

    /// Does every check pass? `data` wrapped in arrays is no object; a duplicate in data or
    /// in the envelope, or an unknown field, is refused.
    fn good(&self) -> bool {
        self.fields.iter().all(|field| field.good)
            && self.duplicate_field.is_none()
            && !self.duplicate_in_data
            && self.data_depth == 0
            && !self.unknown_field
    }

    /// The fields a refusal may name.
    fn culprits(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.fields.iter().filter(|field| !field.good).map(|field| field.name.to_owned()).collect();
        if let Some(index) = self.duplicate_field {
            names.push(self.fields[index].name.to_owned());
        }
        if self.duplicate_in_data || self.data_depth > 0 {
            names.push("data".to_owned());
        }
        if self.unknown_field {
            names.extend(["body".to_owned(), "colour".to_owned()]);
        }
        names
    }
}

/// Parses and checks `body` as ingest does; `Ok` is what would be published.
fn ingest(body: &[u8], shape: Shape) -> Result<Vec<CheckedEvent>, String> {
    let events = parse_events(body, shape).map_err(|error| error.field)?;
    let named = |index: usize, field: String| match shape {
        Shape::Single => field,
        Shape::Batch => format!("[{index}].{field}"),
    };
    events
        .into_iter()
        .enumerate()
        .map(|(index, event)| event.check().map_err(|error| named(index, error.field)))
        .collect()
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(entries) => 1 + entries.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// What an accepted event must be, checked independently of the parser, and what the stages
/// after ingest do with it: store it, wrap it in a task, parse its data for a filter.
fn assert_publishable(event: CheckedEvent) {
    assert!(validate_event_id(&event.event_id).is_ok(), "{}", event.event_id);
    assert!(edgehook_domain::event_types::validate_name(&event.event_type).is_ok());
    assert!(!edgehook_domain::operational::is_operational(&event.event_type));
    assert!(!event.version.is_empty() && event.version.len() <= 32);
    let data = event.data.parse().expect("accepted data parses");
    assert!(data.is_object(), "{data}");
    assert!(depth(&data) <= MAX_JSON_DEPTH);
    let stored = Event {
        message_id: MessageId::generate(),
        event_id: event.event_id,
        event_type: event.event_type,
        client_id: event.client_id,
        source_id: "src_00000000000000000000000000".parse::<SourceId>().unwrap(),
        data: event.data,
        timestamp: event.timestamp,
        version: event.version,
        accepted_at: edgehook_domain::now(),
        priority: event.priority,
    };
    let task = DeliveryTask {
        webhook_id: WebhookId::generate(),
        event: stored,
        priority: Default::default(),
        attempts_before: 0,
        webhook_version: 1,
    };
    let bytes = serde_json::to_vec(&task).unwrap();
    let again: DeliveryTask = serde_json::from_slice(&bytes).expect("the relay reads the task back");
    assert_eq!(again.event, task.event);
    serde_json::from_slice::<Value>(&again.event.delivery_body()).expect("the delivered body is JSON");
}

/// A body with random edits: bytes replaced, inserted, removed.
fn edited(body: String) -> impl Strategy<Value = Vec<u8>> {
    let len = body.len().max(1);
    vec((0..3u8, 0..len, any::<u8>()), 1..6).prop_map(move |edits| {
        let mut bytes = body.clone().into_bytes();
        for (kind, at, byte) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match kind {
                0 if !bytes.is_empty() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if !bytes.is_empty() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_and_what_passes_is_publishable(
        body in prop_oneof![vec(any::<u8>(), 0..256), "[ \\[\\]{}\":,0-9a-z_.\\\\-]{0,200}".prop_map(String::into_bytes)]
    ) {
        for shape in [Shape::Single, Shape::Batch] {
            if let Ok(events) = ingest(&body, shape) {
                events.into_iter().for_each(assert_publishable);
            }
        }
    }

    #[test]
    fn edited_events_never_panic_and_what_passes_is_publishable(
        body in generated().prop_flat_map(|event| edited(event.text()))
    ) {
        if let Ok(events) = ingest(&body, Shape::Single) {
            events.into_iter().for_each(assert_publishable);
        }
        let batch = [b"[".as_slice(), &body, b"]"].concat();
        if let Ok(events) = ingest(&batch, Shape::Batch) {
            events.into_iter().for_each(assert_publishable);
        }
    }

    #[test]
    fn an_event_is_accepted_exactly_when_every_field_is_good(event in generated()) {
        let text = event.text();
        match ingest(text.as_bytes(), Shape::Single) {
            Ok(events) => {
                prop_assert!(event.good(), "accepted although {:?} is wrong: {text}", event.culprits());
                events.into_iter().for_each(assert_publishable);
            }
            Err(field) => {
                prop_assert!(!event.good(), "refused ({field}) although every field is good: {text}");
                let culprits = event.culprits();
                prop_assert!(
                    culprits.iter().any(|culprit| field == *culprit || field.starts_with(&format!("{culprit}."))
                        || field.starts_with(&format!("{culprit}["))),
                    "refused for {field}, but the wrong ones are {culprits:?}: {text}"
                );
            }
        }
    }

    #[test]
    fn a_batch_is_accepted_exactly_when_every_event_is_good(events in vec(generated(), 0..6)) {
        let body = format!("[{}]", events.iter().map(Generated::text).collect::<Vec<_>>().join(", "));
        let accepted = ingest(body.as_bytes(), Shape::Batch);
        let good = !events.is_empty() && events.iter().all(Generated::good);
        prop_assert_eq!(accepted.is_ok(), good, "{}", body);
        if let Err(field) = accepted {
            let named = events.iter().enumerate().any(|(index, event)| {
                event.culprits().iter().any(|culprit| field.starts_with(&format!("[{index}].{culprit}"))
                    || field.starts_with(&format!("[{index}]")))
            });
            prop_assert!(events.is_empty() && field == "body" || named, "{} for {}", field, body);
        }
    }

    #[test]
    fn a_signature_passes_only_when_it_is_the_bodys_hmac(
        secret in "[a-z_]{1,20}",
        body in vec(any::<u8>(), 0..128),
        header in prop_oneof![".{0,80}", "sha256=[0-9a-fA-F]{0,70}"],
    ) {
        let right = sign(&secret, &body);
        prop_assert!(check_signature(&secret, Some(&right), &body).is_ok());
        prop_assert!(check_signature(&secret, Some(&right.to_uppercase().replace("SHA256=", "sha256=")), &body).is_ok());
        if check_signature(&secret, Some(&header), &body).is_ok() {
            prop_assert_eq!(header.trim().to_lowercase(), right);
        }
        prop_assert!(check_signature(&secret, None, &body).is_err());
    }

    #[test]
    fn a_timestamp_passes_only_within_the_tolerance(header in prop_oneof![".{0,24}", any::<i64>().prop_map(|n| n.to_string())], offset in -400i64..400) {
        let tolerance = Duration::from_secs(300);
        if check_timestamp(Some(&header), tolerance).is_ok() {
            let sent: i64 = header.trim().parse().unwrap();
            prop_assert!((edgehook_domain::now().unix_timestamp() - sent).unsigned_abs() <= 301);
        }
        let near = (edgehook_domain::now().unix_timestamp() + offset).to_string();
        let accepted = check_timestamp(Some(&near), tolerance).is_ok();
        // A second may pass between the two readings of the clock.
        if offset.abs() < 299 {
            prop_assert!(accepted, "{offset} s off refused");
        } else if offset.abs() > 301 {
            prop_assert!(!accepted, "{offset} s off accepted");
        }
    }

    #[test]
    fn any_authorization_value_is_read_without_panicking(value in ".{0,120}") {
        let _ = Source::id_of_api_key(&value);
    }
}

#[test]
fn a_batch_over_the_limit_is_refused_whole() {
    let event = |n: usize| {
        format!(
            r#"{{"event_id": "e{n}", "event_type": "a.b", "client_id": "{}", "data": {{}}}}"#,
            ClientId::generate()
        )
    };
    let body = |count: usize| format!("[{}]", (0..count).map(event).collect::<Vec<_>>().join(","));
    assert!(ingest(body(MAX_BATCH).as_bytes(), Shape::Batch).is_ok());
    assert_eq!(ingest(body(MAX_BATCH + 1).as_bytes(), Shape::Batch).unwrap_err(), "body");
    assert_eq!(ingest(b"[]", Shape::Batch).unwrap_err(), "body");
}
