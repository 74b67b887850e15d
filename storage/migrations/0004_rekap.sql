-- Rekap: counters kept up to date by triggers, so /rekap costs in proportion to the
-- areas and months shown, never to the number of families; the write paths of the
-- reporting code stay untouched.
--
-- Every counter is "how many CURRENT records (not erased) fall in this bucket":
--   rekap_counts (metric, region_code /* desa/kelurahan */, month, until, value)
-- month is the local month 'YYYY-MM' of the record's relevant date (created_at in the
-- deployment's zone, visited_on, hpl), or the full hpht date for 'hamil_hpht'. until is
-- only used by the child-measurement chains (see rekap_child_month), '' elsewhere.
-- A stock "as of the end of month M" is the sum of buckets <= M; a flow is the sum over
-- the months of a period. storage/rekap.py documents each metric and can rebuild all of
-- this from the raw tables (rebuild_counts), which the tests compare with the triggers.

CREATE TABLE rekap_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The deployment's UTC offset as an SQLite date modifier; storage.rekap.ensure_zone
-- corrects it at start-up (and rebuilds the counters) when the configured zone differs.
INSERT INTO rekap_settings (key, value) VALUES ('utc_offset', '+420 minutes');

CREATE TABLE rekap_counts (
    metric      TEXT NOT NULL,
    region_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    until       TEXT NOT NULL DEFAULT '',
    value       INTEGER NOT NULL,
    PRIMARY KEY (metric, region_code, month, until)
) WITHOUT ROWID;

-- Running totals over all months of every counter with until = '', kept by the triggers
-- below on rekap_counts itself: a stock "as of month M" is then total minus the buckets
-- after M, which reads the months since M instead of the whole history.
CREATE TABLE rekap_totals (
    metric      TEXT NOT NULL,
    region_code TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (metric, region_code)
) WITHOUT ROWID;

CREATE TRIGGER rekap_counts_total_ins AFTER INSERT ON rekap_counts WHEN NEW.until = '' BEGIN
    INSERT INTO rekap_totals (metric, region_code, value) VALUES (NEW.metric, NEW.region_code, NEW.value)
    ON CONFLICT (metric, region_code) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_counts_total_upd AFTER UPDATE OF value ON rekap_counts
WHEN NEW.until = '' AND NEW.value <> OLD.value
BEGIN
    UPDATE rekap_totals SET value = value + NEW.value - OLD.value
     WHERE metric = NEW.metric AND region_code = NEW.region_code;
END;

CREATE TRIGGER rekap_counts_total_del AFTER DELETE ON rekap_counts WHEN OLD.until = '' AND OLD.value <> 0 BEGIN
    UPDATE rekap_totals SET value = value - OLD.value WHERE metric = OLD.metric AND region_code = OLD.region_code;
END;

-- Mirrors of keluarga_risk / sasaran_flag with the bucket each row is counted in. They
-- make the counters exact whatever the writer does: INSERT OR REPLACE deletes without
-- firing delete triggers, and a cascaded delete runs after its parent row is gone.
CREATE TABLE rekap_risk (
    keluarga_id INTEGER NOT NULL,
    code        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    live        INTEGER NOT NULL,                 -- the family is not erased
    PRIMARY KEY (keluarga_id, code)
) WITHOUT ROWID;

CREATE TABLE rekap_flag (
    sasaran_id  INTEGER NOT NULL,
    code        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    live        INTEGER NOT NULL,                 -- the member is active and not erased
    PRIMARY KEY (sasaran_id, code)
) WITHOUT ROWID;

-- One row per child (baduta/balita, not erased) and month with a measurement: the
-- latest measurement of that month, and the next month the child was measured. A
-- child measured in period [a, b] is counted once, at its last measured month m <= b:
-- a <= m <= b and (next_month IS NULL or next_month > b). Its counters carry
-- until = coalesce(next_month, '').
CREATE TABLE rekap_child_month (
    sasaran_id  INTEGER NOT NULL,
    month       TEXT NOT NULL,
    region_code TEXT NOT NULL,
    next_month  TEXT,
    tbu         INTEGER NOT NULL,                 -- height-for-age assessed (haz present)
    stunted     INTEGER NOT NULL,
    wasted      INTEGER NOT NULL,
    underweight INTEGER NOT NULL,
    PRIMARY KEY (sasaran_id, month)
) WITHOUT ROWID;

-- Reports (keluarga, sasaran, kunjungan rows) per reporter, area and local month of
-- submission, erased or not: the work was done. Answers "who reported" and "which
-- desa/kelurahan had no report".
CREATE TABLE rekap_activity (
    user_id     INTEGER NOT NULL,
    month       TEXT NOT NULL,
    region_code TEXT NOT NULL,
    reports     INTEGER NOT NULL,
    PRIMARY KEY (user_id, month, region_code)
) WITHOUT ROWID;
CREATE INDEX rekap_activity_region ON rekap_activity (region_code, month);

-- Monthly digest: who switched it off, and what was sent (one row per user and month).
CREATE TABLE rekap_digest_optout (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    updated_at TEXT NOT NULL
);

CREATE TABLE rekap_digest_sent (
    user_id INTEGER NOT NULL REFERENCES users (id),
    month   TEXT NOT NULL,                        -- the month reported, 'YYYY-MM'
    status  TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    at      TEXT NOT NULL,
    PRIMARY KEY (user_id, month)
) WITHOUT ROWID;

-- ---------------------------------------------------------------------------------
-- keluarga: 'keluarga', 'keluarga_berisiko' by local month of created_at

CREATE TRIGGER rekap_keluarga_ins AFTER INSERT ON keluarga BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code,
           strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', 1
    FROM (SELECT 'keluarga' AS metric UNION ALL SELECT 'keluarga_berisiko' WHERE NEW.berisiko)
    WHERE NEW.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (NEW.reporter_id, strftime('%Y-%m', NEW.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), NEW.region_code, 1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports + 1;
END;

CREATE TRIGGER rekap_keluarga_del AFTER DELETE ON keluarga BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code,
           strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', -1
    FROM (SELECT 'keluarga' AS metric UNION ALL SELECT 'keluarga_berisiko' WHERE OLD.berisiko)
    WHERE OLD.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (OLD.reporter_id, strftime('%Y-%m', OLD.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), OLD.region_code, -1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports - 1;
END;

CREATE TRIGGER rekap_keluarga_upd AFTER UPDATE OF region_code, created_at, erased_at, berisiko ON keluarga
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
  OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL) OR OLD.berisiko IS NOT NEW.berisiko
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code,
           strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', -1
    FROM (SELECT 'keluarga' AS metric UNION ALL SELECT 'keluarga_berisiko' WHERE OLD.berisiko)
    WHERE OLD.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code,
           strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', 1
    FROM (SELECT 'keluarga' AS metric UNION ALL SELECT 'keluarga_berisiko' WHERE NEW.berisiko)
    WHERE NEW.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_keluarga_upd_place AFTER UPDATE OF region_code, created_at, erased_at ON keluarga
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
  OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL)
BEGIN
    UPDATE rekap_risk
       SET region_code = NEW.region_code,
           month = strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
           live = NEW.erased_at IS NULL
     WHERE keluarga_id = NEW.id;
END;

CREATE TRIGGER rekap_keluarga_upd_activity AFTER UPDATE OF region_code, created_at, reporter_id ON keluarga
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
  OR OLD.reporter_id IS NOT NEW.reporter_id
BEGIN
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (OLD.reporter_id, strftime('%Y-%m', OLD.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), OLD.region_code, -1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports - 1;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (NEW.reporter_id, strftime('%Y-%m', NEW.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), NEW.region_code, 1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports + 1;
END;

-- keluarga_risk → rekap_risk → 'risk:<code>' by the family's area and month

CREATE TRIGGER rekap_keluarga_risk_ins AFTER INSERT ON keluarga_risk BEGIN
    INSERT INTO rekap_risk (keluarga_id, code, region_code, month, live)
    SELECT NEW.keluarga_id, NEW.code, k.region_code,
           strftime('%Y-%m', k.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
           k.erased_at IS NULL
    FROM keluarga k WHERE k.id = NEW.keluarga_id
    ON CONFLICT (keluarga_id, code) DO NOTHING;
END;

CREATE TRIGGER rekap_keluarga_risk_del AFTER DELETE ON keluarga_risk BEGIN
    DELETE FROM rekap_risk WHERE keluarga_id = OLD.keluarga_id AND code = OLD.code;
END;

CREATE TRIGGER rekap_keluarga_risk_upd AFTER UPDATE OF keluarga_id, code ON keluarga_risk BEGIN
    DELETE FROM rekap_risk WHERE keluarga_id = OLD.keluarga_id AND code = OLD.code;
    INSERT INTO rekap_risk (keluarga_id, code, region_code, month, live)
    SELECT NEW.keluarga_id, NEW.code, k.region_code,
           strftime('%Y-%m', k.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
           k.erased_at IS NULL
    FROM keluarga k WHERE k.id = NEW.keluarga_id
    ON CONFLICT (keluarga_id, code) DO NOTHING;
END;

CREATE TRIGGER rekap_risk_ins AFTER INSERT ON rekap_risk WHEN NEW.live BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    VALUES ('risk:' || NEW.code, NEW.region_code, NEW.month, '', 1)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_risk_del AFTER DELETE ON rekap_risk WHEN OLD.live BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    VALUES ('risk:' || OLD.code, OLD.region_code, OLD.month, '', -1)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_risk_upd AFTER UPDATE ON rekap_risk BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'risk:' || OLD.code, OLD.region_code, OLD.month, '', -1 WHERE OLD.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'risk:' || NEW.code, NEW.region_code, NEW.month, '', 1 WHERE NEW.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- ---------------------------------------------------------------------------------
-- sasaran (not erased):
--   'sasaran:<category>'  active members other than ibu hamil, by local month of created_at
--   'hamil_hpht'          active ibu hamil with an HPHT, bucketed by the HPHT date itself
--   'hamil_tanpa_hpht'    active ibu hamil without HPHT, by local month of created_at
--   'hpl'                 any member with an HPL (due date), by the month of the HPL

CREATE TRIGGER rekap_sasaran_ins AFTER INSERT ON sasaran BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, month, '', 1 FROM (
        SELECT 'sasaran:' || NEW.category AS metric,
               strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) AS month
         WHERE NEW.status = 'aktif' AND NEW.category <> 'ibu_hamil'
        UNION ALL
        SELECT 'hamil_hpht', date(NEW.hpht)
         WHERE NEW.status = 'aktif' AND NEW.category = 'ibu_hamil' AND NEW.hpht IS NOT NULL
        UNION ALL
        SELECT 'hamil_tanpa_hpht',
               strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset'))
         WHERE NEW.status = 'aktif' AND NEW.category = 'ibu_hamil' AND NEW.hpht IS NULL
        UNION ALL
        SELECT 'hpl', substr(NEW.hpl, 1, 7) WHERE NEW.hpl IS NOT NULL
    ) WHERE NEW.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (NEW.reporter_id, strftime('%Y-%m', NEW.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), NEW.region_code, 1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports + 1;
END;

CREATE TRIGGER rekap_sasaran_del AFTER DELETE ON sasaran BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, month, '', -1 FROM (
        SELECT 'sasaran:' || OLD.category AS metric,
               strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) AS month
         WHERE OLD.status = 'aktif' AND OLD.category <> 'ibu_hamil'
        UNION ALL
        SELECT 'hamil_hpht', date(OLD.hpht)
         WHERE OLD.status = 'aktif' AND OLD.category = 'ibu_hamil' AND OLD.hpht IS NOT NULL
        UNION ALL
        SELECT 'hamil_tanpa_hpht',
               strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset'))
         WHERE OLD.status = 'aktif' AND OLD.category = 'ibu_hamil' AND OLD.hpht IS NULL
        UNION ALL
        SELECT 'hpl', substr(OLD.hpl, 1, 7) WHERE OLD.hpl IS NOT NULL
    ) WHERE OLD.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (OLD.reporter_id, strftime('%Y-%m', OLD.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), OLD.region_code, -1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports - 1;
    DELETE FROM rekap_child_month WHERE sasaran_id = OLD.id;
END;

CREATE TRIGGER rekap_sasaran_upd AFTER UPDATE OF region_code, category, status, erased_at, hpht, hpl, created_at
ON sasaran
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.category IS NOT NEW.category OR OLD.status IS NOT NEW.status
  OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL) OR OLD.hpht IS NOT NEW.hpht OR OLD.hpl IS NOT NEW.hpl
  OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, month, '', -1 FROM (
        SELECT 'sasaran:' || OLD.category AS metric,
               strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) AS month
         WHERE OLD.status = 'aktif' AND OLD.category <> 'ibu_hamil'
        UNION ALL
        SELECT 'hamil_hpht', date(OLD.hpht)
         WHERE OLD.status = 'aktif' AND OLD.category = 'ibu_hamil' AND OLD.hpht IS NOT NULL
        UNION ALL
        SELECT 'hamil_tanpa_hpht',
               strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset'))
         WHERE OLD.status = 'aktif' AND OLD.category = 'ibu_hamil' AND OLD.hpht IS NULL
        UNION ALL
        SELECT 'hpl', substr(OLD.hpl, 1, 7) WHERE OLD.hpl IS NOT NULL
    ) WHERE OLD.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, month, '', 1 FROM (
        SELECT 'sasaran:' || NEW.category AS metric,
               strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) AS month
         WHERE NEW.status = 'aktif' AND NEW.category <> 'ibu_hamil'
        UNION ALL
        SELECT 'hamil_hpht', date(NEW.hpht)
         WHERE NEW.status = 'aktif' AND NEW.category = 'ibu_hamil' AND NEW.hpht IS NOT NULL
        UNION ALL
        SELECT 'hamil_tanpa_hpht',
               strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset'))
         WHERE NEW.status = 'aktif' AND NEW.category = 'ibu_hamil' AND NEW.hpht IS NULL
        UNION ALL
        SELECT 'hpl', substr(NEW.hpl, 1, 7) WHERE NEW.hpl IS NOT NULL
    ) WHERE NEW.erased_at IS NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_sasaran_upd_flags AFTER UPDATE OF region_code, created_at, erased_at, status ON sasaran
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
  OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL) OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE rekap_flag
       SET region_code = NEW.region_code,
           month = strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
           live = NEW.erased_at IS NULL AND NEW.status = 'aktif'
     WHERE sasaran_id = NEW.id;
END;

-- Erasing (or restoring) a member takes its visits out of (or back into) the counts.
CREATE TRIGGER rekap_sasaran_upd_visits AFTER UPDATE OF erased_at ON sasaran
WHEN (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL)
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, region_code, month, '', count(*) * (CASE WHEN NEW.erased_at IS NULL THEN 1 ELSE -1 END) FROM (
        SELECT 'kunjungan:' || kind AS metric, region_code, substr(visited_on, 1, 7) AS month
          FROM kunjungan WHERE sasaran_id = NEW.id
        UNION ALL
        SELECT 'outcome:' || outcome, region_code, substr(visited_on, 1, 7)
          FROM kunjungan WHERE sasaran_id = NEW.id AND outcome IS NOT NULL
    ) WHERE true GROUP BY metric, region_code, month
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- A member who becomes (or stops being) a counted child: rebuild its measurement months.
CREATE TRIGGER rekap_sasaran_upd_child AFTER UPDATE OF category, erased_at ON sasaran
WHEN OLD.category IS NOT NEW.category OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL)
BEGIN
    DELETE FROM rekap_child_month WHERE sasaran_id = NEW.id;
    INSERT INTO rekap_child_month (sasaran_id, month, region_code, next_month, tbu, stunted, wasted, underweight)
    SELECT sasaran_id, month, region_code, lead(month) OVER (ORDER BY month), tbu, stunted, wasted, underweight
    FROM (
        SELECT k.sasaran_id, substr(k.visited_on, 1, 7) AS month, k.region_code, k.haz IS NOT NULL AS tbu,
               coalesce(k.stunted, 0) AS stunted, coalesce(k.wasted, 0) AS wasted,
               coalesce(k.underweight, 0) AS underweight,
               row_number() OVER (PARTITION BY substr(k.visited_on, 1, 7) ORDER BY k.visited_on DESC, k.id DESC) AS rn
          FROM kunjungan k
         WHERE k.sasaran_id = NEW.id AND (k.weight_kg IS NOT NULL OR k.height_cm IS NOT NULL)
    )
    WHERE rn = 1 AND NEW.erased_at IS NULL AND NEW.category IN ('baduta', 'balita');
END;

CREATE TRIGGER rekap_sasaran_upd_activity AFTER UPDATE OF region_code, created_at, reporter_id ON sasaran
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
  OR OLD.reporter_id IS NOT NEW.reporter_id
BEGIN
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (OLD.reporter_id, strftime('%Y-%m', OLD.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), OLD.region_code, -1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports - 1;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (NEW.reporter_id, strftime('%Y-%m', NEW.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), NEW.region_code, 1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports + 1;
END;

-- sasaran_flag → rekap_flag → 'flag:<code>' by the member's area and month

CREATE TRIGGER rekap_sasaran_flag_ins AFTER INSERT ON sasaran_flag BEGIN
    INSERT INTO rekap_flag (sasaran_id, code, region_code, month, live)
    SELECT NEW.sasaran_id, NEW.code, s.region_code,
           strftime('%Y-%m', s.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
           s.erased_at IS NULL AND s.status = 'aktif'
    FROM sasaran s WHERE s.id = NEW.sasaran_id
    ON CONFLICT (sasaran_id, code) DO NOTHING;
END;

CREATE TRIGGER rekap_sasaran_flag_del AFTER DELETE ON sasaran_flag BEGIN
    DELETE FROM rekap_flag WHERE sasaran_id = OLD.sasaran_id AND code = OLD.code;
END;

CREATE TRIGGER rekap_sasaran_flag_upd AFTER UPDATE OF sasaran_id, code ON sasaran_flag BEGIN
    DELETE FROM rekap_flag WHERE sasaran_id = OLD.sasaran_id AND code = OLD.code;
    INSERT INTO rekap_flag (sasaran_id, code, region_code, month, live)
    SELECT NEW.sasaran_id, NEW.code, s.region_code,
           strftime('%Y-%m', s.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
           s.erased_at IS NULL AND s.status = 'aktif'
    FROM sasaran s WHERE s.id = NEW.sasaran_id
    ON CONFLICT (sasaran_id, code) DO NOTHING;
END;

CREATE TRIGGER rekap_flag_ins AFTER INSERT ON rekap_flag WHEN NEW.live BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    VALUES ('flag:' || NEW.code, NEW.region_code, NEW.month, '', 1)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_flag_del AFTER DELETE ON rekap_flag WHEN OLD.live BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    VALUES ('flag:' || OLD.code, OLD.region_code, OLD.month, '', -1)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_flag_upd AFTER UPDATE ON rekap_flag BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'flag:' || OLD.code, OLD.region_code, OLD.month, '', -1 WHERE OLD.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'flag:' || NEW.code, NEW.region_code, NEW.month, '', 1 WHERE NEW.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- ---------------------------------------------------------------------------------
-- kunjungan (of a member not erased): 'kunjungan:<kind>', 'outcome:<lahir|keguguran>'
-- by the month of visited_on (a local date); children's measurements via
-- rekap_child_month.

CREATE TRIGGER rekap_kunjungan_ins AFTER INSERT ON kunjungan BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, substr(NEW.visited_on, 1, 7), '', 1 FROM (
        SELECT 'kunjungan:' || NEW.kind AS metric
        UNION ALL SELECT 'outcome:' || NEW.outcome WHERE NEW.outcome IS NOT NULL
    ) WHERE EXISTS (SELECT 1 FROM sasaran s WHERE s.id = NEW.sasaran_id AND s.erased_at IS NULL)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (NEW.reporter_id, strftime('%Y-%m', NEW.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), NEW.region_code, 1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports + 1;
END;

-- A new measurement: (re)compute the child's row for that month, then its predecessor's
-- next_month. The row is upserted so an unchanged month costs no counter writes.
CREATE TRIGGER rekap_kunjungan_ins_child AFTER INSERT ON kunjungan
WHEN NEW.weight_kg IS NOT NULL OR NEW.height_cm IS NOT NULL
BEGIN
    INSERT INTO rekap_child_month (sasaran_id, month, region_code, next_month, tbu, stunted, wasted, underweight)
    SELECT k.sasaran_id, substr(NEW.visited_on, 1, 7), k.region_code,
           (SELECT min(c.month) FROM rekap_child_month c
             WHERE c.sasaran_id = NEW.sasaran_id AND c.month > substr(NEW.visited_on, 1, 7)),
           k.haz IS NOT NULL, coalesce(k.stunted, 0), coalesce(k.wasted, 0), coalesce(k.underweight, 0)
      FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id
     WHERE k.sasaran_id = NEW.sasaran_id
       AND k.visited_on >= substr(NEW.visited_on, 1, 7) || '-01'
       AND k.visited_on <= substr(NEW.visited_on, 1, 7) || '-31'
       AND (k.weight_kg IS NOT NULL OR k.height_cm IS NOT NULL)
       AND s.erased_at IS NULL AND s.category IN ('baduta', 'balita')
     ORDER BY k.visited_on DESC, k.id DESC LIMIT 1
    ON CONFLICT (sasaran_id, month) DO UPDATE SET
        region_code = excluded.region_code, tbu = excluded.tbu, stunted = excluded.stunted,
        wasted = excluded.wasted, underweight = excluded.underweight
     WHERE region_code IS NOT excluded.region_code OR tbu IS NOT excluded.tbu OR stunted IS NOT excluded.stunted
        OR wasted IS NOT excluded.wasted OR underweight IS NOT excluded.underweight;
    UPDATE rekap_child_month
       SET next_month = (SELECT min(c.month) FROM rekap_child_month c
                          WHERE c.sasaran_id = NEW.sasaran_id AND c.month > rekap_child_month.month)
     WHERE sasaran_id = NEW.sasaran_id
       AND month = (SELECT max(c.month) FROM rekap_child_month c
                     WHERE c.sasaran_id = NEW.sasaran_id AND c.month < substr(NEW.visited_on, 1, 7));
END;

CREATE TRIGGER rekap_kunjungan_del AFTER DELETE ON kunjungan BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, substr(OLD.visited_on, 1, 7), '', -1 FROM (
        SELECT 'kunjungan:' || OLD.kind AS metric
        UNION ALL SELECT 'outcome:' || OLD.outcome WHERE OLD.outcome IS NOT NULL
    ) WHERE EXISTS (SELECT 1 FROM sasaran s WHERE s.id = OLD.sasaran_id AND s.erased_at IS NULL)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (OLD.reporter_id, strftime('%Y-%m', OLD.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), OLD.region_code, -1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports - 1;
    -- recompute the child's month from what is left
    DELETE FROM rekap_child_month WHERE sasaran_id = OLD.sasaran_id AND month = substr(OLD.visited_on, 1, 7);
    INSERT INTO rekap_child_month (sasaran_id, month, region_code, next_month, tbu, stunted, wasted, underweight)
    SELECT k.sasaran_id, substr(OLD.visited_on, 1, 7), k.region_code,
           (SELECT min(c.month) FROM rekap_child_month c
             WHERE c.sasaran_id = OLD.sasaran_id AND c.month > substr(OLD.visited_on, 1, 7)),
           k.haz IS NOT NULL, coalesce(k.stunted, 0), coalesce(k.wasted, 0), coalesce(k.underweight, 0)
      FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id
     WHERE k.sasaran_id = OLD.sasaran_id
       AND k.visited_on >= substr(OLD.visited_on, 1, 7) || '-01'
       AND k.visited_on <= substr(OLD.visited_on, 1, 7) || '-31'
       AND (k.weight_kg IS NOT NULL OR k.height_cm IS NOT NULL)
       AND s.erased_at IS NULL AND s.category IN ('baduta', 'balita')
     ORDER BY k.visited_on DESC, k.id DESC LIMIT 1;
    UPDATE rekap_child_month
       SET next_month = (SELECT min(c.month) FROM rekap_child_month c
                          WHERE c.sasaran_id = OLD.sasaran_id AND c.month > rekap_child_month.month)
     WHERE sasaran_id = OLD.sasaran_id
       AND month = (SELECT max(c.month) FROM rekap_child_month c
                     WHERE c.sasaran_id = OLD.sasaran_id AND c.month < substr(OLD.visited_on, 1, 7));
END;

-- Any change to a visit is counted as taking the old row out and putting the new one in.
CREATE TRIGGER rekap_kunjungan_upd AFTER UPDATE OF sasaran_id, region_code, reporter_id, visited_on, kind,
    outcome, weight_kg, height_cm, haz, stunted, wasted, underweight, created_at ON kunjungan
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, substr(OLD.visited_on, 1, 7), '', -1 FROM (
        SELECT 'kunjungan:' || OLD.kind AS metric
        UNION ALL SELECT 'outcome:' || OLD.outcome WHERE OLD.outcome IS NOT NULL
    ) WHERE EXISTS (SELECT 1 FROM sasaran s WHERE s.id = OLD.sasaran_id AND s.erased_at IS NULL)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, substr(NEW.visited_on, 1, 7), '', 1 FROM (
        SELECT 'kunjungan:' || NEW.kind AS metric
        UNION ALL SELECT 'outcome:' || NEW.outcome WHERE NEW.outcome IS NOT NULL
    ) WHERE EXISTS (SELECT 1 FROM sasaran s WHERE s.id = NEW.sasaran_id AND s.erased_at IS NULL)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (OLD.reporter_id, strftime('%Y-%m', OLD.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), OLD.region_code, -1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports - 1;
    INSERT INTO rekap_activity (user_id, month, region_code, reports)
    VALUES (NEW.reporter_id, strftime('%Y-%m', NEW.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), NEW.region_code, 1)
    ON CONFLICT (user_id, month, region_code) DO UPDATE SET reports = reports + 1;
    -- the old child rebuilt completely, then the new one (often the same child)
    DELETE FROM rekap_child_month WHERE sasaran_id IN (OLD.sasaran_id, NEW.sasaran_id);
    INSERT INTO rekap_child_month (sasaran_id, month, region_code, next_month, tbu, stunted, wasted, underweight)
    SELECT sasaran_id, month, region_code,
           lead(month) OVER (PARTITION BY sasaran_id ORDER BY month), tbu, stunted, wasted, underweight
    FROM (
        SELECT k.sasaran_id, substr(k.visited_on, 1, 7) AS month, k.region_code, k.haz IS NOT NULL AS tbu,
               coalesce(k.stunted, 0) AS stunted, coalesce(k.wasted, 0) AS wasted,
               coalesce(k.underweight, 0) AS underweight,
               row_number() OVER (PARTITION BY k.sasaran_id, substr(k.visited_on, 1, 7)
                                  ORDER BY k.visited_on DESC, k.id DESC) AS rn
          FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id
         WHERE k.sasaran_id IN (OLD.sasaran_id, NEW.sasaran_id)
           AND (k.weight_kg IS NOT NULL OR k.height_cm IS NOT NULL)
           AND s.erased_at IS NULL AND s.category IN ('baduta', 'balita')
    )
    WHERE rn = 1;
END;

-- rekap_child_month → 'anak_ukur', 'anak_tbu', 'anak_pendek', 'anak_kurus', 'anak_bbkurang'

CREATE TRIGGER rekap_child_ins AFTER INSERT ON rekap_child_month BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, NEW.month, coalesce(NEW.next_month, ''), 1 FROM (
        SELECT 'anak_ukur' AS metric
        UNION ALL SELECT 'anak_tbu' WHERE NEW.tbu
        UNION ALL SELECT 'anak_pendek' WHERE NEW.stunted
        UNION ALL SELECT 'anak_kurus' WHERE NEW.wasted
        UNION ALL SELECT 'anak_bbkurang' WHERE NEW.underweight
    ) WHERE true
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_child_del AFTER DELETE ON rekap_child_month BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, OLD.month, coalesce(OLD.next_month, ''), -1 FROM (
        SELECT 'anak_ukur' AS metric
        UNION ALL SELECT 'anak_tbu' WHERE OLD.tbu
        UNION ALL SELECT 'anak_pendek' WHERE OLD.stunted
        UNION ALL SELECT 'anak_kurus' WHERE OLD.wasted
        UNION ALL SELECT 'anak_bbkurang' WHERE OLD.underweight
    ) WHERE true
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_child_upd AFTER UPDATE ON rekap_child_month
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.month IS NOT NEW.month OR OLD.next_month IS NOT NEW.next_month
  OR OLD.tbu IS NOT NEW.tbu OR OLD.stunted IS NOT NEW.stunted OR OLD.wasted IS NOT NEW.wasted
  OR OLD.underweight IS NOT NEW.underweight
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, OLD.month, coalesce(OLD.next_month, ''), -1 FROM (
        SELECT 'anak_ukur' AS metric
        UNION ALL SELECT 'anak_tbu' WHERE OLD.tbu
        UNION ALL SELECT 'anak_pendek' WHERE OLD.stunted
        UNION ALL SELECT 'anak_kurus' WHERE OLD.wasted
        UNION ALL SELECT 'anak_bbkurang' WHERE OLD.underweight
    ) WHERE true
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, NEW.month, coalesce(NEW.next_month, ''), 1 FROM (
        SELECT 'anak_ukur' AS metric
        UNION ALL SELECT 'anak_tbu' WHERE NEW.tbu
        UNION ALL SELECT 'anak_pendek' WHERE NEW.stunted
        UNION ALL SELECT 'anak_kurus' WHERE NEW.wasted
        UNION ALL SELECT 'anak_bbkurang' WHERE NEW.underweight
    ) WHERE true
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- ---------------------------------------------------------------------------------
-- reminders (migration 0003), by the member's area and the local month of sent_at:
--   'pengingat_kirim'  sent;  'pengingat_perlu'  sent and asking for an answer;
--   'pengingat_jawab'  of those, answered (ack_at set), counted in the month it was sent

CREATE TRIGGER rekap_reminders_ins AFTER INSERT ON reminders WHEN NEW.sent_at IS NOT NULL BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT m.metric, s.region_code,
           strftime('%Y-%m', NEW.sent_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', 1
    FROM (SELECT 'pengingat_kirim' AS metric
          UNION ALL SELECT 'pengingat_perlu' WHERE NEW.needs_ack
          UNION ALL SELECT 'pengingat_jawab' WHERE NEW.needs_ack AND NEW.ack_at IS NOT NULL) AS m,
         sasaran s
    WHERE s.id = NEW.sasaran_id
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_reminders_del AFTER DELETE ON reminders WHEN OLD.sent_at IS NOT NULL BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT m.metric, s.region_code,
           strftime('%Y-%m', OLD.sent_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', -1
    FROM (SELECT 'pengingat_kirim' AS metric
          UNION ALL SELECT 'pengingat_perlu' WHERE OLD.needs_ack
          UNION ALL SELECT 'pengingat_jawab' WHERE OLD.needs_ack AND OLD.ack_at IS NOT NULL) AS m,
         sasaran s
    WHERE s.id = OLD.sasaran_id
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_reminders_upd AFTER UPDATE OF sasaran_id, sent_at, needs_ack, ack_at ON reminders
WHEN OLD.sasaran_id IS NOT NEW.sasaran_id OR OLD.sent_at IS NOT NEW.sent_at OR OLD.needs_ack IS NOT NEW.needs_ack
  OR (OLD.ack_at IS NULL) <> (NEW.ack_at IS NULL)
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT m.metric, s.region_code,
           strftime('%Y-%m', OLD.sent_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', -1
    FROM (SELECT 'pengingat_kirim' AS metric
          UNION ALL SELECT 'pengingat_perlu' WHERE OLD.needs_ack
          UNION ALL SELECT 'pengingat_jawab' WHERE OLD.needs_ack AND OLD.ack_at IS NOT NULL) AS m,
         sasaran s
    WHERE s.id = OLD.sasaran_id AND OLD.sent_at IS NOT NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT m.metric, s.region_code,
           strftime('%Y-%m', NEW.sent_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', 1
    FROM (SELECT 'pengingat_kirim' AS metric
          UNION ALL SELECT 'pengingat_perlu' WHERE NEW.needs_ack
          UNION ALL SELECT 'pengingat_jawab' WHERE NEW.needs_ack AND NEW.ack_at IS NOT NULL) AS m,
         sasaran s
    WHERE s.id = NEW.sasaran_id AND NEW.sent_at IS NOT NULL
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- A member who moves to another desa/kelurahan takes her reminders' counts along.
CREATE TRIGGER rekap_sasaran_upd_reminders AFTER UPDATE OF region_code ON sasaran
WHEN OLD.region_code IS NOT NEW.region_code
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT x.metric, side.region,
           strftime('%Y-%m', x.sent_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) AS bucket,
           '', sum(side.delta)
    FROM (
        SELECT 'pengingat_kirim' AS metric, r.sent_at FROM reminders r
         WHERE r.sasaran_id = NEW.id AND r.sent_at IS NOT NULL
        UNION ALL SELECT 'pengingat_perlu', r.sent_at FROM reminders r
         WHERE r.sasaran_id = NEW.id AND r.sent_at IS NOT NULL AND r.needs_ack
        UNION ALL SELECT 'pengingat_jawab', r.sent_at FROM reminders r
         WHERE r.sasaran_id = NEW.id AND r.sent_at IS NOT NULL AND r.needs_ack AND r.ack_at IS NOT NULL
    ) AS x, (SELECT OLD.region_code AS region, -1 AS delta UNION ALL SELECT NEW.region_code, 1) AS side
    WHERE true GROUP BY x.metric, side.region, bucket
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;
