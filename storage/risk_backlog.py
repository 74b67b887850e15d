"""The families still waiting for the one reassessment migration 0018 asks for.

See ``storage/migrations/0018_risk_backlog.sql``: the job that works through them is
:mod:`bot.rekap.risk_backlog`."""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Database, Transaction


async def next_batch(db: Database, limit: int) -> list[int]:
    """The next families to reassess, lowest id first (the order a resumed run continues in)."""
    rows = await db.fetch_all("SELECT keluarga_id FROM risk_backlog ORDER BY keluarga_id LIMIT ?", (limit,))
    return [int(row[0]) for row in rows]


async def live_among(tx: Transaction, keluarga_ids: Sequence[int]) -> list[int]:
    """Those of ``keluarga_ids`` that still exist, not erased (it counts nowhere) nor
    anonymised since (its answers are gone: a reassessment would drop what it counted)."""
    if not keluarga_ids:
        return []
    marks = ",".join("?" * len(keluarga_ids))
    rows = await tx.fetch_all("SELECT id FROM keluarga WHERE erased_at IS NULL AND anonymised_at IS NULL"
                              f" AND id IN ({marks}) ORDER BY id",
                              tuple(keluarga_ids))
    return [int(row[0]) for row in rows]


async def remove(tx: Transaction, keluarga_ids: Sequence[int]) -> None:
    await tx.execute_many("DELETE FROM risk_backlog WHERE keluarga_id = ?", [(i,) for i in keluarga_ids])


async def remaining(db: Database) -> int:
    row = await db.fetch_one("SELECT count(*) FROM risk_backlog")
    return int(row[0]) if row else 0
