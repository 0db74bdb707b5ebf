-- Events as ingest accepted them (see the PostgreSQL migration); times in µs since the epoch.
CREATE TABLE events (
    accepted_at INTEGER NOT NULL,
    client_id   TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    event_type  TEXT    NOT NULL,
    body        TEXT,
    PRIMARY KEY (client_id, event_id, accepted_at)
);

CREATE INDEX events_by_time ON events (client_id, accepted_at, event_id);

CREATE TABLE expunged_events (
    client_id   TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    expunged_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, event_id)
);
