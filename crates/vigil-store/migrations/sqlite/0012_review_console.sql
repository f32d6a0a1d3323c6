-- A reviewer's inbox orders cases by SLA, soonest first, and bounds them by it ("due in
-- the next day"): `rank_at` is the time a kind's lists are ordered by (a case's SLA, the
-- largest integer when it has none), NULL for kinds that are never ordered so.
ALTER TABLE records ADD COLUMN rank_at INTEGER;
CREATE INDEX records_by_rank ON records (environment_id, kind, rank_at, seq)
    WHERE rank_at IS NOT NULL;
UPDATE records
    SET rank_at = COALESCE(json_extract(body, '$.sla_expires_at'), 9223372036854775807)
    WHERE kind = 'case';

-- Cases are found by their tags (`filter[tag]`).
INSERT OR IGNORE INTO record_terms (record_seq, term)
    SELECT records.seq, 'tag:' || tags.value
    FROM records, json_each(records.body, '$.tags') AS tags
    WHERE records.kind = 'case';

-- Configuring how cases are decided (a template's second review) became a permission of
-- its own: keys that could change cases keep being able to.
UPDATE api_keys SET permissions = permissions || ',case.configure'
    WHERE ',' || permissions || ',' LIKE '%,case.write,%';

-- Redacting became a permission of its own (it cannot be undone): keys that could redact
-- something keep being able to.
UPDATE api_keys SET permissions = permissions || ',redact'
    WHERE ',' || permissions || ',' LIKE '%,account.write,%'
       OR ',' || permissions || ',' LIKE '%,inquiry.write,%'
       OR ',' || permissions || ',' LIKE '%,case.write,%'
       OR ',' || permissions || ',' LIKE '%,report.write,%'
       OR ',' || permissions || ',' LIKE '%,document.write,%';

-- An organization's security settings: whether its console users must sign in with a
-- second factor (TOTP).
ALTER TABLE organizations ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;

-- The events explorer finds what one person or key did: an index on the actor's id.
ALTER TABLE events ADD COLUMN actor_id TEXT GENERATED ALWAYS AS (json_extract(actor, '$.id')) VIRTUAL;
CREATE INDEX events_by_actor ON events (environment_id, actor_id, seq);

-- API keys made through the API (`POST /api-keys`) carry a note, and are listed by
-- environment.
ALTER TABLE api_keys ADD COLUMN note TEXT;
CREATE INDEX api_keys_by_environment ON api_keys (environment_id, created_at);
-- Keys in the order they were made, for cursor paging (which pages by `seq`).
CREATE VIEW api_keys_in_order AS SELECT rowid AS seq, * FROM api_keys;

-- A list's items, newest first (`GET /lists/{id}/items`, the console's list page).
CREATE INDEX list_items_by_list ON list_items (list_id, seq);

-- Accounts found by what people look them up by (reference id, email, phone, given and
-- family name: `vigil_domain::search::ACCOUNT_INDEXED`), so a search that pins them
-- with `eq` reads a few rows instead of scanning the environment.
CREATE TABLE account_terms (
    account_seq INTEGER NOT NULL REFERENCES accounts(seq),
    term TEXT NOT NULL,
    PRIMARY KEY (term, account_seq)
) WITHOUT ROWID;
CREATE INDEX account_terms_by_account ON account_terms (account_seq);
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT seq, 'reference_id:' || reference_id FROM accounts
    WHERE reference_id IS NOT NULL AND reference_id != '';
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT seq, 'fields.email_address:' || json_extract(body, '$.fields.email_address.value') FROM accounts
    WHERE json_type(body, '$.fields.email_address.value') = 'text' AND json_extract(body, '$.fields.email_address.value') != '';
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT seq, 'fields.phone_number:' || json_extract(body, '$.fields.phone_number.value') FROM accounts
    WHERE json_type(body, '$.fields.phone_number.value') = 'text' AND json_extract(body, '$.fields.phone_number.value') != '';
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT seq, 'fields.name.first:' || json_extract(body, '$.fields.name.value.first.value') FROM accounts
    WHERE json_type(body, '$.fields.name.value.first.value') = 'text' AND json_extract(body, '$.fields.name.value.first.value') != '';
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT seq, 'fields.name.last:' || json_extract(body, '$.fields.name.value.last.value') FROM accounts
    WHERE json_type(body, '$.fields.name.value.last.value') = 'text' AND json_extract(body, '$.fields.name.value.last.value') != '';
