"""The SQLite database: connection setup, transactions and migrations.

One writer connection guarded by an asyncio lock (SQLite has one writer anyway, and
a shared connection would let one coroutine's uncommitted rows leak into another's
read) and one read-only connection for queries, which in WAL mode sees only
committed data and never blocks the writer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.dialect import SQLITE
from storage.url import Engine

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
#: What one engine needs before a shared migration: ``0001_foundation.postgresql.sql``.
_ENGINE_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(postgresql)\.sql$")


class MigrationError(RuntimeError):
    """A migration could not be applied; the database is left at the previous version."""


class StorageUnavailable(RuntimeError):
    """The configured server cannot be used (unreachable, no such database, no right); the
    message is one Indonesian sentence for the operator."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations(engine: Engine = Engine.SQLITE) -> list[Migration]:
    """The numbered ``storage/migrations/NNNN_name.sql`` files, in order.

    On PostgreSQL each is ported mechanically (:mod:`storage.sqlite_to_postgresql`), after
    its ``NNNN_name.postgresql.sql`` if there is one (what SQLite has built in): the same
    numbers and names, so both engines record the same history.
    """
    found: list[Migration] = []
    own: dict[int, str] = {}
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
        match = _ENGINE_MIGRATION_NAME.match(entry.name)
        if match and match[3] == engine.value:
            own[int(match[1])] = entry.read_text(encoding="utf-8")
    found.sort(key=lambda m: m.version)
    if engine is Engine.POSTGRESQL:
        found = _ported(found, own)
    if own:
        raise MigrationError(f"{engine.value} migrations without a shared file: {sorted(own)}")
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers: {versions}")
    return found


def _ported(migrations: list[Migration], own: dict[int, str]) -> list[Migration]:
    """Each migration's SQLite text ported, after its PostgreSQL prelude if any; primary keys
    declared by earlier migrations serve later upserts."""
    from storage.sqlite_to_postgresql import port_script, primary_keys_of

    keys: dict[str, tuple[str, ...]] = {}
    ported = []
    for m in migrations:
        sql = own.pop(m.version, "") + "\n" + port_script(m.sql, keys)
        keys.update(primary_keys_of(m.sql))
        ported.append(Migration(m.version, m.name, sql))
    return ported


async def _configure(conn: aiosqlite.Connection, *, read_only: bool) -> None:
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    if read_only:
        await conn.execute("PRAGMA query_only = ON")
    else:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")


class Database:
    """Async access to one SQLite file. Use :meth:`open` and :meth:`close`.

    :func:`storage.engine.open_database` opens the configured engine: this, or the same API on
    PostgreSQL (:class:`storage.postgres.PostgresDatabase`); :attr:`dialect` says what differs
    (:mod:`storage.dialect`).
    """

    dialect = SQLITE

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        # One statement at a time on the reader: two open cursors would share one read
        # transaction, and a long run of overlapping reads would keep seeing a snapshot
        # from before the latest commits.
        self._read_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is implicit.
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _configure(writer, read_only=False)
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _configure(reader, read_only=True)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    # -- reading ---------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        # execute_fetchall runs and exhausts the statement in one trip to the worker thread.
        async with self._read_lock:
            return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    # -- writing ---------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._writer)
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one data-changing statement as its own transaction; returns the rows changed.

        The writer connection is in autocommit mode, so a lone statement commits by
        itself, atomically, in one trip to the worker thread instead of three (BEGIN,
        statement, COMMIT): the hot path of a form saves its draft twice per answer.
        The write lock keeps it out of anyone else's open transaction.
        """
        async with self._write_lock:
            cursor = await self._writer.execute(sql, params)
            return cursor.rowcount

    # -- schema ----------------------------------------------------------------------

    async def schema_version(self) -> int:
        exists = await self.fetch_value(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        )
        if not exists:
            return 0
        return int(await self.fetch_value("SELECT coalesce(max(version), 0) FROM schema_migrations") or 0)

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[int]:
        """Apply every migration not yet recorded, each atomically with its record.

        The script and the row in ``schema_migrations`` are one transaction, so a crash
        (even SIGKILL) leaves the database at the previous version and the next start
        applies it again. Returns the versions applied now.
        """
        todo = list(bundled_migrations() if migrations is None else migrations)
        applied: list[int] = []
        async with self._write_lock:
            await self._writer.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self._writer.execute("SELECT version FROM schema_migrations") as cur:
                done = {row[0] for row in await cur.fetchall()}
            newest_known = max((m.version for m in todo), default=0)
            if done and max(done) > newest_known:
                raise MigrationError(
                    f"database schema version {max(done)} is newer than this program "
                    f"({newest_known}); upgrade the program or restore a backup"
                )
            for migration in todo:
                if migration.version in done:
                    continue
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{migration.sql}\n;\n"
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                    f"({migration.version}, '{migration.name}', strftime('%Y-%m-%dT%H:%M:%SZ','now'));\n"
                    "COMMIT;"
                )
                try:
                    await self._writer.executescript(script)
                except Exception as exc:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                    ) from exc
                log.info("applied migration %04d_%s", migration.version, migration.name)
                applied.append(migration.version)
        return applied


class Transaction:
    """The writer connection inside one open transaction."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one data-changing statement; returns the number of rows changed."""
        cursor = await self._conn.execute(sql, params)  # one trip; nothing left to fetch
        return cursor.rowcount

    async def insert(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run an INSERT; returns the new rowid."""
        row = await self._conn.execute_insert(sql, params)
        return int(row[0]) if row else 0

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None
