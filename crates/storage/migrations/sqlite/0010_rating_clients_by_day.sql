-- The per-client counters keyed by day first, in one B-tree: a rating's three counter
-- hits then write three pages instead of nine (table, key index and day index), and
-- the day's end deletes one range.
CREATE TABLE rating_clients_by_day (
    day DATE NOT NULL,
    key TEXT NOT NULL,
    hits BIGINT NOT NULL,
    prev_at TEXT,
    last_at TEXT NOT NULL,
    PRIMARY KEY (day, key)
) WITHOUT ROWID;
INSERT INTO rating_clients_by_day (day, key, hits, prev_at, last_at)
    SELECT day, key, hits, prev_at, last_at FROM rating_clients;
DROP TABLE rating_clients;
ALTER TABLE rating_clients_by_day RENAME TO rating_clients;

