-- Personal data at rest (issue 15, points 1, 7 and 10).
--
-- 1. Masks show only the province and kabupaten/kota of a NIK or No. KK
--    ("3673************"): the old form "3673********0001" showed the 4-digit serial,
--    the only part of a NIK that the stored birth date, sex and region do not give away
--    (bot/domain/nik.py, mask_nik). Every stored mask is cut back here, in the records and
--    in the audit log's before/after values. A mask is a substring, so SQL can do it.
-- 2. /hapus is limited per coordinator and day: the count reads the audit log by actor.
-- 3. Phone numbers are stored like NIKs: AES-GCM ciphertext (phone_enc) and a keyed hash
--    (phone_hash). The key is not in SQL, so the plain values still in `phone` are
--    encrypted at start by Python (storage/at_rest.py, idempotent) and `phone` is left
--    NULL; the triggers below refuse any new plain phone.

UPDATE sasaran SET nik_masked = CASE WHEN length(nik_masked) = 16
        THEN substr(nik_masked, 1, 4) || '************'
        ELSE replace(hex(zeroblob(length(nik_masked))), '00', '*') END
    WHERE nik_masked IS NOT NULL;
UPDATE keluarga SET no_kk_masked = CASE WHEN length(no_kk_masked) = 16
        THEN substr(no_kk_masked, 1, 4) || '************'
        ELSE replace(hex(zeroblob(length(no_kk_masked))), '00', '*') END
    WHERE no_kk_masked IS NOT NULL;

UPDATE audit_log SET before_json = json_set(before_json, '$.nik_masked',
        substr(json_extract(before_json, '$.nik_masked'), 1, 4) || '************')
    WHERE json_valid(before_json) AND json_type(before_json, '$.nik_masked') = 'text';
UPDATE audit_log SET after_json = json_set(after_json, '$.nik_masked',
        substr(json_extract(after_json, '$.nik_masked'), 1, 4) || '************')
    WHERE json_valid(after_json) AND json_type(after_json, '$.nik_masked') = 'text';
UPDATE audit_log SET before_json = json_set(before_json, '$.no_kk_masked',
        substr(json_extract(before_json, '$.no_kk_masked'), 1, 4) || '************')
    WHERE json_valid(before_json) AND json_type(before_json, '$.no_kk_masked') = 'text';
UPDATE audit_log SET after_json = json_set(after_json, '$.no_kk_masked',
        substr(json_extract(after_json, '$.no_kk_masked'), 1, 4) || '************')
    WHERE json_valid(after_json) AND json_type(after_json, '$.no_kk_masked') = 'text';

ALTER TABLE users ADD COLUMN phone_enc TEXT;
ALTER TABLE users ADD COLUMN phone_hash TEXT;
ALTER TABLE sasaran ADD COLUMN phone_enc TEXT;
ALTER TABLE sasaran ADD COLUMN phone_hash TEXT;
CREATE INDEX users_phone_hash ON users (phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX sasaran_phone_hash ON sasaran (phone_hash) WHERE phone_hash IS NOT NULL;

CREATE TRIGGER users_phone_sealed_ins BEFORE INSERT ON users WHEN NEW.phone IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'users.phone is stored encrypted: write phone_enc'); END;
CREATE TRIGGER users_phone_sealed_upd BEFORE UPDATE OF phone ON users WHEN NEW.phone IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'users.phone is stored encrypted: write phone_enc'); END;
CREATE TRIGGER sasaran_phone_sealed_ins BEFORE INSERT ON sasaran WHEN NEW.phone IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'sasaran.phone is stored encrypted: write phone_enc'); END;
CREATE TRIGGER sasaran_phone_sealed_upd BEFORE UPDATE OF phone ON sasaran WHEN NEW.phone IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'sasaran.phone is stored encrypted: write phone_enc'); END;

CREATE INDEX audit_log_erasures ON audit_log (actor_id, at) WHERE action = 'hapus';
