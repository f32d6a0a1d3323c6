-- Watchlist reports, their history, sanctions sources, and how far screening has read
-- the event log.
CREATE TABLE reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    account_id TEXT,
    reference_id TEXT,
    origin TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX reports_by_environment ON reports (environment_id, seq);
CREATE INDEX reports_by_account ON reports (environment_id, account_id, seq);
CREATE INDEX reports_by_reference ON reports (environment_id, reference_id, seq);

CREATE TABLE report_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports(id),
    body TEXT NOT NULL
);
CREATE INDEX report_history_by_report ON report_history (report_id, seq);

-- A loaded sanctions source (shared by every environment) and its parties. `generation`
-- grows with every load so a running server notices a new one.
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE source_parties (
    seq INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    body TEXT NOT NULL
);
CREATE INDEX source_parties_by_source ON source_parties (source_id, seq);

-- The last event continuous screening has acted on.
CREATE TABLE screening_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event_seq INTEGER NOT NULL
);
INSERT INTO screening_cursor (id, event_seq) VALUES (1, 0);
