-- An account with a given and a family name is also filed under both together
-- (`vigil_domain::search::ACCOUNT_PAIRED`), so a full-name search is one lookup.
INSERT OR IGNORE INTO account_terms (account_seq, term)
    SELECT seq, 'fields.name:' || json_extract(body, '$.fields.name.value.first.value') || char(31)
                || json_extract(body, '$.fields.name.value.last.value')
    FROM accounts
    WHERE json_type(body, '$.fields.name.value.first.value') = 'text'
      AND json_extract(body, '$.fields.name.value.first.value') != ''
      AND json_type(body, '$.fields.name.value.last.value') = 'text'
      AND json_extract(body, '$.fields.name.value.last.value') != '';
