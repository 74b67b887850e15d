-- Containment (issue 15 §2, §3, §4, §8, §11).
--
-- Invitations: a link is revoked when the person who made it is deactivated; a link may
-- be made for one person (a deactivated member joins again only through one made for
-- them); a mother's link counts wrong answers to "who are you?" (spent at three) and keeps
-- the Telegram account that answered right: only that account may then consent.
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
ALTER TABLE invitations ADD COLUMN for_user INTEGER;
ALTER TABLE invitations ADD COLUMN failed_checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN checked_by INTEGER;

CREATE INDEX invitations_open_by_creator ON invitations (created_by) WHERE used_at IS NULL AND revoked_at IS NULL;

-- Refused attempts: out of scope, wrong role, a forged or malformed button, a number
-- registered in another area. Ids only (who, which record), never names or numbers.
CREATE TABLE refusals (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    INTEGER NOT NULL,               -- the Telegram id of who tried (may have no users row)
    kind       TEXT NOT NULL CHECK (kind IN ('scope', 'role', 'callback', 'chat', 'duplicate')),
    what       TEXT NOT NULL,                  -- the command, button prefix or check
    target     TEXT                            -- an id of the record asked for, if any
);
CREATE INDEX refusals_by_user ON refusals (user_id, at);
CREATE INDEX refusals_by_kind ON refusals (kind, at);

-- Reads of by-name data (as DHIS2 keeps): who opened which person's record, when, how.
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    reader_id  INTEGER,                        -- NULL for the command line (subject export)
    sasaran_id INTEGER NOT NULL,                -- ids only: the log outlives an erasure
    what       TEXT NOT NULL                   -- 'kartu', 'riwayat', 'persetujuan', 'ekspor', 'cari', ...
);
CREATE INDEX access_log_by_sasaran ON access_log (sasaran_id, at);

-- A TPPS group chat a coordinator enabled for the monthly anonymous digest of their area
-- (/grup, typed in the group), and which months it was sent, once each.
CREATE TABLE digest_groups (
    chat_id     INTEGER PRIMARY KEY,           -- the group's Telegram id (negative)
    owner_id    INTEGER NOT NULL,              -- the coordinator who enabled it; their area is the digest's
    region_code TEXT NOT NULL,
    enabled_at  TEXT NOT NULL
);
CREATE TABLE digest_group_sent (
    chat_id INTEGER NOT NULL,
    month   TEXT NOT NULL,                     -- the month reported, 'YYYY-MM'
    status  TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    at      TEXT NOT NULL,
    PRIMARY KEY (chat_id, month)
) WITHOUT ROWID;
