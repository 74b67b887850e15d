"""Reminder and mother figures for /rekap, read from the reminder tables when they exist.

The tables come from another part of the bot (migration 0003: ``reminders``, ``ibu``,
``ibu_consent``). This module looks for the tables and the columns it needs in
``sqlite_master`` / ``PRAGMA table_info`` once per database and returns ``None`` for a
figure it cannot compute, so /rekap shows "–" instead of failing when the schema is
older or different.

Figures (each inside the area, through the member's ``sasaran.region_code``):

* ``sent``: reminders whose ``sent_at`` falls in the period;
* ``need_ack``: of those, the ones that ask for an answer (``needs_ack``);
* ``acked``: of those, the ones the mother answered (``ack_at`` set);
* ``linked``: mothers linked to their record (``ibu`` rows created by the end of the
  period) whose link is still active;
* ``consented``: mothers (distinct sasaran) who agreed (``ibu_consent.decision =
  'setuju'``) by the end of the period.

These are direct indexed queries, not counters: their cost grows with the reminders
sent in the period inside the area (an index on ``reminders (sent_at)`` keeps it so).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database
from storage.rekap import CODE_LENGTH, _inside
from storage.timefmt import to_db

_NEEDED = {
    "reminders": {"sasaran_id", "sent_at", "needs_ack", "ack_at"},
    "ibu": {"sasaran_id", "state", "created_at"},
    "ibu_consent": {"sasaran_id", "decision", "at"},
}


@dataclass
class ReminderCounts:
    cur: Counter[str] = field(default_factory=Counter)
    prev: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Available:
    reminders: bool
    mothers: bool
    consent: bool

    @property
    def any(self) -> bool:
        return self.reminders or self.mothers or self.consent


async def available(db: Database) -> Available:
    """Which of the reminder tables exist with the columns used here."""
    found: dict[str, bool] = {}
    for table, columns in _NEEDED.items():
        exists = await db.fetch_value("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                      (table,))
        if not exists:
            found[table] = False
            continue
        rows = await db.fetch_all(f"PRAGMA table_info({table})")
        found[table] = columns <= {r[1] for r in rows}
    return Available(found["reminders"], found["ibu"], found["ibu_consent"])


async def reminder_counts(
    db: Database,
    *,
    scope: str,
    area: str,
    group_level: int,
    start_utc: datetime,
    end_utc: datetime,
    prev_start_utc: datetime,
    prev_end_utc: datetime,
    have: Available | None = None,
) -> tuple[Available, dict[str, ReminderCounts]]:
    """Counts per area cut at ``group_level``; the first value says which are known."""
    have = have or await available(db)
    inside, params = _inside(scope, area, "s.region_code")
    cut = CODE_LENGTH[group_level]
    out: dict[str, ReminderCounts] = {}
    start, end, p_start, p_end = to_db(start_utc), to_db(end_utc), to_db(prev_start_utc), to_db(prev_end_utc)
    if have.reminders:
        rows = await db.fetch_all(
            f"SELECT substr(s.region_code, 1, {cut}) AS a,"
            " sum(r.sent_at >= ? AND r.sent_at <= ?),"
            " sum(r.sent_at >= ? AND r.sent_at <= ? AND r.needs_ack),"
            " sum(r.sent_at >= ? AND r.sent_at <= ? AND r.needs_ack AND r.ack_at IS NOT NULL),"
            " sum(r.sent_at >= ? AND r.sent_at <= ?),"
            " sum(r.sent_at >= ? AND r.sent_at <= ? AND r.needs_ack),"
            " sum(r.sent_at >= ? AND r.sent_at <= ? AND r.needs_ack AND r.ack_at IS NOT NULL)"
            " FROM reminders r JOIN sasaran s ON s.id = r.sasaran_id"
            f" WHERE r.sent_at IS NOT NULL AND r.sent_at >= ? AND r.sent_at <= ? AND {inside} GROUP BY a",
            (start, end, start, end, start, end, p_start, p_end, p_start, p_end, p_start, p_end,
             min(start, p_start), max(end, p_end), *params),
        )
        for code, sent, need, acked, p_sent, p_need, p_acked in rows:
            counts = out.setdefault(code, ReminderCounts())
            counts.cur.update(sent=sent or 0, need_ack=need or 0, acked=acked or 0)
            counts.prev.update(sent=p_sent or 0, need_ack=p_need or 0, acked=p_acked or 0)
    if have.mothers:
        rows = await db.fetch_all(
            f"SELECT substr(s.region_code, 1, {cut}) AS a, sum(i.created_at <= ?), sum(i.created_at <= ?)"
            f" FROM ibu i JOIN sasaran s ON s.id = i.sasaran_id WHERE i.state = 'aktif' AND {inside} GROUP BY a",
            (end, p_end, *params),
        )
        for code, linked, p_linked in rows:
            counts = out.setdefault(code, ReminderCounts())
            counts.cur["linked"] += linked or 0
            counts.prev["linked"] += p_linked or 0
    if have.consent:
        rows = await db.fetch_all(
            f"SELECT substr(s.region_code, 1, {cut}) AS a,"
            " count(DISTINCT CASE WHEN c.at <= ? THEN c.sasaran_id END),"
            " count(DISTINCT CASE WHEN c.at <= ? THEN c.sasaran_id END)"
            f" FROM ibu_consent c JOIN sasaran s ON s.id = c.sasaran_id WHERE c.decision = 'setuju' AND {inside}"
            " GROUP BY a",
            (end, p_end, *params),
        )
        for code, consented, p_consented in rows:
            counts = out.setdefault(code, ReminderCounts())
            counts.cur["consented"] += consented or 0
            counts.prev["consented"] += p_consented or 0
    return have, out
