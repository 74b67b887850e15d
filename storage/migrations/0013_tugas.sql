-- Visit tasks that nothing may drop (issue 14, section 5).
--
-- Tasks are still derived from the records (bot/domain/visit_tasks.py) and from the visit
-- requests queued as notices; this table keeps only what the derivation cannot know:
--   * a task someone closed with a reason (pindah, meninggal, tidak ditemukan, menolak,
--     sudah menikah) — audited in audit_log as well;
--   * a late task as last seen on its member's list, so the weekly summary can name it to
--     the area's coordinators without deriving every member's list again.
-- task_key: "kind@due_date" for a task from the record's dates, the notice's dedupe key for a
-- request, "*" for "this person needs no more visits" (pindah, meninggal). No names here.
CREATE TABLE tugas (
    id             INTEGER PRIMARY KEY,
    sasaran_id     INTEGER NOT NULL REFERENCES sasaran (id),
    task_key       TEXT NOT NULL,
    label          TEXT NOT NULL,
    target_date    TEXT NOT NULL,                    -- local date the visit was due by
    reporter_id    INTEGER NOT NULL REFERENCES users (id),
    region_code    TEXT NOT NULL,
    seen_on        TEXT NOT NULL,                    -- local date a list last showed it open
    closed_at      TEXT,
    closed_reason  TEXT CHECK (closed_reason IN
                     ('selesai', 'pindah', 'meninggal', 'tidak_ditemukan', 'menolak', 'menikah', 'sudah')),
    closed_by      INTEGER REFERENCES users (id),
    UNIQUE (sasaran_id, task_key)
);
-- The weekly summary: open late tasks of an area, oldest first.
CREATE INDEX tugas_open ON tugas (region_code, target_date) WHERE closed_at IS NULL;
CREATE INDEX tugas_reporter ON tugas (reporter_id) WHERE closed_at IS NULL;
-- A member's visit requests are read from their notices ("mohon dikunjungi", referrals).
CREATE INDEX notices_recipient_markup ON notices (recipient_id, created_at) WHERE markup_json IS NOT NULL;
