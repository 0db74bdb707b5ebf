//! The history store: attempt records in a database built for a log that only grows.
//!
//! Why a database and not JetStream: every attempt is kept (30 days at SPEC's 1 billion events a
//! day) and queried by webhook and by event; JetStream keeps per-subject state in memory and has
//! no secondary index. PostgreSQL in production (`--history-url postgres://…`): a table
//! range-partitioned by day of `attempted_at`, so retention drops whole partitions and a query
//! with a time range reads only its days; SQLite embedded for `edgehook up` (a file in the data
//! dir, nothing to install). Both run their versioned migrations (`migrations/<backend>/`) when a
//! store is opened.
//!
//! Writes are batched and idempotent on (message, webhook, attempt): a batch JetStream redelivers
//! inserts nothing twice. PostgreSQL: a binary `COPY` straight into `attempts`, falling back to
//! `COPY` into a temporary table and `INSERT … ON CONFLICT DO NOTHING` when a record is already
//! there; a large batch is split over [`PG_TRANSACTIONS`] transactions in parallel, because one
//! backend's index upkeep, not parsing, is what bounds a transaction (~50k records/s on the
//! 2-core development machine; COPY alone is no faster than the `INSERT … SELECT FROM UNNEST` it
//! replaced; two in parallel ~85k/s, BENCHMARKS.md "History store"). Transactions of one batch
//! may commit while another fails: the batch is then retried whole, and what is stored is
//! skipped. SQLite: multi-row `VALUES` statements in one transaction. PostgreSQL's key also carries
//! `attempted_at` (a partitioned table's unique keys must hold the partition key); a redelivered
//! record is the same record, its time included. Reads page oldest first with a keyset cursor
//! (`attempted_at`, row id), never an offset. [`HistoryStore::stats`] counts a webhook's
//! attempts over a window by outcome, with nearest-rank latency percentiles (PostgreSQL's
//! `percentile_disc`; SQLite has none: one indexed-range query per percentile).
//! [`HistoryStore::expire`] is retention: whole day partitions dropped (PostgreSQL) or batched
//! deletes (SQLite), never a long lock on what the writer inserts into.
//! [`HistoryStore::expire_client`] is a client's own, shorter retention: its rows only, so
//! batched deletes on both (a partition holds every client's day), through the indexes that
//! start with `client_id`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord};
use edgehook_domain::ids::{ClientId, WebhookId};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, QueryBuilder, Row, Sqlite};
use time::{Date, OffsetDateTime};

/// Rows in one SQLite INSERT statement (13 values each: under its bind limit).
const ROWS_PER_STATEMENT: usize = 1000;
/// PostgreSQL: transactions one batch is written in, in parallel (each on its own connection).
const PG_TRANSACTIONS: usize = 2;
/// PostgreSQL: records below which a batch is not split (a transaction's fixed cost).
const PG_MIN_CHUNK: usize = 1000;
/// Days whose partition this process knows exists; past it the memory is cleared and rebuilt.
const KNOWN_DAYS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("history URL `{0}`: expected postgres://… or sqlite:…")]
    Url(String),
    #[error("connecting to the history store: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migrating the history store: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("writing attempt records: {0}")]
    Write(#[source] sqlx::Error),
    #[error("reading attempt records: {0}")]
    Read(#[source] sqlx::Error),
    #[error("a stored attempt record does not read back: {0}")]
    Corrupt(String),
}

/// Which database holds the history.
pub enum Backend {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

pub struct HistoryStore {
    backend: Backend,
    /// PostgreSQL: days whose partition exists (bounded by [`KNOWN_DAYS`]).
    partitions: Mutex<BTreeSet<(Table, Date)>>,
}

/// What a read selects: one webhook's attempts or one event's.
#[derive(Clone, Debug)]
pub enum Scope {
    Webhook(WebhookId),
    Event(String),
}

/// A read of the history: always one client's, then the scope and the filters.
#[derive(Clone, Debug)]
pub struct AttemptQuery {
    pub client_id: ClientId,
    pub scope: Scope,
    pub status: Option<AttemptOutcome>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    pub event_type: Option<String>,
    pub after: Option<HistoryCursor>,
    pub limit: usize,
}

impl AttemptQuery {
    pub fn new(client_id: ClientId, scope: Scope, limit: usize) -> Self {
        Self {
            client_id,
            scope,
            status: None,
            since: None,
            until: None,
            event_type: None,
            after: None,
            limit,
        }
    }
}

/// Where a page ends: the last row's time (µs since the epoch) and id. Shown as `<µs>-<id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryCursor {
    pub at_micros: i64,
    pub id: i64,
}

impl fmt::Display for HistoryCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.at_micros, self.id)
    }
}

impl FromStr for HistoryCursor {
    type Err = ();
    fn from_str(raw: &str) -> Result<Self, ()> {
        let (at, id) = raw.split_once('-').ok_or(())?;
        Ok(Self { at_micros: at.parse().map_err(|_| ())?, id: id.parse().map_err(|_| ())? })
    }
}

/// Rows SQLite's retention deletes in one transaction.
pub const EXPIRE_BATCH: usize = 5000;

/// What a retention pass removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// PostgreSQL: day partitions dropped.
    pub partitions_dropped: u64,
    /// SQLite: rows deleted.
    pub rows_deleted: u64,
}

/// One webhook's attempts over a window: counts by outcome and latency percentiles
/// (nearest rank; `None` without attempts).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct WindowStats {
    pub attempts: u64,
    pub succeeded: u64,
    pub retrying: u64,
    pub failed: u64,
    /// `succeeded / attempts`; `None` without attempts.
    #[schema(required = true, minimum = 0.0, maximum = 1.0)]
    pub success_ratio: Option<f64>,
    pub latency_ms: Percentiles,
}

/// Attempt latency percentiles in milliseconds (nearest rank); `null` without attempts.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Percentiles {
    #[schema(required = true)]
    pub p50: Option<u64>,
    #[schema(required = true)]
    pub p95: Option<u64>,
    #[schema(required = true)]
    pub p99: Option<u64>,
}

const PERCENTILES: [f64; 3] = [0.5, 0.95, 0.99];

#[derive(Debug)]
pub struct AttemptPage {
    pub records: Vec<AttemptRecord>,
    pub next: Option<HistoryCursor>,
}

impl HistoryStore {
    /// Opens the store at `url` (`postgres://…` or `sqlite:<path>`, created if missing) and runs
    /// its migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(StoreError::Connect)?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await.map_err(StoreError::Migrate)?;
            Backend::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::Url(url.to_owned()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await.map_err(StoreError::Migrate)?;
            Backend::Sqlite(pool)
        } else {
            return Err(StoreError::Url(url.to_owned()));
        };
        Ok(Self { backend, partitions: Mutex::new(BTreeSet::new()) })
    }

    /// The embedded store's URL for a file.
    pub fn sqlite_url(path: &std::path::Path) -> String {
        format!("sqlite://{}", path.display())
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// `SELECT 1`: what `/readyz` asks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Backend::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        }
        .map_err(StoreError::Read)
    }

    /// Stores `records` in one transaction; returns how many were new (a record already stored
    /// is skipped).
    pub async fn insert(&self, records: &[AttemptRecord]) -> Result<u64, StoreError> {
        if records.is_empty() {
            return Ok(0);
        }
        match &self.backend {
            Backend::Postgres(pool) => {
                let days: BTreeSet<Date> =
                    records.iter().map(|r| r.attempted_at.to_offset(time::UtcOffset::UTC).date()).collect();
                self.ensure_partitions(pool, Table::Attempts, &days).await?;
                // Index upkeep in one backend is what bounds one transaction (~45k rows/s here):
                // a large batch is split over a few connections, each its own transaction.
                let chunk = records.len().div_ceil(PG_TRANSACTIONS).max(PG_MIN_CHUNK);
                let inserted =
                    futures::future::try_join_all(records.chunks(chunk).map(|chunk| copy_in(pool, chunk)))
                        .await?;
                Ok(inserted.iter().sum())
            }
            Backend::Sqlite(pool) => {
                let mut transaction = pool.begin().await.map_err(StoreError::Write)?;
                let mut inserted = 0;
                for chunk in records.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = QueryBuilder::<Sqlite>::new(INSERT);
                    insert.push_values(chunk, |mut row, record| {
                        row.push_bind(micros(record.attempted_at))
                            .push_bind(record.message_id.as_str())
                            .push_bind(record.webhook_id.as_str())
                            .push_bind(record.attempt as i64)
                            .push_bind(record.client_id.as_str())
                            .push_bind(&record.event_id)
                            .push_bind(&record.event_type)
                            .push_bind(record.status_code.map(i64::from))
                            .push_bind(record.latency_ms as i64)
                            .push_bind(record.error.as_deref())
                            .push_bind(outcome_str(record.outcome))
                            .push_bind(record.next_attempt_at.map(micros))
                            .push_bind(&record.region);
                    });
                    insert.push(" ON CONFLICT DO NOTHING");
                    let done = insert.build().execute(&mut *transaction).await.map_err(StoreError::Write)?;
                    inserted += done.rows_affected();
                }
                transaction.commit().await.map_err(StoreError::Write)?;
                Ok(inserted)
            }
        }
    }

    /// PostgreSQL: creates the day partitions `days` need that this process has not seen yet.
    /// Under an advisory lock, so two writers creating the same day wait for each other.
    pub(crate) async fn ensure_partitions(
        &self,
        pool: &PgPool,
        table: Table,
        days: &BTreeSet<Date>,
    ) -> Result<(), StoreError> {
        let missing: Vec<(Table, Date)> = {
            let known = self.partitions.lock().expect("partitions lock");
            days.iter().map(|day| (table, *day)).filter(|key| !known.contains(key)).collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let mut transaction = pool.begin().await.map_err(StoreError::Write)?;
        sqlx::query("SELECT pg_advisory_xact_lock(7163150)")
            .execute(&mut *transaction)
            .await
            .map_err(StoreError::Write)?;
        for (table, day) in &missing {
            let next = day.next_day().expect("a day after");
            let statement = format!(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ('{day}') TO ('{next}')",
                table.partition(*day),
                table.name(),
            );
            sqlx::query(&statement).execute(&mut *transaction).await.map_err(StoreError::Write)?;
        }
        transaction.commit().await.map_err(StoreError::Write)?;
        let mut known = self.partitions.lock().expect("partitions lock");
        if known.len() + missing.len() > KNOWN_DAYS {
            known.clear();
        }
        known.extend(missing);
        Ok(())
    }

    /// Creates the partitions of today and tomorrow (UTC), so a day's first insert finds its
    /// partition (PostgreSQL; nothing for SQLite).
    pub async fn prepare_days(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        if let Backend::Postgres(pool) = &self.backend {
            let today = now.to_offset(time::UtcOffset::UTC).date();
            let days = BTreeSet::from([today, today.next_day().expect("a day after")]);
            for table in [Table::Attempts, Table::Events] {
                self.ensure_partitions(pool, table, &days).await?;
            }
        }
        Ok(())
    }

    /// Retention: removes attempts older than `cutoff`. PostgreSQL detaches (concurrently: writers
    /// are not blocked) and drops each day partition that ends at or before `cutoff`, so up to a
    /// day more than asked is kept; SQLite deletes in batches of [`EXPIRE_BATCH`] rows, each its
    /// own short transaction, so the writer's inserts go on in between.
    pub async fn expire(&self, cutoff: OffsetDateTime) -> Result<Expired, StoreError> {
        self.expire_table(Table::Attempts, cutoff).await
    }

    /// [`HistoryStore::expire`] of one table.
    pub(crate) async fn expire_table(
        &self,
        table: Table,
        cutoff: OffsetDateTime,
    ) -> Result<Expired, StoreError> {
        let mut expired = Expired::default();
        match &self.backend {
            Backend::Postgres(pool) => {
                for (name, day) in partitions(pool, table).await? {
                    let end = day.next_day().expect("a day after").midnight().assume_utc();
                    if end > cutoff {
                        continue;
                    }
                    let detach = format!("ALTER TABLE {} DETACH PARTITION {name} CONCURRENTLY", table.name());
                    sqlx::raw_sql(&detach).execute(pool).await.map_err(StoreError::Write)?;
                    sqlx::raw_sql(&format!("DROP TABLE {name}"))
                        .execute(pool)
                        .await
                        .map_err(StoreError::Write)?;
                    self.partitions.lock().expect("partitions lock").remove(&(table, day));
                    expired.partitions_dropped += 1;
                }
            }
            Backend::Sqlite(pool) => {
                let (name, time) = (table.name(), table.time_column());
                let delete = format!(
                    "DELETE FROM {name} WHERE rowid IN (SELECT rowid FROM {name} WHERE {time} < ? LIMIT ?)"
                );
                expired.rows_deleted = in_batches(|| async {
                    let done = sqlx::query(&delete)
                        .bind(micros(cutoff))
                        .bind(EXPIRE_BATCH as i64)
                        .execute(pool)
                        .await;
                    Ok(done?.rows_affected())
                })
                .await
                .map_err(StoreError::Write)?;
            }
        }
        Ok(expired)
    }

    /// A client's own retention, shorter than the deployment's: removes `client`'s attempts older
    /// than `cutoff`, [`EXPIRE_BATCH`] rows a transaction, so the writer's inserts go on in
    /// between (PostgreSQL cannot drop a partition for one client).
    pub async fn expire_client(&self, client: &ClientId, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        self.expire_client_rows(Table::Attempts, client, cutoff).await
    }

    /// [`HistoryStore::expire_client`] of one table. PostgreSQL deletes partition by partition
    /// (only the days that begin before `cutoff`) by `ctid`, which names a row only within one
    /// partition; each batch is found through an index that starts with `client_id`
    /// (`attempts_by_webhook`/`attempts_by_event`, `events_by_time`).
    pub(crate) async fn expire_client_rows(
        &self,
        table: Table,
        client: &ClientId,
        cutoff: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let (name, time) = (table.name(), table.time_column());
        let mut deleted = 0;
        match &self.backend {
            Backend::Postgres(pool) => {
                for (partition, day) in partitions(pool, table).await? {
                    if day.midnight().assume_utc() >= cutoff {
                        continue;
                    }
                    let delete = format!(
                        "DELETE FROM {partition} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {partition} \
                         WHERE client_id = $1 AND {time} < $2 LIMIT $3))"
                    );
                    deleted += in_batches(|| async {
                        let done = sqlx::query(&delete)
                            .bind(client.as_str())
                            .bind(cutoff)
                            .bind(EXPIRE_BATCH as i64)
                            .execute(pool)
                            .await;
                        match done {
                            Ok(done) => Ok(done.rows_affected()),
                            // Dropped meanwhile by another writer's retention: nothing left in it.
                            Err(error) if is_undefined_table(&error) => Ok(0),
                            Err(error) => Err(error),
                        }
                    })
                    .await
                    .map_err(StoreError::Write)?;
                }
            }
            Backend::Sqlite(pool) => {
                let delete = format!(
                    "DELETE FROM {name} WHERE rowid IN (SELECT rowid FROM {name} \
                     WHERE client_id = ? AND {time} < ? LIMIT ?)"
                );
                deleted = in_batches(|| async {
                    let done = sqlx::query(&delete)
                        .bind(client.as_str())
                        .bind(micros(cutoff))
                        .bind(EXPIRE_BATCH as i64)
                        .execute(pool)
                        .await;
                    Ok(done?.rows_affected())
                })
                .await
                .map_err(StoreError::Write)?;
            }
        }
        Ok(deleted)
    }

    /// `webhook`'s attempts (of `client`) at or after `since`.
    pub async fn stats(
        &self,
        client: &ClientId,
        webhook: &WebhookId,
        since: OffsetDateTime,
    ) -> Result<WindowStats, StoreError> {
        let (counts, percentiles): ((i64, i64, i64, i64), [Option<i64>; 3]) = match &self.backend {
            Backend::Postgres(pool) => {
                let row = sqlx::query(
                    "SELECT count(*) AS attempts, \
                     count(*) FILTER (WHERE outcome = 'succeeded') AS succeeded, \
                     count(*) FILTER (WHERE outcome = 'retrying') AS retrying, \
                     count(*) FILTER (WHERE outcome = 'failed') AS failed, \
                     percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, \
                     percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95, \
                     percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99 \
                     FROM attempts WHERE client_id = $1 AND webhook_id = $2 AND attempted_at >= $3",
                )
                .bind(client.as_str())
                .bind(webhook.as_str())
                .bind(since)
                .fetch_one(pool)
                .await
                .map_err(StoreError::Read)?;
                let get = |column: &str| row.try_get::<i64, _>(column).map_err(StoreError::Read);
                let percentile =
                    |column: &str| row.try_get::<Option<i64>, _>(column).map_err(StoreError::Read);
                (
                    (get("attempts")?, get("succeeded")?, get("retrying")?, get("failed")?),
                    [percentile("p50")?, percentile("p95")?, percentile("p99")?],
                )
            }
            Backend::Sqlite(pool) => {
                let row = sqlx::query(
                    "SELECT count(*) AS attempts, \
                     coalesce(sum(outcome = 'succeeded'), 0) AS succeeded, \
                     coalesce(sum(outcome = 'retrying'), 0) AS retrying, \
                     coalesce(sum(outcome = 'failed'), 0) AS failed \
                     FROM attempts WHERE client_id = ? AND webhook_id = ? AND attempted_at >= ?",
                )
                .bind(client.as_str())
                .bind(webhook.as_str())
                .bind(micros(since))
                .fetch_one(pool)
                .await
                .map_err(StoreError::Read)?;
                let get = |column: &str| row.try_get::<i64, _>(column).map_err(StoreError::Read);
                let counts = (get("attempts")?, get("succeeded")?, get("retrying")?, get("failed")?);
                // SQLite has no percentile function: the nearest rank's row, one query each.
                let mut percentiles = [None; 3];
                for (slot, p) in percentiles.iter_mut().zip(PERCENTILES) {
                    if counts.0 == 0 {
                        break;
                    }
                    let rank = ((p * counts.0 as f64).ceil() as i64).max(1) - 1;
                    *slot = sqlx::query_scalar::<_, i64>(
                        "SELECT latency_ms FROM attempts WHERE client_id = ? AND webhook_id = ? \
                         AND attempted_at >= ? ORDER BY latency_ms LIMIT 1 OFFSET ?",
                    )
                    .bind(client.as_str())
                    .bind(webhook.as_str())
                    .bind(micros(since))
                    .bind(rank)
                    .fetch_optional(pool)
                    .await
                    .map_err(StoreError::Read)?;
                }
                (counts, percentiles)
            }
        };
        let (attempts, succeeded, retrying, failed) = counts;
        let [p50, p95, p99] = percentiles.map(|value| value.map(|ms| ms as u64));
        Ok(WindowStats {
            attempts: attempts as u64,
            succeeded: succeeded as u64,
            retrying: retrying as u64,
            failed: failed as u64,
            success_ratio: (attempts > 0).then(|| succeeded as f64 / attempts as f64),
            latency_ms: Percentiles { p50, p95, p99 },
        })
    }

    /// A page of attempts, oldest first.
    pub async fn attempts(&self, query: &AttemptQuery) -> Result<AttemptPage, StoreError> {
        let mut records = Vec::with_capacity(query.limit + 1);
        let mut positions = Vec::with_capacity(query.limit + 1);
        match &self.backend {
            Backend::Postgres(pool) => {
                let mut select = QueryBuilder::<Postgres>::new(SELECT);
                filters!(select, query, |at| at);
                let rows = select.build().fetch_all(pool).await.map_err(StoreError::Read)?;
                for row in rows {
                    let attempted_at: OffsetDateTime =
                        row.try_get("attempted_at").map_err(StoreError::Read)?;
                    positions.push(HistoryCursor {
                        at_micros: micros(attempted_at),
                        id: row.try_get("id").map_err(StoreError::Read)?,
                    });
                    records.push(AttemptRecord {
                        attempted_at,
                        attempt: row.try_get::<i32, _>("attempt").map_err(StoreError::Read)? as u32,
                        status_code: row
                            .try_get::<Option<i32>, _>("status_code")
                            .map_err(StoreError::Read)?
                            .map(|code| code as u16),
                        next_attempt_at: row.try_get("next_attempt_at").map_err(StoreError::Read)?,
                        ..common(&row)?
                    });
                }
            }
            Backend::Sqlite(pool) => {
                let mut select = QueryBuilder::<Sqlite>::new(SELECT);
                filters!(select, query, micros);
                let rows = select.build().fetch_all(pool).await.map_err(StoreError::Read)?;
                for row in rows {
                    let at_micros: i64 = row.try_get("attempted_at").map_err(StoreError::Read)?;
                    positions
                        .push(HistoryCursor { at_micros, id: row.try_get("id").map_err(StoreError::Read)? });
                    let next: Option<i64> = row.try_get("next_attempt_at").map_err(StoreError::Read)?;
                    records.push(AttemptRecord {
                        attempted_at: from_micros(at_micros)?,
                        attempt: row.try_get::<i64, _>("attempt").map_err(StoreError::Read)? as u32,
                        status_code: row
                            .try_get::<Option<i64>, _>("status_code")
                            .map_err(StoreError::Read)?
                            .map(|code| code as u16),
                        next_attempt_at: next.map(from_micros).transpose()?,
                        ..common(&row)?
                    });
                }
            }
        }
        let next = (records.len() > query.limit).then(|| {
            records.truncate(query.limit);
            positions[query.limit - 1]
        });
        Ok(AttemptPage { records, next })
    }
}

/// The columns a record fills, in the order [`copy_rows`] writes them.
const COLUMNS: &str = "attempted_at, message_id, webhook_id, attempt, client_id, event_id, event_type, \
    status_code, latency_ms, error, outcome, next_attempt_at, region";

/// PostgreSQL: stores `records` in one transaction, returns how many were new. First a binary
/// COPY straight into `attempts` (no statement to parse, no conflict check per row); a record
/// already stored makes it fail with a unique violation (a batch JetStream delivered again),
/// and then the records go through a temporary table and `INSERT … ON CONFLICT DO NOTHING`,
/// which skips what is there.
async fn copy_in(pool: &PgPool, records: &[AttemptRecord]) -> Result<u64, StoreError> {
    let rows = copy_rows(records);
    let mut transaction = pool.begin().await.map_err(StoreError::Write)?;
    let copied = async {
        let mut copy =
            transaction.copy_in_raw(&format!("COPY attempts ({COLUMNS}) FROM STDIN (FORMAT binary)")).await?;
        copy.send(rows.as_slice()).await?;
        copy.finish().await
    }
    .await;
    match copied {
        Ok(copied) => {
            transaction.commit().await.map_err(StoreError::Write)?;
            return Ok(copied);
        }
        Err(error) if is_unique_violation(&error) => {
            transaction.rollback().await.map_err(StoreError::Write)?;
        }
        Err(error) => return Err(StoreError::Write(error)),
    }
    let mut transaction = pool.begin().await.map_err(StoreError::Write)?;
    sqlx::query(
        "CREATE TEMPORARY TABLE IF NOT EXISTS attempts_incoming (attempted_at timestamptz, message_id text, \
         webhook_id text, attempt integer, client_id text, event_id text, event_type text, \
         status_code integer, latency_ms bigint, error text, outcome text, next_attempt_at timestamptz, \
         region text) ON COMMIT DELETE ROWS",
    )
    .execute(&mut *transaction)
    .await
    .map_err(StoreError::Write)?;
    let mut copy = transaction
        .copy_in_raw(&format!("COPY attempts_incoming ({COLUMNS}) FROM STDIN (FORMAT binary)"))
        .await
        .map_err(StoreError::Write)?;
    copy.send(rows.as_slice()).await.map_err(StoreError::Write)?;
    copy.finish().await.map_err(StoreError::Write)?;
    let done = sqlx::query(&format!(
        "INSERT INTO attempts ({COLUMNS}) SELECT {COLUMNS} FROM attempts_incoming ON CONFLICT DO NOTHING"
    ))
    .execute(&mut *transaction)
    .await
    .map_err(StoreError::Write)?;
    transaction.commit().await.map_err(StoreError::Write)?;
    Ok(done.rows_affected())
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().and_then(|error| error.code()).as_deref() == Some("23505")
}

fn is_undefined_table(error: &sqlx::Error) -> bool {
    error.as_database_error().and_then(|error| error.code()).as_deref() == Some("42P01")
}

/// PostgreSQL: `table`'s day partitions, each with its day.
/// Runs `batch` (a delete of at most [`EXPIRE_BATCH`] rows, its own transaction) until one
/// removes fewer; returns the rows removed.
async fn in_batches<F, Fut>(mut batch: F) -> Result<u64, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, sqlx::Error>>,
{
    let mut removed = 0;
    loop {
        let done = batch().await?;
        removed += done;
        if done < EXPIRE_BATCH as u64 {
            return Ok(removed);
        }
    }
}

async fn partitions(pool: &PgPool, table: Table) -> Result<Vec<(String, Date)>, StoreError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1",
    )
    .bind(table.name())
    .fetch_all(pool)
    .await
    .map_err(StoreError::Read)?;
    Ok(names.into_iter().filter_map(|name| Some((name.clone(), table.partition_day(&name)?))).collect())
}

/// `records` in PostgreSQL's binary COPY format, [`COLUMNS`] in order.
fn copy_rows(records: &[AttemptRecord]) -> Vec<u8> {
    /// 2000-01-01T00:00:00Z, PostgreSQL's epoch, in µs since the Unix epoch.
    const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
    fn text(out: &mut Vec<u8>, value: &str) {
        out.extend_from_slice(&(value.len() as i32).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    fn int4(out: &mut Vec<u8>, value: i32) {
        out.extend_from_slice(&4i32.to_be_bytes());
        out.extend_from_slice(&value.to_be_bytes());
    }
    fn int8(out: &mut Vec<u8>, value: i64) {
        out.extend_from_slice(&8i32.to_be_bytes());
        out.extend_from_slice(&value.to_be_bytes());
    }
    fn null(out: &mut Vec<u8>) {
        out.extend_from_slice(&(-1i32).to_be_bytes());
    }
    let mut out = Vec::with_capacity(19 + records.len() * 256);
    out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.extend_from_slice(&[0; 8]); // flags, header extension length
    for record in records {
        out.extend_from_slice(&13i16.to_be_bytes());
        int8(&mut out, micros(record.attempted_at) - PG_EPOCH_MICROS);
        text(&mut out, record.message_id.as_str());
        text(&mut out, record.webhook_id.as_str());
        int4(&mut out, record.attempt as i32);
        text(&mut out, record.client_id.as_str());
        text(&mut out, &record.event_id);
        text(&mut out, &record.event_type);
        match record.status_code {
            Some(code) => int4(&mut out, i32::from(code)),
            None => null(&mut out),
        }
        int8(&mut out, record.latency_ms as i64);
        match &record.error {
            Some(error) => text(&mut out, error),
            None => null(&mut out),
        }
        text(&mut out, outcome_str(record.outcome));
        match record.next_attempt_at {
            Some(at) => int8(&mut out, micros(at) - PG_EPOCH_MICROS),
            None => null(&mut out),
        }
        text(&mut out, &record.region);
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    out
}

const INSERT: &str = "INSERT INTO attempts (attempted_at, message_id, webhook_id, attempt, client_id, event_id, \
    event_type, status_code, latency_ms, error, outcome, next_attempt_at, region) ";

const SELECT: &str = "SELECT id, attempted_at, message_id, webhook_id, attempt, client_id, event_id, event_type, \
    status_code, latency_ms, error, outcome, next_attempt_at, region FROM attempts WHERE client_id = ";

/// The WHERE clause after `client_id = `, the order and the limit (one more row than the page,
/// to know whether there is a next). `$time` turns an `OffsetDateTime` into the column's type.
macro_rules! filters {
    ($select:ident, $query:ident, $time:expr) => {{
        let time = $time;
        $select.push_bind($query.client_id.as_str().to_owned());
        match &$query.scope {
            Scope::Webhook(webhook) => {
                $select.push(" AND webhook_id = ").push_bind(webhook.as_str().to_owned());
            }
            Scope::Event(event_id) => {
                $select.push(" AND event_id = ").push_bind(event_id.clone());
            }
        }
        if let Some(status) = $query.status {
            $select.push(" AND outcome = ").push_bind(outcome_str(status));
        }
        if let Some(event_type) = &$query.event_type {
            $select.push(" AND event_type = ").push_bind(event_type.clone());
        }
        if let Some(since) = $query.since {
            $select.push(" AND attempted_at >= ").push_bind(time(since));
        }
        if let Some(until) = $query.until {
            $select.push(" AND attempted_at < ").push_bind(time(until));
        }
        if let Some(after) = $query.after {
            let at = from_micros(after.at_micros)?;
            $select
                .push(" AND (attempted_at, id) > (")
                .push_bind(time(at))
                .push(", ")
                .push_bind(after.id)
                .push(")");
        }
        $select.push(" ORDER BY attempted_at, id LIMIT ").push_bind(($query.limit + 1) as i64);
    }};
}
use filters;

/// The columns both databases store alike.
fn common<R>(row: &R) -> Result<AttemptRecord, StoreError>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let text = |column: &str| row.try_get::<String, _>(column).map_err(StoreError::Read);
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what} `{value}`"));
    let message_id = text("message_id")?;
    let webhook_id = text("webhook_id")?;
    let client_id = text("client_id")?;
    let outcome = text("outcome")?;
    Ok(AttemptRecord {
        message_id: message_id.parse().map_err(|_| corrupt("message id", &message_id))?,
        event_id: text("event_id")?,
        event_type: text("event_type")?,
        webhook_id: webhook_id.parse().map_err(|_| corrupt("webhook id", &webhook_id))?,
        client_id: client_id.parse().map_err(|_| corrupt("client id", &client_id))?,
        attempt: 0,
        attempted_at: OffsetDateTime::UNIX_EPOCH,
        status_code: None,
        latency_ms: row.try_get::<i64, _>("latency_ms").map_err(StoreError::Read)? as u64,
        error: row.try_get("error").map_err(StoreError::Read)?,
        outcome: parse_outcome(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?,
        next_attempt_at: None,
        region: text("region")?,
    })
}

pub fn outcome_str(outcome: AttemptOutcome) -> &'static str {
    match outcome {
        AttemptOutcome::Succeeded => "succeeded",
        AttemptOutcome::Retrying => "retrying",
        AttemptOutcome::Failed => "failed",
    }
}

pub fn parse_outcome(raw: &str) -> Option<AttemptOutcome> {
    match raw {
        "succeeded" => Some(AttemptOutcome::Succeeded),
        "retrying" => Some(AttemptOutcome::Retrying),
        "failed" => Some(AttemptOutcome::Failed),
        _ => None,
    }
}

pub(crate) fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1000) as i64
}

pub(crate) fn from_micros(micros: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(micros as i128 * 1000)
        .map_err(|_| StoreError::Corrupt(format!("time {micros} µs")))
}

/// The tables kept by day: attempts (30 days by default) and events (7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Table {
    Attempts,
    Events,
}

impl Table {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Attempts => "attempts",
            Table::Events => "events",
        }
    }

    /// The column a row's day is taken from.
    fn time_column(self) -> &'static str {
        match self {
            Table::Attempts => "attempted_at",
            Table::Events => "accepted_at",
        }
    }

    /// The name of the table's partition for `day`.
    fn partition(self, day: Date) -> String {
        format!("{}_{:04}{:02}{:02}", self.name(), day.year(), day.month() as u8, day.day())
    }

    /// The day of a partition [`Table::partition`] named; `None` for any other table.
    fn partition_day(self, name: &str) -> Option<Date> {
        partition_day(name.strip_prefix(self.name())?.strip_prefix('_')?)
    }
}

/// The day `YYYYMMDD` names.
fn partition_day(digits: &str) -> Option<Date> {
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month = time::Month::try_from(digits[4..6].parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(digits[..4].parse().ok()?, month, digits[6..].parse().ok()?).ok()
}
