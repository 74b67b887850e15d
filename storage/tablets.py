"""Her answers to the iron-tablet (TTD) reminders: one row per answered reminder.

The reminder's id is the key (``ttd_laporan.reminder_id UNIQUE``): a second press of the
same button, a press on a stale copy, or a restart between two presses never stores a
second answer, and an old week's button still answers *that* week. Only the mother the
reminder was sent to can answer it, and only once it reached her. Counting is
:func:`bot.domain.tablets.count_tablets`; this module stores and reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.domain.tablets import TabletReport
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import to_db

#: The reminder kinds whose buttons report tablets.
TABLET_KINDS = ("ttd", "ttd_minggu")


@dataclass(frozen=True)
class TabletReminder:
    """A tablet reminder that reached her: what its buttons answer."""

    reminder_id: int
    sasaran_id: int
    kind: str
    due_date: date
    payload_from: date | None


async def reminder_for(tx: Transaction, reminder_id: int, *, user_id: int) -> TabletReminder | None:
    """The tablet reminder ``reminder_id`` if it was sent to mother ``user_id``; None for
    anyone else's, one not sent (yet), or any other kind of reminder."""
    row = await tx.fetch_one(
        "SELECT r.id, r.sasaran_id, r.kind, r.due_date, json_extract(r.payload_json, '$.from') AS span_from "
        "FROM reminders r JOIN ibu i ON i.sasaran_id = r.sasaran_id AND i.user_id = ? "
        f"WHERE r.id = ? AND r.kind IN ({','.join('?' for _ in TABLET_KINDS)}) "
        "AND r.state IN ('sending', 'sent', 'acknowledged')",
        (user_id, reminder_id, *TABLET_KINDS),
    )
    if row is None:
        return None
    span_from = row["span_from"]
    return TabletReminder(row["id"], row["sasaran_id"], row["kind"], date.fromisoformat(row["due_date"]),
                          date.fromisoformat(span_from) if isinstance(span_from, str) else None)


async def add(tx: Transaction, reminder: TabletReminder, report: TabletReport, *, now: datetime) -> bool:
    """Store her answer to ``reminder``; False (nothing changed) when it was answered before."""
    return bool(await tx.execute(
        "INSERT INTO ttd_laporan (sasaran_id, reminder_id, span_start, span_days, tablets, reported_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (reminder.sasaran_id, reminder.reminder_id, report.start.isoformat(), report.days, report.tablets,
         to_db(now)),
    ))


async def answer_of(tx: Transaction, reminder_id: int) -> TabletReport | None:
    """What was stored for one reminder (to tell her what she answered before)."""
    row = await tx.fetch_one("SELECT span_start, span_days, tablets FROM ttd_laporan WHERE reminder_id = ?",
                             (reminder_id,))
    return _report(row) if row else None


def _report(row: aiosqlite.Row) -> TabletReport:
    return TabletReport(date.fromisoformat(row["span_start"]), row["span_days"], row["tablets"])


async def reports(db: Database | Transaction, sasaran_id: int) -> list[TabletReport]:
    """Every answer of one record (the mother's own view, and the planner's system read)."""
    rows = await db.fetch_all(
        "SELECT span_start, span_days, tablets FROM ttd_laporan WHERE sasaran_id = ? ORDER BY span_start",
        (sasaran_id,),
    )
    return [_report(r) for r in rows]


async def reports_in_scope(db: Database, scope: str, sasaran_ids: Sequence[int]) -> dict[int, list[TabletReport]]:
    """The answers of the records among ``sasaran_ids`` that lie inside ``scope`` (a TPK
    member's or coordinator's card); records outside it are simply absent."""
    if not sasaran_ids:
        return {}
    inside, params = within("s.region_code", scope)
    rows = await db.fetch_all(
        "SELECT t.sasaran_id, t.span_start, t.span_days, t.tablets FROM ttd_laporan t "
        "JOIN sasaran s ON s.id = t.sasaran_id "
        f"WHERE t.sasaran_id IN ({','.join('?' for _ in sasaran_ids)}) AND {inside} "
        "AND s.erased_at IS NULL ORDER BY t.sasaran_id, t.span_start",
        (*sasaran_ids, *params),
    )
    out: dict[int, list[TabletReport]] = {}
    for row in rows:
        out.setdefault(row["sasaran_id"], []).append(_report(row))
    return out


async def for_subject(db: Database, sasaran_id: int) -> list[dict[str, object]]:
    """Her answers as plain rows, for the export of everything held about her."""
    rows = await db.fetch_all(
        "SELECT reminder_id, span_start, span_days, tablets, reported_at FROM ttd_laporan WHERE sasaran_id = ? "
        "ORDER BY span_start, id", (sasaran_id,))
    return [dict(zip(r.keys(), tuple(r), strict=True)) for r in rows]
