"""The SQLite database: connection setup, transactions and migrations.

One writer connection guarded by an asyncio lock (SQLite has one writer anyway, and
a shared connection would let one coroutine's uncommitted rows leak into another's
read) and a few read-only connections for queries (:data:`READERS`), which in WAL mode
see only committed data and never block the writer.

Another process may hold SQLite's write lock for a while (a backup tool, an operator's
``sqlite3`` shell, a long VACUUM). A write then does not fail after the busy time-out:
it is tried again with a growing pause until :data:`WRITE_PATIENCE_S` has passed, so
what a member typed is stored once the lock is released. Only after that does it raise
:class:`DatabaseBusy`, and nothing was written. Reads never take the write lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.dialect import SQLITE
from storage.url import Engine

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How long SQLite itself waits for another connection's lock, per attempt.
BUSY_TIMEOUT_MS = 10_000
#: How long a write keeps trying while another process holds the lock, in all.
WRITE_PATIENCE_S = 90.0
#: The first pause between attempts; it doubles up to :data:`RETRY_PAUSE_MAX_S`.
RETRY_PAUSE_S = 0.25
RETRY_PAUSE_MAX_S = 5.0
#: Read-only connections: a long read on one leaves the others to everyone else.
READERS = 3
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
#: What one engine needs before a shared migration: ``0001_foundation.postgresql.sql``.
_ENGINE_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(postgresql)\.sql$")


#: What SQLite raises when a file or statement fails past opening (the CLI turns it into one
#: line): callers outside ``storage/`` catch this, never the driver's own classes. PostgreSQL's
#: failures arrive as :class:`DatabaseBusy` or :class:`StorageUnavailable` instead
#: (``storage.postgres._storage_errors``), so this module never imports that driver.
EngineError = sqlite3.Error


class MigrationError(RuntimeError):
    """A migration could not be applied; the database is left at the previous version."""


def newer_schema(where: str, version: int, newest_known: int) -> MigrationError:
    """The one refusal of a database migrated by a newer program, on either engine."""
    return MigrationError(f"skema basis data {where} versi {version}, lebih baru dari program ini "
                          f"({newest_known}) — pasang versi program yang lebih baru, atau pulihkan cadangan")


class StorageUnavailable(RuntimeError):
    """The configured server cannot be used (unreachable, no such database, no right); the
    message is one Indonesian sentence for the operator."""


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be used at all (read-only, unwritable folder, not a
    database): one Indonesian line for the operator, naming the file and the fix."""


def unavailable(path: Path, error: BaseException) -> DatabaseUnavailable:
    """The operator's line for an error opening or first writing ``path``."""
    text = str(error).lower()
    if isinstance(error, PermissionError) or "readonly" in text or "read-only" in text:
        fix = (f"hanya bisa dibaca — beri pengguna yang menjalankan bot izin tulis untuk file itu, "
               f"file -wal dan -shm-nya, dan folder {path.parent}")
    elif isinstance(error, OSError) or "unable to open" in text:
        fix = f"tidak bisa dibuka atau dibuat — periksa bahwa folder {path.parent} ada dan bisa ditulis"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        fix = ("bukan basis data SQLite atau rusak — pulihkan dari cadangan "
               "(README, \"Cadangan dan pemulihan\")")
    else:
        fix = f"tidak bisa dipakai ({type(error).__name__})"
    return DatabaseUnavailable(f"basis data {path} {fix}")


class DatabaseBusy(RuntimeError):
    """Another process held the write lock for longer than :data:`WRITE_PATIENCE_S`;
    the write was not made (the caller must say so, not that it was saved)."""


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY / SQLITE_LOCKED and their variants)."""
    return isinstance(error, sqlite3.OperationalError) and (
        (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))


async def patiently(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run ``attempt`` until it does not fail with a locked database, pausing longer each
    time, for at most :data:`WRITE_PATIENCE_S`; then :class:`DatabaseBusy`. ``attempt``
    must change nothing when it fails that way (one statement, or a ``BEGIN``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WRITE_PATIENCE_S
    pause = RETRY_PAUSE_S
    while True:
        try:
            return await attempt()
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            if loop.time() + pause > deadline:
                raise DatabaseBusy(f"the database stayed locked for {WRITE_PATIENCE_S:g} s") from error
        log.warning("database locked by another process; writing again in %.2f s", pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, RETRY_PAUSE_MAX_S)


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


async def _probe_write(conn: aiosqlite.Connection) -> None:
    try:
        await conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if not is_busy(error):
            raise
    else:
        await conn.execute("ROLLBACK")


class Database:
    """Async access to one SQLite file. Use :meth:`open` and :meth:`close`.

    :func:`storage.engine.open_database` opens the configured engine: this, or the same API on
    PostgreSQL (:class:`storage.postgres.PostgresDatabase`); :attr:`dialect` says what differs
    (:mod:`storage.dialect`).
    """

    dialect = SQLITE

    def __init__(self, path: Path, writer: aiosqlite.Connection, readers: Sequence[aiosqlite.Connection]):
        self.path = path
        self._writer = writer
        self._readers = list(readers)
        self._write_lock = asyncio.Lock()
        # One statement at a time on each reader: two open cursors would share one read
        # transaction, and a long run of overlapping reads would keep seeing a snapshot
        # from before the latest commits. More than one reader, so that a long read (the
        # rows of an /ekspor) does not make everyone else's short one wait behind it.
        self._idle_readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in self._readers:
            self._idle_readers.put_nowait(reader)

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open ``path`` (created with its folder); :class:`DatabaseUnavailable` when the
        file cannot be read and written or is not a database."""
        path = Path(path)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is implicit.
        opened: list[aiosqlite.Connection] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # Readable by the bot's account only; SQLite gives its -wal, -shm and -journal
                # files the database file's mode.
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            for number in range(1 + READERS):
                conn = await aiosqlite.connect(path, isolation_level=None)
                opened.append(conn)
                await _configure(conn, read_only=number > 0)
            # A read-only file opens and even reads; it only fails at the first write, so
            # ask for the write lock once now (a lock held by someone else is fine).
            await _probe_write(opened[0])
        except (OSError, sqlite3.Error) as error:
            for conn in opened:
                await conn.close()
            raise unavailable(path, error) from None
        except BaseException:
            for conn in opened:
                await conn.close()
            raise
        return cls(path, opened[0], opened[1:])

    async def close(self) -> None:
        for reader in self._readers:
            await reader.close()
        await self._writer.close()

    # -- reading ---------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        # execute_fetchall runs and exhausts the statement in one trip to the worker thread.
        reader = await self._idle_readers.get()
        try:
            return list(await reader.execute_fetchall(sql, params))
        finally:
            self._idle_readers.put_nowait(reader)

    async def fetch_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    # -- writing ---------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception. The ``BEGIN`` waits
        for another process's lock (:func:`patiently`); once it succeeded the lock is ours."""
        async with self._write_lock:
            await patiently(lambda: self._writer.execute("BEGIN IMMEDIATE"))
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
        The write lock keeps it out of anyone else's open transaction. A lone statement
        that found the database locked changed nothing, so it is simply tried again
        (:func:`patiently`).
        """
        async with self._write_lock:
            cursor = await patiently(lambda: self._writer.execute(sql, params))
            return cursor.rowcount

    async def write_if_free(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> bool:
        """Run one statement only if nobody holds the lock right now; False if skipped.

        For bookkeeping that must never hold up a member (the last-activity stamp): it
        waits neither for this process's other writers nor for another process."""
        if self._write_lock.locked():
            return False
        async with self._write_lock:
            await self._writer.execute("PRAGMA busy_timeout = 0")
            try:
                await self._writer.execute(sql, params)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                return False
            finally:
                await self._writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return True

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
                raise newer_schema(str(self.path), max(done), newest_known)
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
                        f"basis data {self.path}: migrasi {migration.version:04d}_{migration.name} gagal ({exc}) "
                        "— basis data tetap di versi sebelumnya"
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

    async def execute_unless_refused(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> bool:
        """Run one statement the schema may refuse (a foreign key still pointing at the row,
        a duplicate): False, with only that statement undone and the transaction going on,
        when it does. Callers never catch a driver's own error class for this: SQLite undoes
        just the statement, PostgreSQL needs a savepoint (its transaction is aborted otherwise)."""
        try:
            await self._conn.execute(sql, params)
        except sqlite3.IntegrityError:
            return False
        return True

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
