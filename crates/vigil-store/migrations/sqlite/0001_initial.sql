-- vigil schema v1. Kept to portable SQL (a PostgreSQL twin will carry the same name);
-- `seq` columns order rows by insertion for cursor pagination.
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    api_version TEXT NOT NULL,
    key_inflection TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);

CREATE TABLE account_types (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (environment_id, name)
);

CREATE TABLE account_statuses (
    id TEXT PRIMARY KEY,
    account_type_id TEXT NOT NULL REFERENCES account_types(id),
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_type_id, name)
);

CREATE TABLE accounts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    account_type_id TEXT NOT NULL REFERENCES account_types(id),
    reference_id TEXT,
    archived INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX accounts_by_environment ON accounts (environment_id, archived, seq);
CREATE INDEX accounts_by_reference ON accounts (environment_id, reference_id);

CREATE TABLE account_relations (
    seq INTEGER PRIMARY KEY,
    environment_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    relation_key TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, relation_key, target_id)
);
CREATE INDEX account_relations_by_target ON account_relations (target_id);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL,
    name TEXT NOT NULL,
    object_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    context TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_by_environment ON events (environment_id, seq);
CREATE INDEX events_by_object ON events (environment_id, object_id, seq);

CREATE TABLE idempotency_keys (
    environment_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    object_id TEXT,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (environment_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_object ON idempotency_keys (object_id);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
