-- 0019 on PostgreSQL, before the ported 0019_national.sql (whose "sqlite only" block edits
-- SQLite's schema text in place): the level CHECK of regions is widened to take the nation
-- (level 0) by replacing the constraint (<table>_<column>_check, PostgreSQL's own name for a
-- column CHECK; a missing one fails the migration, which then leaves nothing).
ALTER TABLE regions DROP CONSTRAINT regions_level_check,
    ADD CONSTRAINT regions_level_check CHECK (level BETWEEN 0 AND 4);
