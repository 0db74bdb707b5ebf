//! The event-type catalogue and the test send, end to end on `edgehook up`: admins write the
//! catalogue and clients read it (grouped, paged); a schema and its examples are checked when
//! written; ingest checks each event's data against its type's schema through both doors (HTTP
//! and NATS), with the version a PATCH made applying to the next events, and refuses unknown
//! types with `--require-known-event-types`; webhooks may subscribe only to what the catalogue
//! has once it has anything; a test send reaches one webhook signed as a delivery is (checked by
//! the Standard Webhooks reference library) and answers with the attempt.

use edgehook_testkit as support;

use reqwest::Method;
use serde_json::{Value, json};
use support::verifiers::{ed25519, standard_webhooks};
use support::{Reply, World};

const TYPES: &str = "/api/v1/event-types";

fn payment_schema() -> Value {
    json!({
        "type": "object",
        "required": ["amount"],
        "properties": {
            "amount": {"type": "number"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}
        }
    })
}

/// `POST /api/v1/event-types` as the admin; returns the status and the body.
async fn create_type(world: &World, body: Value) -> (u16, Value) {
    world.api.call(Method::POST, TYPES, Some(&world.api.admin_token), Some(body)).await
}

/// The names of a list answer, in order.
fn names(list: &Value) -> Vec<&str> {
    list["data"].as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap()).collect()
}

/// `(status, code, field)` of an answer, for error checks.
fn refusal(answer: &(u16, Value)) -> (u16, &str, &str) {
    let error = &answer.1["error"];
    (answer.0, error["code"].as_str().unwrap_or_default(), error["field"].as_str().unwrap_or_default())
}

#[tokio::test]
async fn admins_write_the_catalogue_clients_read_it_grouped_and_paged() {
    let world = World::start().await;
    let (admin, client) = (world.api.admin_token.clone(), world.token.clone());

    let payment = json!({
        "name": "payment.succeeded",
        "description": "A payment went through.",
        "schema": payment_schema(),
        "examples": [{"amount": 1500}],
    });
    let (status, created) = create_type(&world, payment.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["group"], "payment");
    assert_eq!((created["version"].clone(), created["deprecated"].clone()), (json!(1), json!(false)));
    assert_eq!(created["schema"], payment_schema());
    assert!(created["created_at"].is_string() && created["updated_at"].is_string(), "{created}");
    assert_eq!(refusal(&create_type(&world, payment).await), (409, "conflict", "name"));
    for name in ["payment.failed", "order.created", "order.item.added", "ping"] {
        let (status, body) = create_type(&world, json!({"name": name})).await;
        assert_eq!(status, 201, "{name}: {body}");
    }

    // Writes are the admin's: a client is refused, and changes nothing.
    let denied = [
        (Method::POST, TYPES.to_owned(), Some(json!({"name": "refund.created"}))),
        (Method::PATCH, format!("{TYPES}/ping"), Some(json!({"deprecated": true}))),
        (Method::DELETE, format!("{TYPES}/ping"), None),
    ];
    for (method, path, body) in denied {
        let answer = world.api.call(method.clone(), &path, Some(&client), body).await;
        assert_eq!(refusal(&answer).0, 403, "{method} {path}: {}", answer.1);
    }
    assert_eq!(world.api.call(Method::GET, TYPES, None, None).await.0, 401);

    // Read by clients and admins: sorted by name, each with its group; paged; by group.
    let (status, all) = world.api.call(Method::GET, TYPES, Some(&client), None).await;
    assert_eq!(status, 200, "{all}");
    let expected = ["order.created", "order.item.added", "payment.failed", "payment.succeeded", "ping"];
    assert_eq!(names(&all), expected);
    let groups: Vec<&str> =
        all["data"].as_array().unwrap().iter().map(|t| t["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["order", "order", "payment", "payment", "ping"]);
    assert_eq!(all["next_cursor"], Value::Null);
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after.as_ref().map(|after| format!("&after={after}")).unwrap_or_default();
        let (status, page) =
            world.api.call(Method::GET, &format!("{TYPES}?limit=2{cursor}"), Some(&admin), None).await;
        assert_eq!(status, 200, "{page}");
        assert!(page["data"].as_array().unwrap().len() <= 2);
        paged.extend(names(&page).into_iter().map(str::to_owned));
        match page["next_cursor"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, expected);
    let (_, payments) =
        world.api.call(Method::GET, &format!("{TYPES}?group=payment"), Some(&client), None).await;
    assert_eq!(names(&payments), ["payment.failed", "payment.succeeded"]);
    let (_, first) =
        world.api.call(Method::GET, &format!("{TYPES}?group=order&limit=1"), Some(&client), None).await;
    assert_eq!(
        (names(&first), first["next_cursor"].as_str()),
        (vec!["order.created"], Some("order.created"))
    );
    let path = format!("{TYPES}?group=order&limit=1&after=order.created");
    let (_, second) = world.api.call(Method::GET, &path, Some(&client), None).await;
    assert_eq!((names(&second), second["next_cursor"].clone()), (vec!["order.item.added"], Value::Null));
    let bad_group = world.api.call(Method::GET, &format!("{TYPES}?group=a.b"), Some(&client), None).await;
    assert_eq!(refusal(&bad_group), (400, "invalid", "group"));

    let (status, one) =
        world.api.call(Method::GET, &format!("{TYPES}/payment.succeeded"), Some(&client), None).await;
    assert_eq!((status, one["examples"].clone()), (200, json!([{"amount": 1500}])), "{one}");
    assert_eq!(
        world.api.call(Method::GET, &format!("{TYPES}/refund.created"), Some(&client), None).await.0,
        404
    );

    // A merge patch: what it names changes, the version goes up; a schema named is replaced whole.
    let path = format!("{TYPES}/payment.succeeded");
    let patch = json!({"description": "Paid.", "deprecated": true, "schema": {"type": "object", "required": ["currency"]}, "examples": [{"currency": "EUR"}]});
    let (status, patched) = world.api.call(Method::PATCH, &path, Some(&admin), Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["version"], 2);
    assert_eq!(
        patched["schema"],
        json!({"type": "object", "required": ["currency"]}),
        "replaced, not merged"
    );
    assert_eq!(
        (patched["description"].clone(), patched["deprecated"].clone()),
        (json!("Paid."), json!(true))
    );
    assert_eq!(patched["created_at"], created["created_at"]);
    let (_, patched) =
        world.api.call(Method::PATCH, &path, Some(&admin), Some(json!({"schema": null}))).await;
    assert_eq!((patched["version"].clone(), patched["schema"].clone()), (json!(3), Value::Null), "{patched}");
    let renamed =
        world.api.call(Method::PATCH, &path, Some(&admin), Some(json!({"name": "payment.ok"}))).await;
    assert_eq!(refusal(&renamed), (400, "invalid", "name"));

    // Checked when written: names, schemas, examples.
    let refused = [
        (json!({"name": "payment.*"}), "invalid", "name"),
        (json!({"name": "endpoint.disabled"}), "invalid", "name"),
        (json!({"name": "refund.created", "schema": {"type": "nmber"}}), "invalid_schema", "schema"),
        (json!({"name": "refund.created", "schema": {"minimum": "zero"}}), "invalid_schema", "schema"),
        (json!({"name": "refund.created", "schema": 3}), "invalid_schema", "schema"),
        (
            json!({"name": "refund.created", "schema": payment_schema(), "examples": [{"amount": 1}, {"amount": "1"}]}),
            "schema_mismatch",
            "examples[1]",
        ),
        (json!({"name": "refund.created", "examples": ["not an object"]}), "invalid", "examples[0]"),
        (json!({"name": "refund.created", "colour": "red"}), "invalid", "colour"),
    ];
    for (body, code, field) in refused {
        let answer = create_type(&world, body.clone()).await;
        assert_eq!(refusal(&answer), (400, code, field), "{body}: {}", answer.1);
    }
    let answer = create_type(&world, json!({"name": "refund.created", "schema": {"type": "nmber"}})).await;
    assert!(answer.1["error"]["message"].as_str().unwrap().contains("/type"), "{}", answer.1);
    let answer = world
        .api
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"examples": [{"x": 1}], "schema": payment_schema()})),
        )
        .await;
    assert_eq!(refusal(&answer), (400, "schema_mismatch", "examples[0]"), "{}", answer.1);

    assert_eq!(world.api.call(Method::DELETE, &path, Some(&admin), None).await.0, 204);
    assert_eq!(world.api.call(Method::GET, &path, Some(&client), None).await.0, 404);
    assert_eq!(world.api.call(Method::DELETE, &path, Some(&admin), None).await.0, 404);
    // Made again, it starts over.
    let (status, again) = create_type(&world, json!({"name": "payment.succeeded"})).await;
    assert_eq!((status, again["version"].clone()), (201, json!(1)), "{again}");
}

#[tokio::test]
async fn ingest_checks_data_against_the_schema_of_the_types_current_version() {
    let world = World::start().await;
    let body = json!({"name": "payment.succeeded", "schema": payment_schema()});
    assert_eq!(create_type(&world, body).await.0, 201);
    let event = |id: &str, data: Value| support::event(&world.client_id, id, "payment.succeeded", data);

    let answer = world.api.ingest(&world.source, &event("evt_bad", json!({"amount": "12"}))).await;
    assert_eq!(refusal(&answer), (400, "schema_mismatch", "data"), "{}", answer.1);
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("/amount") && message.contains("payment.succeeded"), "{message}");
    let nested = event("evt_nested", json!({"amount": 1, "lines": [{"sku": "a"}, {"sku": 7}]}));
    let answer = world.api.ingest(&world.source, &nested).await;
    assert!(answer.1["error"]["message"].as_str().unwrap().contains("/lines/1/sku"), "{}", answer.1);
    // A batch is all or nothing and names the event.
    let batch = [event("evt_b1", json!({"amount": 1})), event("evt_b2", json!({}))];
    let answer = world.api.ingest_batch(&world.source, &batch).await;
    assert_eq!(refusal(&answer), (400, "schema_mismatch", "[1].data"), "{}", answer.1);
    assert!(answer.1["error"]["message"].as_str().unwrap().contains("amount"), "{}", answer.1);

    // The NATS door applies the same checks.
    let nats = support::source_login(&world.source).connect(&world.up.credentials.nats_url).await.unwrap();
    let subject = format!("ingest.{}", world.source.id);
    let request = |body: Value| {
        let (nats, subject) = (nats.clone(), subject.clone());
        async move {
            let reply = nats.request(subject, body.to_string().into()).await.unwrap();
            serde_json::from_slice::<Value>(&reply.payload).unwrap()
        }
    };
    let reply = request(event("evt_nats_bad", json!({"amount": "12"}))).await;
    assert_eq!(reply["error"]["code"], "schema_mismatch", "{reply}");
    assert_eq!(reply["error"]["field"], "data", "{reply}");
    assert!(reply["error"]["message"].as_str().unwrap().contains("/amount"), "{reply}");
    let reply = request(json!([
        event("evt_nats_1", json!({"amount": 1})),
        event("evt_nats_2", json!({"amount": []}))
    ]))
    .await;
    assert_eq!(
        (reply["error"]["code"].as_str(), reply["error"]["field"].as_str()),
        (Some("schema_mismatch"), Some("[1].data")),
        "{reply}"
    );
    let reply = request(event("evt_nats_good", json!({"amount": 3}))).await;
    assert_eq!(reply["results"][0]["duplicate"], false, "{reply}");

    // Matching data is accepted; a type the catalogue does not list is not checked.
    world.send("evt_good", "payment.succeeded", json!({"amount": 12.5, "lines": [{"sku": "a"}]})).await;
    world.send("evt_other", "refund.created", json!({"anything": true})).await;

    // A new version of the schema applies to the events after it.
    let patch = json!({"schema": {"type": "object", "required": ["amount", "currency"]}});
    let path = format!("{TYPES}/payment.succeeded");
    let (status, patched) =
        world.api.call(Method::PATCH, &path, Some(&world.api.admin_token), Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    let mut attempt = 0;
    let refused = support::eventually("ingest applying the new schema", || {
        attempt += 1;
        let event = event(&format!("evt_v2_{attempt}"), json!({"amount": 1}));
        let world = &world;
        async move {
            let answer = world.api.ingest(&world.source, &event).await;
            (answer.0 == 400).then_some(answer)
        }
    })
    .await;
    assert_eq!(refusal(&refused), (400, "schema_mismatch", "data"), "{}", refused.1);
    assert!(refused.1["error"]["message"].as_str().unwrap().contains("version 2"), "{}", refused.1);
    world.send("evt_v2_good", "payment.succeeded", json!({"amount": 1, "currency": "EUR"})).await;

    // Without a schema, anything goes again.
    let (status, _) = world
        .api
        .call(Method::PATCH, &path, Some(&world.api.admin_token), Some(json!({"schema": null})))
        .await;
    assert_eq!(status, 200);
    let mut attempt = 0;
    support::eventually("ingest dropping the schema", || {
        attempt += 1;
        let event = event(&format!("evt_v3_{attempt}"), json!({"amount": "any"}));
        let world = &world;
        async move { (world.api.ingest(&world.source, &event).await.0 == 202).then_some(()) }
    })
    .await;
}

#[tokio::test]
async fn with_require_known_event_types_ingest_refuses_types_not_in_the_catalogue() {
    let world = World::start_with(&["--require-known-event-types"]).await;
    let unknown = support::event(&world.client_id, "evt_unknown", "refund.created", json!({}));
    let answer = world.api.ingest(&world.source, &unknown).await;
    assert_eq!(refusal(&answer), (400, "unknown_event_type", "event_type"), "{}", answer.1);
    let batch = [support::event(&world.client_id, "evt_b", "refund.created", json!({}))];
    let answer = world.api.ingest_batch(&world.source, &batch).await;
    assert_eq!(refusal(&answer), (400, "unknown_event_type", "[0].event_type"), "{}", answer.1);

    // A type just added is known to the next event (a miss is confirmed against the bucket).
    assert_eq!(create_type(&world, json!({"name": "refund.created"})).await.0, 201);
    world.send("evt_known", "refund.created", json!({})).await;
}

#[tokio::test]
async fn webhooks_subscribe_only_to_what_the_catalogue_has_once_it_has_anything() {
    let world = World::start().await;
    // An empty catalogue: any pattern, as before there was one.
    let early = world.webhook("/early", json!({"event_types": ["refund.*"]})).await;
    let early_path = format!("/api/v1/webhooks/{}", early["webhook_id"].as_str().unwrap());

    assert_eq!(create_type(&world, json!({"name": "payment.succeeded"})).await.0, 201);
    let register = |event_types: Value| {
        let world = &world;
        let body = json!({"callback_url": world.receiver.url("/hook"), "event_types": event_types});
        async move { world.api.call(Method::POST, "/api/v1/webhooks", Some(&world.token), Some(body)).await }
    };
    for (event_types, field) in [
        (json!(["payment.*", "refund.*"]), "event_types[1]"),
        (json!(["payment.failed"]), "event_types[0]"),
        (json!(["payment"]), "event_types[0]"),
        (json!(["endpoint.enabled"]), "event_types[0]"),
    ] {
        let answer = register(event_types.clone()).await;
        assert_eq!(refusal(&answer), (400, "unknown_event_type", field), "{event_types}: {}", answer.1);
    }
    for event_types in
        [json!(["payment.*"]), json!(["payment.succeeded", "endpoint.*"]), json!(["*"]), json!([])]
    {
        let answer = register(event_types.clone()).await;
        assert_eq!(answer.0, 201, "{event_types}: {}", answer.1);
    }

    // PATCH: a pattern added must select a type; one the webhook already had is kept.
    let token = world.token.clone();
    let answer =
        world.api.call(Method::PATCH, &early_path, Some(&token), Some(json!({"description": "kept"}))).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let patch = json!({"event_types": ["refund.*", "order.*"]});
    let answer = world.api.call(Method::PATCH, &early_path, Some(&token), Some(patch)).await;
    assert_eq!(refusal(&answer), (400, "unknown_event_type", "event_types[1]"), "{}", answer.1);

    // The catalogue emptied: anything goes again.
    let path = format!("{TYPES}/payment.succeeded");
    assert_eq!(world.api.call(Method::DELETE, &path, Some(&world.api.admin_token), None).await.0, 204);
    assert_eq!(register(json!(["refund.*"])).await.0, 201);
}

#[tokio::test]
async fn a_test_send_is_signed_as_a_delivery_and_answers_with_the_attempt() {
    let world = World::start().await;
    let example = json!({"amount": 1500, "currency": "EUR"});
    let body =
        json!({"name": "payment.succeeded", "schema": payment_schema(), "examples": [example.clone()]});
    assert_eq!(create_type(&world, body).await.0, 201);
    assert_eq!(create_type(&world, json!({"name": "payment.failed"})).await.0, 201);
    let webhook = world.webhook("/hook", json!({"event_types": ["payment.*"]})).await;
    let secret = webhook["signing_secret"].as_str().unwrap().to_owned();
    let test = |id: &Value, body: Option<Value>| {
        let world = &world;
        let path = format!("/api/v1/webhooks/{}/test", id.as_str().unwrap());
        async move { world.api.call(Method::POST, &path, Some(&world.token), body).await }
    };

    // The type's first example, to a live receiver, verified by the reference library.
    let (status, attempt) =
        test(&webhook["webhook_id"], Some(json!({"event_type": "payment.succeeded"}))).await;
    assert_eq!(status, 200, "{attempt}");
    assert_eq!(
        (attempt["delivered"].clone(), attempt["status_code"].clone()),
        (json!(true), json!(200)),
        "{attempt}"
    );
    assert_eq!(
        (attempt["error"].clone(), attempt["response_body"].clone()),
        (Value::Null, json!("")),
        "{attempt}"
    );
    assert!(attempt["latency_ms"].is_u64(), "{attempt}");
    let event_id = attempt["event_id"].as_str().unwrap();
    assert!(event_id.starts_with("msg_"), "{attempt}");
    let delivery = world.receiver.wait_for("/hook", 1).await.remove(0);
    assert!(standard_webhooks(&secret, &delivery), "the reference library refused the test's signature");
    assert_eq!(delivery.header("webhook-id"), event_id);
    let delivered = delivery.json();
    assert_eq!(
        (delivered["event_type"].clone(), delivered["data"].clone()),
        (json!("payment.succeeded"), example)
    );
    assert_eq!(delivered["event_id"], event_id);

    // Data given is sent as given (and checked against the schema); without an example, data is needed.
    let (status, attempt) =
        test(&webhook["webhook_id"], Some(json!({"event_type": "payment.succeeded", "data": {"amount": 7}})))
            .await;
    assert_eq!((status, attempt["delivered"].clone()), (200, json!(true)), "{attempt}");
    assert_eq!(world.receiver.wait_for("/hook", 2).await[1].json()["data"], json!({"amount": 7}));
    let refused = [
        (None, "required", "event_type"),
        (Some(json!({})), "required", "event_type"),
        (Some(json!({"event_type": "payment.failed"})), "required", "data"),
        (Some(json!({"event_type": "refund.created"})), "unknown_event_type", "event_type"),
        (
            Some(json!({"event_type": "payment.succeeded", "data": {"amount": "7"}})),
            "schema_mismatch",
            "data",
        ),
        (Some(json!({"event_type": "payment.succeeded", "data": [1]})), "invalid", "data"),
        (Some(json!({"event_type": "payment..succeeded", "data": {}})), "invalid", "event_type"),
    ];
    for (body, code, field) in refused {
        let answer = test(&webhook["webhook_id"], body.clone()).await;
        assert_eq!(refusal(&answer), (400, code, field), "{body:?}: {}", answer.1);
    }
    let (status, attempt) =
        test(&webhook["webhook_id"], Some(json!({"event_type": "refund.created", "data": {"id": 1}}))).await;
    assert_eq!((status, attempt["delivered"].clone()), (200, json!(true)), "any type, with data: {attempt}");

    // An endpoint answering 500: not delivered, and said why.
    world.receiver.script("/failing", vec![Reply::Status(500)]);
    let failing = world.webhook("/failing", json!({})).await;
    let (status, attempt) =
        test(&failing["webhook_id"], Some(json!({"event_type": "payment.succeeded"}))).await;
    assert_eq!(status, 200, "{attempt}");
    assert_eq!(
        (attempt["delivered"].clone(), attempt["status_code"].clone()),
        (json!(false), json!(500)),
        "{attempt}"
    );
    assert!(attempt["error"].as_str().unwrap().contains("500"), "{attempt}");
    assert_eq!(world.receiver.received("/failing").len(), 1, "sent once, not retried");

    // No answer at all: no status.
    let closed = format!("http://127.0.0.1:{}/hook", support::free_port());
    let gone = world.api.create_webhook(&world.token, json!({"callback_url": closed})).await;
    let (status, attempt) = test(&gone["webhook_id"], Some(json!({"event_type": "payment.succeeded"}))).await;
    assert_eq!(status, 200, "{attempt}");
    assert_eq!(
        (attempt["delivered"].clone(), attempt["status_code"].clone()),
        (json!(false), Value::Null),
        "{attempt}"
    );
    assert!(attempt["error"].as_str().unwrap().contains("connect"), "{attempt}");

    // An Ed25519 webhook's test carries a v1a signature its public key verifies.
    let signed = world.webhook("/ed", json!({"signature": "ed25519"})).await;
    let (status, _) = test(&signed["webhook_id"], Some(json!({"event_type": "payment.succeeded"}))).await;
    assert_eq!(status, 200);
    let delivery = world.receiver.wait_for("/ed", 1).await.remove(0);
    assert!(
        ed25519(signed["public_key"].as_str().unwrap(), &delivery),
        "cryptography refused the v1a signature"
    );

    // Only the owner may test a webhook; a test is not a delivery: nothing is recorded.
    let (_, other_token) = world.api.create_client("other").await;
    let path = format!("/api/v1/webhooks/{}/test", webhook["webhook_id"].as_str().unwrap());
    let answer = world
        .api
        .call(Method::POST, &path, Some(&other_token), Some(json!({"event_type": "payment.succeeded"})))
        .await;
    assert_eq!(refusal(&answer).0, 404, "{}", answer.1);
    let answer = world.api.call(Method::POST, &path, Some(&world.api.admin_token), None).await;
    assert_eq!(refusal(&answer).0, 403, "{}", answer.1);
    assert!(
        world.api.attempts_of_webhook(&world.token, webhook["webhook_id"].as_str().unwrap()).await.is_empty()
    );
}
