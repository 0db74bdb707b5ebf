-- Events as ingest accepted them (the whole event, payload included), one row per event,
-- range-partitioned by day of accepted_at like attempts: GET /api/v1/events lists them with a
-- summary of their attempts, a resend reads the event from here, and retention drops whole days
-- (event payloads are kept less long than attempts: 7 days by default). The history writer fills
-- it from the hub's EVENTS stream; a redelivered message is the same event, accepted_at
-- included, so the primary key keeps the insert idempotent.
CREATE TABLE events (
    accepted_at timestamptz NOT NULL,
    client_id   text        NOT NULL,
    event_id    text        NOT NULL,
    message_id  text        NOT NULL,
    event_type  text        NOT NULL,
    -- The event's JSON as ingest stored it; NULL once expunged.
    body        text,
    PRIMARY KEY (client_id, event_id, accepted_at)
) PARTITION BY RANGE (accepted_at);

-- GET /api/v1/events: one client's events in time order (keyset on time, event id).
CREATE INDEX events_by_time ON events (client_id, accepted_at, event_id);

-- Events a client expunged (DELETE /api/v1/events/{id}): their attempts are listed as expunged,
-- a resend or redrive of them is refused, and an event row the writer stores later has no body.
-- Small (expunges are rare); rows older than the attempt retention are removed with it.
CREATE TABLE expunged_events (
    client_id   text        NOT NULL,
    event_id    text        NOT NULL,
    expunged_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, event_id)
);
