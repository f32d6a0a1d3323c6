-- How far a reader of the event log (flagging rules, later webhooks) has acted, by name.
CREATE TABLE cursors (
    name TEXT PRIMARY KEY,
    event_seq BIGINT NOT NULL
);
