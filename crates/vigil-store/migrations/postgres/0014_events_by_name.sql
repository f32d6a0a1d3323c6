-- The events explorer and `GET /events?filter[name]=` list one kind of event newest
-- first: a range of this index, where walking the environment's events to find a rare
-- name read every event (a million at a million accounts).
CREATE INDEX events_by_name ON events (environment_id, name, seq);
