-- Work that runs without a request (the screening monitor's report runs, flagging rules,
-- webhooks, the scheduler, imports) is done by the one server holding the `background`
-- lease; the others follow the event log for their screening indexes only. A holder that
-- stops renewing is replaced once `expires_at` (milliseconds) has passed.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL
);

-- Document files kept in the database, in parts, where every server reads them (servers
-- on PostgreSQL; a SQLite server keeps them in its data directory).
CREATE TABLE blobs (
    name TEXT NOT NULL,
    part BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (name, part)
);
