//! The history writer against a real nats-server and the machine's PostgreSQL.
//!
//! Why: the writer's promise is that nothing is acknowledged before the records it carries are
//! committed, and that a batch delivered again adds no row. Here the store is made to fail (its
//! table renamed away) while records wait: nothing is stored and nothing acknowledged; once the
//! table is back every record is stored once and acknowledged; the same records delivered again
//! change nothing. A message that is not a record is terminated, not retried; a record older
//! than the retention is acknowledged without being stored. Then the API of an
//! `edgehook up` (its embedded SQLite store) lists history through the writer, with filters, and
//! a webhook's stats.

use edgehook_testkit as support;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_history::store::Backend;
use edgehook_history::{AttemptQuery, HistoryStore, Scope};
use edgehook_nats::{attempt_log, history_feed, subjects};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;
use support::{NatsServer, Reply, World};
use time::OffsetDateTime;

const POSTGRES_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[tokio::test]
async fn the_writer_acks_only_what_is_committed_and_stores_each_record_once() {
    let (_hub, js) = hub_with_history_streams().await;
    let database = TestDatabase::create().await;
    let store = Arc::new(HistoryStore::open(&database.url).await.unwrap());
    let Backend::Postgres(pool) = store.backend() else { unreachable!() };
    sqlx::query("ALTER TABLE attempts RENAME TO attempts_away").execute(pool).await.unwrap();

    let (client, webhook) = (ClientId::generate(), WebhookId::generate());
    let records: Vec<AttemptRecord> = (1..=3).map(|n| record(&client, &webhook, n)).collect();
    let subject = subjects::attempt("local", &client, &webhook);
    let publish = |subject: String, payload: Vec<u8>| {
        let js = js.clone();
        async move { js.publish(subject, payload.into()).await.unwrap().await.unwrap() }
    };
    // A batch of two, one record as relays wrote them before batches, and something else.
    publish(subject.clone(), attempt_log::encode(&records[..2])).await;
    publish(format!("{subject}.evt_3"), serde_json::to_vec(&records[2]).unwrap()).await;
    publish(subject.clone(), b"not a record".to_vec()).await;

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let writer =
        tokio::spawn(edgehook_history::writer::run(js.clone(), store.clone(), Default::default(), async {
            let _ = stopped.await;
        }));

    // While the store fails, the two messages of records stay unacknowledged.
    let consumer = support::eventually("the writer's consumer", || async {
        js.get_stream("ATTEMPTS").await.ok()?.get_consumer(history_feed::HISTORY_WRITER_CONSUMER).await.ok()
    })
    .await;
    support::eventually("the store's failure seen", || async {
        let info = consumer.get_info().await.ok()?;
        (info.num_redelivered >= 2 || info.delivered.stream_sequence >= 3).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let info = consumer.get_info().await.unwrap();
    assert_eq!(info.ack_floor.stream_sequence, 0, "acknowledged before the store committed: {info:?}");
    assert_eq!(info.num_ack_pending + info.num_pending as usize, 2, "{info:?}");

    sqlx::query("ALTER TABLE attempts_away RENAME TO attempts").execute(pool).await.unwrap();
    let query = AttemptQuery::new(client.clone(), Scope::Webhook(webhook.clone()), 50);
    let stored = support::eventually("every record stored", || async {
        let page = store.attempts(&query).await.unwrap();
        (page.records.len() == 3).then_some(page.records)
    })
    .await;
    assert_eq!(stored, records);
    all_acknowledged(&consumer, 3).await;

    // The same records again (what a batch delivered again is to the store): no new row.
    publish(subject.clone(), attempt_log::encode(&records)).await;
    all_acknowledged(&consumer, 4).await;
    assert_eq!(store.attempts(&query).await.unwrap().records, records);

    // A record older than the retention (30 days) is acknowledged, not stored.
    let mut old = record(&client, &webhook, 4);
    old.attempted_at -= time::Duration::days(40);
    publish(subject.clone(), attempt_log::encode(std::slice::from_ref(&old))).await;
    all_acknowledged(&consumer, 5).await;
    assert_eq!(store.attempts(&query).await.unwrap().records, records);

    stop.send(()).unwrap();
    writer.await.unwrap().unwrap();
    drop(store);
    database.drop().await;
}

#[tokio::test]
async fn the_api_reads_history_from_the_store_with_filters() {
    let world = World::start().await;
    assert!(world.up.data_dir().join("history.db").exists(), "up's embedded store");
    world.receiver.script("/flaky", vec![Reply::Status(503), Reply::Status(200)]);
    let flaky = world.webhook("/flaky", json!({})).await;
    let steady = world.webhook("/steady", json!({})).await;
    let (flaky, steady) = (flaky["webhook_id"].as_str().unwrap(), steady["webhook_id"].as_str().unwrap());

    world.send("evt_pay", "payment.succeeded", json!({})).await;
    world.receiver.wait_for("/flaky", 2).await;
    world.send("evt_order", "order.created", json!({})).await;
    world.receiver.wait_for("/flaky", 3).await;
    world.receiver.wait_for("/steady", 2).await;

    let list = |path: String| {
        let world = &world;
        async move {
            let (status, body) = world.api.call(Method::GET, &path, Some(&world.token), None).await;
            assert_eq!(status, 200, "{path}: {body}");
            body["data"].as_array().unwrap().clone()
        }
    };
    let all = support::eventually("three attempts of the flaky webhook", || async {
        let all = list(format!("/api/v1/webhooks/{flaky}/deliveries")).await;
        (all.len() == 3).then_some(all)
    })
    .await;
    let outcomes: Vec<&str> = all.iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["retrying", "succeeded", "succeeded"]);
    assert_eq!(all[0]["status_code"], 503);
    assert!(all[0]["next_attempt_at"].is_string());

    let ids = |records: Vec<Value>| -> Vec<String> {
        records.iter().map(|r| format!("{}/{}", r["event_id"].as_str().unwrap(), r["attempt"])).collect()
    };
    let retrying = list(format!("/api/v1/webhooks/{flaky}/deliveries?status=retrying")).await;
    assert_eq!(ids(retrying), ["evt_pay/1"]);
    let orders = list(format!("/api/v1/webhooks/{flaky}/deliveries?event_type=order.created")).await;
    assert_eq!(ids(orders), ["evt_order/1"]);
    let later = all[1]["attempted_at"].as_str().unwrap();
    let since = list(format!("/api/v1/webhooks/{flaky}/deliveries?since={later}")).await;
    assert_eq!(ids(since), ["evt_pay/2", "evt_order/1"]);
    let until = list(format!("/api/v1/webhooks/{flaky}/deliveries?until={later}")).await;
    assert_eq!(ids(until), ["evt_pay/1"]);
    // Paged one at a time, with the store's cursor.
    let (_, first) = world
        .api
        .call(Method::GET, &format!("/api/v1/webhooks/{flaky}/deliveries?limit=1"), Some(&world.token), None)
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = list(format!("/api/v1/webhooks/{flaky}/deliveries?limit=1&after={cursor}")).await;
    assert_eq!(ids(second), ["evt_pay/2"]);

    let event = support::eventually("both webhooks' attempts of evt_order", || async {
        let records = list("/api/v1/events/evt_order/deliveries".into()).await;
        (records.len() == 2).then_some(records)
    })
    .await;
    let mut webhooks: Vec<&str> = event.iter().map(|r| r["webhook_id"].as_str().unwrap()).collect();
    webhooks.sort();
    let mut expected = vec![flaky, steady];
    expected.sort();
    assert_eq!(webhooks, expected);

    let (status, stats) = world
        .api
        .call(Method::GET, &format!("/api/v1/webhooks/{flaky}/stats"), Some(&world.token), None)
        .await;
    assert_eq!(status, 200, "{stats}");
    for window in ["last_hour", "last_day"] {
        let window = &stats[window];
        assert_eq!(
            (window["attempts"].as_u64(), window["succeeded"].as_u64()),
            (Some(3), Some(2)),
            "{stats}"
        );
        assert_eq!((window["retrying"].as_u64(), window["failed"].as_u64()), (Some(1), Some(0)), "{stats}");
        assert!((window["success_ratio"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "{stats}");
        assert!(window["latency_ms"]["p99"].is_u64(), "{stats}");
    }

    // The writer's metrics, on up's /metrics (one process).
    let metrics =
        reqwest::get(format!("{}/metrics", world.api.control_plane)).await.unwrap().text().await.unwrap();
    for name in [
        "edgehook_history_records_written_total",
        "edgehook_history_pending_messages",
        "edgehook_history_oldest_pending_age_seconds",
    ] {
        assert!(metrics.contains(name), "{name} not exported:\n{metrics}");
    }

    for bad in ["status=late", "since=yesterday", "after=12"] {
        let path = format!("/api/v1/webhooks/{flaky}/deliveries?{bad}");
        let (status, body) = world.api.call(Method::GET, &path, Some(&world.token), None).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
}

/// A writer process killed (SIGKILL) while it works through a backlog, then started again:
/// every record is stored exactly once.
#[tokio::test]
async fn a_writer_killed_mid_backlog_loses_and_duplicates_nothing() {
    let (hub, js) = hub_with_history_streams().await;
    let client = ClientId::generate();
    let webhooks: Vec<WebhookId> = (0..20).map(|_| WebhookId::generate()).collect();
    const MESSAGES: usize = 2_000;
    const PER_MESSAGE: usize = 10;
    let mut acks = Vec::new();
    for n in 0..MESSAGES {
        let webhook = &webhooks[n % webhooks.len()];
        let batch: Vec<AttemptRecord> =
            (0..PER_MESSAGE).map(|i| record(&client, webhook, (n * PER_MESSAGE + i) as u32)).collect();
        let subject = subjects::attempt("local", &client, webhook);
        acks.push(js.publish(subject, attempt_log::encode(&batch).into()).await.unwrap());
    }
    for ack in acks {
        ack.await.unwrap();
    }
    let database = TestDatabase::create().await;
    let store = HistoryStore::open(&database.url).await.unwrap();
    let Backend::Postgres(pool) = store.backend() else { unreachable!() };
    let rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM attempts").fetch_one(pool).await.unwrap()
    };
    let logs = tempfile::tempdir().unwrap();
    let args = |admin: &str| {
        ["history", "--nats-url", &hub.url, "--history-url", &database.url, "--admin-addr", admin]
            .map(str::to_owned)
    };
    let start = |admin: String| {
        let args = args(&admin);
        support::Service::start(logs.path(), "history", &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let first = start(format!("127.0.0.1:{}", support::free_port()));
    let partial = support::eventually("some records stored", || async {
        let stored = rows().await;
        (stored > 0).then_some(stored)
    })
    .await;
    first.kill();
    let total = (MESSAGES * PER_MESSAGE) as i64;
    eprintln!("killed with {partial} of {total} records stored");
    let _second = start(format!("127.0.0.1:{}", support::free_port()));
    // What the killed writer held comes back after the consumer's ack wait.
    let patience = history_feed::ACK_WAIT + Duration::from_secs(60);
    let done = support::poll_until(patience, || async { (rows().await == total).then_some(()) }).await;
    if done.is_err() {
        let consumer = js
            .get_stream("ATTEMPTS")
            .await
            .unwrap()
            .consumer_info(history_feed::HISTORY_WRITER_CONSUMER)
            .await;
        let log = std::fs::read_to_string(logs.path().join("history.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        panic!("{} of {total} stored; consumer {consumer:?}; log tail: {tail:#?}", rows().await);
    }
    let distinct: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT (message_id, webhook_id, attempt)) FROM attempts")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(distinct, total);
    drop(store);
    database.drop().await;
}

/// `edgehook history` alone: ready once NATS, its consumer and the store answer; not ready,
/// saying why, once the store is gone.
#[tokio::test]
async fn the_history_service_is_ready_only_while_its_store_answers() {
    support::install_crypto_provider();
    let (hub, _js) = hub_with_history_streams().await;
    let database = TestDatabase::create().await;
    let logs = tempfile::tempdir().unwrap();
    let admin = format!("127.0.0.1:{}", support::free_port());
    let _writer = support::Service::start(
        logs.path(),
        "history",
        &["history", "--nats-url", &hub.url, "--history-url", &database.url, "--admin-addr", &admin],
    );
    let readyz = |admin: String| async move {
        let response = reqwest::get(format!("http://{admin}/readyz")).await.ok()?;
        Some((response.status().as_u16(), response.text().await.ok()?))
    };
    support::eventually("the writer ready", || async {
        readyz(admin.clone()).await.filter(|(status, _)| *status == 200)
    })
    .await;
    database.drop().await;
    let (_, why) = support::eventually("the writer not ready without its store", || async {
        readyz(admin.clone()).await.filter(|(status, _)| *status == 503)
    })
    .await;
    assert!(why.contains("history store"), "{why}");
}

/// `edgehook history` whose PostgreSQL cannot be reached at all (nothing listens at its address)
/// is not ready, and says it is the store, while it keeps trying.
#[tokio::test]
async fn the_history_service_is_not_ready_while_its_database_is_unreachable() {
    support::install_crypto_provider();
    let hub = NatsServer::hub().await;
    let unreachable = format!("postgres://edgehook@127.0.0.1:{}/edgehook", support::free_port());
    let logs = tempfile::tempdir().unwrap();
    let admin = format!("127.0.0.1:{}", support::free_port());
    let _writer = support::Service::start(
        logs.path(),
        "history",
        &["history", "--nats-url", &hub.url, "--history-url", &unreachable, "--admin-addr", &admin],
    );
    let (status, why) = support::eventually("the writer saying why it is not ready", || async {
        let response = reqwest::get(format!("http://{admin}/readyz")).await.ok()?;
        let answer = (response.status().as_u16(), response.text().await.ok()?);
        answer.1.contains("history store").then_some(answer)
    })
    .await;
    assert_eq!(status, 503, "{why}");
}

/// A hub with the two streams the history writer reads (ATTEMPTS, EVENTS), as the control
/// plane would declare them, and a connection to it.
async fn hub_with_history_streams() -> (NatsServer, jetstream::Context) {
    let hub = NatsServer::hub().await;
    let js = jetstream::new(support::connect_service(&hub.url).await);
    for (name, subject) in [("ATTEMPTS", "rgn.local.attempts.>"), ("EVENTS", "events.>")] {
        let config =
            stream::Config { name: name.into(), subjects: vec![subject.into()], ..Default::default() };
        js.create_stream(config).await.unwrap();
    }
    (hub, js)
}

async fn all_acknowledged(consumer: &async_nats::jetstream::consumer::PullConsumer, last: u64) {
    support::eventually("every message acknowledged", || async {
        let info = consumer.get_info().await.ok()?;
        (info.ack_floor.stream_sequence == last && info.num_ack_pending == 0 && info.num_pending == 0)
            .then_some(())
    })
    .await;
}

fn record(client: &ClientId, webhook: &WebhookId, n: u32) -> AttemptRecord {
    // Whole seconds (both stores keep microseconds), and recent: retention (30 days) would
    // drop an older day's partition under the writer.
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let at = OffsetDateTime::from_unix_timestamp(now + i64::from(n)).unwrap();
    AttemptRecord {
        message_id: MessageId::generate(),
        event_id: format!("evt_{n}"),
        event_type: "payment.succeeded".into(),
        webhook_id: webhook.clone(),
        client_id: client.clone(),
        attempt: 1,
        attempted_at: at,
        status_code: Some(200),
        latency_ms: 7,
        error: None,
        outcome: AttemptOutcome::Succeeded,
        next_attempt_at: None,
        region: "local".into(),
    }
}

/// A database of this test's own on the machine's PostgreSQL (127.0.0.1:5432, trust auth).
struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create() -> Self {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let name = format!("edgehook_writer_test_{}_{nanos}", std::process::id());
        let mut admin =
            sqlx::PgConnection::connect(POSTGRES_ADMIN).await.expect("PostgreSQL on 127.0.0.1:5432");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        Self { url: format!("postgres://postgres@127.0.0.1:5432/{name}"), name }
    }

    async fn drop(self) {
        let mut admin = sqlx::PgConnection::connect(POSTGRES_ADMIN).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).execute(&mut admin).await.unwrap();
    }
}

/// Expunge, on the embedded store: see [`expunge_story`].
#[tokio::test]
async fn an_expunged_event_is_erased_everywhere_and_its_attempts_stay_sqlite() {
    expunge_story(&World::start().await).await;
}

/// Expunge, on PostgreSQL: see [`expunge_story`].
#[tokio::test]
async fn an_expunged_event_is_erased_everywhere_and_its_attempts_stay_postgres() {
    let database = TestDatabase::create().await;
    expunge_story(&World::start_with(&["--history-url", &database.url]).await).await;
    database.drop().await;
}

/// An event delivered to one webhook, dead-lettered by another and parked for a retry by a
/// third is listed with that summary and read back whole; `DELETE /api/v1/events/{id}` erases
/// its payload from every stream (none of JetStream's files holds it any more) and from the
/// store, its attempts stay (marked expunged), and a resend or redrive of it is refused (409)
/// while another event is resent. An id nothing knows is a 404.
async fn expunge_story(world: &World) {
    const SECRET: &str = "4111-secret-card-number";
    world.receiver.script("/dead", vec![Reply::Status(400); 3]);
    world.receiver.script("/later", vec![Reply::Status(503); 3]);
    let ok = world.webhook("/ok", json!({})).await;
    // Two webhooks only for the secret event: one refuses it (dead letter), one fails and
    // retries it a minute later (a parked copy).
    let dead = world.webhook("/dead", json!({"trigger_conditions": {"filters": {"route": "secret"}}})).await;
    let retry_later = json!({"max_retries": 3, "initial_delay_ms": 60000, "max_delay_ms": 60000, "backoff_multiplier": 1.0});
    let later = world
        .webhook(
            "/later",
            json!({"trigger_conditions": {"filters": {"route": "secret"}}, "retry_config": retry_later}),
        )
        .await;
    let [ok, dead, later] = [&ok, &dead, &later].map(|w| w["webhook_id"].as_str().unwrap().to_owned());
    world.send("evt_secret", "payment.succeeded", json!({"card": SECRET, "route": "secret"})).await;
    world.send("evt_keep", "payment.succeeded", json!({"card": "kept"})).await;
    world.receiver.wait_for("/ok", 2).await;
    world.receiver.wait_for("/dead", 1).await;
    world.receiver.wait_for("/later", 1).await;

    let call = |method: Method, path: String, body: Option<Value>| async move {
        world.api.call(method, &path, Some(&world.token), body).await
    };
    let listed = support::eventually("both events listed with one outcome per webhook", || async {
        let (status, body) =
            call(Method::GET, "/api/v1/events?event_type=payment.succeeded".into(), None).await;
        assert_eq!(status, 200, "{body}");
        let events = body["data"].as_array().unwrap().clone();
        let secret = events.iter().find(|e| e["event_id"] == "evt_secret")?.clone();
        (events.len() == 2 && secret["summary"] == json!({"delivered": 1, "retrying": 1, "failed": 1}))
            .then_some(secret)
    })
    .await;
    let status_of = |webhook: &str| {
        listed["webhooks"].as_array().unwrap().iter().find(|w| w["webhook_id"] == webhook).unwrap()["status"]
            .clone()
    };
    assert_eq!(
        (status_of(&ok), status_of(&dead), status_of(&later)),
        (json!("delivered"), json!("failed"), json!("retrying"))
    );
    assert_eq!(listed["expunged"], false);
    let (status, event) = call(Method::GET, "/api/v1/events/evt_secret".into(), None).await;
    assert_eq!((status, &event["data"]), (200, &json!({"card": SECRET, "route": "secret"})), "{event}");
    let dead_letters = format!("/api/v1/webhooks/{dead}/dead-letters");
    let (_, letters) = call(Method::GET, dead_letters.clone(), None).await;
    assert_eq!(letters["data"].as_array().unwrap().len(), 1, "{letters}");

    let (status, expunged) = call(Method::DELETE, "/api/v1/events/evt_secret".into(), None).await;
    assert_eq!(status, 200, "{expunged}");
    assert_eq!(expunged["incomplete"], json!([]), "{expunged}");
    let erased = &expunged["erased"];
    assert_eq!(erased["events"], 1, "{expunged}");
    assert_eq!(erased["dead_letters"], 1, "{expunged}");
    assert!(erased["tasks"].as_u64().unwrap() >= 3, "the routed task of each webhook: {expunged}");
    assert!(erased["parked"].as_u64().unwrap() >= 1, "the parked retry: {expunged}");

    // JetStream's files no longer hold the payload (a message delete overwrites it).
    let nats_files = support::files_holding(&world.up.data_dir(), SECRET.as_bytes(), "history.db");
    assert!(nats_files.is_empty(), "the payload is still in {nats_files:?}");
    let (status, event) = call(Method::GET, "/api/v1/events/evt_secret".into(), None).await;
    assert_eq!((status, &event["data"], &event["expunged"]), (200, &Value::Null, &json!(true)), "{event}");
    let (_, kept) = call(Method::GET, "/api/v1/events/evt_keep".into(), None).await;
    assert_eq!(kept["data"], json!({"card": "kept"}), "another event is untouched: {kept}");
    let (_, attempts) = call(Method::GET, "/api/v1/events/evt_secret/deliveries".into(), None).await;
    let attempts = attempts["data"].as_array().unwrap();
    assert!(attempts.len() >= 3 && attempts.iter().all(|a| a["expunged"] == true), "{attempts:?}");
    let (_, letters) = call(Method::GET, dead_letters, None).await;
    assert_eq!(letters["data"], json!([]), "{letters}");

    for (path, body) in [
        (format!("/api/v1/webhooks/{ok}/replay"), json!({"event_id": "evt_secret"})),
        (format!("/api/v1/webhooks/{dead}/dead-letters/redrive"), json!({"event_id": "evt_secret"})),
    ] {
        let (status, refused) = call(Method::POST, path.clone(), Some(body)).await;
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (409, Some("event_expunged")),
            "{path}: {refused}"
        );
    }
    let (status, resent) =
        call(Method::POST, format!("/api/v1/webhooks/{ok}/replay"), Some(json!({"event_id": "evt_keep"})))
            .await;
    assert_eq!(status, 200, "{resent}");
    let requests = world.receiver.wait_for("/ok", 3).await;
    assert!(String::from_utf8_lossy(&requests[2].body).contains("evt_keep"));
    let (status, body) = call(Method::DELETE, "/api/v1/events/evt_never_sent".into(), None).await;
    assert_eq!(status, 404, "{body}");
}
