-- Iron tablets (TTD, issue 16 "Mothers"): the weekly check-in is the default, a mother may
-- choose the daily reminder instead, and her answers count toward the pregnancy's 90 tablets.
--
-- Her choice is a decision like switching the reminder off or on, so it joins the append-only
-- consent log: `ibu_consent.decision` is CHECK-constrained and only widened here (two more
-- allowed values), in place, the way migration 0015 widened the role CHECKs
-- (https://sqlite.org/lang_altertable.html, "writable_schema"). A check row fails the
-- migration (and rolls it back) if the definition was not found as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, '''ttd_mati'', ''ttd_nyala'')',
                                            '''ttd_mati'', ''ttd_nyala'', ''ttd_harian'', ''ttd_mingguan'')')
    WHERE type = 'table' AND name = 'ibu_consent';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE check_0016 (widened INTEGER NOT NULL CHECK (widened));
INSERT INTO check_0016 SELECT count(*) = 1 FROM sqlite_master
    WHERE type = 'table' AND name = 'ibu_consent' AND sql LIKE '%''ttd_harian'', ''ttd_mingguan''%';
DROP TABLE check_0016;

-- NULL: the configured default ([pengingat.ttd] mode), so mothers who never chose follow it.
ALTER TABLE ibu ADD COLUMN ttd_mode TEXT CHECK (ttd_mode IN ('mingguan', 'harian'));

-- One row per answered tablet reminder: the weekly check-in (7 days, 0-7 tablets) or the
-- daily "Sudah minum" (1 day, 1 tablet). The reminder's id is the idempotency key: a second
-- press of the same button, or a late press of an old week's, never adds a second row.
-- Counting (never more than one tablet a day) is bot/domain/tablets.py. No Telegram id: the
-- record's link says whose it is, and anonymisation leaves only the anonymous count.
CREATE TABLE ttd_laporan (
    id             INTEGER PRIMARY KEY,
    sasaran_id     INTEGER NOT NULL REFERENCES sasaran (id),
    reminder_id    INTEGER NOT NULL UNIQUE REFERENCES reminders (id),
    span_start     TEXT NOT NULL,                    -- local date, first day the answer covers
    span_days      INTEGER NOT NULL CHECK (span_days IN (1, 7)),
    tablets        INTEGER NOT NULL CHECK (tablets >= 0 AND tablets <= span_days),
    reported_at    TEXT NOT NULL,
    UNIQUE (sasaran_id, span_days, span_start)
);
CREATE INDEX ttd_laporan_sasaran ON ttd_laporan (sasaran_id, span_start);
