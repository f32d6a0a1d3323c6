-- An account is found by its reference id newest first (an upsert, an import's duplicate
-- check, `filter[reference-id]`). With `archived` and `seq` outside the index, SQLite 3.54 preferred
-- walking the environment's accounts in `seq` order to sorting the few matches: a scan of
-- the environment per lookup (imports fell to 95 accounts/s at 50,000 accounts).
DROP INDEX accounts_by_reference;
CREATE INDEX accounts_by_reference ON accounts (environment_id, reference_id, archived, seq);

-- Accounts are also found by any of their government id numbers (a path through the
-- list field `identification_numbers`, `vigil_domain::search::ACCOUNT_INDEXED`).
INSERT INTO account_terms (account_seq, term)
    SELECT accounts.seq,
           'fields.identification_numbers.identification_number:'
               || (ids.value #>> '{value,identification_number,value}')
    FROM accounts,
         jsonb_array_elements(COALESCE(accounts.body::jsonb #> '{fields,identification_numbers,value}', '[]')) AS ids (value)
    WHERE jsonb_typeof(ids.value #> '{value,identification_number,value}') = 'string'
      AND ids.value #>> '{value,identification_number,value}' != ''
    ON CONFLICT DO NOTHING;

-- A reviewer's queue (a status and an assignee) is one term of its own, so "open and
-- unassigned" is one index range rather than the intersection of two large ones.
INSERT INTO record_terms (record_seq, term)
    SELECT seq, 'status-assignee:' || (body::jsonb ->> 'status') || '/'
                || COALESCE(body::jsonb ->> 'assignee', 'none')
    FROM records WHERE kind = 'case'
    ON CONFLICT DO NOTHING;
