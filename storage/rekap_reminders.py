"""Mothers linked to their record and mothers who consented, for /rekap.

The tables come from the reminders part of the bot (migration 0003: ``ibu``,
``ibu_consent``). This module checks in the catalogue (:mod:`storage.catalogue`) that
they exist with the columns it needs and returns nothing for a figure it cannot
compute, so /rekap shows "–" instead of failing on another schema. (Reminders sent and
answered are counters kept by migration 0004's triggers: see :mod:`storage.rekap`.)

* ``linked``: mothers whose link (``ibu`` row) was made by the end of the period and
  is still active;
* ``consented``: mothers (distinct sasaran) who agreed (``ibu_consent.decision =
  'setuju'``) by the end of the period.

Both read the link tables first (one row per mother who ever joined, a small table)
and keep the rows inside the area through the member's ``sasaran.region_code``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from storage import catalogue
from storage.db import Database
from storage.rekap import _inside, area_key
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


async def available(db: Database) -> Available:
    """Which of the reminder tables exist with the columns used for /rekap."""
    found: dict[str, bool] = {}
    tables = await catalogue.table_names(db)
    for table, columns in _NEEDED.items():
        found[table] = table in tables and columns <= set(await catalogue.column_names(db, table))
    return Available(found["reminders"], found["ibu"], found["ibu_consent"])


async def mother_counts(
    db: Database,
    *,
    scope: str,
    area: str,
    group_level: int,
    end_utc: datetime,
    prev_end_utc: datetime,
    have: Available | None = None,
) -> tuple[Available, dict[str, ReminderCounts]]:
    """Linked and consented mothers per area cut at ``group_level``."""
    have = have or await available(db)
    inside, params = _inside(scope, area, "s.region_code")
    key = area_key("s.region_code", group_level)
    out: dict[str, ReminderCounts] = {}
    end, p_end = to_db(end_utc), to_db(prev_end_utc)
    if have.mothers:
        rows = await db.fetch_all(
            f"SELECT {key} AS a, sum(i.created_at <= ?), sum(i.created_at <= ?)"
            f" FROM ibu i CROSS JOIN sasaran s ON s.id = i.sasaran_id WHERE i.state = 'aktif' AND {inside}"
            " GROUP BY a",
            (end, p_end, *params),
        )
        for code, linked, p_linked in rows:
            counts = out.setdefault(code, ReminderCounts())
            counts.cur["linked"] += linked or 0
            counts.prev["linked"] += p_linked or 0
    if have.consent:
        rows = await db.fetch_all(
            f"SELECT {key} AS a,"
            " count(DISTINCT CASE WHEN c.at <= ? THEN c.sasaran_id END),"
            " count(DISTINCT CASE WHEN c.at <= ? THEN c.sasaran_id END)"
            f" FROM ibu_consent c CROSS JOIN sasaran s ON s.id = c.sasaran_id"
            f" WHERE c.decision = 'setuju' AND {inside} GROUP BY a",
            (end, p_end, *params),
        )
        for code, consented, p_consented in rows:
            counts = out.setdefault(code, ReminderCounts())
            counts.cur["consented"] += consented or 0
            counts.prev["consented"] += p_consented or 0
    return have, out
