-- Nothing on SQLite: its date functions are built in. On PostgreSQL
-- (0020_faster_dates.postgresql.sql) the SQLite-compatible date and min/max functions of
-- 0001 are replaced by faster ones with the same results.
SELECT 1;
