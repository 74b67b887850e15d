-- The nation above the 38 provinces (issue 19): the root of a national deployment, code 'ID'
-- (bot.domain.regions.NATIONAL), level 0. Its /rekap is the sum of the provinces' roll-ups
-- (storage/rekap.py), so it has no counters of its own: one national row would be written by
-- every report in the country.
--
-- `regions.level` is CHECK-constrained to 1–4; the CHECK is only widened (every existing row
-- still satisfies it), in place, as migration 0015 widened the role CHECKs (writable_schema).
-- A check row fails the migration (and rolls it back) if the definition was not found as
-- expected. PostgreSQL replaces the constraint instead (0019_national.postgresql.sql).
-- sqlite only: begin
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (level BETWEEN 1 AND 4)', 'CHECK (level BETWEEN 0 AND 4)')
    WHERE type = 'table' AND name = 'regions';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE check_0019 (widened INTEGER NOT NULL CHECK (widened));
INSERT INTO check_0019 SELECT count(*) = 1 FROM sqlite_master
    WHERE type = 'table' AND name = 'regions' AND sql LIKE '%CHECK (level BETWEEN 0 AND 4)%';
DROP TABLE check_0019;
-- sqlite only: end

-- Every database has the nation, and every province names it as its parent (as
-- storage/regions.py loads them from now on).
INSERT INTO regions (code, name, level, parent_code) VALUES ('ID', 'Indonesia', 0, NULL)
    ON CONFLICT (code) DO NOTHING;
UPDATE regions SET parent_code = 'ID' WHERE level = 1;
