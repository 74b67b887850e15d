-- The families whose dated risk history 0017 could only start, not foresee (issue 14).
--
-- 0017 gave every family already there its state as it stood, from the day it was
-- reported, open. The days on which a 4 Terlalu factor changes by itself (the wife turns
-- 20 or 36, 24 months pass since the last birth) are written only by a reassessment
-- (bot.reporting.reassess), and these families get one only when somebody next reports
-- on them: until then their later months kept today's state. The rekap job
-- 'risk-backlog' (bot/rekap/risk_backlog.py) reassesses each family listed here once,
-- from the day it runs, a small batch per transaction, and removes it. The past is kept:
-- a reassessment changes the spans from its own day on, so closed months do not move.
-- A family reassessed since 0017 is listed too: its reassessment is then a no-op. An
-- anonymised family (retention, /hapus) is not: its answers are gone, and what it counted
-- stays as it was.

CREATE TABLE risk_backlog (
    keluarga_id INTEGER PRIMARY KEY
);

INSERT INTO risk_backlog (keluarga_id) SELECT id FROM keluarga WHERE erased_at IS NULL AND anonymised_at IS NULL;
