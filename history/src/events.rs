//! Events in the history store: what ingest accepted, kept for listing, resending and expunging.
//!
//! Why the store keeps events and not only attempts: a client asks "which of my events went
//! where" (`GET /api/v1/events`, each event with a summary of its deliveries per webhook), resends
//! one event to a webhook, and expunges one; EVENTS (JetStream) has no index by event id and
//! keeps per-subject state in memory, so it cannot answer those. The history writer fills the
//! `events` table from the hub's EVENTS stream ([`crate::writer`]), idempotently on (client, event
//! id, accepted_at); its day partitions go after the payload retention (7 days by default), the
//! attempts stay their own 30.
//!
//! Expunge ([`HistoryStore::mark_expunged`]): the event's row loses its body, and the
//! `expunged_events` table remembers the id, so its attempts are listed as expunged, a resend or
//! redrive of it is refused, and a row the writer stores after the expunge (it lagged) is stored
//! without its body. The control plane erases JetStream's copies (`edgehook_nats::expunge`).

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::str::FromStr;

use edgehook_domain::delivery::AttemptOutcome;
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use sqlx::{Postgres, QueryBuilder, Row, Sqlite};
use time::{Date, OffsetDateTime};

use crate::store::{Backend, Expired, HistoryStore, StoreError, Table, from_micros, micros, parse_outcome};

/// [`HistoryStore::mark_expunged`]'s statements (PostgreSQL's numbered parameters; SQLite's
/// are the same with `?`, [`sqlite_parameters`]).
const MARK_EXPUNGED: &str = "INSERT INTO expunged_events (client_id, event_id, expunged_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const DROP_BODIES: &str = "UPDATE events SET body = NULL WHERE client_id = $1 AND event_id = $2";
/// The earliest of the event's acceptance and its first attempt (SQLite's two-argument `min()`
/// is NULL when either is, hence the union).
const FIRST_SEEN: &str = "SELECT min(at) FROM (SELECT min(accepted_at) AS at FROM events WHERE client_id = $1 \
    AND event_id = $2 UNION ALL SELECT min(attempted_at) FROM attempts WHERE client_id = $1 AND event_id = $2) AS seen";

/// A statement written with `$1`, `$2` as SQLite's `?1`, `?2`.
fn sqlite_parameters(statement: &str) -> String {
    statement.replace('$', "?")
}

/// Rows in one SQLite statement (6 values each: under its bind limit).
const EVENTS_PER_STATEMENT: usize = 1000;

/// An event as the store keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub accepted_at: OffsetDateTime,
    pub client_id: ClientId,
    pub event_id: String,
    pub message_id: MessageId,
    pub event_type: String,
    /// The event's JSON as ingest stored it; `None` once expunged.
    pub body: Option<String>,
}

/// A page of one client's events, oldest first, filtered like the attempts.
#[derive(Clone, Debug)]
pub struct EventQuery {
    pub client_id: ClientId,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    pub event_type: Option<String>,
    pub after: Option<EventCursor>,
    pub limit: usize,
}

/// Where a page of events ends: the last one's time (µs) and id. Shown as `<µs>-<event id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventCursor {
    pub at_micros: i64,
    pub event_id: String,
}

impl fmt::Display for EventCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.at_micros, self.event_id)
    }
}

impl FromStr for EventCursor {
    type Err = ();
    fn from_str(raw: &str) -> Result<Self, ()> {
        let (at, event_id) = raw.split_once('-').ok_or(())?;
        if event_id.is_empty() {
            return Err(());
        }
        Ok(Self { at_micros: at.parse().map_err(|_| ())?, event_id: event_id.to_owned() })
    }
}

#[derive(Debug)]
pub struct EventPage {
    pub events: Vec<StoredEvent>,
    pub next: Option<EventCursor>,
}

/// How one event stands with one webhook: its latest attempt's outcome, and how many there were.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliverySummary {
    pub event_id: String,
    pub webhook_id: WebhookId,
    pub outcome: AttemptOutcome,
    pub attempts: u64,
    pub last_attempt_at: OffsetDateTime,
}

impl HistoryStore {
    /// Stores `events` in one statement (SQLite: a transaction); returns how many were new. An
    /// event expunged before it got here is stored without its body.
    pub async fn insert_events(&self, events: &[StoredEvent]) -> Result<u64, StoreError> {
        if events.is_empty() {
            return Ok(0);
        }
        match self.backend() {
            Backend::Postgres(pool) => {
                let days: BTreeSet<Date> =
                    events.iter().map(|e| e.accepted_at.to_offset(time::UtcOffset::UTC).date()).collect();
                self.ensure_partitions(pool, Table::Events, &days).await?;
                let done = sqlx::query(
                    "INSERT INTO events (accepted_at, client_id, event_id, message_id, event_type, body) \
                     SELECT e.accepted_at, e.client_id, e.event_id, e.message_id, e.event_type, \
                     CASE WHEN x.event_id IS NULL THEN e.body END \
                     FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) \
                     AS e(accepted_at, client_id, event_id, message_id, event_type, body) \
                     LEFT JOIN expunged_events x ON x.client_id = e.client_id AND x.event_id = e.event_id \
                     ON CONFLICT DO NOTHING",
                )
                .bind(events.iter().map(|e| e.accepted_at).collect::<Vec<_>>())
                .bind(events.iter().map(|e| e.client_id.as_str()).collect::<Vec<_>>())
                .bind(events.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>())
                .bind(events.iter().map(|e| e.message_id.as_str()).collect::<Vec<_>>())
                .bind(events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>())
                .bind(events.iter().map(|e| e.body.as_deref()).collect::<Vec<_>>())
                .execute(pool)
                .await
                .map_err(StoreError::Write)?;
                Ok(done.rows_affected())
            }
            Backend::Sqlite(pool) => {
                let mut transaction = pool.begin().await.map_err(StoreError::Write)?;
                let mut inserted = 0;
                for chunk in events.chunks(EVENTS_PER_STATEMENT) {
                    let mut insert = QueryBuilder::<Sqlite>::new(
                        "INSERT INTO events (accepted_at, client_id, event_id, message_id, event_type, body) \
                         SELECT column1, column2, column3, column4, column5, CASE WHEN EXISTS \
                         (SELECT 1 FROM expunged_events x WHERE x.client_id = column2 AND x.event_id = column3) \
                         THEN NULL ELSE column6 END FROM (",
                    );
                    insert.push_values(chunk, |mut row, event| {
                        row.push_bind(micros(event.accepted_at))
                            .push_bind(event.client_id.as_str())
                            .push_bind(&event.event_id)
                            .push_bind(event.message_id.as_str())
                            .push_bind(&event.event_type)
                            .push_bind(event.body.as_deref());
                    });
                    // `WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.
                    insert.push(") WHERE true ON CONFLICT DO NOTHING");
                    let done = insert.build().execute(&mut *transaction).await.map_err(StoreError::Write)?;
                    inserted += done.rows_affected();
                }
                transaction.commit().await.map_err(StoreError::Write)?;
                Ok(inserted)
            }
        }
    }

    /// A page of `query.client_id`'s events, oldest first.
    pub async fn events(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        const SELECT: &str = "SELECT accepted_at, client_id, event_id, message_id, event_type, NULL AS body \
                              FROM events WHERE client_id = ";
        let mut events = Vec::with_capacity(query.limit + 1);
        match self.backend() {
            Backend::Postgres(pool) => {
                let mut select = QueryBuilder::<Postgres>::new(SELECT);
                event_filters!(select, query, |at| at);
                for row in select.build().fetch_all(pool).await.map_err(StoreError::Read)? {
                    let accepted_at = row.try_get("accepted_at").map_err(StoreError::Read)?;
                    events.push(StoredEvent { accepted_at, ..identity(&row)? });
                }
            }
            Backend::Sqlite(pool) => {
                let mut select = QueryBuilder::<Sqlite>::new(SELECT);
                event_filters!(select, query, micros);
                for row in select.build().fetch_all(pool).await.map_err(StoreError::Read)? {
                    let accepted_at = from_micros(row.try_get("accepted_at").map_err(StoreError::Read)?)?;
                    events.push(StoredEvent { accepted_at, ..identity(&row)? });
                }
            }
        }
        let next = (events.len() > query.limit).then(|| {
            events.truncate(query.limit);
            let last = &events[query.limit - 1];
            EventCursor { at_micros: micros(last.accepted_at), event_id: last.event_id.clone() }
        });
        Ok(EventPage { events, next })
    }

    /// `client`'s event `event_id` with its body (the latest, should the id have been accepted
    /// again after the deduplication window); `None` when the store does not have it.
    pub async fn event(&self, client: &ClientId, event_id: &str) -> Result<Option<StoredEvent>, StoreError> {
        const SELECT: &str = "SELECT accepted_at, client_id, event_id, message_id, event_type, body \
                              FROM events WHERE client_id = $1 AND event_id = $2 ORDER BY accepted_at DESC LIMIT 1";
        match self.backend() {
            Backend::Postgres(pool) => {
                let row = sqlx::query(SELECT)
                    .bind(client.as_str())
                    .bind(event_id)
                    .fetch_optional(pool)
                    .await
                    .map_err(StoreError::Read)?;
                row.map(|row| {
                    let accepted_at = row.try_get("accepted_at").map_err(StoreError::Read)?;
                    Ok(StoredEvent { accepted_at, ..identity(&row)? })
                })
                .transpose()
            }
            Backend::Sqlite(pool) => {
                // `?1`, `?2`: SQLite's numbered parameters.
                let row = sqlx::query(&sqlite_parameters(SELECT))
                    .bind(client.as_str())
                    .bind(event_id)
                    .fetch_optional(pool)
                    .await
                    .map_err(StoreError::Read)?;
                row.map(|row| {
                    let accepted_at = from_micros(row.try_get("accepted_at").map_err(StoreError::Read)?)?;
                    Ok(StoredEvent { accepted_at, ..identity(&row)? })
                })
                .transpose()
            }
        }
    }

    /// How each of `event_ids` (of `client`, accepted at or after `since`) stands with each
    /// webhook it was attempted for.
    pub async fn summaries(
        &self,
        client: &ClientId,
        event_ids: &[String],
        since: OffsetDateTime,
    ) -> Result<Vec<DeliverySummary>, StoreError> {
        if event_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut summaries = Vec::new();
        match self.backend() {
            Backend::Postgres(pool) => {
                let rows = sqlx::query(
                    "SELECT DISTINCT ON (event_id, webhook_id) event_id, webhook_id, outcome, attempted_at, \
                     count(*) OVER (PARTITION BY event_id, webhook_id) AS attempts FROM attempts \
                     WHERE client_id = $1 AND event_id = ANY($2) AND attempted_at >= $3 \
                     ORDER BY event_id, webhook_id, attempted_at DESC, id DESC",
                )
                .bind(client.as_str())
                .bind(event_ids)
                .bind(since)
                .fetch_all(pool)
                .await
                .map_err(StoreError::Read)?;
                for row in rows {
                    let at = row.try_get("attempted_at").map_err(StoreError::Read)?;
                    summaries.push(summary(&row, at)?);
                }
            }
            Backend::Sqlite(pool) => {
                // SQLite takes a bare column of an aggregate query from the row `max()` chose.
                let mut select = QueryBuilder::<Sqlite>::new(
                    "SELECT event_id, webhook_id, outcome, max(attempted_at) AS attempted_at, count(*) AS attempts \
                     FROM attempts WHERE client_id = ",
                );
                select.push_bind(client.as_str()).push(" AND attempted_at >= ").push_bind(micros(since));
                select.push(" AND event_id IN (");
                let mut ids = select.separated(", ");
                for id in event_ids {
                    ids.push_bind(id);
                }
                select.push(") GROUP BY event_id, webhook_id ORDER BY event_id, webhook_id");
                for row in select.build().fetch_all(pool).await.map_err(StoreError::Read)? {
                    let at = from_micros(row.try_get("attempted_at").map_err(StoreError::Read)?)?;
                    summaries.push(summary(&row, at)?);
                }
            }
        }
        Ok(summaries)
    }

    /// Records that `client` expunged `event_id` (at `at`) and drops the body of every stored row
    /// of it. Returns when the event was accepted if the store has it (the earliest time), else
    /// when its first attempt was made, else `None` (the store knows nothing of it).
    pub async fn mark_expunged(
        &self,
        client: &ClientId,
        event_id: &str,
        at: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        // In one transaction: the mark, the bodies dropped, and when the store first saw it.
        macro_rules! mark {
            ($pool:expr, $at:expr, $time:ty, $sql:expr) => {{
                let sql = $sql;
                let mut transaction = $pool.begin().await.map_err(StoreError::Write)?;
                let (mark, drop_bodies) = (sql(MARK_EXPUNGED), sql(DROP_BODIES));
                sqlx::query(&mark)
                    .bind(client.as_str())
                    .bind(event_id)
                    .bind($at)
                    .execute(&mut *transaction)
                    .await
                    .map_err(StoreError::Write)?;
                sqlx::query(&drop_bodies)
                    .bind(client.as_str())
                    .bind(event_id)
                    .execute(&mut *transaction)
                    .await
                    .map_err(StoreError::Write)?;
                let first: Option<$time> = sqlx::query_scalar(&sql(FIRST_SEEN))
                    .bind(client.as_str())
                    .bind(event_id)
                    .fetch_one(&mut *transaction)
                    .await
                    .map_err(StoreError::Write)?;
                transaction.commit().await.map_err(StoreError::Write)?;
                first
            }};
        }
        Ok(match self.backend() {
            Backend::Postgres(pool) => mark!(pool, at, OffsetDateTime, str::to_owned),
            Backend::Sqlite(pool) => {
                mark!(pool, micros(at), i64, sqlite_parameters).map(from_micros).transpose()?
            }
        })
    }

    /// Forgets an expunge of an event nothing knew (a mistyped id): nothing was expunged.
    pub async fn unmark_expunged(&self, client: &ClientId, event_id: &str) -> Result<(), StoreError> {
        const DELETE: &str = "DELETE FROM expunged_events WHERE client_id = $1 AND event_id = $2";
        match self.backend() {
            Backend::Postgres(pool) => {
                sqlx::query(DELETE).bind(client.as_str()).bind(event_id).execute(pool).await.map(|_| ())
            }
            Backend::Sqlite(pool) => {
                let delete = sqlite_parameters(DELETE);
                sqlx::query(&delete).bind(client.as_str()).bind(event_id).execute(pool).await.map(|_| ())
            }
        }
        .map_err(StoreError::Write)
    }

    /// Which of `event_ids` `client` expunged.
    pub async fn expunged_among(
        &self,
        client: &ClientId,
        event_ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        if event_ids.is_empty() {
            return Ok(HashSet::new());
        }
        let unique: BTreeSet<&String> = event_ids.iter().collect();
        let found: Vec<String> = match self.backend() {
            Backend::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT event_id FROM expunged_events WHERE client_id = $1 AND event_id = ANY($2)",
                )
                .bind(client.as_str())
                .bind(unique.into_iter().cloned().collect::<Vec<_>>())
                .fetch_all(pool)
                .await
            }
            Backend::Sqlite(pool) => {
                let mut select =
                    QueryBuilder::<Sqlite>::new("SELECT event_id FROM expunged_events WHERE client_id = ");
                select.push_bind(client.as_str()).push(" AND event_id IN (");
                let mut ids = select.separated(", ");
                for id in unique {
                    ids.push_bind(id);
                }
                select.push(")");
                select.build_query_scalar().fetch_all(pool).await
            }
        }
        .map_err(StoreError::Read)?;
        Ok(found.into_iter().collect())
    }

    /// Whether `client` expunged `event_id`.
    pub async fn is_expunged(&self, client: &ClientId, event_id: &str) -> Result<bool, StoreError> {
        Ok(!self.expunged_among(client, &[event_id.to_owned()]).await?.is_empty())
    }

    /// Retention of event payloads: events accepted before `cutoff` go (whole day partitions in
    /// PostgreSQL, batched deletes in SQLite, like [`HistoryStore::expire`]).
    pub async fn expire_events(&self, cutoff: OffsetDateTime) -> Result<Expired, StoreError> {
        self.expire_table(Table::Events, cutoff).await
    }

    /// A client's own payload retention, shorter than the deployment's: `client`'s events
    /// accepted before `cutoff` go, in batches ([`HistoryStore::expire_client`]).
    pub async fn expire_client_events(
        &self,
        client: &ClientId,
        cutoff: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        self.expire_client_rows(Table::Events, client, cutoff).await
    }

    /// Forgets expunges older than `cutoff` (the attempt retention: what they marked is gone).
    pub async fn expire_expunges(&self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        match self.backend() {
            Backend::Postgres(pool) => sqlx::query("DELETE FROM expunged_events WHERE expunged_at < $1")
                .bind(cutoff)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
            Backend::Sqlite(pool) => sqlx::query("DELETE FROM expunged_events WHERE expunged_at < ?")
                .bind(micros(cutoff))
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
        }
        .map_err(StoreError::Write)
    }
}

/// After `WHERE client_id = `: the filters, the keyset position, the order and one row more
/// than the page. `$time` turns an `OffsetDateTime` into the column's type.
macro_rules! event_filters {
    ($select:ident, $query:ident, $time:expr) => {{
        let time = $time;
        $select.push_bind($query.client_id.as_str().to_owned());
        if let Some(event_type) = &$query.event_type {
            $select.push(" AND event_type = ").push_bind(event_type.clone());
        }
        if let Some(since) = $query.since {
            $select.push(" AND accepted_at >= ").push_bind(time(since));
        }
        if let Some(until) = $query.until {
            $select.push(" AND accepted_at < ").push_bind(time(until));
        }
        if let Some(after) = &$query.after {
            $select
                .push(" AND (accepted_at, event_id) > (")
                .push_bind(time(from_micros(after.at_micros)?))
                .push(", ")
                .push_bind(after.event_id.clone())
                .push(")");
        }
        $select.push(" ORDER BY accepted_at, event_id LIMIT ").push_bind(($query.limit + 1) as i64);
    }};
}
use event_filters;

/// An event row's columns but its time.
fn identity<R>(row: &R) -> Result<StoredEvent, StoreError>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database>,
{
    let text = |column: &str| row.try_get::<String, _>(column).map_err(StoreError::Read);
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what} `{value}`"));
    let (client_id, message_id) = (text("client_id")?, text("message_id")?);
    Ok(StoredEvent {
        accepted_at: OffsetDateTime::UNIX_EPOCH,
        client_id: client_id.parse().map_err(|_| corrupt("client id", &client_id))?,
        event_id: text("event_id")?,
        message_id: message_id.parse().map_err(|_| corrupt("message id", &message_id))?,
        event_type: text("event_type")?,
        body: row.try_get("body").map_err(StoreError::Read)?,
    })
}

/// A summary row's columns, its time decoded by the caller.
fn summary<R>(row: &R, last_attempt_at: OffsetDateTime) -> Result<DeliverySummary, StoreError>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let text = |column: &str| row.try_get::<String, _>(column).map_err(StoreError::Read);
    let (webhook_id, outcome) = (text("webhook_id")?, text("outcome")?);
    Ok(DeliverySummary {
        event_id: text("event_id")?,
        webhook_id: webhook_id
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("webhook id `{webhook_id}`")))?,
        outcome: parse_outcome(&outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("outcome `{outcome}`")))?,
        attempts: row.try_get::<i64, _>("attempts").map_err(StoreError::Read)? as u64,
        last_attempt_at,
    })
}
