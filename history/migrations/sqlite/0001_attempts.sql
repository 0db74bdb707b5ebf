-- Attempt records, one row per delivery attempt (the embedded store of `edgehook up`).
-- Times are microseconds since the Unix epoch (UTC), so they sort and compare as integers.
-- Idempotent on (message_id, webhook_id, attempt): a record redelivered by JetStream is ignored.
CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    attempted_at    INTEGER NOT NULL,
    message_id      TEXT    NOT NULL,
    webhook_id      TEXT    NOT NULL,
    attempt         INTEGER NOT NULL,
    client_id       TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    status_code     INTEGER,
    latency_ms      INTEGER NOT NULL,
    error           TEXT,
    outcome         TEXT    NOT NULL,
    next_attempt_at INTEGER,
    region          TEXT    NOT NULL,
    UNIQUE (message_id, webhook_id, attempt)
);

CREATE INDEX attempts_by_webhook ON attempts (webhook_id, attempted_at, id);
CREATE INDEX attempts_by_event ON attempts (client_id, event_id, attempted_at, id);
