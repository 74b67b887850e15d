"""The delivery state machine shared by reminders (to mothers) and notices (to members).

::

    scheduled ──claim──▶ sending ──▶ sent (──▶ acknowledged, reminders only)
        ▲                   │  ├───▶ failed      (403, 400, or out of attempts)
        └── retry/release ──┘  └───▶ scheduled   (network error, 5xx, 429: later)
    scheduled ──▶ cancelled / expired

A claim is a transaction that flips a bounded batch of due rows to ``sending`` and
stamps them with the dispatcher's run id. A row is only ever left in ``sending`` by a
process that died (or a dispatch that crashed) between the claim and recording the
outcome; :func:`recover` puts those back, so after a restart nothing is lost and only
the one message whose HTTP request was in flight can go out twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from storage.db import Database, Transaction
from storage.timefmt import to_db

Table = Literal["reminders", "notices"]
_TABLES = ("reminders", "notices")
_ATTEMPT_COLUMN = {"reminders": "reminder_id", "notices": "notice_id"}


def _check(table: Table) -> str:
    if table not in _TABLES:
        raise ValueError(table)
    return _ATTEMPT_COLUMN[table]


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" for _ in ids)


async def record_attempt(
    tx: Transaction, table: Table, row_id: int, *, outcome: str, detail: str | None, now: datetime
) -> None:
    column = _check(table)
    await tx.execute(
        f"INSERT INTO delivery_attempts ({column}, at, outcome, detail) VALUES (?, ?, ?, ?)",
        (row_id, to_db(now), outcome, detail),
    )


async def claim(tx: Transaction, table: Table, ids: Sequence[int], *, run_id: str, now: datetime) -> None:
    """scheduled → sending, inside the transaction that chose the rows."""
    _check(table)
    if ids:
        await tx.execute(
            f"UPDATE {table} SET state = 'sending', claimed_by = ?, claimed_at = ? "
            f"WHERE state = 'scheduled' AND id IN ({_marks(ids)})",
            (run_id, to_db(now), *ids),
        )


async def expire(tx: Transaction, table: Table, ids: Sequence[int], *, now: datetime) -> None:
    _check(table)
    if ids:
        extra = ", updated_at = ?" if table == "reminders" else ""
        params: tuple[object, ...] = (to_db(now),) if table == "reminders" else ()
        await tx.execute(
            f"UPDATE {table} SET state = 'expired'{extra} WHERE state = 'scheduled' AND id IN ({_marks(ids)})",
            (*params, *ids),
        )


async def cancel(tx: Transaction, table: Table, ids: Sequence[int]) -> None:
    _check(table)
    if ids:
        await tx.execute(
            f"UPDATE {table} SET state = 'cancelled' WHERE state IN ('scheduled', 'sending') AND id IN ({_marks(ids)})",
            tuple(ids),
        )


async def defer(tx: Transaction, table: Table, moves: Iterable[tuple[int, datetime]]) -> None:
    """Move due rows to a later instant (night → morning) without counting an attempt."""
    _check(table)
    for row_id, at in moves:
        await tx.execute(f"UPDATE {table} SET send_after = ? WHERE id = ? AND state = 'scheduled'",
                         (to_db(at), row_id))


async def mark_sent(db: Database, table: Table, row_id: int, *, message_id: int | None, now: datetime) -> None:
    _check(table)
    async with db.transaction() as tx:
        if table == "reminders":
            await tx.execute(
                "UPDATE reminders SET state = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1, "
                "claimed_by = NULL, updated_at = ? WHERE id = ?",
                (to_db(now), message_id, to_db(now), row_id),
            )
        else:
            await tx.execute(
                "UPDATE notices SET state = 'sent', sent_at = ?, attempts = attempts + 1, claimed_by = NULL "
                "WHERE id = ?",
                (to_db(now), row_id),
            )
        await record_attempt(tx, table, row_id, outcome="sent", detail=None, now=now)


async def retry_later(
    db: Database, table: Table, row_id: int, *, at: datetime, outcome: str, detail: str | None,
    now: datetime, max_attempts: int,
) -> bool:
    """Count a failed attempt and schedule the next one at ``at``; ``failed`` once the
    attempts are used up. Returns True when another attempt is scheduled."""
    _check(table)
    async with db.transaction() as tx:
        row = await tx.fetch_one(f"SELECT attempts FROM {table} WHERE id = ?", (row_id,))
        attempts = (row[0] if row else 0) + 1
        again = attempts < max_attempts
        await tx.execute(
            f"UPDATE {table} SET state = ?, attempts = ?, send_after = ?, claimed_by = NULL WHERE id = ?",
            ("scheduled" if again else "failed", attempts, to_db(at), row_id),
        )
        await record_attempt(tx, table, row_id, outcome=outcome, detail=detail, now=now)
        return again


async def mark_failed(db: Database, table: Table, row_id: int, *, outcome: str, detail: str | None,
                      now: datetime) -> None:
    _check(table)
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE {table} SET state = 'failed', attempts = attempts + 1, claimed_by = NULL WHERE id = ?",
            (row_id,),
        )
        await record_attempt(tx, table, row_id, outcome=outcome, detail=detail, now=now)


async def release(db: Database, table: Table, ids: Sequence[int], *, at: datetime) -> None:
    """Claimed rows that were not attempted go back to ``scheduled`` (a 429 stopped the batch)."""
    _check(table)
    if not ids:
        return
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE {table} SET state = 'scheduled', claimed_by = NULL, send_after = ? "
            f"WHERE state = 'sending' AND id IN ({_marks(ids)})",
            (to_db(at), *ids),
        )


async def recover(db: Database, table: Table, *, run_id: str, stale_before: datetime, now: datetime) -> int:
    """Put rows left in ``sending`` by another run (or stuck longer than the lease) back
    to ``scheduled``, recording a ``recovered`` attempt for each; returns how many.

    Bounded by the number of rows a dispatcher claims at once, whatever the backlog.
    """
    column = _check(table)
    async with db.transaction() as tx:
        rows = await tx.fetch_all(
            f"SELECT id, claimed_by FROM {table} WHERE state = 'sending' AND (claimed_by IS NOT ? OR claimed_at < ?)",
            (run_id, to_db(stale_before)),
        )
        ids = [r[0] for r in rows]
        if not ids:
            return 0
        await tx.execute(
            f"UPDATE {table} SET state = 'scheduled', claimed_by = NULL WHERE id IN ({_marks(ids)})", tuple(ids)
        )
        await tx.execute_many(
            f"INSERT INTO delivery_attempts ({column}, at, outcome, detail) VALUES (?, ?, 'recovered', ?)",
            [(r[0], to_db(now), f"run {r[1]}") for r in rows],
        )
        return len(ids)


async def attempts_of(db: Database, table: Table, row_id: int) -> list[tuple[str, str | None]]:
    """(outcome, detail) of every attempt on one row, oldest first."""
    column = _check(table)
    rows = await db.fetch_all(
        f"SELECT outcome, detail FROM delivery_attempts WHERE {column} = ? ORDER BY id", (row_id,)
    )
    return [(r[0], r[1]) for r in rows]
