-- Lists and their items. Bodies are the domain objects as JSON; the columns beside them
-- are what is filtered, ordered or kept unique.
CREATE TABLE lists (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    archived INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX lists_by_environment ON lists (environment_id, archived, seq);

CREATE TABLE list_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id),
    list_id TEXT NOT NULL REFERENCES lists(id),
    match_key TEXT NOT NULL,
    active INTEGER NOT NULL,
    body TEXT NOT NULL
);
-- One active item per value per list: the duplicate check cannot race.
CREATE UNIQUE INDEX list_items_active_value ON list_items (list_id, match_key) WHERE active = 1;
CREATE INDEX list_items_by_environment ON list_items (environment_id, seq);
