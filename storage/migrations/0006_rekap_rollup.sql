-- Roll-ups of rekap_counts to every level above desa/kelurahan, kept by triggers on
-- rekap_counts itself (so every writer of a counter, the rebuild included, keeps them).
--
-- Why: rekap_counts holds one row per desa, metric and month. A /rekap for a city read
-- every desa's rows and added them up, so its cost grew with how many desa × month
-- buckets were non-zero, i.e. with the data (27,000 rows at 10,000 sasaran, 76,000 at
-- 1,000,000 in Kota Serang). With the roll-up a city's figures read one row per metric
-- and month, its breakdown one per kecamatan and month: the cost depends on the areas
-- and months shown, not on the number of records.
--
--   rekap_rollup (metric, level, region_code, month, until, value)
-- level is the region level (1 provinsi, 2 kab/kota, 3 kecamatan) and region_code that
-- level's prefix of the desa code; value is the sum of rekap_counts over the desa inside.

CREATE TABLE rekap_rollup (
    metric      TEXT NOT NULL,
    level       INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    until       TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (metric, level, region_code, month, until)
) WITHOUT ROWID;

-- The levels above desa and the length of their codes (storage.rekap.CODE_LENGTH).
CREATE VIEW rekap_levels (level, width) AS VALUES (1, 2), (2, 5), (3, 8);

-- Every change of a counter adds its difference to the roll-up of each level above it.
CREATE TRIGGER rekap_rollup_ins AFTER INSERT ON rekap_counts BEGIN
    INSERT INTO rekap_rollup (metric, level, region_code, month, until, value)
    SELECT NEW.metric, level, substr(NEW.region_code, 1, width), NEW.month, NEW.until, NEW.value
      FROM rekap_levels WHERE width < length(NEW.region_code)
    ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_rollup_upd AFTER UPDATE OF value ON rekap_counts WHEN NEW.value <> OLD.value BEGIN
    INSERT INTO rekap_rollup (metric, level, region_code, month, until, value)
    SELECT NEW.metric, level, substr(NEW.region_code, 1, width), NEW.month, NEW.until, NEW.value - OLD.value
      FROM rekap_levels WHERE width < length(NEW.region_code)
    ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_rollup_del AFTER DELETE ON rekap_counts WHEN OLD.value <> 0 BEGIN
    INSERT INTO rekap_rollup (metric, level, region_code, month, until, value)
    SELECT OLD.metric, level, substr(OLD.region_code, 1, width), OLD.month, OLD.until, -OLD.value
      FROM rekap_levels WHERE width < length(OLD.region_code)
    ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;

-- The counters already there.
INSERT INTO rekap_rollup (metric, level, region_code, month, until, value)
SELECT c.metric, l.level, substr(c.region_code, 1, l.width), c.month, c.until, sum(c.value)
  FROM rekap_counts c JOIN rekap_levels l ON l.width < length(c.region_code)
 GROUP BY c.metric, l.level, substr(c.region_code, 1, l.width), c.month, c.until;
