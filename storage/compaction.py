"""Rewriting the stored data so that values deleted or overwritten leave no copy behind.

Used after an erasure, by the retention sweep, after the at-rest upgrade and after a key
rotation: each rewrites personal data and must not leave the old bytes in free pages.
SQLite: the bot rebuilds the file itself (:func:`compact`). PostgreSQL: the operator runs
``python -m bot compact`` (:func:`rewrite_tables`), because the rewrite locks each table.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiosqlite

from storage import catalogue
from storage.db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)
#: Tables a rewrite leaves alone: the /rekap counters, roll-ups and mirrors hold counts by
#: area and month and bare ids, no name, number or health value, and they are the largest.
COUNTS_PREFIX = "rekap_"


async def compact(path: Path | None) -> bool:
    """Rebuild the database file (VACUUM) and empty the WAL, on a connection of its own.

    ``secure_delete`` zeroes what a statement deletes, but pages SQLite reorganised earlier
    (an index page split while the record was being written) can still hold stale copies
    of a name in their unused space; VACUUM writes every page afresh and the TRUNCATE
    checkpoint drops the WAL's old frames. Erasures are rare, and the retention job runs
    once a day, so the cost (a pass over the file, writers wait) is paid seldom. Returns
    False when the database stayed busy (the next erasure or sweep tries again).

    On PostgreSQL (no file: ``path`` is None) this only says what is due: the erased or
    re-encrypted values stay in dead row versions until :func:`rewrite_tables` (``VACUUM
    FULL``) rewrites the tables, which takes an exclusive lock the bot must not take by itself
    (README § PostgreSQL).
    """
    if path is None:
        log.warning("personal data was erased or re-encrypted: its old row versions stay in PostgreSQL's table "
                    "files until `python -m bot compact` (VACUUM FULL) is run in a quiet hour")
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


async def rewrite_tables(db: Any) -> tuple[list[str], float]:
    """PostgreSQL: ``VACUUM (FULL, ANALYZE)`` of every table that may hold a person (all but
    the counters, :data:`COUNTS_PREFIX`), read from the catalogue so a new table is never
    left out. Each table is written afresh into new files and the old ones are deleted, so
    an erased value no longer lies in a dead row version or in free space (a plain VACUUM
    only marks that space reusable). One table at a time: each is locked only while it is
    rewritten, and the bot's writes to it wait meanwhile. Returns the tables and the seconds."""
    started = time.perf_counter()
    tables = sorted(t for t in await catalogue.table_names(db) if not t.startswith(COUNTS_PREFIX))
    for table in tables:
        await db.write(f'VACUUM (FULL, ANALYZE) "{table}"')
    return tables, time.perf_counter() - started
