-- Counters for the three /rekap figures that were counted from the members themselves
-- (issue 19): the TPK members registered, those of them who reported in a period, and the
-- desa/kelurahan with a report. Each grew with the members and desa, not with the areas
-- shown: a national /rekap read all 250,000 members and their months of reports (0.9 s at
-- 1,000,000 sasaran, bench/RESULTS.md section 7). Now they are rows of rekap_counts like
-- every other figure, rolled up by migration 0006:
--
--   'tpk'         active TPK members by their area and the local month of created_at (a stock,
--                 like 'keluarga': registered by the end of a period)
--   'tpk_lapor'   a chain per member (rekap_reporter_month): one row per month with a report,
--                 and the next such month; a member reported in [a, b] is counted once, at its
--                 last month m with a <= m <= b and (next_month IS NULL or next_month > b): the
--                 rule of the children's measurements (rekap_child_month, migration 0004). It is
--                 counted by the member's area now, while the member is an active TPK member, from
--                 the month it was registered ('live'), so that those who reported are always
--                 among those registered by the end of the period.
--   rekap_desa_month, the same chain per desa/kelurahan: one row per desa with a report in the
--                 period, however many members and months reported (areas_with_reports).
--
-- Both chains follow rekap_activity's (user, month) and (desa, month) sums going between zero
-- and more than zero; storage/rekap.py rebuilds them from scratch and the tests compare both.

CREATE TABLE rekap_reporter_month (
    user_id     INTEGER NOT NULL,
    month       TEXT NOT NULL,
    next_month  TEXT,
    region_code TEXT NOT NULL,                    -- the member's area now ('' without a users row)
    live        INTEGER NOT NULL,                 -- an active TPK member, registered by the month's end
    PRIMARY KEY (user_id, month)
) WITHOUT ROWID;

CREATE TABLE rekap_desa_month (
    region_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    next_month  TEXT,
    PRIMARY KEY (region_code, month)
) WITHOUT ROWID;
-- A period's reported desa: its months, then the rows whose chain goes on past it.
CREATE INDEX rekap_desa_month_month ON rekap_desa_month (month, region_code, next_month);

-- ---------------------------------------------------------------------------------
-- rekap_reporter_month → 'tpk_lapor'

CREATE TRIGGER rekap_reporter_ins AFTER INSERT ON rekap_reporter_month WHEN NEW.live BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    VALUES ('tpk_lapor', NEW.region_code, NEW.month, coalesce(NEW.next_month, ''), 1)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_reporter_del AFTER DELETE ON rekap_reporter_month WHEN OLD.live BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    VALUES ('tpk_lapor', OLD.region_code, OLD.month, coalesce(OLD.next_month, ''), -1)
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

CREATE TRIGGER rekap_reporter_upd AFTER UPDATE ON rekap_reporter_month
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.month IS NOT NEW.month OR OLD.next_month IS NOT NEW.next_month
  OR OLD.live IS NOT NEW.live
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'tpk_lapor', OLD.region_code, OLD.month, coalesce(OLD.next_month, ''), -1 WHERE OLD.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'tpk_lapor', NEW.region_code, NEW.month, coalesce(NEW.next_month, ''), 1 WHERE NEW.live
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
END;

-- The chains as they are now, then their counters (by the triggers above), then the members.
INSERT INTO rekap_reporter_month (user_id, month, next_month, region_code, live)
SELECT a.user_id, a.month, lead(a.month) OVER (PARTITION BY a.user_id ORDER BY a.month),
       coalesce(u.region_code, ''),
       CASE WHEN u.role = 'tpk' AND u.status = 'active' AND a.month >= strftime('%Y-%m', u.created_at,
            (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) THEN 1 ELSE 0 END
  FROM (SELECT user_id, month FROM rekap_activity GROUP BY user_id, month HAVING sum(reports) > 0) a
  LEFT JOIN users u ON u.id = a.user_id;

INSERT INTO rekap_desa_month (region_code, month, next_month)
SELECT region_code, month, lead(month) OVER (PARTITION BY region_code ORDER BY month)
  FROM (SELECT region_code, month FROM rekap_activity GROUP BY region_code, month HAVING sum(reports) > 0) a;

INSERT INTO rekap_counts (metric, region_code, month, until, value)
SELECT 'tpk', region_code, strftime('%Y-%m', created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')),
       '', count(*)
  FROM users WHERE role = 'tpk' AND status = 'active'
 GROUP BY 2, 3
ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;

-- ---------------------------------------------------------------------------------
-- rekap_activity → the chains. A (user, month) or (desa, month) joins its chain when its
-- first report arrives and leaves it when its last is taken back (erased records keep
-- theirs: the work was done); the neighbour before it then points past it. The three
-- triggers of rekap_activity only note which sums went between zero and more than zero, in
-- rekap_activity_change, whose one trigger brings both chains in line (each statement holds
-- whichever way the sum went) and takes the note away again: the steps are written once.

CREATE TABLE rekap_activity_change (
    user_id     INTEGER NOT NULL,
    month       TEXT NOT NULL,
    region_code TEXT NOT NULL
);

CREATE TRIGGER rekap_activity_ins AFTER INSERT ON rekap_activity WHEN NEW.reports > 0 BEGIN
    INSERT INTO rekap_activity_change (user_id, month, region_code) VALUES (NEW.user_id, NEW.month, NEW.region_code);
END;

CREATE TRIGGER rekap_activity_upd AFTER UPDATE OF reports ON rekap_activity
WHEN (OLD.reports > 0) <> (NEW.reports > 0)
BEGIN
    INSERT INTO rekap_activity_change (user_id, month, region_code) VALUES (NEW.user_id, NEW.month, NEW.region_code);
END;

CREATE TRIGGER rekap_activity_del AFTER DELETE ON rekap_activity WHEN OLD.reports > 0 BEGIN
    INSERT INTO rekap_activity_change (user_id, month, region_code) VALUES (OLD.user_id, OLD.month, OLD.region_code);
END;

CREATE TRIGGER rekap_activity_change_ins AFTER INSERT ON rekap_activity_change BEGIN
    INSERT INTO rekap_reporter_month (user_id, month, next_month, region_code, live)
    SELECT NEW.user_id, NEW.month,
           (SELECT min(c.month) FROM rekap_reporter_month c WHERE c.user_id = NEW.user_id AND c.month > NEW.month),
           coalesce((SELECT u.region_code FROM users u WHERE u.id = NEW.user_id), ''),
           coalesce((SELECT CASE WHEN u.role = 'tpk' AND u.status = 'active' AND NEW.month >= strftime('%Y-%m',
                             u.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset'))
                             THEN 1 ELSE 0 END FROM users u WHERE u.id = NEW.user_id), 0)
     WHERE EXISTS (SELECT 1 FROM rekap_activity a WHERE a.user_id = NEW.user_id AND a.month = NEW.month
                   AND a.reports > 0)
    ON CONFLICT (user_id, month) DO NOTHING;
    DELETE FROM rekap_reporter_month
     WHERE user_id = NEW.user_id AND month = NEW.month
       AND NOT EXISTS (SELECT 1 FROM rekap_activity a WHERE a.user_id = NEW.user_id AND a.month = NEW.month
                       AND a.reports > 0);
    UPDATE rekap_reporter_month
       SET next_month = (SELECT min(c.month) FROM rekap_reporter_month c
                          WHERE c.user_id = NEW.user_id AND c.month > rekap_reporter_month.month)
     WHERE user_id = NEW.user_id
       AND month = (SELECT max(c.month) FROM rekap_reporter_month c
                     WHERE c.user_id = NEW.user_id AND c.month < NEW.month);
    INSERT INTO rekap_desa_month (region_code, month, next_month)
    SELECT NEW.region_code, NEW.month,
           (SELECT min(c.month) FROM rekap_desa_month c WHERE c.region_code = NEW.region_code AND c.month > NEW.month)
     WHERE EXISTS (SELECT 1 FROM rekap_activity a WHERE a.region_code = NEW.region_code AND a.month = NEW.month
                   AND a.reports > 0)
    ON CONFLICT (region_code, month) DO NOTHING;
    DELETE FROM rekap_desa_month
     WHERE region_code = NEW.region_code AND month = NEW.month
       AND NOT EXISTS (SELECT 1 FROM rekap_activity a WHERE a.region_code = NEW.region_code AND a.month = NEW.month
                       AND a.reports > 0);
    UPDATE rekap_desa_month
       SET next_month = (SELECT min(c.month) FROM rekap_desa_month c
                          WHERE c.region_code = NEW.region_code AND c.month > rekap_desa_month.month)
     WHERE region_code = NEW.region_code
       AND month = (SELECT max(c.month) FROM rekap_desa_month c
                     WHERE c.region_code = NEW.region_code AND c.month < NEW.month);
    DELETE FROM rekap_activity_change
     WHERE user_id = NEW.user_id AND month = NEW.month AND region_code = NEW.region_code;
END;

-- ---------------------------------------------------------------------------------
-- users → 'tpk', and the member's chain follows its area and status

CREATE TRIGGER rekap_users_ins AFTER INSERT ON users BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'tpk', NEW.region_code,
           strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', 1
     WHERE NEW.role = 'tpk' AND NEW.status = 'active'
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    UPDATE rekap_reporter_month SET region_code = NEW.region_code, live = CASE WHEN NEW.role = 'tpk' AND NEW.status = 'active' AND month >= strftime('%Y-%m',
               NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) THEN 1 ELSE 0 END
     WHERE user_id = NEW.id;
END;

CREATE TRIGGER rekap_users_del AFTER DELETE ON users BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'tpk', OLD.region_code,
           strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', -1
     WHERE OLD.role = 'tpk' AND OLD.status = 'active'
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    UPDATE rekap_reporter_month SET region_code = '', live = 0 WHERE user_id = OLD.id;
END;

CREATE TRIGGER rekap_users_upd AFTER UPDATE OF id, role, status, region_code, created_at ON users
WHEN OLD.id IS NOT NEW.id OR OLD.role IS NOT NEW.role OR OLD.status IS NOT NEW.status
  OR OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'tpk', OLD.region_code,
           strftime('%Y-%m', OLD.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', -1
     WHERE OLD.role = 'tpk' AND OLD.status = 'active'
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    INSERT INTO rekap_counts (metric, region_code, month, until, value)
    SELECT 'tpk', NEW.region_code,
           strftime('%Y-%m', NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')), '', 1
     WHERE NEW.role = 'tpk' AND NEW.status = 'active'
    ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value;
    UPDATE rekap_reporter_month SET region_code = '', live = 0 WHERE user_id = OLD.id AND OLD.id IS NOT NEW.id;
    UPDATE rekap_reporter_month SET region_code = NEW.region_code, live = CASE WHEN NEW.role = 'tpk' AND NEW.status = 'active' AND month >= strftime('%Y-%m',
               NEW.created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset')) THEN 1 ELSE 0 END
     WHERE user_id = NEW.id;
END;
