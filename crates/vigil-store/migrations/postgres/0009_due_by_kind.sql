-- Each background worker asks for the records of its own kinds that are due.
DROP INDEX records_due;
CREATE INDEX records_due_by_kind ON records (kind, due_at) WHERE due_at IS NOT NULL;
