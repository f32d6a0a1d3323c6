-- Files attached to objects (an account's selfie photo). Kept in the database so a file
-- commits atomically with the object that points at it, and redaction (secure_delete,
-- WAL truncation) removes its bytes like any other personal data.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    object_id TEXT NOT NULL,
    field TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_by_object ON files (environment_id, object_id, field);
