"""Closed periods: the /rekap figures of a finished period, written once per area so
that every later answer for it (message, workbook, chart, digest) gives the same
numbers (migration 0011). What is learned later is the live recount minus these,
shown apart; a re-close replaces them, audited by the caller.

Rows are keyed by the period's token (``Period.token()``), the area's region code
(any level) and the figure's key (``bot.rekap.figures.Row.key``). Reading takes the
caller's scope like every other rekap reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.regions import contains
from storage.db import Database, Transaction
from storage.in_lists import in_lists
from storage.rekap import OutsideScope
from storage.scope import within
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
    """The closed figures of ``areas`` (each inside ``scope``) for ``token``: the rows written,
    and 0 for every figure the close did not write because it was zero (migration 0022)."""
    for area in areas:
        if not contains(scope, area):
            raise OutsideScope(area)
    zero_keys = await db.fetch_value("SELECT zero_keys FROM rekap_closed_period WHERE period = ?", (token,))
    implied = {key: (0, 0 if has_whole else None) for key, has_whole in json.loads(zero_keys).items()} \
        if zero_keys else {}
    out: dict[str, dict[str, Closed]] = {area: dict(implied) for area in areas} if implied else {}
    for marks, chunk in in_lists(areas):
        rows = await db.fetch_all(
            f"SELECT area, key, value, whole FROM rekap_closed WHERE period = ? AND area IN ({marks})",
            (token, *chunk))
        for area, key, value, whole in rows:
            out.setdefault(area, {})[key] = (value, whole)
    return out


async def write_closed(tx: Transaction, *, token: str, scope: str,
                       figures: Mapping[str, Iterable[tuple[str, int | None, int | None]]], now: datetime,
                       actor_id: int | None) -> int:
    """Replace the closed figures for ``token`` of every area inside ``scope`` and of the areas
    above it in ``figures``, and mark it closed (a re-close counts up its version). Returns the
    version written.

    A figure that is zero (with a whole of zero or none) is not written; the period's
    ``zero_keys`` say which keys a missing row means zero for (migration 0022). A national close
    would otherwise write about 3.6 million rows, nearly all of them zeros of quiet desa. A
    period closed before 0022 keeps writing its zeros when re-closed: a missing row there meant
    a figure added after the close, which keeps its live value; so does a key the first close
    of a period did not have, when a later one does (its zeros are written)."""
    before = await tx.fetch_one("SELECT zero_keys FROM rekap_closed_period WHERE period = ?", (token,))
    zero_keys = {key: whole is not None for closed in figures.values() for key, _, whole in closed}
    skipped = set(zero_keys) if before is None else set(json.loads(before[0])) if before[0] else set()
    inside, params = within("area", scope)
    await tx.execute(f"DELETE FROM rekap_closed WHERE period = ? AND {inside}", (token, *params))
    for marks, chunk in in_lists([area for area in figures if not contains(scope, area)]):
        await tx.execute(f"DELETE FROM rekap_closed WHERE period = ? AND area IN ({marks})", (token, *chunk))
    await tx.execute_many(
        "INSERT INTO rekap_closed (period, area, key, value, whole) VALUES (?, ?, ?, ?, ?)",
        [(token, area, key, value, whole) for area, closed in figures.items() for key, value, whole in closed
         if not (key in skipped and value == 0 and not whole)])
    await tx.execute(
        "INSERT INTO rekap_closed_period (period, closed_at, closed_by, version, zero_keys) VALUES (?, ?, ?, 1, ?)"
        " ON CONFLICT (period) DO UPDATE SET closed_at = excluded.closed_at, closed_by = excluded.closed_by,"
        " version = version + 1",  # zero_keys stay the first close's
        (token, to_db(now), actor_id, json.dumps(zero_keys, sort_keys=True)))
    row = await tx.fetch_one("SELECT version FROM rekap_closed_period WHERE period = ?", (token,))
    assert row is not None
    return int(row[0])
