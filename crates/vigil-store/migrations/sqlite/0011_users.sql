-- Console users, their sessions, and the audit log of what they did. Users belong to the
-- organization (they see both environments); bodies are `vigil_domain::user` types as JSON.
CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    email TEXT NOT NULL UNIQUE,
    invitation_hash TEXT UNIQUE,
    body TEXT NOT NULL
);

CREATE TABLE user_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);

CREATE TABLE user_audit_logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL,
    user_id TEXT,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX user_audit_logs_by_organization ON user_audit_logs (organization_id, seq);
CREATE INDEX user_audit_logs_by_user ON user_audit_logs (organization_id, user_id, seq);

-- Deciding a case and dismissing a screening hit became permissions of their own, and
-- users theirs: keys that could already do these keep doing them.
UPDATE api_keys SET permissions = permissions || ',case.decide'
    WHERE ',' || permissions || ',' LIKE '%,case.write,%';
UPDATE api_keys SET permissions = permissions || ',report.dismiss'
    WHERE ',' || permissions || ',' LIKE '%,report.write,%';
UPDATE api_keys SET permissions = permissions || ',user.read,user.write'
    WHERE ',' || permissions || ',' LIKE '%,api_key.write,%';

-- Unassigned cases are found by `assignee:none` (a reviewer's "unassigned" inbox).
INSERT OR IGNORE INTO record_terms (record_seq, term)
    SELECT seq, 'assignee:none' FROM records
    WHERE kind = 'case' AND json_extract(body, '$.assignee') IS NULL;
