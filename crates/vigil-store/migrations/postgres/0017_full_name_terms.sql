-- An account with a given and a family name is also filed under both together
-- (`vigil_domain::search::ACCOUNT_PAIRED`), so a full-name search is one lookup.
INSERT INTO account_terms (account_seq, term)
    SELECT seq, 'fields.name:' || (body::jsonb #>> '{fields,name,value,first,value}') || chr(31)
                || (body::jsonb #>> '{fields,name,value,last,value}')
    FROM accounts
    WHERE jsonb_typeof(body::jsonb #> '{fields,name,value,first,value}') = 'string'
      AND body::jsonb #>> '{fields,name,value,first,value}' != ''
      AND jsonb_typeof(body::jsonb #> '{fields,name,value,last,value}') = 'string'
      AND body::jsonb #>> '{fields,name,value,last,value}' != ''
    ON CONFLICT DO NOTHING;
