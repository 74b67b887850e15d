-- Reminders for mothers (pengingat) and messages to TPK members and coordinators.
-- Design property 2: reminders are rows, not timers. A periodic job claims due rows
-- (scheduled -> sending) in bounded batches and records every attempt, so a restart
-- neither loses nor repeats what was sent, and nothing is held in memory per reminder.

-- A mother who joined through her TPK member's invitation and agreed: the link between
-- her Telegram account (users, role 'ibu') and her record (sasaran).
CREATE TABLE ibu (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id),
    sasaran_id     INTEGER NOT NULL UNIQUE REFERENCES sasaran (id),
    state          TEXT NOT NULL CHECK (state IN ('aktif', 'berhenti', 'tak_terjangkau')),
    ttd_enabled    INTEGER NOT NULL,                 -- daily iron-tablet reminder on/off (her choice)
    consent_id     INTEGER NOT NULL,                 -- the ibu_consent row of her agreement
    resume_from    TEXT,                             -- local date: after /mulai, nothing due earlier is sent
    next_plan_at   TEXT NOT NULL,                    -- UTC instant the rolling window is next extended
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX ibu_next_plan ON ibu (next_plan_at) WHERE state = 'aktif';

-- Every consent decision and every stop/start, append-only: provable consent (UU PDP)
-- with the version of the text she saw. A refusal has no users row, only this.
CREATE TABLE ibu_consent (
    id             INTEGER PRIMARY KEY,
    sasaran_id     INTEGER NOT NULL REFERENCES sasaran (id),
    telegram_id    INTEGER NOT NULL,
    invitation_id  INTEGER REFERENCES invitations (id),
    decision       TEXT NOT NULL CHECK (decision IN ('setuju', 'tidak', 'berhenti', 'mulai', 'ttd_mati', 'ttd_nyala')),
    text_version   TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX ibu_consent_sasaran ON ibu_consent (sasaran_id, at);

CREATE TABLE reminders (
    id             INTEGER PRIMARY KEY,
    sasaran_id     INTEGER NOT NULL REFERENCES sasaran (id),
    kind           TEXT NOT NULL,                    -- anc_3, ttd, pekan_20, kf_1, imun_mr, posyandu_2026_11 ...
    due_date       TEXT NOT NULL,                    -- local date (YYYY-MM-DD) in her region's zone
    window_end     TEXT NOT NULL,                    -- last local date worth sending; after it: expired
    text_key       TEXT NOT NULL,
    payload_json   TEXT NOT NULL DEFAULT '{}',       -- what the text needs; never names or NIK
    needs_ack      INTEGER NOT NULL DEFAULT 0,
    send_after     TEXT NOT NULL,                    -- UTC instant; moved by daytime deferral and backoff
    state          TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN
                     ('scheduled', 'sending', 'sent', 'acknowledged', 'failed', 'cancelled', 'expired')),
    cancel_reason  TEXT,                             -- berhenti / tak_terjangkau / rencana / keguguran / selesai / ttd_mati
    attempts       INTEGER NOT NULL DEFAULT 0,
    claimed_by     TEXT,                             -- dispatcher run id holding a 'sending' row
    claimed_at     TEXT,
    sent_at        TEXT,
    message_id     INTEGER,
    ack            TEXT CHECK (ack IN ('sudah', 'belum')),
    ack_at         TEXT,
    followup       TEXT CHECK (followup IN ('tpk', 'selesai')),  -- tpk: her TPK member was told
    followup_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (sasaran_id, kind, due_date)
);
-- The dispatcher's only hot query: due scheduled rows in send order.
CREATE INDEX reminders_due ON reminders (send_after) WHERE state = 'scheduled';
CREATE INDEX reminders_sending ON reminders (claimed_at) WHERE state = 'sending';
CREATE INDEX reminders_waiting_ack ON reminders (sent_at)
    WHERE state = 'sent' AND needs_ack = 1 AND followup IS NULL;
CREATE INDEX reminders_followup ON reminders (followup_at) WHERE followup = 'tpk';

-- Messages to TPK members and coordinators (consent outcome, "belum periksa", daily
-- digest, weekly summary ...): an outbox with the same claim/attempt rules as reminders.
CREATE TABLE notices (
    id             INTEGER PRIMARY KEY,
    recipient_id   INTEGER NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL,
    dedupe_key     TEXT NOT NULL UNIQUE,
    text           TEXT NOT NULL,                    -- HTML, as sent
    markup_json    TEXT,                             -- inline keyboard, if any
    send_after     TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN
                     ('scheduled', 'sending', 'sent', 'failed', 'cancelled', 'expired')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    claimed_by     TEXT,
    claimed_at     TEXT,
    sent_at        TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX notices_due ON notices (send_after) WHERE state = 'scheduled';
CREATE INDEX notices_sending ON notices (claimed_at) WHERE state = 'sending';

-- Every send attempt (and every recovery of an in-flight row after a restart).
CREATE TABLE delivery_attempts (
    id             INTEGER PRIMARY KEY,
    reminder_id    INTEGER REFERENCES reminders (id),
    notice_id      INTEGER REFERENCES notices (id),
    at             TEXT NOT NULL,
    outcome        TEXT NOT NULL,                    -- sent / network / rate_limited / blocked / rejected / error / recovered
    detail         TEXT                              -- error class, HTTP status, retry_after; never message text
);
CREATE INDEX delivery_attempts_reminder ON delivery_attempts (reminder_id) WHERE reminder_id IS NOT NULL;
CREATE INDEX delivery_attempts_notice ON delivery_attempts (notice_id) WHERE notice_id IS NOT NULL;

-- Which periodic summaries were produced (one per member and period), so a restart
-- or a second tick never builds the same digest twice.
CREATE TABLE digest_log (
    user_id        INTEGER NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL,                    -- tpk_harian / koordinator_mingguan
    period         TEXT NOT NULL,                    -- 2026-11-23 / 2026-W48
    items          INTEGER NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, period)
) WITHOUT ROWID;

-- The digest lists each TPK member's own sasaran.
CREATE INDEX IF NOT EXISTS sasaran_reporter ON sasaran (reporter_id, status);

-- /rekap counts reminders sent in a period (storage/rekap_reminders.py).
CREATE INDEX reminders_sent_at ON reminders (sent_at) WHERE sent_at IS NOT NULL;
