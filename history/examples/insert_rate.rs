//! The PostgreSQL write rate of [`HistoryStore::insert`] alone (no JetStream, no writer): the
//! number BENCHMARKS.md's "History store" section compares the insert strategies with.
//!
//! Why an example and not a test: it measures, it asserts nothing, and it takes minutes.
//! `cargo run --release -p edgehook-history --example insert_rate -- [records] [batch] [mode]`
//! (defaults 1,000,000 records, batches of 2,000; mode `store` = `HistoryStore::insert`, or
//! `unnest` = the single `INSERT … SELECT FROM UNNEST` statement it used before, for comparison).
//! It creates a database of its own on 127.0.0.1:5432 and drops it at the end. Records are spread
//! over 100 clients × 10 webhooks, ids are ULIDs (time-ordered, as edgehook makes them).

use std::time::Instant;

use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_history::HistoryStore;
use edgehook_history::store::{Backend, outcome_str};

const ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let records: usize = args.next().map_or(1_000_000, |raw| raw.parse().expect("records"));
    let batch: usize = args.next().map_or(2_000, |raw| raw.parse().expect("batch"));
    let mode = args.next().unwrap_or_else(|| "store".to_owned());
    let name = format!("edgehook_insert_rate_{}", std::process::id());
    let admin = sqlx::PgPool::connect(ADMIN).await.expect("connecting to PostgreSQL");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("creating the database");
    let store = HistoryStore::open(&format!("postgres://postgres@127.0.0.1:5432/{name}"))
        .await
        .expect("opening the store");
    store.prepare_days(edgehook_domain::now()).await.expect("partitions");
    let clients: Vec<ClientId> = (0..100).map(|_| ClientId::generate()).collect();
    let webhooks: Vec<WebhookId> = (0..1000).map(|_| WebhookId::generate()).collect();
    let started = Instant::now();
    let mut written = 0;
    let mut report = Instant::now();
    for start in (0..records).step_by(batch) {
        let now = edgehook_domain::now();
        let chunk: Vec<AttemptRecord> = (start..(start + batch).min(records))
            .map(|n| {
                let webhook = n * 7919 % webhooks.len();
                AttemptRecord {
                    message_id: MessageId::generate(),
                    event_id: format!("evt_{}", &MessageId::generate().as_str()[4..]),
                    event_type: "order.created".to_owned(),
                    webhook_id: webhooks[webhook].clone(),
                    client_id: clients[webhook / 10].clone(),
                    attempt: 1,
                    attempted_at: now,
                    status_code: Some(200),
                    latency_ms: 12,
                    error: None,
                    outcome: AttemptOutcome::Succeeded,
                    next_attempt_at: None,
                    region: "local".to_owned(),
                }
            })
            .collect();
        written += match mode.as_str() {
            "unnest" => unnest(&store, &chunk).await,
            _ => store.insert(&chunk).await.expect("insert"),
        };
        if report.elapsed().as_secs() >= 10 {
            report = Instant::now();
            eprintln!("{written} rows, {:.0}/s", written as f64 / started.elapsed().as_secs_f64());
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{mode}: {written} rows in {seconds:.1} s: {:.0} records/s (batches of {batch})",
        written as f64 / seconds
    );
    drop(store);
    sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await.expect("dropping");
}

/// The statement `HistoryStore::insert` ran before COPY.
async fn unnest(store: &HistoryStore, records: &[AttemptRecord]) -> u64 {
    let Backend::Postgres(pool) = store.backend() else { panic!("PostgreSQL only") };
    sqlx::query(
        "INSERT INTO attempts (attempted_at, message_id, webhook_id, attempt, client_id, event_id, \
         event_type, status_code, latency_ms, error, outcome, next_attempt_at, region) \
         SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::int4[], $5::text[], \
         $6::text[], $7::text[], $8::int4[], $9::int8[], $10::text[], $11::text[], \
         $12::timestamptz[], $13::text[]) ON CONFLICT DO NOTHING",
    )
    .bind(records.iter().map(|r| r.attempted_at).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.message_id.as_str()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.webhook_id.as_str()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.attempt as i32).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.client_id.as_str()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.event_id.as_str()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.event_type.as_str()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.status_code.map(i32::from)).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.latency_ms as i64).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.error.as_deref()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| outcome_str(r.outcome)).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.next_attempt_at).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.region.as_str()).collect::<Vec<_>>())
    .execute(pool)
    .await
    .expect("unnest insert")
    .rows_affected()
}
