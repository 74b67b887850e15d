-- Figures by the state on the reference day, for risk too (issue 14), and one post-term rule.
--
-- 1. A dated history of each family's assessed risk. Every reassessment (bot.reporting.
--    reassess, in the same transaction as keluarga_risk / sasaran_flag) writes the state
--    it found as spans [start_day, end_day) of local days (storage/risk_history.py):
--
--      subject    name               holds while
--      keluarga   berisiko           the family is berisiko stunting (BKKBN KRS)
--      keluarga   risk_<code>        it has that KRS factor (water, latrine, 4 Terlalu, KB)
--      sasaran    flag_<code>        the member has that health flag (KEK, anaemia, ...)
--
--    The 4 Terlalu change with time alone (the wife's age, months since the last birth):
--    the reassessment computes the days they change (bot/domain/risk_timeline.py) and
--    writes the later spans ahead, as 0011 does for baduta -> balita, so no nightly
--    rewrite is needed and /rekap reads counters only. The spans make the same counters
--    as 0011's ('inm:<name>' by month, 'in:<name>:<month>' by day); 'live' is 0 for an
--    erased record, whose spans then count nowhere.
--
-- 2. Post-term has one rule: "past 44 weeks" is from 44 weeks + 1 day after HPHT
--    (bot.domain.visit_tasks.stale_from, the day the "update the record" task opens), and
--    /rekap's hamil_lewat band now starts that day too (it started at 45 weeks). The day
--    is kept in rekap_settings ('lewat_day'), set from that function by
--    storage.rekap.ensure_trimester, like the trimester days.

CREATE TABLE rekap_state_span (
    subject     TEXT NOT NULL CHECK (subject IN ('keluarga', 'sasaran')),
    subject_id  INTEGER NOT NULL,
    name        TEXT NOT NULL,
    start_day   TEXT NOT NULL,
    end_day     TEXT NOT NULL,                    -- exclusive; '9999-12-31' = open
    region_code TEXT NOT NULL,
    live        INTEGER NOT NULL,                 -- the record is not erased
    PRIMARY KEY (subject, subject_id, name, start_day)
) WITHOUT ROWID;

CREATE TRIGGER rekap_state_span_ins AFTER INSERT ON rekap_state_span WHEN NEW.live BEGIN
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

CREATE TRIGGER rekap_state_span_del AFTER DELETE ON rekap_state_span WHEN OLD.live BEGIN
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

-- An update (a span ended or extended, the record moved or erased) is its delete and insert.
CREATE TRIGGER rekap_state_span_upd AFTER UPDATE ON rekap_state_span BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, OLD.region_code, month, '', delta FROM (
        SELECT 'in:' || OLD.name || ':' || substr(OLD.start_day, 1, 7) AS metric, OLD.start_day AS month,
               -1 AS delta
        UNION ALL SELECT 'inm:' || OLD.name, substr(OLD.start_day, 1, 7), -1
        UNION ALL SELECT 'in:' || OLD.name || ':' || substr(OLD.end_day, 1, 7), OLD.end_day, 1
         WHERE OLD.end_day <> '9999-12-31'
        UNION ALL SELECT 'inm:' || OLD.name, substr(OLD.end_day, 1, 7), 1 WHERE OLD.end_day <> '9999-12-31'
    ) WHERE OLD.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT metric, NEW.region_code, month, '', delta FROM (
        SELECT 'in:' || NEW.name || ':' || substr(NEW.start_day, 1, 7) AS metric, NEW.start_day AS month,
               1 AS delta
        UNION ALL SELECT 'inm:' || NEW.name, substr(NEW.start_day, 1, 7), 1
        UNION ALL SELECT 'in:' || NEW.name || ':' || substr(NEW.end_day, 1, 7), NEW.end_day, -1
         WHERE NEW.end_day <> '9999-12-31'
        UNION ALL SELECT 'inm:' || NEW.name, substr(NEW.end_day, 1, 7), -1 WHERE NEW.end_day <> '9999-12-31'
    ) WHERE NEW.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_state_span_keluarga_upd AFTER UPDATE OF region_code, erased_at ON keluarga
WHEN OLD.region_code IS NOT NEW.region_code OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL)
BEGIN
    UPDATE rekap_state_span SET region_code = NEW.region_code, live = NEW.erased_at IS NULL
     WHERE subject = 'keluarga' AND subject_id = NEW.id;
END;

CREATE TRIGGER rekap_state_span_keluarga_del AFTER DELETE ON keluarga BEGIN
    DELETE FROM rekap_state_span WHERE subject = 'keluarga' AND subject_id = OLD.id;
END;

CREATE TRIGGER rekap_state_span_sasaran_upd AFTER UPDATE OF region_code, erased_at ON sasaran
WHEN OLD.region_code IS NOT NEW.region_code OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL)
BEGIN
    UPDATE rekap_state_span SET region_code = NEW.region_code, live = NEW.erased_at IS NULL
     WHERE subject = 'sasaran' AND subject_id = NEW.id;
END;

CREATE TRIGGER rekap_state_span_sasaran_del AFTER DELETE ON sasaran BEGIN
    DELETE FROM rekap_state_span WHERE subject = 'sasaran' AND subject_id = OLD.id;
END;

-- The records already there: their state as it stands, from the day each was reported
-- (the only history known), open until their next reassessment.
INSERT INTO rekap_state_span (subject, subject_id, name, start_day, end_day, region_code, live)
SELECT 'keluarga', id, 'berisiko', date(created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
       '9999-12-31', region_code, erased_at IS NULL
  FROM keluarga WHERE berisiko;
INSERT INTO rekap_state_span (subject, subject_id, name, start_day, end_day, region_code, live)
SELECT 'keluarga', k.id, 'risk_' || r.code,
       date(k.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
       '9999-12-31', k.region_code, k.erased_at IS NULL
  FROM keluarga_risk r JOIN keluarga k ON k.id = r.keluarga_id
 WHERE r.code IN ('water', 'latrine', 'terlalu_muda', 'terlalu_tua', 'terlalu_dekat', 'terlalu_banyak',
                  'no_modern_kb');
INSERT INTO rekap_state_span (subject, subject_id, name, start_day, end_day, region_code, live)
SELECT 'sasaran', s.id, 'flag_' || f.code,
       date(s.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
       '9999-12-31', s.region_code, s.erased_at IS NULL
  FROM sasaran_flag f JOIN sasaran s ON s.id = f.sasaran_id
 WHERE s.status = 'aktif' AND f.code IN ('kek', 'anaemia', 'bblr', 'short_birth_length', 'kms_2t');

-- 2. The post-term band from 44 weeks + 1 day.
INSERT INTO rekap_settings (key, value) VALUES ('lewat_day', '309');

DROP VIEW rekap_span_source;

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
               WHEN 'hamil_lewat' THEN CASE WHEN d.pregnancy_end IS NOT NULL THEN date(d.hpht, d.lewat) END
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
               WHEN 'hamil_tm3' THEN min(date(d.hpht, d.lewat), d.pregnancy_end)
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
               '+' || (SELECT value FROM rekap_settings WHERE key = 'lewat_day') || ' days' AS lewat,
               min(date(s.birth_date, '+24 months'), date(s.birth_date, 'start of month', '+25 months', '-1 day'))
                   AS turns24,
               min(date(s.birth_date, '+60 months'), date(s.birth_date, 'start of month', '+61 months', '-1 day'))
                   AS turns60
          FROM sasaran s WHERE s.erased_at IS NULL
      ) AS d CROSS JOIN rekap_span_kinds AS k
  )
 WHERE start_day IS NOT NULL AND end_day IS NOT NULL AND max(start_day, reported) < min(end_day, ended);

DELETE FROM rekap_span WHERE name IN ('hamil_tm3', 'hamil_lewat');
INSERT INTO rekap_span SELECT * FROM rekap_span_source WHERE name IN ('hamil_tm3', 'hamil_lewat');
