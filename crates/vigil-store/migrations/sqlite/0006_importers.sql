-- Bulk imports. `file` holds the uploaded CSV only while the import is pending: an import
-- resumes from `rows_done` (in `body`) after a crash, and the copy is dropped at the end.
CREATE TABLE importers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    file BLOB
);
CREATE INDEX importers_by_environment ON importers (environment_id, seq);
CREATE INDEX importers_pending ON importers (status) WHERE status = 'pending';

-- Rows an import could not take, by their line in the file.
CREATE TABLE importer_errors (
    importer_id TEXT NOT NULL REFERENCES importers(id),
    line INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (importer_id, line)
);
