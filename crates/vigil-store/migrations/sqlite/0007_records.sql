-- Workflow records (inquiries, their templates and sessions, documents, cases and what
-- hangs off them, flagging rules): one table for every kind. The body is the domain object
-- as JSON; `record_terms` files each record under the `name:value` terms its kind lists
-- (status, account, reference id, template, queue, ...), so every kind's list filters are
-- one indexed query without a table per kind. `due_at` is when the scheduler must look at
-- the record again (an inquiry's expiry), NULL when never.
CREATE TABLE records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX records_by_kind ON records (environment_id, kind, seq);
CREATE INDEX records_due ON records (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE record_terms (
    record_seq INTEGER NOT NULL REFERENCES records(seq),
    term TEXT NOT NULL,
    PRIMARY KEY (term, record_seq)
) WITHOUT ROWID;
CREATE INDEX record_terms_by_record ON record_terms (record_seq);
