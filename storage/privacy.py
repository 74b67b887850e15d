"""Personal data: erasure on request, anonymisation after the retention period, the
export of everything held about one person, and consent records for display.

UU 27/2022 (PDP) treats the health data of mothers and children as specific personal
data. What identifies a person — name, NIK, No. KK, phone, exact dates, free answers,
her Telegram account — is removed; what the anonymous counts need (category, region,
measurements and their flags, month-level dates) is kept.

Two ways a record is anonymised, both through :func:`anonymise_sasaran`:

* ``/hapus`` (the person asked): the record is also closed (status 'selesai', reason
  'dihapus');
* retention (the record ended long ago): it is anonymised only.

Both leave ``erased_at`` unset (``erase=False``), so /rekap's anonymous counts stay
exactly as they were, and both set ``anonymised_at``, which makes the record leave every
list, search, duplicate check (its NIK hash is gone) and the /ekspor "Sasaran" sheet
(:mod:`storage.rekap_rows`). ``erase=True`` would set ``erased_at`` as well, taking the
record out of the counts too; no caller uses it today.

Every write runs inside the caller's transaction, with one audit entry that names ids
only. SQLite keeps deleted bytes in free space and in the WAL; :func:`secure_delete`
turns on zeroing for the writer connection and :func:`compact` rewrites the file and
empties the WAL, so the old values do not linger on disk.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import aiosqlite
from cryptography.exceptions import InvalidTag

from bot.domain.nik import mask_nik
from storage import audit, audit_kasus
from storage import ibu as ibu_store
from storage import tablets as tablets_store
from storage.crypto import DRAFT_STATE, KELUARGA_KK, SASARAN_NIK, SASARAN_PHONE, USER_PHONE, IdentityCipher, opened
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import to_db

ERASED_NAME = "(dihapus)"
#: Reasons written to the audit log.
ON_REQUEST = "permintaan"
RETENTION = "retensi"
#: Values the audit log may keep of an anonymised record: codes and ids, no person.
ANONYMOUS_KEYS = frozenset({
    "category", "status", "ended_reason", "kind", "outcome", "sasaran_id", "keluarga_id", "region_code",
    "reporter_id", "sex", "water_source", "latrine", "berisiko", "role", "team_position", "visited_on",
    "consent_id", "text_version",
})
#: Audit entries written by this module hold counts and ids only: never redacted.
_OWN_ACTIONS = ("hapus", "anonimkan", "ekspor_subjek")
#: Stands in for a Telegram account id in consent rows once the account is erased.
_TELEGRAM_ID_GONE = 0


# -- finding a record ------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A sasaran as /hapus and /persetujuan show it (masked NIK only)."""

    id: int
    keluarga_id: int
    region_code: str
    category: str
    name: str
    nik_masked: str | None
    status: str
    head_name: str


_SUBJECT = ("SELECT s.id, s.keluarga_id, s.region_code, s.category, s.name, s.nik_masked, s.status, k.head_name "
            "FROM sasaran s JOIN keluarga k ON k.id = s.keluarga_id ")


def _subject(row: aiosqlite.Row) -> Subject:
    return Subject(*tuple(row))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def nik_of(text: str) -> str | None:
    """The 16 digits when ``text`` is a NIK typed with or without spaces, dots, dashes."""
    digits = re.sub(r"[\s.\-]", "", text)
    return digits if len(digits) == 16 and digits.isdigit() else None


async def find_subjects(db: Database, cipher: IdentityCipher, scope: str, query: str, *,
                        limit: int = 10) -> list[Subject]:
    """Records inside ``scope`` (not erased) whose name contains ``query``, or whose NIK
    is ``query``; any status, ordered by name."""
    inside, params = within("s.region_code", scope)
    nik = nik_of(query)
    if nik is not None:
        rows = await db.fetch_all(_SUBJECT + f"WHERE s.nik_hash = ? AND {inside} AND s.erased_at IS NULL "
                                  "AND s.anonymised_at IS NULL",
                                  (cipher.lookup_hash(nik), *params))
    else:
        rows = await db.fetch_all(
            _SUBJECT + f"WHERE {inside} AND s.erased_at IS NULL AND s.anonymised_at IS NULL "
            "AND s.name LIKE ? ESCAPE '\\' COLLATE NOCASE "
            "ORDER BY s.name COLLATE NOCASE, s.id LIMIT ?", (*params, _like(query), limit))
    return [_subject(r) for r in rows]


async def subject(db: Database, scope: str, sasaran_id: int) -> Subject | None:
    inside, params = within("s.region_code", scope)
    row = await db.fetch_one(_SUBJECT + f"WHERE s.id = ? AND {inside} AND s.erased_at IS NULL "
                             "AND s.anonymised_at IS NULL", (sasaran_id, *params))
    return _subject(row) if row else None


async def sasaran_by_nik(db: Database, cipher: IdentityCipher, nik: str) -> int | None:
    """Any record with this NIK, erased or not (the export of a data subject)."""
    return await db.fetch_value("SELECT id FROM sasaran WHERE nik_hash = ?", (cipher.lookup_hash(nik),))


async def erasures_since(db: Database, actor_id: int, since: datetime) -> int:
    """How many records ``actor_id`` erased on request since ``since`` (the /hapus limit)."""
    return int(await db.fetch_value("SELECT count(*) FROM audit_log WHERE action = 'hapus' AND actor_id = ? "
                                    "AND at >= ?", (actor_id, to_db(since))) or 0)


# -- anonymising -------------------------------------------------------------------------


@dataclass
class Anonymised:
    """What one anonymisation did (counts and ids, for the audit entry and the reply)."""

    sasaran_id: int
    keluarga_id: int
    keluarga_anonymised: bool = False
    drafts_removed: int = 0
    reminders_cancelled: int = 0
    notices_cancelled: int = 0
    notices_redacted: int = 0
    accounts_removed: int = 0
    accounts_anonymised: int = 0
    audit_redacted: int = 0
    telegram_ids: list[int] = field(default_factory=list)

    def audit_view(self, reason: str) -> dict[str, Any]:
        return {
            "alasan": reason, "keluarga_id": self.keluarga_id, "keluarga_dianonimkan": self.keluarga_anonymised,
            "draf_dihapus": self.drafts_removed, "pengingat_dibatalkan": self.reminders_cancelled,
            "pemberitahuan_dibatalkan": self.notices_cancelled, "pemberitahuan_disamarkan": self.notices_redacted,
            "akun_dihapus": self.accounts_removed, "akun_dianonimkan": self.accounts_anonymised,
            "log_audit_disamarkan": self.audit_redacted,
        }


async def secure_delete(tx: Transaction) -> None:
    """From now on this (writer) connection overwrites deleted content with zeros (SQLite)."""
    if tx.dialect.secure_delete:
        await tx.execute(tx.dialect.secure_delete)


def _month(text: str | None) -> str | None:
    """``2026-08-17`` → ``2026-08-01``: the month stays for the counts, the day goes."""
    return f"{text[:7]}-01" if text else None


def _year(text: str | None) -> str | None:
    """A birth date keeps its year only (stored as 1 January of that year)."""
    return f"{text[:4]}-01-01" if text else None


def _redacted(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return json.dumps({"disamarkan": True})
    if not isinstance(value, dict):
        return json.dumps({"disamarkan": True})
    kept = {k: (v if k in ANONYMOUS_KEYS else ERASED_NAME) for k, v in value.items()}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


async def _value(tx: Transaction, sql: str, params: tuple[Any, ...]) -> Any:
    row = await tx.fetch_one(sql, params)
    return None if row is None else row[0]


async def _redact_audit(tx: Transaction, where: str, params: tuple[Any, ...]) -> int:
    own = ",".join(f"'{a}'" for a in _OWN_ACTIONS)
    rows = await tx.fetch_all(
        f"SELECT id, before_json, after_json FROM audit_log WHERE ({where}) AND action NOT IN ({own})", params)
    for row in rows:
        await tx.execute("UPDATE audit_log SET before_json = ?, after_json = ? WHERE id = ?",
                         (_redacted(row["before_json"]), _redacted(row["after_json"]), row["id"]))
    return len(rows)


def _mentions(name: str) -> re.Pattern[str] | None:
    """The name as it appears in an HTML notice, as a whole word."""
    name = name.strip()
    if len(name) < 2 or name == ERASED_NAME:
        return None
    return re.compile(rf"(?<!\w){re.escape(html.escape(name))}(?!\w)")


async def _drafts_about(tx: Transaction, cipher: IdentityCipher, *, sasaran_id: int,
                        keluarga_id: int | None) -> int:
    """Delete open form drafts about this record (a visit, a correction) or, when the
    family goes too, about the family (a member being added)."""
    removed = 0
    for key, state in await _draft_states(tx, cipher):
        context = state.get("context") or {}
        about = str(context.get("sasaran_id")) == str(sasaran_id)
        if keluarga_id is not None and str(context.get("keluarga_id")) == str(keluarga_id):
            about = True
        if about:
            await tx.execute("DELETE FROM drafts WHERE draft_key = ?", (key,))
            removed += 1
    return removed


async def _draft_states(source: Database | Transaction, cipher: IdentityCipher) -> list[tuple[str, dict[str, Any]]]:
    """(draft key, decrypted state) of every open draft; an unreadable one names no one."""
    out = []
    for row in await source.fetch_all("SELECT draft_key, state_json FROM drafts"):
        try:
            state = json.loads(cipher.decrypt(row["state_json"], DRAFT_STATE, row["draft_key"]))
        except (ValueError, InvalidTag):
            continue
        if isinstance(state, dict):
            out.append((row["draft_key"], state))
    return out


async def _notice_owner(source: Database | Transaction, sasaran_id: int) -> Any:
    """A test "does this notice exist only because of this record?": its dedupe key names
    the record, one of its reminders or consent rows (a digest's key names its recipient
    and day, never the people it lists — those are redacted, not cancelled)."""
    reminder_ids = [r[0] for r in await source.fetch_all("SELECT id FROM reminders WHERE sasaran_id = ?",
                                                         (sasaran_id,))]
    consent_ids = [r[0] for r in await source.fetch_all("SELECT id FROM ibu_consent WHERE sasaran_id = ?",
                                                        (sasaran_id,))]
    keys = {f"keguguran:{sasaran_id}", *(f"belum:{rid}" for rid in reminder_ids)}
    prefixes = (*(f"{kind}:{sasaran_id}:" for kind in ("berhenti", "mulai", "tak_terjangkau", "ttd_kurang")),
                *(f"persetujuan:{cid}:" for cid in consent_ids))
    def owns(row: aiosqlite.Row) -> bool:
        key = row["dedupe_key"]
        return key in keys or key.startswith(prefixes)

    return owns


async def _notices_about(tx: Transaction, result: Anonymised, names: list[str], now: datetime) -> None:
    """Cancel unsent notices that exist only because of this record; in every other
    notice (a digest listing several people, what was sent already) her name, should it
    appear, is replaced with "(dihapus)" (the reminder texts use initials only)."""
    owns = await _notice_owner(tx, result.sasaran_id)
    patterns = [p for p in (_mentions(n) for n in names) if p is not None]
    for row in await tx.fetch_all("SELECT id, dedupe_key, text, markup_json, state FROM notices"):
        text = row["text"]
        for pattern in patterns:
            text = pattern.sub(ERASED_NAME, text)
        markup = _redacted_markup(row["markup_json"], names)
        if owns(row) and row["state"] == "scheduled":
            await tx.execute("UPDATE notices SET state = 'cancelled', text = ?, markup_json = NULL WHERE id = ?",
                             (text, row["id"]))
            result.notices_cancelled += 1
        elif text != row["text"] or markup != row["markup_json"]:
            await tx.execute("UPDATE notices SET text = ?, markup_json = ? WHERE id = ?", (text, markup, row["id"]))
            result.notices_redacted += 1


def _in_labels(name: str) -> re.Pattern[str] | None:
    """The name in a button label: plain text, and perhaps cut short to fit the button
    (a long name is matched from its first 24 characters to wherever the label cut it)."""
    name = " ".join(name.split())
    if len(name) < 2 or name == ERASED_NAME:
        return None
    if len(name) <= 24:
        return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    rest = ""
    for char in reversed(name[24:]):
        rest = f"(?:{re.escape(char)}{rest})?"
    return re.compile(rf"(?<!\w){re.escape(name[:24])}{rest}(?<!\s)")


def _redacted_markup(markup_json: str | None, names: list[str]) -> str | None:
    """The stored keyboard with her name replaced in every button label (a digest's
    buttons are labelled with the people it lists)."""
    patterns = [p for p in (_in_labels(n) for n in names) if p is not None]
    if not markup_json or not patterns:
        return markup_json
    rows = json.loads(markup_json)
    changed = False
    for row in rows:
        for button in row:
            label = button.get("text", "")
            for pattern in patterns:
                label = pattern.sub(ERASED_NAME, label)
            changed |= label != button.get("text", "")
            button["text"] = label
    return json.dumps(rows) if changed else markup_json


async def _accounts(tx: Transaction, result: Anonymised, now: datetime) -> None:
    """The mother's link to this record goes; her Telegram account row goes too when it
    follows no other record (deleted, or anonymised and deactivated when something
    still refers to it). Her consent rows keep decision, version and time, not her id."""
    sid = result.sasaran_id
    ids = {r[0] for r in await tx.fetch_all("SELECT telegram_id FROM ibu_consent WHERE sasaran_id = ?", (sid,))}
    ids |= {r[0] for r in await tx.fetch_all("SELECT user_id FROM ibu WHERE sasaran_id = ?", (sid,))}
    ids.discard(_TELEGRAM_ID_GONE)
    await tx.execute("DELETE FROM ibu WHERE sasaran_id = ?", (sid,))
    await tx.execute("UPDATE ibu_consent SET telegram_id = ? WHERE sasaran_id = ?", (_TELEGRAM_ID_GONE, sid))
    for uid in sorted(ids):
        result.telegram_ids.append(uid)
        user = await tx.fetch_one("SELECT role FROM users WHERE id = ?", (uid,))
        other = await _value(tx, "SELECT sasaran_id FROM ibu WHERE user_id = ?", (uid,))
        if user is None or user["role"] != "ibu" or other is not None:
            continue
        result.audit_redacted += await _redact_audit(tx, "entity IN ('user', 'ibu') AND entity_id = ?", (str(uid),))
        await tx.execute("UPDATE audit_log SET entity_id = ? WHERE entity IN ('user', 'ibu') AND entity_id = ?",
                         (ERASED_NAME, str(uid)))
        await tx.execute("UPDATE audit_log SET actor_id = NULL WHERE actor_id = ?", (uid,))
        await tx.execute("UPDATE invitations SET used_by = NULL WHERE used_by = ?", (uid,))
        if await tx.execute_unless_refused("DELETE FROM users WHERE id = ?", (uid,)):
            result.accounts_removed += 1
        else:
            await tx.execute(
                "UPDATE users SET full_name = ?, phone = NULL, phone_enc = NULL, phone_hash = NULL, "
                "status = 'inactive', updated_at = ? WHERE id = ?",
                (ERASED_NAME, to_db(now), uid))
            result.accounts_anonymised += 1


async def anonymise_keluarga(tx: Transaction, cipher: IdentityCipher, keluarga_id: int, *, now: datetime,
                             erase: bool) -> int:
    """Remove what identifies a family (head's name, address, RT/RW, No. KK, answers);
    its region, risk factors and dates stay for the counts. Returns drafts removed."""
    await tx.execute(
        "UPDATE keluarga SET head_name = ?, address = NULL, rt = NULL, rw = NULL, no_kk_enc = NULL, "
        "no_kk_hash = NULL, no_kk_masked = NULL, answers_json = '{}', anonymised_at = coalesce(anonymised_at, ?), "
        "erased_at = CASE WHEN ? THEN coalesce(erased_at, ?) ELSE erased_at END, updated_at = ? WHERE id = ?",
        (ERASED_NAME, to_db(now), int(erase), to_db(now), to_db(now), keluarga_id),
    )
    await _redact_audit(tx, "entity = 'keluarga' AND entity_id = ?", (str(keluarga_id),))
    removed = 0
    for key, state in await _draft_states(tx, cipher):
        if str((state.get("context") or {}).get("keluarga_id")) == str(keluarga_id):
            await tx.execute("DELETE FROM drafts WHERE draft_key = ?", (key,))
            removed += 1
    return removed


async def anonymise_sasaran(tx: Transaction, cipher: IdentityCipher, sasaran_id: int, *, actor_id: int | None,
                            reason: str, now: datetime, erase: bool, end_as: str | None = None,
                            ended_on: date | None = None) -> Anonymised:
    """Anonymise one record and everything that names it, in the caller's transaction.

    ``erase``: also set ``erased_at`` (/hapus). ``end_as``: close a record that is still
    active with this reason on ``ended_on`` (a child who aged out). The family is anonymised too when no
    member of it is left who is neither erased nor anonymised.
    """
    row = await tx.fetch_one("SELECT * FROM sasaran WHERE id = ?", (sasaran_id,))
    if row is None:
        raise LookupError(sasaran_id)
    result = Anonymised(sasaran_id=sasaran_id, keluarga_id=row["keluarga_id"])
    names = [row["name"]]
    status, ended_reason, ended = row["status"], row["ended_reason"], row["ended_on"]
    if end_as is not None and status == "aktif":
        status, ended_reason = "selesai", end_as
        ended = ended or (ended_on or now.date()).isoformat()
    stamp = to_db(now)
    await tx.execute(
        "UPDATE sasaran SET name = ?, nik_enc = NULL, nik_hash = NULL, nik_masked = NULL, phone = NULL, "
        "phone_enc = NULL, phone_hash = NULL, birth_date = ?, hpht = ?, hpl = ?, delivery_date = ?, status = ?, "
        "ended_reason = ?, ended_on = ?, "
        "answers_json = '{}', anonymised_at = coalesce(anonymised_at, ?), "
        "erased_at = CASE WHEN ? THEN coalesce(erased_at, ?) ELSE erased_at END, updated_at = ? WHERE id = ?",
        (ERASED_NAME, _year(row["birth_date"]), _month(row["hpht"]), _month(row["hpl"]), _month(row["delivery_date"]),
         status, ended_reason, _month(ended), stamp, int(erase), stamp, stamp, sasaran_id),
    )
    await tx.execute("UPDATE kunjungan SET answers_json = '{}' WHERE sasaran_id = ?", (sasaran_id,))
    await audit_kasus.forget_worksheets(tx, sasaran_id)
    result.reminders_cancelled = await ibu_store.cancel_scheduled(tx, sasaran_id, reason="dihapus", now=now)
    await ibu_store.close_followups(tx, sasaran_id, now=now)
    await _notices_about(tx, result, names, now)
    await _accounts(tx, result, now)
    result.audit_redacted += await _redact_audit(tx, "entity = 'sasaran' AND entity_id = ?", (str(sasaran_id),))
    live = await _value(tx,
        "SELECT count(*) FROM sasaran WHERE keluarga_id = ? AND erased_at IS NULL AND anonymised_at IS NULL",
        (result.keluarga_id,))
    if not live:
        result.drafts_removed += await anonymise_keluarga(tx, cipher, result.keluarga_id, now=now, erase=erase)
        result.keluarga_anonymised = True
    result.drafts_removed += await _drafts_about(tx, cipher, sasaran_id=sasaran_id, keluarga_id=None)
    await audit.record(tx, at=now, actor_id=actor_id, action="hapus" if reason == ON_REQUEST else "anonimkan",
                       entity="sasaran",
                       entity_id=sasaran_id, after=result.audit_view(reason))
    return result


# -- retention -------------------------------------------------------------------------


async def ended_by(db: Database, cutoff: date, *, limit: int) -> list[int]:
    """Records that ended (status 'selesai') on or before ``cutoff``, not anonymised."""
    rows = await db.fetch_all(
        "SELECT id FROM sasaran WHERE anonymised_at IS NULL AND status = 'selesai' "
        "AND coalesce(ended_on, substr(updated_at, 1, 10)) <= ? ORDER BY id LIMIT ?",
        (cutoff.isoformat(), limit))
    return [r[0] for r in rows]


async def aged_out_by(db: Database, cutoff: date, *, limit: int) -> list[int]:
    """Children whose fifth birthday (the end of balita age) was on or before ``cutoff``."""
    rows = await db.fetch_all(
        "SELECT id FROM sasaran WHERE anonymised_at IS NULL AND category IN ('baduta', 'balita') "
        "AND birth_date IS NOT NULL AND date(birth_date, '+60 months') <= ? ORDER BY id LIMIT ?",
        (cutoff.isoformat(), limit))
    return [r[0] for r in rows]


async def idle_families_by(db: Database, cutoff: date, *, limit: int) -> list[int]:
    """Families with no active member left and nothing recorded after ``cutoff``."""
    day = cutoff.isoformat()
    rows = await db.fetch_all(
        "SELECT k.id FROM keluarga k WHERE k.anonymised_at IS NULL AND substr(k.created_at, 1, 10) <= ? "
        "AND NOT EXISTS (SELECT 1 FROM sasaran s WHERE s.keluarga_id = k.id AND s.erased_at IS NULL "
        "  AND s.anonymised_at IS NULL AND (s.status = 'aktif' OR coalesce(s.ended_on, '') > ? "
        "  OR substr(s.updated_at, 1, 10) > ?)) "
        "AND NOT EXISTS (SELECT 1 FROM kunjungan v JOIN sasaran s ON s.id = v.sasaran_id "
        "  WHERE s.keluarga_id = k.id AND v.visited_on > ?) "
        "ORDER BY k.id LIMIT ?",
        (day, day, day, day, limit))
    return [r[0] for r in rows]


async def members_left(tx: Transaction, keluarga_id: int) -> list[int]:
    rows = await tx.fetch_all("SELECT id FROM sasaran WHERE keluarga_id = ? AND anonymised_at IS NULL ORDER BY id",
                              (keluarga_id,))
    return [r[0] for r in rows]


async def family_anonymised(tx: Transaction, keluarga_id: int) -> bool:
    return bool(await _value(tx, "SELECT anonymised_at IS NOT NULL FROM keluarga WHERE id = ?", (keluarga_id,)))


async def anonymisation_state(tx: Transaction, sasaran_id: int) -> aiosqlite.Row | None:
    """``anonymised_at`` and ``birth_date`` of a record, read in the transaction that may anonymise it."""
    return await tx.fetch_one("SELECT anonymised_at, birth_date FROM sasaran WHERE id = ?", (sasaran_id,))


# -- consent records ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentEntry:
    sasaran_id: int
    telegram_id: int
    decision: str
    text_version: str
    at: str
    region_code: str


async def consents_of_account(db: Database, telegram_id: int) -> list[ConsentEntry]:
    """Every decision this Telegram account made, oldest first (a mother's own view)."""
    rows = await db.fetch_all(
        "SELECT c.sasaran_id, c.telegram_id, c.decision, c.text_version, c.at, s.region_code FROM ibu_consent c "
        "JOIN sasaran s ON s.id = c.sasaran_id WHERE c.telegram_id = ? ORDER BY c.id", (telegram_id,))
    return [ConsentEntry(*tuple(r)) for r in rows]


async def consents_of_sasaran(db: Database, sasaran_id: int) -> list[ConsentEntry]:
    """Every decision recorded for one record (who, when, which text), oldest first."""
    rows = await db.fetch_all(
        "SELECT c.sasaran_id, c.telegram_id, c.decision, c.text_version, c.at, s.region_code FROM ibu_consent c "
        "JOIN sasaran s ON s.id = c.sasaran_id WHERE c.sasaran_id = ? ORDER BY c.id", (sasaran_id,))
    return [ConsentEntry(*tuple(r)) for r in rows]


# -- export of one data subject -------------------------------------------------------------


def _plain(row: aiosqlite.Row | None, *, drop: tuple[str, ...] = ()) -> dict[str, Any] | None:
    if row is None:
        return None
    out: dict[str, Any] = {}
    for key in row.keys():  # noqa: SIM118 - aiosqlite.Row has keys(), no iteration over names
        if key in drop:
            continue
        value = row[key]
        if isinstance(key, str) and key.endswith("_json") and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
            key = key[: -len("_json")]
        out[key] = value
    return out


async def export_subject(db: Database, cipher: IdentityCipher, sasaran_id: int) -> dict[str, Any] | None:
    """Everything held about the person of one record, decrypted (UU PDP right of access)."""
    row = await db.fetch_one("SELECT * FROM sasaran WHERE id = ?", (sasaran_id,))
    if row is None:
        return None
    person = _plain(row, drop=("nik_enc", "nik_hash", "phone_enc", "phone_hash"))
    assert person is not None
    person["nik"] = opened(cipher, SASARAN_NIK, sasaran_id, row["nik_enc"])
    person["phone"] = opened(cipher, SASARAN_PHONE, sasaran_id, row["phone_enc"])
    family_row = await db.fetch_one("SELECT * FROM keluarga WHERE id = ?", (row["keluarga_id"],))
    family = _plain(family_row, drop=("no_kk_enc", "no_kk_hash", "draft_key"))
    if family is not None and family_row is not None:
        family["no_kk"] = opened(cipher, KELUARGA_KK, family_row["id"], family_row["no_kk_enc"])
        family["faktor_risiko"] = [
            _plain(r) for r in await db.fetch_all("SELECT code, reason FROM keluarga_risk WHERE keluarga_id = ?",
                                                  (row["keluarga_id"],))]
    visits = [_plain(r, drop=("draft_key",)) for r in await db.fetch_all(
        "SELECT * FROM kunjungan WHERE sasaran_id = ? ORDER BY visited_on, id", (sasaran_id,))]
    flags = [_plain(r) for r in await db.fetch_all("SELECT code, reason FROM sasaran_flag WHERE sasaran_id = ?",
                                                   (sasaran_id,))]
    consents = [_plain(r) for r in await db.fetch_all(
        "SELECT id, telegram_id, invitation_id, decision, text_version, at FROM ibu_consent WHERE sasaran_id = ? "
        "ORDER BY id", (sasaran_id,))]
    link = _plain(await db.fetch_one("SELECT * FROM ibu WHERE sasaran_id = ?", (sasaran_id,)))
    telegram_ids = sorted({c["telegram_id"] for c in consents if c and c["telegram_id"]}
                          | ({link["user_id"]} if link else set()))
    accounts = [{**(_plain(r, drop=("phone_enc", "phone_hash")) or {}),
                 "phone": opened(cipher, USER_PHONE, r["id"], r["phone_enc"])}
                for r in await db.fetch_all(
        f"SELECT * FROM users WHERE id IN ({','.join('?' for _ in telegram_ids)})", telegram_ids)] \
        if telegram_ids else []
    invitations = [_plain(r) for r in await db.fetch_all(
        "SELECT id, role, region_code, created_by, created_at, expires_at, used_by, used_at FROM invitations "
        "WHERE sasaran_id = ? ORDER BY id", (sasaran_id,))]
    reminders = [_plain(r, drop=("claimed_by", "claimed_at")) for r in await db.fetch_all(
        "SELECT * FROM reminders WHERE sasaran_id = ? ORDER BY due_date, id", (sasaran_id,))]
    attempts = [_plain(r) for r in await db.fetch_all(
        "SELECT a.reminder_id, a.at, a.outcome, a.detail FROM delivery_attempts a "
        "JOIN reminders r ON r.id = a.reminder_id WHERE r.sasaran_id = ? ORDER BY a.id", (sasaran_id,))]
    visit_ids = [str(v["id"]) for v in visits if v]
    audit_where = ["(entity = 'sasaran' AND entity_id = ?)", "(entity = 'keluarga' AND entity_id = ?)"]
    audit_params: list[Any] = [str(sasaran_id), str(row["keluarga_id"])]
    if visit_ids:
        audit_where.append(f"(entity = 'kunjungan' AND entity_id IN ({','.join('?' for _ in visit_ids)}))")
        audit_params += visit_ids
    if telegram_ids:
        marks = ",".join("?" for _ in telegram_ids)
        audit_where.append(f"(entity IN ('user', 'ibu') AND entity_id IN ({marks}))")
        audit_params += [str(t) for t in telegram_ids]
    audit_rows = [_plain(r) for r in await db.fetch_all(
        f"SELECT id, at, actor_id, action, entity, entity_id, before_json, after_json FROM audit_log "
        f"WHERE {' OR '.join(audit_where)} ORDER BY id", audit_params)]
    patterns = [p for p in (_mentions(n) for n in {row["name"], *(a["full_name"] for a in accounts if a)}) if p]
    owns = await _notice_owner(db, sasaran_id)
    notices = [
        _plain(r, drop=("claimed_by", "claimed_at"))
        for r in await db.fetch_all("SELECT * FROM notices ORDER BY id")
        if owns(r) or any(p.search(r["text"]) for p in patterns)
    ]
    drafts = []
    for key, state in await _draft_states(db, cipher):
        if str((state.get("context") or {}).get("sasaran_id")) == str(sasaran_id):
            draft = await db.fetch_one("SELECT user_id, form, created_at, updated_at FROM drafts WHERE draft_key = ?",
                                       (key,))
            if draft is not None:
                drafts.append({**(_plain(draft) or {}), "answers": state.get("answers")})
    reporter = _plain(await db.fetch_one("SELECT id, full_name, role, region_code FROM users WHERE id = ?",
                                         (row["reporter_id"],)))
    children = [_plain(r) for r in await db.fetch_all(
        "SELECT id, category, erased_at IS NOT NULL AS erased FROM sasaran WHERE mother_id = ? ORDER BY id",
        (sasaran_id,))]
    return {
        "sasaran": person,
        "nik_tersamar": mask_nik(person["nik"]) if person["nik"] else row["nik_masked"],
        "keluarga": family,
        "kunjungan": visits,
        "tanda_kesehatan": flags,
        "persetujuan": consents,
        "tautan_pengingat": link,
        "akun_telegram": accounts,
        "undangan": invitations,
        "pengingat": reminders,
        "jawaban_tablet_tambah_darah": await tablets_store.for_subject(db, sasaran_id),
        "pengiriman_pengingat": attempts,
        "pemberitahuan_ke_tpk": notices,
        "draf_isian": drafts,
        "log_audit": audit_rows,
        "dilaporkan_oleh": reporter,
        "anak_tercatat": children,
        "audit_kasus": await audit_kasus.cases_about(db, sasaran_id),
    }
