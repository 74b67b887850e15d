"""Closed periods: the /rekap figures of a finished period, written once per area so
that every later answer for it (message, workbook, chart, digest) gives the same
numbers (migration 0011). What is learned later is the live recount minus these,
shown apart; a re-close replaces them, audited by the caller.

Rows are keyed by the period's token (``Period.token()``), the area's region code
(any level) and the figure's key (``bot.rekap.figures.Row.key``). Reading takes the
caller's scope like every other rekap reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.regions import contains
from storage.db import Database, Transaction
from storage.in_lists import in_lists
from storage.rekap import OutsideScope
from storage.timefmt import from_db, to_db

#: One figure as closed: its value and the whole a share is taken of (None when none).
Closed = tuple[int | None, int | None]


@dataclass(frozen=True)
class Closing:
    token: str
    closed_at: datetime | None
    closed_by: int | None
    version: int


async def closing(db: Database, token: str) -> Closing | None:
    """When (and by whom, and how many times) ``token`` was closed; None if never."""
    row = await db.fetch_one("SELECT period, closed_at, closed_by, version FROM rekap_closed_period WHERE period = ?",
                             (token,))
    return None if row is None else Closing(row[0], from_db(row[1]), row[2], row[3])


async def last_closed_month(db: Database) -> str | None:
    """The token of the latest single month closed ('YYYYMM'), None before the first close."""
    return await db.fetch_value("SELECT max(period) FROM rekap_closed_period WHERE length(period) = 6")


async def closed_figures(db: Database, *, scope: str, token: str,
                         areas: Sequence[str]) -> dict[str, dict[str, Closed]]:
    """The closed figures of ``areas`` (each inside ``scope``) for ``token``."""
    for area in areas:
        if not contains(scope, area):
            raise OutsideScope(area)
    out: dict[str, dict[str, Closed]] = {}
    for marks, chunk in in_lists(areas):
        rows = await db.fetch_all(
            f"SELECT area, key, value, whole FROM rekap_closed WHERE period = ? AND area IN ({marks})",
            (token, *chunk))
        for area, key, value, whole in rows:
            out.setdefault(area, {})[key] = (value, whole)
    return out


async def write_closed(tx: Transaction, *, token: str,
                       figures: Mapping[str, Iterable[tuple[str, int | None, int | None]]], now: datetime,
                       actor_id: int | None) -> int:
    """Replace the closed figures of the given areas for ``token`` and mark it closed
    (a re-close counts up its version). Returns the version written."""
    for area, rows in figures.items():
        await tx.execute("DELETE FROM rekap_closed WHERE period = ? AND area = ?", (token, area))
        await tx.execute_many("INSERT INTO rekap_closed (period, area, key, value, whole) VALUES (?, ?, ?, ?, ?)",
                              [(token, area, key, value, whole) for key, value, whole in rows])
    await tx.execute(
        "INSERT INTO rekap_closed_period (period, closed_at, closed_by, version) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (period) DO UPDATE SET closed_at = excluded.closed_at, closed_by = excluded.closed_by,"
        " version = version + 1",
        (token, to_db(now), actor_id))
    row = await tx.fetch_one("SELECT version FROM rekap_closed_period WHERE period = ?", (token,))
    assert row is not None
    return int(row[0])
