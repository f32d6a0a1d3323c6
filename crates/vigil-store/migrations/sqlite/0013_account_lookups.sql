-- An account is found by its reference id newest first (an upsert, an import's duplicate
-- check, `filter[reference-id]`). With `archived` and `seq` outside the index, SQLite 3.54 preferred
-- walking the environment's accounts in `seq` order to sorting the few matches: a scan of
-- the environment per lookup (imports fell to 95 accounts/s at 50,000 accounts).
DROP INDEX accounts_by_reference;
CREATE INDEX accounts_by_reference ON accounts (environment_id, reference_id, archived, seq);

-- Accounts are also found by any of their government id numbers (a path through the
-- list field `identification_numbers`, `vigil_domain::search::ACCOUNT_INDEXED`).
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT accounts.seq,
           'fields.identification_numbers.identification_number:'
               || json_extract(ids.value, '$.value.identification_number.value')
    FROM accounts, json_each(accounts.body, '$.fields.identification_numbers.value') AS ids
    WHERE json_type(ids.value, '$.value.identification_number.value') = 'text'
      AND json_extract(ids.value, '$.value.identification_number.value') != '';

-- A reviewer's queue (a status and an assignee) is one term of its own, so "open and
-- unassigned" is one index range rather than the intersection of two large ones.
INSERT OR IGNORE INTO record_terms (record_seq, term)
    SELECT seq, 'status-assignee:' || json_extract(body, '$.status') || '/'
                || COALESCE(json_extract(body, '$.assignee'), 'none')
    FROM records WHERE kind = 'case';
