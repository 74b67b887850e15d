"""Rewriting the stored data so that values deleted or overwritten leave no copy behind.

Used after an erasure, by the retention sweep, after the at-rest upgrade and after a key
rotation: each rewrites personal data and must not leave the old bytes in free pages.
SQLite: the bot rebuilds the file itself (:func:`compact`). PostgreSQL: the operator runs
``python -m bot compact`` (:func:`rewrite_tables`), because the rewrite locks each table.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from dataclasses import dataclass
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


#: How long :func:`rewrite_tables` waits for older transactions to end before it rewrites anyway.
OLDER_TRANSACTIONS_WAIT_S = 60.0
#: What on the whole server still holds a snapshot or transaction older than the given
#: transaction id: while one does, the row versions an erasure left are still "recently
#: dead", and ``VACUUM FULL`` copies them into the new files instead of leaving them out. Not
#: only this database's sessions: a ``CREATE DATABASE`` anywhere on the server (measured: it
#: held back this database's cleanup 39 times in 40), a replica's feedback through its
#: walsender or a replication slot, a prepared transaction. A role that is not a superuser
#: sees only its own sessions' snapshots (README § PostgreSQL).
_OLDER = ("WITH h AS (SELECT CAST(CAST(? AS TEXT) AS xid) AS x) SELECT"
          " (SELECT count(*) FROM pg_stat_activity, h WHERE pid <> pg_backend_pid()"
          "  AND (age(backend_xmin) > age(h.x) OR age(backend_xid) > age(h.x)))"
          " + (SELECT count(*) FROM pg_replication_slots, h WHERE age(xmin) > age(h.x))"
          " + (SELECT count(*) FROM pg_prepared_xacts, h WHERE age(transaction) > age(h.x))")


@dataclass(frozen=True)
class Rewritten:
    tables: list[str]
    seconds: float
    #: Transactions older than the rewrite that were still open when it went ahead anyway: what
    #: they could still see may have been kept (run it again once they are done).
    older_open: int


async def rewrite_tables(db: Any, *, wait_s: float = OLDER_TRANSACTIONS_WAIT_S) -> Rewritten:
    """PostgreSQL: ``VACUUM (FULL, ANALYZE)`` of every table that may hold a person (all but
    the counters, :data:`COUNTS_PREFIX`), read from the catalogue so a new table is never
    left out. Each table is written afresh into new files and the old ones are deleted, so
    an erased value no longer lies in a dead row version or in free space (a plain VACUUM
    only marks that space reusable). One table at a time: each is locked only while it is
    rewritten, and the bot's writes to it wait meanwhile.

    First it waits (at most ``wait_s``) until nothing on the server holds a snapshot from
    before it started (:data:`_OLDER`): a running bot's transactions last milliseconds, but
    one of them open across the rewrite would keep the erased row versions in the new files
    (the rewrite copies what some open snapshot may still read). Once none is older, none
    can become so: every later snapshot is newer than the erasure."""
    started = time.perf_counter()
    # The next transaction id (64-bit); backend_xmin is its low 32 bits, compared by age().
    horizon = str(int(str(await db.fetch_value("SELECT pg_snapshot_xmax(pg_current_snapshot())"))) % 2**32)
    while (older := int(await db.fetch_value(_OLDER, (horizon,)) or 0)) and time.perf_counter() - started < wait_s:
        await asyncio.sleep(0.05)
    tables = sorted(t for t in await catalogue.table_names(db) if not t.startswith(COUNTS_PREFIX))
    for table in tables:
        await db.write(f'VACUUM (FULL, ANALYZE) "{table}"')
    return Rewritten(tables, time.perf_counter() - started, older)
