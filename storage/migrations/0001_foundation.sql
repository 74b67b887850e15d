-- Foundation: deployment metadata, regions, users, invitations, audit log.
-- Timestamps are ISO-8601 UTC strings written by the application's injectable clock.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    parent_code TEXT
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,              -- Telegram user id
    full_name      TEXT NOT NULL,
    phone          TEXT,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'koordinator', 'tpk', 'ibu')),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    team_position  TEXT CHECK (team_position IN ('bidan', 'kader_pkk', 'kader_kb')),
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    invited_by     INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    last_active_at TEXT
);
CREATE INDEX users_region_role ON users (region_code, role);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,                -- SHA-256 of the token; the token itself is never stored
    role        TEXT NOT NULL CHECK (role IN ('koordinator', 'tpk', 'ibu')),
    sasaran_id  INTEGER,                             -- for 'ibu': the mother this link is for
    region_code TEXT NOT NULL REFERENCES regions (code),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER REFERENCES users (id),
    used_at     TEXT
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    action      TEXT NOT NULL,                       -- create / update / delete / activate / ...
    entity      TEXT NOT NULL,                       -- table-like name: user, invitation, keluarga, ...
    entity_id   TEXT,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
