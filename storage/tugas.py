"""What a TPK member's visit tasks are derived from: their own active records, the date
of the last visit to each, and the visit requests queued for them as notices. Tasks are
derived, not stored: recording a kunjungan changes ``last_visit_on`` and with it the
plan, so a visit closes its task by itself. The ``tugas`` table (0013) keeps only what
derivation cannot know: tasks closed with a reason, and late tasks as last listed, for
the coordinators' weekly summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage import audit
from storage.db import Database, Transaction
from storage.in_lists import in_lists
from storage.scope import within
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class TaskSource:
    sasaran_id: int
    keluarga_id: int
    head_name: str
    name: str
    category: str
    hpht: date | None
    hpl: date | None
    delivery_date: date | None
    birth_date: date | None
    registered_on: date
    answers: dict[str, Any]
    last_visit_on: date | None
    #: When the latest kunjungan was recorded (a request is settled by a visit recorded after it).
    last_recorded_at: datetime | None = None
    #: False for an ended record listed only for a visit asked for after it ended.
    active: bool = True


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


async def sources_for_reporter(db: Database, scope: str, reporter_id: int, *, limit: int = 500,
                               sasaran_id: int | None = None, also_ended: tuple[int, ...] = ()) -> list[TaskSource]:
    """A member's active, non-erased records inside their scope, by family, and those of
    ``also_ended`` that have ended (a visit asked for after a pregnancy loss); only
    ``sasaran_id`` when given: a button's claim, checked here against owner and scope."""
    inside, params = within("s.region_code", scope)
    ended = also_ended[:limit]
    active: str = "s.status = 'aktif'"
    if ended:
        active = f"(s.status = 'aktif' OR s.id IN ({','.join('?' for _ in ended)}))"
    params = (*ended, *params)
    if sasaran_id is not None:
        inside, params = f"{inside} AND s.id = ?", (*params, sasaran_id)
    rows = await db.fetch_all(
        "SELECT s.id, s.keluarga_id, k.head_name, s.name, s.category, s.hpht, s.hpl, s.delivery_date, "
        "s.birth_date, s.created_at, s.answers_json, s.status, "
        "(SELECT max(v.visited_on) FROM kunjungan v WHERE v.sasaran_id = s.id) AS last_visit, "
        "(SELECT max(v.created_at) FROM kunjungan v WHERE v.sasaran_id = s.id) AS last_recorded, "
        "(SELECT min(v.visited_on) FROM kunjungan v WHERE v.sasaran_id = s.id AND v.kind = 'pendaftaran') "
        "AS registered FROM sasaran s JOIN keluarga k ON k.id = s.keluarga_id "
        f"WHERE s.reporter_id = ? AND {active} AND s.erased_at IS NULL AND k.erased_at IS NULL AND {inside} "
        "ORDER BY k.head_name COLLATE NOCASE, k.id, s.id LIMIT ?",
        (reporter_id, *params, limit),
    )
    out = []
    for r in rows:
        registered = _day(r["registered"]) or _day(r["created_at"])
        assert registered is not None
        out.append(TaskSource(
            sasaran_id=r["id"], keluarga_id=r["keluarga_id"], head_name=r["head_name"], name=r["name"],
            category=r["category"], hpht=_day(r["hpht"]), hpl=_day(r["hpl"]), delivery_date=_day(r["delivery_date"]),
            birth_date=_day(r["birth_date"]), registered_on=registered, answers=json.loads(r["answers_json"]),
            last_visit_on=_day(r["last_visit"]), last_recorded_at=from_db(r["last_recorded"]),
            active=r["status"] == "aktif",
        ))
    return out


# -- visit requests ------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestNotice:
    """A notice to the member that carries buttons: perhaps a visit request."""

    dedupe_key: str
    kind: str
    text: str
    markup: list[list[dict[str, str]]]
    created_at: datetime


async def notices_with_buttons(db: Database, recipient_id: int, *, since: datetime, skip_kinds: tuple[str, ...],
                               limit: int = 200) -> list[RequestNotice]:
    """The member's notices with an inline keyboard queued since ``since`` (newest first),
    except ``skip_kinds`` (the daily list itself). Which of them ask for a visit is for the
    caller to read from the keyboard."""
    skip = ",".join("?" for _ in skip_kinds) or "''"
    rows = await db.fetch_all(
        "SELECT dedupe_key, kind, text, markup_json, created_at FROM notices "
        f"WHERE recipient_id = ? AND markup_json IS NOT NULL AND created_at >= ? AND kind NOT IN ({skip}) "
        "AND state <> 'cancelled' ORDER BY created_at DESC, id DESC LIMIT ?",
        (recipient_id, to_db(since), *skip_kinds, limit),
    )
    out = []
    for r in rows:
        created = from_db(r["created_at"])
        assert created is not None
        out.append(RequestNotice(dedupe_key=r["dedupe_key"], kind=r["kind"], text=r["text"],
                                 markup=json.loads(r["markup_json"]), created_at=created))
    return out


# -- closed and late tasks -------------------------------------------------------------------

#: Closing reasons a member gives (the rest: 'selesai', settled by a visit or the record).
HUMAN_REASONS = ("pindah", "meninggal", "tidak_ditemukan", "menolak", "menikah", "sudah")
#: The key that closes every task of a person (moved away, died).
WHOLE_PERSON = "*"


@dataclass(frozen=True)
class TaskRow:
    """One task as the member's list shows it: what ``tugas`` keeps of it."""

    sasaran_id: int
    task_key: str
    label: str
    target_date: date


async def closed_keys(db: Database, sasaran_ids: list[int]) -> dict[int, set[str]]:
    """Task keys closed with a reason, per sasaran (``*``: the whole person)."""
    if not sasaran_ids:
        return {}
    out: dict[int, set[str]] = {}
    for marks, chunk in in_lists(sasaran_ids):
        rows = await db.fetch_all(
            f"SELECT sasaran_id, task_key FROM tugas WHERE sasaran_id IN ({marks}) "
            f"AND closed_reason IN ({','.join('?' for _ in HUMAN_REASONS)})",
            (*chunk, *HUMAN_REASONS),
        )
        for r in rows:
            out.setdefault(r["sasaran_id"], set()).add(r["task_key"])
    return out


_UPSERT = (
    "INSERT INTO tugas (sasaran_id, task_key, label, target_date, reporter_id, region_code, seen_on, closed_at, "
    "closed_reason, closed_by) SELECT s.id, ?, ?, ?, s.reporter_id, s.region_code, ?, ?, ?, ? FROM sasaran s "
    "WHERE s.id = ? ON CONFLICT (sasaran_id, task_key) DO UPDATE SET label = excluded.label, "
    "target_date = excluded.target_date, seen_on = excluded.seen_on, reporter_id = excluded.reporter_id, "
    "region_code = excluded.region_code, closed_at = excluded.closed_at, closed_reason = excluded.closed_reason, "
    "closed_by = excluded.closed_by"
)


async def close(tx: Transaction, rows: list[TaskRow], *, reason: str, by: int | None, today: date,
                now: datetime) -> int:
    """Close tasks with a reason given by a person (audited by the caller)."""
    if reason not in HUMAN_REASONS:
        raise ValueError(reason)
    await tx.execute_many(_UPSERT, [
        (r.task_key, r.label, r.target_date.isoformat(), today.isoformat(), to_db(now), reason, by, r.sasaran_id)
        for r in rows
    ])
    for r in rows:
        await audit.record(tx, at=now, actor_id=by, action="tugas_tutup", entity="sasaran", entity_id=r.sasaran_id,
                           after={"tugas": r.task_key, "alasan": reason})
    return len(rows)


async def refresh_late(tx: Transaction, reporter_id: int, rows: list[TaskRow], *, today: date,
                       now: datetime) -> None:
    """Keep ``tugas`` in step with a member's list just built: its late tasks are open
    (seen today), and any other open row of the member is settled ('selesai': visited, or
    the record no longer calls for it)."""
    await tx.execute_many(
        _UPSERT + " WHERE tugas.closed_reason IS NULL OR tugas.closed_reason = 'selesai'",
        [(r.task_key, r.label, r.target_date.isoformat(), today.isoformat(), None, None, None, r.sasaran_id)
         for r in rows],
    )
    open_rows = await tx.fetch_all("SELECT id, sasaran_id, task_key FROM tugas WHERE reporter_id = ? "
                                   "AND closed_at IS NULL", (reporter_id,))
    current = {(r.sasaran_id, r.task_key) for r in rows}
    gone = [r["id"] for r in open_rows if (r["sasaran_id"], r["task_key"]) not in current]
    if gone:
        await tx.execute_many("UPDATE tugas SET closed_at = ?, closed_reason = 'selesai' WHERE id = ?",
                              [(to_db(now), row_id) for row_id in gone])


@dataclass(frozen=True)
class LateTask:
    """A late task for the coordinator's weekly summary (names only in a private chat)."""

    sasaran_id: int
    name: str
    region_code: str
    label: str
    target_date: date
    reporter_name: str | None


async def late_in_scope(db: Database, scope: str, *, target_by: date, skip_key_prefixes: tuple[str, ...],
                        limit: int) -> tuple[list[LateTask], int]:
    """Open tasks in ``scope`` due by ``target_by`` of active records with no visit since a
    list last showed them: a page (by area, oldest first) and the total. A row stays open
    while nobody rebuilds its member's list (a member who left): the coordinator still
    hears of it."""
    inside, params = within("t.region_code", scope)
    skip = "".join(" AND t.task_key NOT LIKE ?" for _ in skip_key_prefixes)
    where = (f"WHERE t.closed_at IS NULL AND {inside} AND t.target_date <= ?{skip} "
             "AND s.status = 'aktif' AND s.erased_at IS NULL "
             "AND NOT EXISTS (SELECT 1 FROM kunjungan k WHERE k.sasaran_id = t.sasaran_id "
             "AND k.visited_on >= t.seen_on)")
    args = (*params, target_by.isoformat(), *(f"{p}%" for p in skip_key_prefixes))
    base = "FROM tugas t JOIN sasaran s ON s.id = t.sasaran_id LEFT JOIN users u ON u.id = t.reporter_id "
    total = await db.fetch_value(f"SELECT count(*) {base}{where}", args)
    rows = await db.fetch_all(
        f"SELECT t.sasaran_id, s.name, t.region_code, t.label, t.target_date, u.full_name {base}{where} "
        "ORDER BY t.region_code, t.target_date, t.id LIMIT ?", (*args, limit))
    return [LateTask(sasaran_id=r[0], name=r[1], region_code=r[2], label=r[3], target_date=date.fromisoformat(r[4]),
                     reporter_name=r[5]) for r in rows], int(total or 0)


@dataclass(frozen=True)
class PostTerm:
    sasaran_id: int
    name: str
    region_code: str
    hpht: date
    reporter_name: str | None


async def post_term_in_scope(db: Database, scope: str, *, hpht_by: date, limit: int) -> tuple[list[PostTerm], int]:
    """Active ibu hamil in ``scope`` whose pregnancy began on or before ``hpht_by`` (by HPHT,
    or HPL − 280 days) with no birth recorded: read from the records themselves, so a
    post-term pregnancy reaches the coordinator even when its TPK member is not active."""
    inside, params = within("s.region_code", scope)
    hpht = "coalesce(s.hpht, date(s.hpl, '-280 days'))"
    where = (f"WHERE s.category = 'ibu_hamil' AND s.status = 'aktif' AND s.erased_at IS NULL AND {inside} "
             f"AND s.delivery_date IS NULL AND {hpht} <= ?")
    args = (*params, hpht_by.isoformat())
    total = await db.fetch_value(f"SELECT count(*) FROM sasaran s {where}", args)
    rows = await db.fetch_all(
        f"SELECT s.id, s.name, s.region_code, {hpht} AS hpht, u.full_name FROM sasaran s "
        f"LEFT JOIN users u ON u.id = s.reporter_id {where} ORDER BY s.region_code, hpht, s.id LIMIT ?",
        (*args, limit))
    return [PostTerm(sasaran_id=r[0], name=r[1], region_code=r[2], hpht=date.fromisoformat(r[3]), reporter_name=r[4])
            for r in rows], int(total or 0)
