-- Personal data (UU 27/2022 PDP): when a record was anonymised, by /hapus (on the
-- person's request; erased_at is set too, so the record leaves every list) or by the
-- retention job (ended records past the retention period; erased_at stays NULL, so the
-- anonymous counts of /rekap do not change). Which run did what is in audit_log
-- (action 'hapus' / 'anonimkan'); the retention job's last day is in meta.

ALTER TABLE sasaran ADD COLUMN anonymised_at TEXT;
ALTER TABLE keluarga ADD COLUMN anonymised_at TEXT;

-- The retention job's two questions: ended records, and children by birth date.
CREATE INDEX sasaran_retention_ended ON sasaran (ended_on) WHERE anonymised_at IS NULL AND status = 'selesai';
CREATE INDEX sasaran_retention_child ON sasaran (birth_date)
    WHERE anonymised_at IS NULL AND category IN ('baduta', 'balita');
