-- Reporting: families (keluarga), their target members (sasaran), visits and
-- measurements (kunjungan), risk factors, and form drafts.
-- NIK and No. KK are stored encrypted (*_enc) with a keyed hash (*_hash) for
-- duplicate lookup and a masked form (*_masked) for display; never in plain text.

CREATE TABLE keluarga (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions (code),   -- desa/kelurahan
    rt            TEXT,
    rw            TEXT,
    address       TEXT,
    head_name     TEXT NOT NULL,
    no_kk_enc     TEXT,
    no_kk_hash    TEXT,
    no_kk_masked  TEXT,
    water_source  TEXT NOT NULL,
    latrine       TEXT NOT NULL,
    berisiko      INTEGER NOT NULL DEFAULT 0,
    answers_json  TEXT NOT NULL DEFAULT '{}',
    reporter_id   INTEGER NOT NULL REFERENCES users (id),
    draft_key     TEXT UNIQUE,                                -- the submitted draft: a second "Kirim" finds it
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    erased_at     TEXT
);
CREATE INDEX keluarga_region ON keluarga (region_code, created_at);
CREATE INDEX keluarga_reporter ON keluarga (reporter_id);
CREATE INDEX keluarga_kk ON keluarga (no_kk_hash);

CREATE TABLE sasaran (
    id             INTEGER PRIMARY KEY,
    keluarga_id    INTEGER NOT NULL REFERENCES keluarga (id),
    region_code    TEXT NOT NULL REFERENCES regions (code),   -- copied from the family, for scope and counts
    category       TEXT NOT NULL CHECK (category IN ('catin', 'ibu_hamil', 'ibu_nifas', 'baduta', 'balita')),
    name           TEXT NOT NULL,
    nik_enc        TEXT,
    nik_hash       TEXT UNIQUE,
    nik_masked     TEXT,
    sex            TEXT CHECK (sex IN ('L', 'P')),
    birth_date     TEXT,
    phone          TEXT,
    hpht           TEXT,                                      -- ibu hamil
    hpl            TEXT,
    delivery_date  TEXT,                                      -- ibu nifas
    mother_id      INTEGER REFERENCES sasaran (id),           -- a baby born during pendampingan
    status         TEXT NOT NULL DEFAULT 'aktif' CHECK (status IN ('aktif', 'selesai')),
    ended_reason   TEXT,                                      -- lahir / keguguran / ...
    ended_on       TEXT,
    answers_json   TEXT NOT NULL DEFAULT '{}',
    reporter_id    INTEGER NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    erased_at      TEXT
);
CREATE INDEX sasaran_region_category ON sasaran (region_code, category, status);
CREATE INDEX sasaran_keluarga ON sasaran (keluarga_id);
CREATE INDEX sasaran_name_birth ON sasaran (region_code, name COLLATE NOCASE, birth_date);
CREATE INDEX sasaran_hpl ON sasaran (region_code, hpl);

-- One row per risk factor or health flag: family-level KRS factors (water, latrine,
-- 4 Terlalu, no modern KB) and member-level flags (KEK, anaemia, ...).
CREATE TABLE keluarga_risk (
    keluarga_id INTEGER NOT NULL REFERENCES keluarga (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (keluarga_id, code)
) WITHOUT ROWID;
CREATE INDEX keluarga_risk_code ON keluarga_risk (code);

CREATE TABLE sasaran_flag (
    sasaran_id INTEGER NOT NULL REFERENCES sasaran (id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (sasaran_id, code)
) WITHOUT ROWID;
CREATE INDEX sasaran_flag_code ON sasaran_flag (code);

-- Registration measurements and follow-up visits.
CREATE TABLE kunjungan (
    id            INTEGER PRIMARY KEY,
    sasaran_id    INTEGER NOT NULL REFERENCES sasaran (id),
    region_code   TEXT NOT NULL,
    reporter_id   INTEGER NOT NULL REFERENCES users (id),
    visited_on    TEXT NOT NULL,                              -- local date YYYY-MM-DD
    kind          TEXT NOT NULL CHECK (kind IN ('pendaftaran', 'kunjungan')),
    outcome       TEXT CHECK (outcome IN ('lahir', 'keguguran')),
    weight_kg     REAL,
    height_cm     REAL,
    measured_lying INTEGER,
    lila_cm       REAL,
    hb            REAL,
    haz           REAL,
    waz           REAL,
    whz           REAL,
    stunted       INTEGER,
    wasted        INTEGER,
    underweight   INTEGER,
    answers_json  TEXT NOT NULL DEFAULT '{}',
    draft_key     TEXT UNIQUE,
    created_at    TEXT NOT NULL
);
CREATE INDEX kunjungan_sasaran ON kunjungan (sasaran_id, visited_on);
CREATE INDEX kunjungan_region_date ON kunjungan (region_code, visited_on);
CREATE INDEX kunjungan_reporter ON kunjungan (reporter_id, visited_on);

-- Every answer a member types is committed here before the next question is sent.
CREATE TABLE drafts (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    form        TEXT NOT NULL,
    draft_key   TEXT NOT NULL UNIQUE,
    state_json  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, form)
);
CREATE INDEX drafts_updated ON drafts (updated_at);
