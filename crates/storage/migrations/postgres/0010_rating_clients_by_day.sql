-- The per-client counters keyed by day first: the day's end deletes one range of the
-- key, and no second index is written at every hit.
ALTER TABLE rating_clients DROP CONSTRAINT rating_clients_pkey;
ALTER TABLE rating_clients ADD PRIMARY KEY (day, key);
DROP INDEX rating_clients_day;

