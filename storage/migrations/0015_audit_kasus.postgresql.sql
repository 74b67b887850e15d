-- 0015 on PostgreSQL, before the ported 0015_audit_kasus.sql (whose "sqlite only" block edits
-- SQLite's schema text in place): the role CHECKs of users and invitations are widened by
-- replacing the constraints, which PostgreSQL can do in place (no table is rebuilt either).
-- The constraint names are PostgreSQL's own for a column CHECK (<table>_<column>_check); a
-- missing one fails the migration, which then leaves nothing.
ALTER TABLE users DROP CONSTRAINT users_role_check,
    ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'koordinator', 'tpk', 'ibu', 'pakar'));
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check,
    ADD CONSTRAINT invitations_role_check CHECK (role IN ('koordinator', 'tpk', 'ibu', 'pakar'));
