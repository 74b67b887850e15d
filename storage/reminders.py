"""Reminder rows: one per (sasaran, kind, due date), materialised for a rolling window.

The planner writes what the plan calls for with an upsert on the unique key, so running
it twice (or after a restart) creates nothing new; rows that dropped out of the plan
are cancelled, rows whose window passed unsent are expired. The dispatcher reads due
rows through the partial index ``reminders_due`` only, in bounded batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import from_db, to_db

#: States in which a reminder has reached (or is reaching) her phone.
DELIVERED = ("sent", "acknowledged")


@dataclass(frozen=True)
class RowPlan:
    """One reminder the planner wants to exist."""

    kind: str
    due_date: date
    window_end: date
    text_key: str
    payload: Mapping[str, Any]
    needs_ack: bool
    send_after: datetime


@dataclass(frozen=True)
class Reminder:
    id: int
    sasaran_id: int
    kind: str
    due_date: date
    window_end: date
    text_key: str
    payload: dict[str, Any]
    needs_ack: bool
    send_after: datetime
    state: str
    cancel_reason: str | None
    attempts: int
    sent_at: datetime | None
    message_id: int | None
    ack: str | None
    followup: str | None


@dataclass(frozen=True)
class Candidate:
    """A due row with what sending it needs: the mother's chat and first name, her zone."""

    id: int
    sasaran_id: int
    kind: str
    due_date: date
    window_end: date
    text_key: str
    payload: dict[str, Any]
    needs_ack: bool
    attempts: int
    chat_id: int
    name: str
    region_code: str


@dataclass(frozen=True)
class FollowUp:
    """A sent action reminder her TPK member should hear about (or has heard about)."""

    reminder_id: int
    sasaran_id: int
    kind: str
    text_key: str
    payload: dict[str, Any]
    ack: str | None
    sent_at: datetime | None
    followup_at: datetime | None
    name: str
    region_code: str
    reporter_id: int
    reporter_name: str | None


_COLS = ("id, sasaran_id, kind, due_date, window_end, text_key, payload_json, needs_ack, send_after, state, "
         "cancel_reason, attempts, sent_at, message_id, ack, followup")


def _payload(text: str) -> dict[str, Any]:
    return json.loads(text)


def _reminder(row: aiosqlite.Row) -> Reminder:
    send_after = from_db(row["send_after"])
    assert send_after is not None
    return Reminder(
        id=row["id"], sasaran_id=row["sasaran_id"], kind=row["kind"], due_date=date.fromisoformat(row["due_date"]),
        window_end=date.fromisoformat(row["window_end"]), text_key=row["text_key"],
        payload=_payload(row["payload_json"]), needs_ack=bool(row["needs_ack"]), send_after=send_after,
        state=row["state"], cancel_reason=row["cancel_reason"], attempts=row["attempts"],
        sent_at=from_db(row["sent_at"]), message_id=row["message_id"], ack=row["ack"], followup=row["followup"],
    )


def _json(payload: Mapping[str, Any]) -> str:
    return json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, default=list)


# -- planning ----------------------------------------------------------------------------


async def apply_plan(
    tx: Transaction, sasaran_id: int, rows: Sequence[RowPlan], *, today: date, now: datetime
) -> tuple[int, int]:
    """Make the stored rows of one record match its plan for the current window.

    Upsert on (sasaran_id, kind, due_date): a new row is scheduled; an existing row
    that has not gone out takes the new window, text and send time (a cancelled one is
    scheduled again: the plan calls for it and whatever cancelled it no longer holds);
    a row already sent is never touched. Scheduled rows the plan no longer calls for are
    expired when their window has passed and cancelled otherwise.
    Returns (rows now scheduled from the plan, rows cancelled or expired).
    """
    stamp = to_db(now)
    await tx.execute_many(
        "INSERT INTO reminders (sasaran_id, kind, due_date, window_end, text_key, payload_json, needs_ack, "
        "send_after, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?) "
        "ON CONFLICT (sasaran_id, kind, due_date) DO UPDATE SET window_end = excluded.window_end, "
        "text_key = excluded.text_key, payload_json = excluded.payload_json, needs_ack = excluded.needs_ack, "
        "send_after = CASE WHEN reminders.state = 'scheduled' THEN max(reminders.send_after, excluded.send_after) "
        "ELSE excluded.send_after END, "
        "state = 'scheduled', cancel_reason = NULL, updated_at = excluded.updated_at "
        "WHERE reminders.state IN ('scheduled', 'cancelled')",
        [
            (sasaran_id, r.kind, r.due_date.isoformat(), r.window_end.isoformat(), r.text_key, _json(r.payload),
             int(r.needs_ack), to_db(r.send_after), stamp, stamp)
            for r in rows
        ],
    )
    wanted = {(r.kind, r.due_date.isoformat()) for r in rows}
    stored = await tx.fetch_all(
        "SELECT id, kind, due_date, window_end FROM reminders WHERE sasaran_id = ? AND state = 'scheduled'",
        (sasaran_id,),
    )
    gone = [r for r in stored if (r["kind"], r["due_date"]) not in wanted]
    expired = [r["id"] for r in gone if r["window_end"] < today.isoformat()]
    dropped = [r["id"] for r in gone if r["window_end"] >= today.isoformat()]
    for ids, sql in (
        (expired, "UPDATE reminders SET state = 'expired', updated_at = ? WHERE id IN ({})"),
        (dropped, "UPDATE reminders SET state = 'cancelled', cancel_reason = 'rencana', updated_at = ? "
                  "WHERE id IN ({})"),
    ):
        if ids:
            await tx.execute(sql.format(",".join("?" for _ in ids)), (stamp, *ids))
    return len(stored) - len(expired) - len(dropped), len(expired) + len(dropped)


async def cancel_all(tx: Transaction, sasaran_id: int, *, reason: str, now: datetime,
                     kinds: Iterable[str] | None = None) -> int:
    """Cancel every unsent reminder of a record (optionally only some kinds)."""
    params: list[Any] = [reason, to_db(now), sasaran_id]
    extra = ""
    if kinds is not None:
        kinds = list(kinds)
        extra = f" AND kind IN ({','.join('?' for _ in kinds)})"
        params += kinds
    return await tx.execute(
        f"UPDATE reminders SET state = 'cancelled', cancel_reason = ?, updated_at = ? "
        f"WHERE sasaran_id = ? AND state = 'scheduled'{extra}",
        params,
    )


# -- reading -----------------------------------------------------------------------------


async def get(db: Database, reminder_id: int) -> Reminder | None:
    row = await db.fetch_one(f"SELECT {_COLS} FROM reminders WHERE id = ?", (reminder_id,))
    return _reminder(row) if row else None


async def for_sasaran(db: Database, sasaran_id: int, *, states: Sequence[str] | None = None) -> list[Reminder]:
    """One record's rows (tests, /jadwal, review): by due date and kind."""
    where, params = "sasaran_id = ?", [sasaran_id]
    if states:
        where += f" AND state IN ({','.join('?' for _ in states)})"
        params += list(states)
    rows = await db.fetch_all(f"SELECT {_COLS} FROM reminders WHERE {where} ORDER BY due_date, kind", params)
    return [_reminder(r) for r in rows]


async def upcoming(db: Database, sasaran_id: int, *, from_day: date, limit: int) -> list[Reminder]:
    rows = await db.fetch_all(
        f"SELECT {_COLS} FROM reminders WHERE sasaran_id = ? AND state = 'scheduled' AND due_date >= ? "
        "ORDER BY due_date, kind LIMIT ?",
        (sasaran_id, from_day.isoformat(), limit),
    )
    return [_reminder(r) for r in rows]


async def settled_keys(db: Database, sasaran_id: int, *, since: date) -> set[tuple[str, date]]:
    """(kind, due date) of one record's rows due from ``since`` that are no longer coming:
    sent, answered, failed, expired or cancelled (for /jadwal)."""
    rows = await db.fetch_all(
        "SELECT kind, due_date FROM reminders WHERE sasaran_id = ? AND due_date >= ? "
        "AND state NOT IN ('scheduled', 'sending')",
        (sasaran_id, since.isoformat()),
    )
    return {(r[0], date.fromisoformat(r[1])) for r in rows}


async def count_by_state(db: Database) -> dict[str, int]:
    rows = await db.fetch_all("SELECT state, count(*) FROM reminders GROUP BY state")
    return {r[0]: r[1] for r in rows}


# -- dispatching -------------------------------------------------------------------------


async def due_candidates(tx: Transaction, *, now: datetime, limit: int) -> list[Candidate]:
    """Due scheduled rows of active mothers, in send order, at most ``limit``."""
    rows = await tx.fetch_all(
        "SELECT r.id, r.sasaran_id, r.kind, r.due_date, r.window_end, r.text_key, r.payload_json, r.needs_ack, "
        "r.attempts, i.user_id, s.name, s.region_code FROM reminders r "
        "JOIN ibu i ON i.sasaran_id = r.sasaran_id AND i.state = 'aktif' "
        "JOIN sasaran s ON s.id = r.sasaran_id "
        "WHERE r.state = 'scheduled' AND r.send_after <= ? ORDER BY r.send_after, r.id LIMIT ?"
        + tx.dialect.lock("r", skip_locked=True),
        (to_db(now), limit),
    )
    return [
        Candidate(
            id=r[0], sasaran_id=r[1], kind=r[2], due_date=date.fromisoformat(r[3]), window_end=date.fromisoformat(r[4]),
            text_key=r[5], payload=_payload(r[6]), needs_ack=bool(r[7]), attempts=r[8], chat_id=r[9], name=r[10],
            region_code=r[11],
        )
        for r in rows
    ]


# -- acknowledgement and follow-up ----------------------------------------------------------


async def acknowledge(tx: Transaction, reminder_id: int, *, user_id: int, answer: str,
                      now: datetime) -> Reminder | None:
    """Store her answer to an action reminder she received; None if it is not hers or
    was answered already. "Sudah" closes a follow-up already started."""
    if answer not in ("sudah", "belum"):
        raise ValueError(answer)
    changed = await tx.execute(
        "UPDATE reminders SET state = 'acknowledged', ack = ?, ack_at = ?, updated_at = ?, "
        "followup = CASE WHEN ? = 'sudah' AND followup IS NOT NULL THEN 'selesai' ELSE followup END "
        "WHERE id = ? AND needs_ack = 1 AND ack IS NULL AND state = 'sent' "
        "AND sasaran_id = (SELECT sasaran_id FROM ibu WHERE user_id = ?)",
        (answer, to_db(now), to_db(now), answer, reminder_id, user_id),
    )
    if not changed:
        return None
    row = await tx.fetch_one(f"SELECT {_COLS} FROM reminders WHERE id = ?", (reminder_id,))
    assert row is not None
    return _reminder(row)


def _followup(row: aiosqlite.Row) -> FollowUp:
    return FollowUp(
        reminder_id=row["id"], sasaran_id=row["sasaran_id"], kind=row["kind"], text_key=row["text_key"],
        payload=_payload(row["payload_json"]), ack=row["ack"], sent_at=from_db(row["sent_at"]),
        followup_at=from_db(row["followup_at"]), name=row["name"], region_code=row["region_code"],
        reporter_id=row["reporter_id"], reporter_name=row["reporter_name"],
    )


def _followup_select(index_hint: str = "") -> str:
    return (
        "SELECT r.id, r.sasaran_id, r.kind, r.text_key, r.payload_json, r.ack, r.sent_at, r.followup_at, "
        f"s.name, s.region_code, s.reporter_id, u.full_name AS reporter_name FROM reminders r {index_hint}"
        "JOIN sasaran s ON s.id = r.sasaran_id LEFT JOIN users u ON u.id = s.reporter_id "
    )


_FOLLOWUP_SELECT = _followup_select()

#: Every tick runs this. Left to itself SQLite takes ``reminders_sent_at`` (the same
#: column over every row ever sent) instead of the partial index of the rows still
#: waiting, and walks the whole delivery history each time (0.2 s per tick at a million
#: sent rows, with a warm cache); the hint keeps it to the rows waiting for an answer.
UNANSWERED_QUERY = (
    _followup_select("INDEXED BY reminders_waiting_ack ")
    + "WHERE r.state = 'sent' AND r.needs_ack = 1 AND r.followup IS NULL AND r.sent_at < ? ORDER BY r.sent_at LIMIT ?"
)


async def unanswered(tx: Transaction, *, sent_before: datetime, limit: int) -> list[FollowUp]:
    """Action reminders sent before ``sent_before`` with no answer and no follow-up yet."""
    rows = await tx.fetch_all(UNANSWERED_QUERY, (to_db(sent_before), limit))
    return [_followup(r) for r in rows]


async def start_followup(tx: Transaction, reminder_id: int, *, now: datetime) -> bool:
    """Mark that her TPK member is being told; False when that already happened."""
    return bool(await tx.execute(
        "UPDATE reminders SET followup = 'tpk', followup_at = ?, updated_at = ? WHERE id = ? AND followup IS NULL",
        (to_db(now), to_db(now), reminder_id),
    ))


async def followup_in_tx(tx: Transaction, reminder_id: int) -> FollowUp | None:
    row = await tx.fetch_one(_FOLLOWUP_SELECT + "WHERE r.id = ?", (reminder_id,))
    return _followup(row) if row else None


async def open_followups(
    db: Database, scope: str, *, told_before: datetime, told_since: datetime, limit: int
) -> tuple[list[FollowUp], int]:
    """Items her TPK member was told about before ``told_before`` (and after
    ``told_since``) that are still open: no "Sudah", no visit recorded since, record still
    active. For the coordinator's weekly summary; filtered by the coordinator's scope in
    SQL. Returns a page and the total."""
    inside, params = within("s.region_code", scope)
    where = (
        f"WHERE r.followup = 'tpk' AND r.followup_at < ? AND r.followup_at >= ? AND {inside} "
        "AND s.status = 'aktif' AND s.erased_at IS NULL AND (r.ack IS NULL OR r.ack = 'belum') "
        "AND NOT EXISTS (SELECT 1 FROM kunjungan k WHERE k.sasaran_id = r.sasaran_id "
        "AND k.visited_on >= substr(r.followup_at, 1, 10))"
    )
    args = (to_db(told_before), to_db(told_since), *params)
    total = await db.fetch_value(
        "SELECT count(*) FROM reminders r JOIN sasaran s ON s.id = r.sasaran_id " + where, args
    )
    rows = await db.fetch_all(
        _FOLLOWUP_SELECT + where + " ORDER BY s.region_code, r.followup_at LIMIT ?", (*args, limit)
    )
    return [_followup(r) for r in rows], int(total or 0)
