//! The history store's contract, run against both backends: SQLite in a temporary file and the
//! machine's PostgreSQL (127.0.0.1:5432, trust auth, user postgres) in a database this test
//! creates and drops.
//!
//! Why both from one suite: `edgehook up` runs on SQLite and production on PostgreSQL; the
//! control plane must answer the same from either.

use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_history::{AttemptQuery, EventQuery, HistoryStore, Scope, StoredEvent, WindowStats};
use sqlx::Connection;
use time::OffsetDateTime;
use time::macros::datetime;

const POSTGRES_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[tokio::test]
async fn sqlite_keeps_lists_and_filters_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let url = HistoryStore::sqlite_url(&dir.path().join("history.db"));
    suite(&url).await;
    // Opening again runs no migration twice and keeps the rows.
    let store = HistoryStore::open(&url).await.unwrap();
    let world = World::new();
    assert_eq!(store.insert(&world.records).await.unwrap(), world.records.len() as u64);
}

#[tokio::test]
async fn postgres_keeps_lists_and_filters_attempts() {
    let database = TestDatabase::create().await;
    suite(&database.url).await;
    let store = HistoryStore::open(&database.url).await.unwrap();
    let partitions: Vec<String> = match store.backend() {
        edgehook_history::store::Backend::Postgres(pool) => sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'attempts' ORDER BY 1",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        _ => unreachable!(),
    };
    // The 29th was dropped by retention, then made again by a late record.
    assert_eq!(partitions, ["attempts_20261129", "attempts_20261130"]);
    drop(store);
    database.drop().await;
}

/// A batch large enough to be written in several transactions (PostgreSQL), part of it already
/// stored: only the new records are added, every one read back once.
async fn large_batch_partly_stored(url: &str) {
    let store = HistoryStore::open(url).await.unwrap();
    let (client, webhook) = (ClientId::generate(), WebhookId::generate());
    // Whole seconds: the stores keep microseconds.
    let at = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let records: Vec<AttemptRecord> = (0..5000)
        .map(|n| AttemptRecord {
            message_id: MessageId::generate(),
            event_id: format!("evt_{n}"),
            event_type: "order.created".to_owned(),
            webhook_id: webhook.clone(),
            client_id: client.clone(),
            attempt: 1,
            attempted_at: at + time::Duration::microseconds(n),
            status_code: Some(200),
            latency_ms: 5,
            error: None,
            outcome: AttemptOutcome::Succeeded,
            next_attempt_at: None,
            region: "local".to_owned(),
        })
        .collect();
    assert_eq!(store.insert(&records[..1200]).await.unwrap(), 1200);
    assert_eq!(store.insert(&records[3000..3100]).await.unwrap(), 100);
    assert_eq!(store.insert(&records).await.unwrap(), 3700);
    assert_eq!(store.insert(&records).await.unwrap(), 0);
    let page = store.attempts(&AttemptQuery::new(client, Scope::Webhook(webhook), 6000)).await.unwrap();
    assert!(page.records == records, "every record read back once, in order");
}

#[tokio::test]
async fn sqlite_stores_a_large_batch_partly_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    large_batch_partly_stored(&HistoryStore::sqlite_url(&dir.path().join("history.db"))).await;
}

#[tokio::test]
async fn postgres_stores_a_large_batch_partly_stored_once() {
    let database = TestDatabase::create().await;
    large_batch_partly_stored(&database.url).await;
    database.drop().await;
}

/// A client's own shorter retention: only its rows older than its cutoff go, in batches (more
/// than one here), whatever day partition they are in; another client's rows of the same days,
/// and the client's newer rows, stay.
async fn a_clients_retention_removes_only_its_old_rows(url: &str) {
    let store = HistoryStore::open(url).await.unwrap();
    let (short, other, webhook) = (ClientId::generate(), ClientId::generate(), WebhookId::generate());
    let attempt = |client: &ClientId, n: i64, at: OffsetDateTime| AttemptRecord {
        message_id: MessageId::generate(),
        event_id: format!("evt_{n}"),
        event_type: "order.created".to_owned(),
        webhook_id: webhook.clone(),
        client_id: client.clone(),
        attempt: 1,
        attempted_at: at,
        status_code: Some(200),
        latency_ms: 5,
        error: None,
        outcome: AttemptOutcome::Succeeded,
        next_attempt_at: None,
        region: "local".to_owned(),
    };
    let event = |client: &ClientId, n: i64, at: OffsetDateTime| StoredEvent {
        accepted_at: at,
        client_id: client.clone(),
        event_id: format!("evt_{n}"),
        message_id: MessageId::generate(),
        event_type: "order.created".to_owned(),
        body: Some("{}".to_owned()),
    };
    let old = datetime!(2026-11-29 00:00 UTC);
    let (before, after) = (datetime!(2026-11-30 06:00 UTC), datetime!(2026-11-30 18:00 UTC));
    let cutoff = datetime!(2026-11-30 12:00 UTC);
    let mut attempts = Vec::new();
    let mut events = Vec::new();
    // More than a batch of the short client's rows on the 29th, one more on the 30th before its
    // cutoff, one after it; the other client's the same days.
    let many = edgehook_history::store::EXPIRE_BATCH as i64 + 700;
    for n in 0..many {
        attempts.push(attempt(&short, n, old + time::Duration::seconds(n)));
    }
    for (n, at) in [(0, old), (1, before), (2, after)] {
        attempts.push(attempt(&other, n, at));
        events.push(event(&short, n, at));
        events.push(event(&other, n, at));
    }
    attempts.push(attempt(&short, many, before));
    attempts.push(attempt(&short, many + 1, after));
    store.insert(&attempts).await.unwrap();
    store.insert_events(&events).await.unwrap();

    assert_eq!(store.expire_client(&short, cutoff).await.unwrap(), many as u64 + 1);
    assert_eq!(store.expire_client_events(&short, cutoff).await.unwrap(), 2);
    assert_eq!(store.expire_client(&short, cutoff).await.unwrap(), 0, "nothing more to remove");

    let kept = |client: &ClientId| {
        let query = AttemptQuery::new(client.clone(), Scope::Webhook(webhook.clone()), 10_000);
        let store = &store;
        async move {
            let page = store.attempts(&query).await.unwrap();
            page.records.iter().map(|r| r.attempted_at).collect::<Vec<_>>()
        }
    };
    assert_eq!(kept(&short).await, [after]);
    assert_eq!(kept(&other).await, [old, before, after]);
    let events_of = |client: &ClientId| {
        let query = EventQuery {
            client_id: client.clone(),
            since: None,
            until: None,
            event_type: None,
            after: None,
            limit: 50,
        };
        let store = &store;
        async move {
            let page = store.events(&query).await.unwrap();
            page.events.iter().map(|e| e.accepted_at).collect::<Vec<_>>()
        }
    };
    assert_eq!(events_of(&short).await, [after]);
    assert_eq!(events_of(&other).await, [old, before, after]);
}

#[tokio::test]
async fn sqlite_applies_a_clients_shorter_retention() {
    let dir = tempfile::tempdir().unwrap();
    a_clients_retention_removes_only_its_old_rows(&HistoryStore::sqlite_url(&dir.path().join("history.db")))
        .await;
}

#[tokio::test]
async fn postgres_applies_a_clients_shorter_retention() {
    let database = TestDatabase::create().await;
    a_clients_retention_removes_only_its_old_rows(&database.url).await;
    database.drop().await;
}

struct World {
    client: ClientId,
    other_client: ClientId,
    webhook: WebhookId,
    second_webhook: WebhookId,
    records: Vec<AttemptRecord>,
}

impl World {
    fn new() -> Self {
        let (client, other_client) = (ClientId::generate(), ClientId::generate());
        let (webhook, second_webhook, foreign) =
            (WebhookId::generate(), WebhookId::generate(), WebhookId::generate());
        let (paid, refunded) = (MessageId::generate(), MessageId::generate());
        let record = |message: &MessageId,
                      event: &str,
                      kind: &str,
                      webhook: &WebhookId,
                      client: &ClientId,
                      attempt: u32,
                      at: OffsetDateTime,
                      outcome: AttemptOutcome| AttemptRecord {
            message_id: message.clone(),
            event_id: event.to_owned(),
            event_type: kind.to_owned(),
            webhook_id: webhook.clone(),
            client_id: client.clone(),
            attempt,
            attempted_at: at,
            status_code: if outcome == AttemptOutcome::Succeeded { Some(200) } else { Some(503) },
            latency_ms: 12,
            error: (outcome != AttemptOutcome::Succeeded).then(|| "HTTP 503".to_owned()),
            outcome,
            next_attempt_at: (outcome == AttemptOutcome::Retrying).then_some(at + time::Duration::seconds(5)),
            region: "local".to_owned(),
        };
        use AttemptOutcome::*;
        let mut records = vec![
            // Two days, so PostgreSQL has two partitions.
            record(
                &paid,
                "evt_paid",
                "payment.succeeded",
                &webhook,
                &client,
                1,
                datetime!(2026-11-29 23:59:59.123456 UTC),
                Retrying,
            ),
            record(
                &paid,
                "evt_paid",
                "payment.succeeded",
                &webhook,
                &client,
                2,
                datetime!(2026-11-30 00:00:04.5 UTC),
                Succeeded,
            ),
            record(
                &paid,
                "evt_paid",
                "payment.succeeded",
                &second_webhook,
                &client,
                1,
                datetime!(2026-11-30 00:00:01 UTC),
                Succeeded,
            ),
            record(
                &refunded,
                "evt_refund",
                "payment.refunded",
                &webhook,
                &client,
                1,
                datetime!(2026-11-30 08:00:00 UTC),
                Failed,
            ),
            // Another client's attempt of an event with the same id.
            record(
                &MessageId::generate(),
                "evt_paid",
                "payment.succeeded",
                &foreign,
                &other_client,
                1,
                datetime!(2026-11-30 00:00:02 UTC),
                Succeeded,
            ),
        ];
        for (record, latency) in records.iter_mut().zip([100, 20, 50, 300, 7]) {
            record.latency_ms = latency;
        }
        Self { client, other_client, webhook, second_webhook, records }
    }
}

async fn suite(url: &str) {
    let store = HistoryStore::open(url).await.unwrap();
    store.ping().await.unwrap();
    let world = World::new();
    let records = &world.records;

    assert_eq!(store.insert(records).await.unwrap(), 5);
    // A batch delivered again (JetStream redelivers after a crash) adds nothing.
    assert_eq!(store.insert(&records[1..4]).await.unwrap(), 0);
    assert_eq!(store.insert(records).await.unwrap(), 0);

    // One webhook's attempts, oldest first, in pages of 2.
    let mut query = AttemptQuery::new(world.client.clone(), Scope::Webhook(world.webhook.clone()), 2);
    let first = store.attempts(&query).await.unwrap();
    assert_eq!(first.records, [records[0].clone(), records[1].clone()]);
    query.after = first.next;
    let second = store.attempts(&query).await.unwrap();
    assert_eq!(second.records, [records[3].clone()]);
    assert_eq!(second.next, None);

    // One event: every webhook of its client, none of another client's.
    let event = AttemptQuery::new(world.client.clone(), Scope::Event("evt_paid".into()), 50);
    let page = store.attempts(&event).await.unwrap();
    assert_eq!(page.records, [records[0].clone(), records[2].clone(), records[1].clone()]);
    let other = AttemptQuery::new(world.other_client.clone(), Scope::Event("evt_paid".into()), 50);
    assert_eq!(store.attempts(&other).await.unwrap().records, [records[4].clone()]);
    // A webhook asked for under another client is empty.
    let foreign =
        AttemptQuery::new(world.other_client.clone(), Scope::Webhook(world.second_webhook.clone()), 50);
    assert!(store.attempts(&foreign).await.unwrap().records.is_empty());

    // Filters.
    let webhook = AttemptQuery::new(world.client.clone(), Scope::Webhook(world.webhook.clone()), 50);
    let only = |query: AttemptQuery| {
        let store = &store;
        async move { store.attempts(&query).await.unwrap().records }
    };
    let failed = AttemptQuery { status: Some(AttemptOutcome::Failed), ..webhook.clone() };
    assert_eq!(only(failed).await, [records[3].clone()]);
    let refunds = AttemptQuery { event_type: Some("payment.refunded".into()), ..webhook.clone() };
    assert_eq!(only(refunds).await, [records[3].clone()]);
    let window = AttemptQuery {
        since: Some(datetime!(2026-11-30 00:00:00 UTC)),
        until: Some(datetime!(2026-11-30 08:00:00 UTC)),
        ..webhook.clone()
    };
    assert_eq!(only(window).await, [records[1].clone()]);

    // Stats over a window: counts by outcome, nearest-rank latency percentiles.
    let stats = store.stats(&world.client, &world.webhook, datetime!(2026-11-29 00:00 UTC)).await.unwrap();
    assert_eq!((stats.attempts, stats.succeeded, stats.retrying, stats.failed), (3, 1, 1, 1));
    assert_eq!(stats.success_ratio, Some(1.0 / 3.0));
    let percentiles =
        |stats: &WindowStats| (stats.latency_ms.p50, stats.latency_ms.p95, stats.latency_ms.p99);
    assert_eq!(percentiles(&stats), (Some(100), Some(300), Some(300)));
    let stats = store.stats(&world.client, &world.webhook, datetime!(2026-11-30 00:00 UTC)).await.unwrap();
    assert_eq!((stats.attempts, percentiles(&stats)), (2, (Some(20), Some(300), Some(300))));
    let none = store.stats(&world.client, &world.webhook, datetime!(2027-01-01 00:00 UTC)).await.unwrap();
    assert_eq!(none, WindowStats::default());
    // Another client's view of the webhook is empty.
    let foreign =
        store.stats(&world.other_client, &world.webhook, datetime!(2026-11-29 00:00 UTC)).await.unwrap();
    assert_eq!(foreign.attempts, 0);

    // Retention: everything before 2026-11-30 goes (PostgreSQL: the whole day's partition).
    let expired = store.expire(datetime!(2026-11-30 00:00 UTC)).await.unwrap();
    assert_eq!(expired.partitions_dropped + expired.rows_deleted, 1, "{expired:?}");
    let everything = AttemptQuery::new(world.client.clone(), Scope::Webhook(world.webhook.clone()), 50);
    assert_eq!(store.attempts(&everything).await.unwrap().records, [records[1].clone(), records[3].clone()]);
    assert_eq!(store.expire(datetime!(2026-11-30 00:00 UTC)).await.unwrap(), Default::default());
    // A late record of an expired day is stored again (its partition made anew).
    assert_eq!(store.insert(&records[..1]).await.unwrap(), 1);
}

/// A database of this test's own on the machine's PostgreSQL.
struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create() -> Self {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let name = format!("edgehook_history_test_{}_{nanos}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(POSTGRES_ADMIN)
            .await
            .expect("PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres): see README");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        Self { name, url }
    }

    async fn drop(self) {
        let mut admin = sqlx::PgConnection::connect(POSTGRES_ADMIN).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).execute(&mut admin).await.unwrap();
    }
}
