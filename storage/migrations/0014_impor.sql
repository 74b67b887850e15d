-- Imports of by-name lists (issue 17): the file, its rows' outcomes, the remembered
-- header mappings, the source of every imported record and the assignment of
-- families to TPK members.

CREATE TABLE impor (
    id           INTEGER PRIMARY KEY,
    file_hash    TEXT NOT NULL,                       -- SHA-256 of the file's bytes
    file_name    TEXT NOT NULL,
    source       TEXT NOT NULL,                       -- "impor <file name>", shown on records
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    scope        TEXT NOT NULL,                       -- the importer's area: nothing outside is written
    file_id      TEXT,                                -- Telegram file_id, to read the file again after the preview
    mapping_json TEXT NOT NULL DEFAULT '{}',
    use_file_json TEXT NOT NULL DEFAULT '[]',          -- columns whose differences take the file's value
    state        TEXT NOT NULL DEFAULT 'preview'
                 CHECK (state IN ('preview', 'running', 'done', 'cancelled', 'undone')),
    counts_json  TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    undone_at    TEXT,
    boot_id      TEXT                                 -- the process that set it running: a restart resumes others'
);
CREATE INDEX impor_file ON impor (file_hash, state);
CREATE INDEX impor_actor ON impor (actor_id, created_at);

-- One row per written file row: a resumed import skips what is here, so nothing doubles.
CREATE TABLE impor_row (
    impor_id    INTEGER NOT NULL REFERENCES impor (id),
    sheet       TEXT NOT NULL,
    row_no      INTEGER NOT NULL,
    outcome     TEXT NOT NULL,                        -- created / updated / unchanged / duplicate / error / out_of_scope
    keluarga_id INTEGER,
    sasaran_id  INTEGER,
    kunjungan_id INTEGER,
    before_json TEXT,                                  -- an update's previous values, for undo
    PRIMARY KEY (impor_id, sheet, row_no)
) WITHOUT ROWID;

-- Header signature (the normalised headers of a sheet) -> the mapping chosen for it.
CREATE TABLE impor_mapping (
    signature    TEXT PRIMARY KEY,
    mapping_json TEXT NOT NULL,
    updated_by   INTEGER REFERENCES users (id),
    updated_at   TEXT NOT NULL
);

ALTER TABLE keluarga ADD COLUMN impor_id INTEGER REFERENCES impor (id);
ALTER TABLE sasaran ADD COLUMN impor_id INTEGER REFERENCES impor (id);
ALTER TABLE kunjungan ADD COLUMN impor_id INTEGER REFERENCES impor (id);
CREATE INDEX keluarga_impor ON keluarga (impor_id) WHERE impor_id IS NOT NULL;
CREATE INDEX sasaran_impor ON sasaran (impor_id) WHERE impor_id IS NOT NULL;
CREATE INDEX kunjungan_impor ON kunjungan (impor_id) WHERE impor_id IS NOT NULL;
CREATE INDEX keluarga_head ON keluarga (region_code, head_name COLLATE NOCASE);

-- A family imported without a named member belongs to every TPK member of its desa;
-- a row here gives it to one member instead.
CREATE TABLE keluarga_assignee (
    keluarga_id INTEGER NOT NULL REFERENCES keluarga (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    assigned_by INTEGER REFERENCES users (id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (keluarga_id, user_id)
) WITHOUT ROWID;
CREATE INDEX keluarga_assignee_user ON keluarga_assignee (user_id);
