-- Account actions (`accac_`): named operations run on an account by
-- `POST /accounts/{id}/run-action`, configured with `vigil actions create`.
CREATE TABLE account_actions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX account_actions_by_environment ON account_actions (environment_id, seq);
