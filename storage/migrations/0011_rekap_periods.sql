-- Rekap by the period's reference days, and closed periods (issue 14).
--
-- 1. Membership spans. A target member counts in a category on day R when R lies in
--    one of its spans [start_day, end_day) (local dates). Every span starts no earlier
--    than the day the record was reported (entered into the bot), so a mother
--    registered on 2 December is not counted in November. The spans of one sasaran
--    follow from its own dates only (birth date, HPHT, delivery date, the end of the
--    record, the planned wedding), so time passing needs no rewrite:
--
--      name                 span (each also clipped to [reported, ended))
--      baduta               [birth, the day it turns 24 months)
--      balita               [the day it turns 24 months, the day it turns 60 months)
--      ibu_nifas            [delivery, delivery + 43 days)        day 0 .. day 42
--      catin                [reported, the planned wedding ('nikah'), or open)
--      hamil_tm1/2/3        [HPHT + first day of the trimester, HPHT + first day of the next)
--      hamil_lewat          [HPHT + 45 weeks, the end of the pregnancy)  (past 44 weeks)
--      hamil_tanpa_hpht     [reported, the end of the pregnancy)          no HPHT known
--
--    A pregnancy ends on the delivery date (the record then became ibu_nifas) or on
--    the day the record ended (a loss); until then it is open. "Turns N months" is the
--    same day-of-month N months later, or the last day of a shorter month (as
--    bot.domain.age.completed_months counts). The trimester days come from
--    rekap_settings ('tm2_day', 'tm3_day'), set from [trimester] by
--    storage.rekap.ensure_settings, which rebuilds everything when they change.
--
-- 2. Counters of the spans: each span adds +1 at its start and -1 at its end (open
--    spans have no end row), twice: by month ('inm:<name>', month = 'YYYY-MM') and by
--    day ('in:<name>:<YYYY-MM>', month = 'YYYY-MM-DD': the month is part of the metric
--    so that reading one month's days never reads the other months'), in rekap_counts,
--    so the roll-ups of 0006 and the running totals of 0004 keep them too. The number
--    in a category on day R of month M is the running total minus the month buckets
--    from M on, plus the day buckets of M up to R: a row per month and one per day of
--    one month, whatever the number of families.

INSERT INTO rekap_settings (key, value) VALUES ('tm2_day', '91'), ('tm3_day', '175');

CREATE TABLE rekap_span (
    sasaran_id  INTEGER NOT NULL,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    start_day   TEXT NOT NULL,
    end_day     TEXT NOT NULL,                    -- exclusive; '9999-12-31' = open
    PRIMARY KEY (sasaran_id, name)
) WITHOUT ROWID;

-- The kinds of span, as data: one row each (the view below says how each is computed).
CREATE TABLE rekap_span_kinds (name TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO rekap_span_kinds (name) VALUES ('baduta'), ('balita'), ('ibu_nifas'), ('catin'), ('hamil_tm1'),
    ('hamil_tm2'), ('hamil_tm3'), ('hamil_lewat'), ('hamil_tanpa_hpht');

-- The one definition of the spans, read by the triggers below and by the rebuild. It is
-- written as sasaran × kinds without a CTE or UNION so that SQLite flattens it and a
-- trigger's "WHERE sasaran_id = NEW.id" reads one sasaran row, never the table.
-- A NULL start or end means "this kind does not apply to this record".
CREATE VIEW rekap_span_source (sasaran_id, name, region_code, start_day, end_day) AS
SELECT sasaran_id, name, region_code, max(start_day, reported), min(end_day, ended)
  FROM (
    SELECT d.id AS sasaran_id, k.name AS name, d.region_code AS region_code, d.reported AS reported,
           d.ended AS ended,
           CASE k.name
               WHEN 'baduta' THEN CASE WHEN d.child AND d.birth_date IS NOT NULL THEN d.birth_date
                                       WHEN d.category = 'baduta' AND d.birth_date IS NULL THEN '0000-01-01' END
               WHEN 'balita' THEN CASE WHEN d.child AND d.birth_date IS NOT NULL THEN d.turns24
                                       WHEN d.category = 'balita' AND d.birth_date IS NULL THEN '0000-01-01' END
               WHEN 'ibu_nifas' THEN CASE WHEN d.category = 'ibu_nifas' THEN coalesce(d.delivery_date, '0000-01-01')
                                     END
               WHEN 'catin' THEN CASE WHEN d.category = 'catin' THEN '0000-01-01' END
               WHEN 'hamil_tm1' THEN CASE WHEN d.pregnancy_end IS NOT NULL THEN d.hpht END
               WHEN 'hamil_tm2' THEN CASE WHEN d.pregnancy_end IS NOT NULL THEN date(d.hpht, d.tm2) END
               WHEN 'hamil_tm3' THEN CASE WHEN d.pregnancy_end IS NOT NULL THEN date(d.hpht, d.tm3) END
               WHEN 'hamil_lewat' THEN CASE WHEN d.pregnancy_end IS NOT NULL THEN date(d.hpht, '+315 days') END
               WHEN 'hamil_tanpa_hpht' THEN CASE WHEN d.pregnancy_end IS NOT NULL AND d.hpht IS NULL
                                                 THEN '0000-01-01' END
           END AS start_day,
           CASE k.name
               WHEN 'baduta' THEN CASE WHEN d.child AND d.birth_date IS NOT NULL THEN d.turns24
                                       WHEN d.category = 'baduta' THEN '9999-12-31' END
               WHEN 'balita' THEN CASE WHEN d.child AND d.birth_date IS NOT NULL THEN d.turns60
                                       WHEN d.category = 'balita' THEN '9999-12-31' END
               WHEN 'ibu_nifas' THEN CASE WHEN d.category = 'ibu_nifas'
                                          THEN coalesce(date(d.delivery_date, '+43 days'), '9999-12-31') END
               WHEN 'catin' THEN CASE WHEN d.category = 'catin'
                                      THEN coalesce(date(json_extract(d.answers_json, '$.nikah')), '9999-12-31') END
               WHEN 'hamil_tm1' THEN min(date(d.hpht, d.tm2), d.pregnancy_end)
               WHEN 'hamil_tm2' THEN min(date(d.hpht, d.tm3), d.pregnancy_end)
               WHEN 'hamil_tm3' THEN min(date(d.hpht, '+315 days'), d.pregnancy_end)
               WHEN 'hamil_lewat' THEN d.pregnancy_end
               WHEN 'hamil_tanpa_hpht' THEN CASE WHEN d.hpht IS NULL THEN d.pregnancy_end END
           END AS end_day
      FROM (
        SELECT s.id, s.region_code, s.category, s.hpht, s.delivery_date, s.birth_date, s.answers_json,
               s.category IN ('baduta', 'balita') AS child,
               date(s.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) AS reported,
               CASE WHEN s.status = 'selesai' THEN coalesce(s.ended_on, '9999-12-31') ELSE '9999-12-31' END AS ended,
               CASE WHEN s.category = 'ibu_nifas' THEN coalesce(s.delivery_date, '0000-01-01')
                    WHEN s.category = 'ibu_hamil' AND s.status = 'selesai' THEN coalesce(s.ended_on, '0000-01-01')
                    WHEN s.category = 'ibu_hamil' THEN '9999-12-31' END AS pregnancy_end,
               '+' || (SELECT value FROM rekap_settings WHERE key = 'tm2_day') || ' days' AS tm2,
               '+' || (SELECT value FROM rekap_settings WHERE key = 'tm3_day') || ' days' AS tm3,
               min(date(s.birth_date, '+24 months'), date(s.birth_date, 'start of month', '+25 months', '-1 day'))
                   AS turns24,
               min(date(s.birth_date, '+60 months'), date(s.birth_date, 'start of month', '+61 months', '-1 day'))
                   AS turns60
          FROM sasaran s WHERE s.erased_at IS NULL
      ) AS d CROSS JOIN rekap_span_kinds AS k
  )
 WHERE start_day IS NOT NULL AND end_day IS NOT NULL AND max(start_day, reported) < min(end_day, ended);

CREATE TRIGGER rekap_span_sasaran_ins AFTER INSERT ON sasaran BEGIN
    INSERT INTO rekap_span SELECT * FROM rekap_span_source WHERE sasaran_id = NEW.id;
END;

CREATE TRIGGER rekap_span_sasaran_del AFTER DELETE ON sasaran BEGIN
    DELETE FROM rekap_span WHERE sasaran_id = OLD.id;
END;

CREATE TRIGGER rekap_span_sasaran_upd AFTER UPDATE OF region_code, category, status, erased_at, hpht,
    delivery_date, birth_date, ended_on, answers_json, created_at ON sasaran
BEGIN
    DELETE FROM rekap_span WHERE sasaran_id = OLD.id;
    INSERT INTO rekap_span SELECT * FROM rekap_span_source WHERE sasaran_id = NEW.id;
END;

CREATE TRIGGER rekap_span_ins AFTER INSERT ON rekap_span BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, month, '', delta FROM (
        SELECT 'in:' || NEW.name || ':' || substr(NEW.start_day, 1, 7) AS metric, NEW.start_day AS month,
               1 AS delta
        UNION ALL SELECT 'inm:' || NEW.name, substr(NEW.start_day, 1, 7), 1
        UNION ALL SELECT 'in:' || NEW.name || ':' || substr(NEW.end_day, 1, 7), NEW.end_day, -1
         WHERE NEW.end_day <> '9999-12-31'
        UNION ALL SELECT 'inm:' || NEW.name, substr(NEW.end_day, 1, 7), -1 WHERE NEW.end_day <> '9999-12-31'
    ) WHERE true
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_span_del AFTER DELETE ON rekap_span BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, month, '', delta FROM (
        SELECT 'in:' || OLD.name || ':' || substr(OLD.start_day, 1, 7) AS metric, OLD.start_day AS month,
               -1 AS delta
        UNION ALL SELECT 'inm:' || OLD.name, substr(OLD.start_day, 1, 7), -1
        UNION ALL SELECT 'in:' || OLD.name || ':' || substr(OLD.end_day, 1, 7), OLD.end_day, 1
         WHERE OLD.end_day <> '9999-12-31'
        UNION ALL SELECT 'inm:' || OLD.name, substr(OLD.end_day, 1, 7), 1 WHERE OLD.end_day <> '9999-12-31'
    ) WHERE true
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- The records already there.
INSERT INTO rekap_span SELECT * FROM rekap_span_source;

-- 3. Closed periods. At the first tick after a month ends, the figures of that month
--    (and of the quarter, semester and year it completes) are written here for every
--    area of the deployment, each level; /rekap, /ekspor, the chart and the digest for
--    that period read them, so they never change. What arrives later is shown apart as
--    the live figures minus these. A re-close (audited) replaces them.
CREATE TABLE rekap_closed_period (
    period    TEXT PRIMARY KEY,                   -- Period.token(): '202603', '202601-202606'
    closed_at TEXT NOT NULL,
    closed_by INTEGER,                            -- NULL: the job; else the coordinator who re-closed
    version   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE rekap_closed (
    period TEXT NOT NULL,
    area   TEXT NOT NULL,                         -- region code at any level
    key    TEXT NOT NULL,                         -- bot.rekap.figures.Row.key
    value  INTEGER,                               -- NULL: not available
    whole  INTEGER,                               -- the denominator of a share, if any
    PRIMARY KEY (period, area, key)
) WITHOUT ROWID;
