"""Rebuilding the SQLite file so that values deleted or overwritten leave no copy behind.

Used after an erasure, by the retention sweep, after the at-rest upgrade and after a key
rotation: each rewrites personal data and must not leave the old bytes in free pages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from storage.db import BUSY_TIMEOUT_MS


async def compact(path: Path | None) -> bool:
    """Rebuild the database file (VACUUM) and empty the WAL, on a connection of its own.

    ``secure_delete`` zeroes what a statement deletes, but pages SQLite reorganised earlier
    (an index page split while the record was being written) can still hold stale copies
    of a name in their unused space; VACUUM writes every page afresh and the TRUNCATE
    checkpoint drops the WAL's old frames. Erasures are rare, and the retention job runs
    once a day, so the cost (a pass over the file, writers wait) is paid seldom. Returns
    False when the database stayed busy (the next erasure or sweep tries again).

    On PostgreSQL (no file: ``path`` is None) this does nothing: the erased or re-encrypted
    values stay in dead row versions until ``VACUUM FULL`` of the touched tables rewrites them,
    which takes an exclusive lock the bot must not take by itself (README § PostgreSQL).
    """
    if path is None:
        return True
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        # Every statement is finished before the next: VACUUM refuses to run while one is open.
        for pragma in (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA secure_delete = ON", "VACUUM"):
            async with conn.execute(pragma) as cursor:
                await cursor.fetchall()
        async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            busy = await cursor.fetchone()
        return busy is not None and busy[0] == 0
    except sqlite3.OperationalError:
        return False
    finally:
        await conn.close()
