-- One row that every write transaction of the PostgreSQL backend locks first, so
-- transactions from several processes (a server and `vigil import`, say) commit one after
-- another and the event log's `seq` order is its commit order: a reader following the
-- log never passes an event that commits later with a smaller number. SQLite serialises
-- writers itself; the table is here so both schemas stay the same.
CREATE TABLE write_order (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO write_order (id) VALUES (1);
