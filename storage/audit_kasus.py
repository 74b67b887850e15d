"""Audit Kasus Stunting: rounds, their cases, the tim pakar, reviews and follow-up items (RTL).

(The audit LOG is :mod:`storage.audit`; every change here writes an entry there in the same
transaction, and every opening of a KKA is one too — ``/audit akses`` reads them back.)

Who may see what is decided here, in SQL: a coordinator sees the rounds of areas inside their
scope, a pakar only the rounds they are an active member of while the round is open, a TPK member
only the cases they are the case's own member of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.domain.audit_criteria import Family, Member, Point, Proposal
from bot.domain.audit_round import Stage
from bot.domain.roles import Role
from storage import audit
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import to_db


class AlreadyOpen(Exception):
    """An open round exists for this area and semester."""


@dataclass(frozen=True)
class Round:
    id: int
    region_code: str
    year: int
    semester: int
    stage: Stage
    criteria: dict[str, Any] | None
    opened_by: int
    stage_at: str
    closed_at: str | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Case:
    id: int
    round_id: int
    number: int
    sasaran_id: int | None
    keluarga_id: int
    group: str
    region_code: str
    reasons: list[list[str]]
    origin: str
    status: str
    status_reason: str | None
    tpk_id: int | None
    kka: dict[str, Any] | None
    review_done: bool
    baseline: dict[str, Any] | None


@dataclass(frozen=True)
class Review:
    case_id: int
    pakar_id: int
    pakar_name: str
    speciality: str
    causes: list[str]
    recommendation: str


@dataclass(frozen=True)
class Rtl:
    id: int
    case_id: int
    case_number: int
    party: str
    action: str
    due_on: date
    status: str
    outcome: str | None


_ROUND_COLS = "id, region_code, year, semester, stage, criteria_json, opened_by, stage_at, closed_at"
_CASE_COLS = ("c.id, c.round_id, c.number, c.sasaran_id, c.keluarga_id, c.grp, c.region_code, c.reasons_json, "
              "c.origin, c.status, c.status_reason, c.tpk_id, c.kka_json, c.review_done_at, c.baseline_json")


def _round(row: aiosqlite.Row) -> Round:
    return Round(row["id"], row["region_code"], row["year"], row["semester"], Stage(row["stage"]),
                 json.loads(row["criteria_json"]) if row["criteria_json"] else None, row["opened_by"],
                 row["stage_at"], row["closed_at"])


def _rtl(row: aiosqlite.Row) -> Rtl:
    return Rtl(row[0], row[1], row[2], row[3], row[4], date.fromisoformat(row[5]), row[6], row[7])


_RTL_COLS = "t.id, t.case_id, c.number, t.party, t.action, t.due_on, t.status, t.outcome"


def _case(row: aiosqlite.Row) -> Case:
    return Case(row["id"], row["round_id"], row["number"], row["sasaran_id"], row["keluarga_id"], row["grp"],
                row["region_code"], json.loads(row["reasons_json"]), row["origin"], row["status"],
                row["status_reason"], row["tpk_id"], json.loads(row["kka_json"]) if row["kka_json"] else None,
                row["review_done_at"] is not None, json.loads(row["baseline_json"]) if row["baseline_json"] else None)


# -- rounds --------------------------------------------------------------------------------


async def open_round(db: Database, *, region_code: str, year: int, semester: int, proposals: list[Proposal],
                     criteria: dict[str, Any], actor_id: int, now: datetime) -> Round:
    """Open the round and store its shortlist (numbered in order) with the criteria used, in one
    transaction: a round never exists without the shortlist it was opened with."""
    async with db.transaction() as tx:
        if await tx.fetch_one("SELECT id FROM audit_round WHERE region_code = ? AND year = ? AND semester = ? "
                              "AND closed_at IS NULL", (region_code, year, semester)):
            raise AlreadyOpen(region_code)
        new_id = await tx.insert(
            "INSERT INTO audit_round (region_code, year, semester, criteria_json, opened_by, opened_at, stage_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (region_code, year, semester, json.dumps(criteria, sort_keys=True),
                                             actor_id, to_db(now), to_db(now)))
        for number, p in enumerate(proposals, start=1):
            await tx.execute(
                "INSERT INTO audit_case (round_id, number, sasaran_id, keluarga_id, grp, region_code, reasons_json, "
                "origin, tpk_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'usulan', ?, ?)",
                (new_id, number, p.sasaran_id, p.keluarga_id, p.group.value, p.region_code,
                 json.dumps([[r.value, text] for r, text in p.reasons], ensure_ascii=False),
                 await _owner(tx, p.keluarga_id, p.sasaran_id), to_db(now)))
        await audit.record(tx, at=now, actor_id=actor_id, action="open", entity="audit_round", entity_id=new_id,
                           after={"region_code": region_code, "year": year, "semester": semester,
                                  "cases": len(proposals), "criteria": criteria})
        row = await tx.fetch_one(f"SELECT {_ROUND_COLS} FROM audit_round WHERE id = ?", (new_id,))
        assert row is not None
        return _round(row)


async def rounds_in_scope(db: Database, scope: str) -> list[Round]:
    """The rounds of areas inside a coordinator's scope, open ones first."""
    inside, params = within("region_code", scope)
    rows = await db.fetch_all(f"SELECT {_ROUND_COLS} FROM audit_round WHERE {inside} "
                              "ORDER BY closed_at IS NOT NULL, year DESC, semester DESC, id DESC", params)
    return [_round(r) for r in rows]


async def rounds_of_pakar(db: Database, user_id: int) -> list[Round]:
    """The open rounds a pakar is an active member of: nothing else, ever."""
    rows = await db.fetch_all(
        "SELECT r.id, r.region_code, r.year, r.semester, r.stage, r.criteria_json, r.opened_by, r.stage_at, "
        "r.closed_at FROM audit_round r "
        "JOIN audit_pakar p ON p.round_id = r.id AND p.user_id = ? AND p.removed_at IS NULL "
        "WHERE r.closed_at IS NULL ORDER BY r.id", (user_id,))
    return [_round(r) for r in rows]


async def visible_round(db: Database, *, round_id: int, role: Role | None, scope: str | None,
                        user_id: int) -> Round | None:
    """The round if this caller may see it: a coordinator or admin of an area containing it, or
    one of its active pakar while it is open. TPK members reach their cases, not rounds."""
    if role is Role.PAKAR:
        return next((r for r in await rounds_of_pakar(db, user_id) if r.id == round_id), None)
    if role not in (Role.ADMIN, Role.KOORDINATOR) or scope is None:
        return None
    inside, params = within("region_code", scope)
    row = await db.fetch_one(f"SELECT {_ROUND_COLS} FROM audit_round WHERE id = ? AND {inside}", (round_id, *params))
    return _round(row) if row else None


async def advance(db: Database, current: Round, *, to: Stage, actor_id: int, now: datetime) -> bool:
    """Move the round to the next stage; False when it is no longer at ``current.stage`` (a second tap)."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE audit_round SET stage = ?, stage_at = ?, closed_at = CASE WHEN ? = 'selesai' THEN ? END "
            "WHERE id = ? AND stage = ?",
            (to.value, to_db(now), to.value, to_db(now), current.id, current.stage.value))
        if changed:
            await audit.record(tx, at=now, actor_id=actor_id, action="stage", entity="audit_round",
                               entity_id=current.id, before={"stage": current.stage.value}, after={"stage": to.value})
        return bool(changed)


# -- what the selector reads ---------------------------------------------------------------


async def selection_input(db: Database, area: str) -> list[Family]:
    """Every family inside ``area`` with its active members, their measurement history, flags
    and the family's KRS factors, as plain data for :mod:`bot.domain.audit_criteria`."""
    inside, params = within("k.region_code", area)
    fam_rows = await db.fetch_all(f"SELECT k.id, k.region_code FROM keluarga k WHERE {inside} "
                                  "AND k.erased_at IS NULL AND k.anonymised_at IS NULL ORDER BY k.id", params)
    inside_s, params_s = within("s.region_code", area)
    members = await db.fetch_all(
        f"SELECT s.id, s.keluarga_id, s.region_code, s.category, s.birth_date, s.answers_json FROM sasaran s "
        f"WHERE {inside_s} AND s.erased_at IS NULL AND s.anonymised_at IS NULL AND s.status = 'aktif'", params_s)
    points: dict[int, list[Point]] = {}
    for r in await db.fetch_all(
            f"SELECT v.sasaran_id, v.visited_on, v.weight_kg, v.haz, v.stunted, v.lila_cm, v.hb FROM kunjungan v "
            f"JOIN sasaran s ON s.id = v.sasaran_id WHERE {inside_s} ORDER BY v.visited_on, v.id", params_s):
        points.setdefault(r[0], []).append(Point(date.fromisoformat(r[1]), r[2], r[3],
                                                 None if r[4] is None else bool(r[4]), r[5], r[6]))
    flags: dict[int, set[str]] = {}
    for r in await db.fetch_all(f"SELECT f.sasaran_id, f.code FROM sasaran_flag f JOIN sasaran s "
                                f"ON s.id = f.sasaran_id WHERE {inside_s}", params_s):
        flags.setdefault(r[0], set()).add(r[1])
    factors: dict[int, set[str]] = {}
    for r in await db.fetch_all(f"SELECT r.keluarga_id, r.code FROM keluarga_risk r JOIN keluarga k "
                                f"ON k.id = r.keluarga_id WHERE {inside}", params):
        factors.setdefault(r[0], set()).add(r[1])
    by_family: dict[int, list[Member]] = {}
    for m in members:
        weight = json.loads(m["answers_json"] or "{}").get("berat_lahir")
        by_family.setdefault(m["keluarga_id"], []).append(Member(
            m["id"], m["keluarga_id"], m["region_code"], m["category"],
            date.fromisoformat(m["birth_date"]) if m["birth_date"] else None,
            float(weight) if isinstance(weight, int | float) else None,
            tuple(points.get(m["id"], ())), frozenset(flags.get(m["id"], ()))))
    return [Family(f["id"], f["region_code"], frozenset(factors.get(f["id"], ())),
                   tuple(by_family.get(f["id"], ()))) for f in fam_rows]


# -- cases ---------------------------------------------------------------------------------


async def _owner(tx: Transaction, keluarga_id: int, sasaran_id: int | None) -> int | None:
    """The case's own TPK member, who gets the KKA task: the member the family is assigned
    to (/impor, /daftar), else who reported the member (or the family) when that is an
    active TPK member, else — a family imported by an admin or coordinator, which belongs
    to every TPK member of its desa — the desa's first active TPK member, so the task is
    never addressed to nobody. None only when the desa has no active member."""
    table, row_id = ("sasaran", sasaran_id) if sasaran_id is not None else ("keluarga", keluarga_id)
    row = await tx.fetch_one(
        "SELECT coalesce("
        " (SELECT a.user_id FROM keluarga_assignee a JOIN users u ON u.id = a.user_id WHERE a.keluarga_id = ?"
        "   AND u.role = 'tpk' AND u.status = 'active' ORDER BY a.assigned_at DESC, a.user_id LIMIT 1),"
        " (SELECT u.id FROM users u WHERE u.id = r.reporter_id AND u.role = 'tpk' AND u.status = 'active'),"
        " (SELECT u.id FROM users u WHERE u.region_code = r.region_code AND u.role = 'tpk' AND u.status = 'active'"
        "   ORDER BY u.id LIMIT 1))"
        f" FROM {table} r WHERE r.id = ?", (keluarga_id, row_id))
    return row[0] if row else None


async def add_case(db: Database, round_: Round, *, sasaran_id: int, group: str, reason: str, actor_id: int,
                   now: datetime) -> Case | None:
    """A case added by hand (found by search); None when it is already on the list or outside the round."""
    inside, params = within("region_code", round_.region_code)
    async with db.transaction() as tx:
        row = await tx.fetch_one(f"SELECT keluarga_id, region_code FROM sasaran WHERE id = ? AND {inside} "
                                 "AND erased_at IS NULL AND status = 'aktif'", (sasaran_id, *params))
        if row is None or await tx.fetch_one("SELECT 1 FROM audit_case WHERE round_id = ? AND sasaran_id = ?",
                                             (round_.id, sasaran_id)):
            return None
        number = int((await tx.fetch_one("SELECT coalesce(max(number), 0) + 1 FROM audit_case WHERE round_id = ?",
                                         (round_.id,)))[0])  # type: ignore[index]
        case_id = await tx.insert(
            "INSERT INTO audit_case (round_id, number, sasaran_id, keluarga_id, grp, region_code, reasons_json, "
            "origin, status, status_reason, tpk_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'tambahan', 'tetap', "
            "?, ?, ?)",
            (round_.id, number, sasaran_id, row[0], group, row[1], json.dumps([["tambahan", reason]]), reason,
             await _owner(tx, row[0], sasaran_id), to_db(now)))
        await audit.record(tx, at=now, actor_id=actor_id, action="add", entity="audit_case", entity_id=case_id,
                           after={"round_id": round_.id, "number": number, "reason": reason})
        found = await tx.fetch_one(f"SELECT {_CASE_COLS} FROM audit_case c WHERE c.id = ?", (case_id,))
        assert found is not None
        return _case(found)


async def set_status(db: Database, case: Case, *, status: str, reason: str | None, actor_id: int,
                     now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE audit_case SET status = ?, status_reason = ? WHERE id = ?",
                         (status, reason, case.id))
        await audit.record(tx, at=now, actor_id=actor_id, action=status, entity="audit_case", entity_id=case.id,
                           before={"status": case.status}, after={"status": status, "reason": reason})


async def cases(db: Database, round_id: int, *, include_dropped: bool = True) -> list[Case]:
    dropped = "" if include_dropped else " AND c.status <> 'batal'"
    rows = await db.fetch_all(f"SELECT {_CASE_COLS} FROM audit_case c WHERE c.round_id = ?{dropped} "
                              "ORDER BY c.number", (round_id,))
    return [_case(r) for r in rows]


async def case(db: Database, case_id: int) -> Case | None:
    """One case, unchecked: callers pair it with :func:`visible_round` or :func:`may_read`."""
    row = await db.fetch_one(f"SELECT {_CASE_COLS} FROM audit_case c WHERE c.id = ?", (case_id,))
    return _case(row) if row else None


async def cases_of_tpk(db: Database, user_id: int) -> list[Case]:
    """The TPK member's own cases in open rounds, not dropped."""
    rows = await db.fetch_all(f"SELECT {_CASE_COLS} FROM audit_case c JOIN audit_round r ON r.id = c.round_id "
                              "WHERE c.tpk_id = ? AND c.status <> 'batal' AND r.closed_at IS NULL ORDER BY c.id",
                              (user_id,))
    return [_case(r) for r in rows]


async def save_kka(tx: Transaction, *, case_id: int, tpk_id: int, fields: dict[str, Any], now: datetime) -> bool:
    """The fields the case's own TPK member completed; False when it is not their case (or round closed)."""
    changed = await tx.execute(
        "UPDATE audit_case SET kka_json = ?, kka_at = ? WHERE id = ? AND tpk_id = ? AND status <> 'batal' "
        "AND round_id IN (SELECT id FROM audit_round WHERE closed_at IS NULL)",
        (json.dumps(fields, ensure_ascii=False, sort_keys=True), to_db(now), case_id, tpk_id))
    if changed:
        await audit.record(tx, at=now, actor_id=tpk_id, action="kka", entity="audit_case", entity_id=case_id,
                           after={"fields": sorted(fields)})
    return bool(changed)


async def set_baseline(db: Database, round_id: int, baselines: dict[int, dict[str, Any]]) -> None:
    async with db.transaction() as tx:
        for case_id, point in baselines.items():
            await tx.execute("UPDATE audit_case SET baseline_json = ? WHERE id = ? AND round_id = ?",
                             (json.dumps(point), case_id, round_id))


async def mark_review_done(db: Database, case: Case, *, actor_id: int, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE audit_case SET review_done_at = ? WHERE id = ?", (to_db(now), case.id))
        await audit.record(tx, at=now, actor_id=actor_id, action="review_done", entity="audit_case",
                           entity_id=case.id)


# -- the tim pakar -------------------------------------------------------------------------


async def add_pakar(tx: Transaction, *, round_id: int, user_id: int, speciality: str, now: datetime) -> None:
    await tx.execute("INSERT INTO audit_pakar (round_id, user_id, speciality, added_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (round_id, user_id) DO UPDATE SET removed_at = NULL, "
                     "speciality = excluded.speciality",
                     (round_id, user_id, speciality, to_db(now)))


async def remove_pakar(db: Database, *, round_id: int, user_id: int, actor_id: int, now: datetime) -> bool:
    async with db.transaction() as tx:
        changed = await tx.execute("UPDATE audit_pakar SET removed_at = ? WHERE round_id = ? AND user_id = ? "
                                   "AND removed_at IS NULL", (to_db(now), round_id, user_id))
        if changed:
            await audit.record(tx, at=now, actor_id=actor_id, action="remove_pakar", entity="audit_round",
                               entity_id=round_id, after={"user_id": user_id})
        return bool(changed)


async def pakar_of(db: Database, round_id: int) -> list[tuple[int, str, str]]:
    """(user id, name, speciality) of the round's active pakar."""
    rows = await db.fetch_all("SELECT p.user_id, u.full_name, p.speciality FROM audit_pakar p JOIN users u "
                              "ON u.id = p.user_id WHERE p.round_id = ? AND p.removed_at IS NULL ORDER BY u.full_name",
                              (round_id,))
    return [(r[0], r[1], r[2]) for r in rows]


# -- reviews and follow-up -----------------------------------------------------------------


async def save_review(tx: Transaction, *, case_id: int, pakar_id: int, causes: list[str], recommendation: str,
                      rtl: tuple[str, str, date] | None, now: datetime) -> bool:
    """A pakar's causes and recommendation (one per pakar and case, replaced on a second review)
    and an RTL item; False unless the pakar is an active member of the case's open round."""
    allowed = await tx.fetch_one(
        "SELECT 1 FROM audit_case c JOIN audit_round r ON r.id = c.round_id AND r.closed_at IS NULL "
        "JOIN audit_pakar p ON p.round_id = r.id AND p.user_id = ? AND p.removed_at IS NULL WHERE c.id = ?",
        (pakar_id, case_id))
    if not allowed:
        return False
    await tx.execute(
        "INSERT INTO audit_review (case_id, pakar_id, causes_json, recommendation, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (case_id, pakar_id) DO UPDATE SET causes_json = excluded.causes_json, "
        "recommendation = excluded.recommendation",
        (case_id, pakar_id, json.dumps(causes, ensure_ascii=False), recommendation, to_db(now)))
    if rtl is not None:
        party, action, due = rtl
        await tx.execute("INSERT INTO audit_rtl (case_id, pakar_id, party, action, due_on, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (case_id, pakar_id, party, action, due.isoformat(), to_db(now)))
    await audit.record(tx, at=now, actor_id=pakar_id, action="review", entity="audit_case", entity_id=case_id,
                       after={"causes": causes, "rtl": rtl[0] if rtl else None})
    return True


async def reviews(db: Database, case_ids: list[int]) -> dict[int, list[Review]]:
    if not case_ids:
        return {}
    marks = ", ".join("?" * len(case_ids))
    rows = await db.fetch_all(
        "SELECT v.case_id, v.pakar_id, u.full_name, coalesce(p.speciality, ''), v.causes_json, v.recommendation "
        "FROM audit_review v JOIN users u ON u.id = v.pakar_id JOIN audit_case c ON c.id = v.case_id "
        "LEFT JOIN audit_pakar p ON p.round_id = c.round_id AND p.user_id = v.pakar_id "
        f"WHERE v.case_id IN ({marks}) ORDER BY v.id", case_ids)
    found: dict[int, list[Review]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(Review(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]))
    return found


async def rtl_items(db: Database, round_id: int) -> list[Rtl]:
    """Every RTL item of the round, overdue-first order left to the caller."""
    rows = await db.fetch_all(f"SELECT {_RTL_COLS} FROM audit_rtl t JOIN audit_case c ON c.id = t.case_id "
                              "WHERE c.round_id = ? ORDER BY t.due_on, t.id", (round_id,))
    return [_rtl(r) for r in rows]


async def latest_rtl(db: Database, *, case_id: int, pakar_id: int) -> Rtl | None:
    row = await db.fetch_one(f"SELECT {_RTL_COLS} FROM audit_rtl t JOIN audit_case c ON c.id = t.case_id "
                             "WHERE t.case_id = ? AND t.pakar_id = ? ORDER BY t.id DESC LIMIT 1", (case_id, pakar_id))
    return _rtl(row) if row else None


async def record_outcome(db: Database, *, rtl_id: int, round_id: int, outcome: str, actor_id: int,
                         now: datetime) -> bool:
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE audit_rtl SET status = 'selesai', outcome = ?, done_at = ? WHERE id = ? AND status = 'terbuka' "
            "AND case_id IN (SELECT id FROM audit_case WHERE round_id = ?)", (outcome, to_db(now), rtl_id, round_id))
        if changed:
            await audit.record(tx, at=now, actor_id=actor_id, action="rtl_outcome", entity="audit_rtl",
                               entity_id=rtl_id, after={"outcome": outcome})
        return bool(changed)


# -- the KKA's contents and who read it ----------------------------------------------------


async def kka_sources(db: Database, case: Case) -> dict[str, Any]:
    """What the bot holds for a case's KKA: identity, domicile, measurements, flags, factors,
    visits, reminders sent and answered. Names and the masked NIK: only for those allowed."""
    family = await db.fetch_one("SELECT head_name, rt, rw, address, region_code, no_kk_masked FROM keluarga "
                                "WHERE id = ?", (case.keluarga_id,))
    member = None
    if case.sasaran_id is not None:
        member = await db.fetch_one("SELECT name, nik_masked, sex, birth_date, category, hpht, hpl, answers_json "
                                    "FROM sasaran WHERE id = ?", (case.sasaran_id,))
    subject = case.sasaran_id
    visits = await db.fetch_all(
        "SELECT visited_on, kind, weight_kg, height_cm, lila_cm, hb, haz, stunted FROM kunjungan WHERE sasaran_id = ? "
        "ORDER BY visited_on, id", (subject,)) if subject else []
    flags = await db.fetch_all("SELECT code, reason FROM sasaran_flag WHERE sasaran_id = ?",
                               (subject,)) if subject else []
    factors = await db.fetch_all("SELECT code, reason FROM keluarga_risk WHERE keluarga_id = ?", (case.keluarga_id,))
    reminders = await db.fetch_one(
        "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL), count(*) FILTER (WHERE ack = 'sudah'), "
        "count(*) FILTER (WHERE ack = 'sudah' AND kind LIKE 'anc%') FROM reminders WHERE sasaran_id = ?",
        (subject,)) if subject else None
    return {
        "family": dict(family) if family else {},
        "member": dict(member) if member else None,
        "visits": [dict(v) for v in visits],
        "flags": [(f[0], f[1]) for f in flags],
        "factors": [(f[0], f[1]) for f in factors],
        "reminders_sent": reminders[0] if reminders else 0,
        "reminders_answered": reminders[1] if reminders else 0,
        "anc_confirmed": reminders[2] if reminders else 0,
    }


async def forget_worksheets(tx: Transaction, sasaran_id: int) -> None:
    """Erasure and retention: what the TPK member wrote about the person goes with the record; the
    case itself (number, group, area, criteria) stays, as anonymous as the measurements."""
    await tx.execute("UPDATE audit_case SET kka_json = NULL WHERE sasaran_id = ?", (sasaran_id,))


async def cases_about(db: Database, sasaran_id: int) -> list[dict[str, Any]]:
    """For the subject export: every audit case of this record, with the worksheet and reviews."""
    rows = await db.fetch_all(
        "SELECT c.round_id, r.year, r.semester, c.number, c.grp, c.status, c.status_reason, c.reasons_json, "
        "c.kka_json FROM audit_case c JOIN audit_round r ON r.id = c.round_id WHERE c.sasaran_id = ? ORDER BY c.id",
        (sasaran_id,))
    found = []
    for r in rows:
        item = dict(r)
        item["kajian"] = [dict(v) for v in await db.fetch_all(
            "SELECT v.causes_json, v.recommendation, v.created_at FROM audit_review v JOIN audit_case c "
            "ON c.id = v.case_id WHERE c.sasaran_id = ? AND c.round_id = ?", (sasaran_id, r["round_id"]))]
        found.append(item)
    return found


async def log_read(db: Database, *, case_id: int, actor_id: int, how: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await audit.record(tx, at=now, actor_id=actor_id, action="read_kka", entity="audit_case", entity_id=case_id,
                           after={"how": how})


async def log_file(db: Database, *, round_id: int, actor_id: int, kind: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await audit.record(tx, at=now, actor_id=actor_id, action="file", entity="audit_round", entity_id=round_id,
                           after={"kind": kind})


async def readers(db: Database, round_id: int) -> list[tuple[int, str, str, int]]:
    """Who opened which case's KKA: (case number, reader's name, role, times), by case."""
    rows = await db.fetch_all(
        "SELECT c.number, coalesce(u.full_name, '?'), coalesce(u.role, ''), count(*) FROM audit_log l "
        "JOIN audit_case c ON l.entity = 'audit_case' AND l.entity_id = CAST(c.id AS TEXT) "
        "LEFT JOIN users u ON u.id = l.actor_id WHERE l.action = 'read_kka' AND c.round_id = ? "
        "GROUP BY c.number, l.actor_id, u.full_name, u.role ORDER BY c.number, u.full_name", (round_id,))
    return [(r[0], r[1], r[2], r[3]) for r in rows]
