"""TPPS group chats that receive the monthly anonymous digest (issue 15 §3, optional part).

Only the /rekap figures of the enabling coordinator's area go to a group — never a name —
and only while that coordinator is active. A row per (group, month) is claimed before
sending, as for the coordinators' own digest, so it goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.timefmt import to_db


@dataclass(frozen=True)
class DigestGroup:
    chat_id: int
    region_code: str


async def enable(db: Database, *, chat_id: int, owner_id: int, region_code: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO digest_groups (chat_id, owner_id, region_code, enabled_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET owner_id = excluded.owner_id, region_code = excluded.region_code, "
            "enabled_at = excluded.enabled_at", (chat_id, owner_id, region_code, to_db(now)))


async def disable(db: Database, *, chat_id: int) -> bool:
    async with db.transaction() as tx:
        return bool(await tx.execute("DELETE FROM digest_groups WHERE chat_id = ?", (chat_id,)))


async def due(db: Database, month: str) -> list[DigestGroup]:
    """Groups whose coordinator is still active and that have no record for ``month`` yet."""
    rows = await db.fetch_all(
        "SELECT g.chat_id, g.region_code FROM digest_groups g JOIN users u ON u.id = g.owner_id "
        "WHERE u.status = 'active' AND u.role IN ('koordinator', 'admin') "
        "AND NOT EXISTS (SELECT 1 FROM digest_group_sent s WHERE s.chat_id = g.chat_id AND s.month = ?) "
        "ORDER BY g.chat_id", (month,))
    return [DigestGroup(r[0], r[1]) for r in rows]


async def claim(db: Database, chat_id: int, month: str, now: datetime) -> bool:
    async with db.transaction() as tx:
        return await tx.execute(
            "INSERT INTO digest_group_sent (chat_id, month, status, at) VALUES (?, ?, 'sending', ?) "
            "ON CONFLICT (chat_id, month) DO NOTHING", (chat_id, month, to_db(now))) == 1


async def finish(db: Database, chat_id: int, month: str, status: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE digest_group_sent SET status = ?, at = ? WHERE chat_id = ? AND month = ?",
                         (status, to_db(now), chat_id, month))


async def release(db: Database, chat_id: int, month: str) -> None:
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM digest_group_sent WHERE chat_id = ? AND month = ? AND status = 'sending'",
                         (chat_id, month))
