-- Audit Kasus Stunting (issue 18): the role `pakar`, audit rounds, their cases, the tim pakar,
-- reviews and follow-up items (rencana tindak lanjut, RTL).
--
-- `users.role` and `invitations.role` are CHECK-constrained and SQLite cannot ALTER a CHECK. The
-- CHECKs are only widened (one more allowed value, every existing row still satisfies them), so
-- the table definitions are edited in place, the way SQLite documents for CHECK changes
-- (https://sqlite.org/lang_altertable.html, "writable_schema"): no table is rebuilt, so every
-- column, index and trigger other migrations gave these tables stays as it is. RESET makes this
-- connection re-read the schema; the CREATE TABLEs below bump the schema cookie for the others.
-- A check row fails the migration (and rolls it back) if either definition was not found as
-- expected. PostgreSQL alters the CHECKs instead (0015_audit_kasus.postgresql.sql).
-- sqlite only: begin
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, '(''admin'', ''koordinator'', ''tpk'', ''ibu'')',
                                            '(''admin'', ''koordinator'', ''tpk'', ''ibu'', ''pakar'')')
    WHERE type = 'table' AND name = 'users';
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (role IN (''koordinator'', ''tpk'', ''ibu''))',
                                            'CHECK (role IN (''koordinator'', ''tpk'', ''ibu'', ''pakar''))')
    WHERE type = 'table' AND name = 'invitations';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE check_0015 (widened INTEGER NOT NULL CHECK (widened));
INSERT INTO check_0015 SELECT count(*) = 2 FROM sqlite_master
    WHERE type = 'table' AND name IN ('users', 'invitations') AND sql LIKE '%''ibu'', ''pakar''%';
DROP TABLE check_0015;
-- sqlite only: end

ALTER TABLE invitations ADD COLUMN audit_round_id INTEGER;  -- for 'pakar': the round they are invited to
ALTER TABLE invitations ADD COLUMN speciality TEXT;         -- for 'pakar': dokter anak, ahli gizi, …

-- One round per area (kab/kota or the root) and semester while it is open.
CREATE TABLE audit_round (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions (code),
    year          INTEGER NOT NULL,
    semester      INTEGER NOT NULL CHECK (semester IN (1, 2)),
    stage         TEXT NOT NULL DEFAULT 'seleksi' CHECK (stage IN
                  ('seleksi', 'kka', 'kajian', 'diseminasi_1', 'pemantauan', 'diseminasi_2', 'selesai')),
    criteria_json TEXT,                              -- the [audit] criteria the shortlist was made with
    opened_by     INTEGER NOT NULL REFERENCES users (id),
    opened_at     TEXT NOT NULL,
    stage_at      TEXT NOT NULL,                     -- when the current stage began
    closed_at     TEXT
);
CREATE UNIQUE INDEX audit_round_open ON audit_round (region_code, year, semester) WHERE closed_at IS NULL;

-- A case: a target member (or a family) on the round's shortlist.
CREATE TABLE audit_case (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES audit_round (id),
    number        INTEGER NOT NULL,                  -- the case number shown in the deck (never a name)
    sasaran_id    INTEGER REFERENCES sasaran (id),
    keluarga_id   INTEGER NOT NULL REFERENCES keluarga (id),
    grp           TEXT NOT NULL,                     -- catin / ibu_hamil / ibu_nifas / anak / keluarga
    region_code   TEXT NOT NULL,                     -- desa/kelurahan of the family
    reasons_json  TEXT NOT NULL,                     -- why it was proposed (criteria codes and texts)
    origin        TEXT NOT NULL CHECK (origin IN ('usulan', 'tambahan')),
    status        TEXT NOT NULL DEFAULT 'usulan' CHECK (status IN ('usulan', 'tetap', 'batal')),
    status_reason TEXT,                              -- why it was dropped, or added by hand
    tpk_id        INTEGER REFERENCES users (id),     -- the TPK member who completes the KKA
    kka_json      TEXT,                              -- the fields the TPK member completed
    kka_at        TEXT,
    review_done_at TEXT,
    baseline_json TEXT,                              -- the measurement the follow-up trend starts from
    created_at    TEXT NOT NULL,
    UNIQUE (round_id, number)
);
CREATE UNIQUE INDEX audit_case_subject ON audit_case (round_id, grp, keluarga_id, coalesce(sasaran_id, 0));
CREATE INDEX audit_case_tpk ON audit_case (tpk_id);

CREATE TABLE audit_pakar (
    round_id    INTEGER NOT NULL REFERENCES audit_round (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    speciality  TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    removed_at  TEXT,
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE audit_review (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES audit_case (id),
    pakar_id       INTEGER NOT NULL REFERENCES users (id),
    causes_json    TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (case_id, pakar_id)
);

CREATE TABLE audit_rtl (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES audit_case (id),
    pakar_id    INTEGER NOT NULL REFERENCES users (id),
    party       TEXT NOT NULL,                       -- tpk / puskesmas / desa / opd:<name>
    action      TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'terbuka' CHECK (status IN ('terbuka', 'selesai')),
    outcome     TEXT,
    done_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_rtl_case ON audit_rtl (case_id);
