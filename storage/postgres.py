"""The PostgreSQL engine behind :class:`storage.db.Database`'s API, on psycopg 3 and psycopg-pool.

Why psycopg and not asyncpg: ``README.md`` § PostgreSQL (measured with
``bench/bench_pg_driver.py``). In short, psycopg sends Python strings and (here) integers as
parameters of *unknown* type, so PostgreSQL types them from the statement, the way SQLite's
loose typing lets the storage modules pass ``'2026-11-23'`` or ``7`` wherever they like;
asyncpg demands the exact Python type of every inferred parameter type.

Writes are serialised per process by an asyncio lock, exactly as on SQLite: the storage
modules were written for one writer and rely on it (read, decide, write inside one
transaction). Between processes PostgreSQL's own locks decide: the dispatcher's claims take
``FOR UPDATE SKIP LOCKED`` (:meth:`storage.dialect.Dialect.lock`). Reads take any
pooled connection and see committed data only, like SQLite's read-only WAL connection.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import time
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.db import (
    WRITE_PATIENCE_S,
    Database,
    DatabaseBusy,
    MigrationError,
    StorageUnavailable,
    Transaction,
    bundled_migrations,
    newer_schema,
)
from storage.dialect import POSTGRESQL
from storage.url import Engine, StorageURL

log = logging.getLogger(__name__)

POOL_SIZE = 8
#: A pooled connection idle longer than this is tried before it is lent (:meth:`PostgresDatabase._connection`).
CHECK_IDLE_S = 1.0
CONNECT_TIMEOUT_S = 10
#: Why a connection or migration failed, by SQLSTATE or (a refused connection has no SQLSTATE)
#: by libpq's message, with the Indonesian reason.
_PROBLEMS = (
    ("3D000", "does not exist", "basis data {db} tidak ada — buat dulu: createdb -h {host} -p {port} {db}"),
    ("28P01", "password authentication failed",
     "kata sandi untuk peran {user} ditolak — periksa TPK_STORAGE_PASSWORD / PGPASSWORD / ~/.pgpass"),
    ("28000", "no pg_hba.conf entry", "server menolak peran {user} dari mesin ini (pg_hba.conf)"),
    ("28000", "role", "peran {user} tidak ada di server itu"),
    ("42501", "permission denied", "peran {user} tidak punya hak yang diperlukan ({detail})"),
)


#: Region scopes are ranges between ``code + "."`` and ``code + "/"`` (storage/scope.py), which
#: needs '.' and '/' to sort as characters. Collations that ignore punctuation (glibc's
#: en_US.UTF-8 on many servers, ICU's "alternate shifted") put "36.73.04" outside "36.73"'s
#: range: every query would silently miss an area's records. Checked once at open, by behaviour.
_CODES_IN_ORDER = "SELECT '36.73.04' > '36.73.' AND '36.73.04' < '36.73/' AND '36.7304' > '36.73/'"


class _UnknownTypeText(Dumper):
    """Integers and booleans as text of unknown type: PostgreSQL types them from the column or
    the other operand, as SQLite does (``entity_id = ?`` is TEXT, ``berisiko = ?`` an integer)."""

    format = Format.TEXT
    oid = 0

    def dump(self, obj: Any) -> bytes:
        return str(int(obj)).encode()


class _IsoDate(Dumper):
    """A ``date`` as its ISO text, which is how SQLite's adapter stores it."""

    format = Format.TEXT
    oid = 0

    def dump(self, obj: Any) -> bytes:
        return obj.isoformat().encode()


_EXPLICIT_IDS = re.compile(r"\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)\s*\(\s*id\s*,", re.I)
_SYNC_IDENTITY = ("SELECT setval(pg_get_serial_sequence('{table}', 'id'), m) "
                  "FROM (SELECT max(id) AS m FROM {table}) AS x WHERE m IS NOT NULL")


class Row(tuple):  # type: ignore[type-arg]
    """A result row by position and by column name, like ``sqlite3.Row``."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=1024)
def _row_type(names: tuple[str, ...]) -> type[Row]:
    """One row class per column list (a statement's), made once."""
    return type("Row", (Row,), {"_names": {name: i for i, name in enumerate(names)}})


def _row_factory(cursor: psycopg.AsyncCursor[Any]) -> Any:
    return _row_type(tuple(col.name for col in cursor.description or ()))


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    # SQLite's busy handling on PostgreSQL: a statement waits for another process's row or
    # table lock at most WRITE_PATIENCE_S, then fails as DatabaseBusy (nothing written).
    await conn.execute(f"SET lock_timeout = '{int(WRITE_PATIENCE_S * 1000)}ms'")
    # No JIT compilation: every statement of the bot reads or writes a handful of index ranges,
    # but the planner's row estimates for /rekap's counter sums cross jit_above_cost, and the
    # compiling then costs 5–6 ms a statement (a national /rekap: bench/RESULTS.md section 7).
    await conn.execute("SET jit = off")
    conn.adapters.register_dumper(int, _UnknownTypeText)
    conn.adapters.register_dumper(bool, _UnknownTypeText)
    conn.adapters.register_dumper(datetime.date, _IsoDate)


def _explain(url: StorageURL, exc: psycopg.Error | PoolTimeout) -> str:
    detail = exc.diag.message_primary if isinstance(exc, psycopg.Error) else None
    fields = {"db": url.param("dbname"), "host": url.param("host"), "port": url.param("port"),
              "user": url.param("user") or "(pengguna sistem)", "detail": detail or ""}
    text, state = str(exc), getattr(exc, "sqlstate", None)
    for sqlstate, phrase, template in _PROBLEMS:
        if state == sqlstate or (state is None and phrase in text and (sqlstate != "3D000" or "database" in text)):
            return template.format(**fields)
    return "server PostgreSQL di {host}:{port} tidak bisa dihubungi — apakah server berjalan dan alamatnya benar?" \
        .format(**fields)


@contextmanager
def _storage_errors(url: StorageURL) -> Iterator[None]:
    """The server's failures as the storage API's own exceptions, the ones callers handle on
    both engines: a lock held too long, a deadlock or a serialisation failure is
    :class:`DatabaseBusy` (the transaction was rolled back: nothing written, try again); a
    missing right, a lost connection or a server that stopped answering is
    :class:`StorageUnavailable`, with the operator's Indonesian line. Anything else (a bad
    statement, a refused constraint) is a programming error and stays the driver's own."""
    try:
        yield
    except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected,
            psycopg.errors.SerializationFailure) as error:
        raise DatabaseBusy(f"the server refused the write ({error.sqlstate}); nothing was written") from error
    except (psycopg.errors.InsufficientPrivilege, psycopg.OperationalError, PoolTimeout) as error:
        raise StorageUnavailable(_explain(url, error)) from error


class PostgresDatabase:
    """The :class:`storage.db.Database` API on a psycopg connection pool (see the module docstring)."""

    dialect = POSTGRESQL

    def __init__(self, url: StorageURL, pool: AsyncConnectionPool) -> None:
        self.url = url
        self.path = None  # no file: privacy's compact() and the SQLite backup do not apply
        self._pool = pool
        self._write_lock = asyncio.Lock()
        self._primary_keys: dict[str, tuple[str, ...]] = {}
        self._translated: dict[str, str] = {}
        self._idle_since: weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = \
            weakref.WeakKeyDictionary()

    @classmethod
    async def open(cls, url: StorageURL, password: str = "") -> PostgresDatabase:
        """Connect once to say precisely what is wrong, then open the pool."""
        conninfo = url.conninfo(password)
        try:
            probe = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S)
            try:
                ordered = (await (await probe.execute(_CODES_IN_ORDER)).fetchone() or (False,))[0]
            finally:
                await probe.close()
        except psycopg.Error as exc:
            raise StorageUnavailable(_explain(url, exc)) from None
        if not ordered:
            raise StorageUnavailable(
                f"basis data {url.param('dbname')} mengurutkan teks tanpa memperhatikan tanda baca, sehingga "
                "wilayah tidak bisa dipilah — buat ulang dengan: createdb --locale=C.UTF-8 --template=template0 "
                f"{url.param('dbname')}")
        pool = AsyncConnectionPool(conninfo, min_size=1, max_size=POOL_SIZE, open=False, configure=_configure,
                                   kwargs={"autocommit": True, "row_factory": _row_factory})
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        db = cls(url, pool)
        await db._load_primary_keys()
        return db

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled connection, tried first (an empty query) if it lay idle a while.

        A restarted server (or a cut network) leaves every idle pooled connection dead, and
        each would fail the next statement given to it: an apology to a member, an answer to
        type again. Tried first, a dead one goes back to the pool, which drops it and opens
        another. (psycopg-pool's own ``check=`` does the same but sleeps 1, 2, 4… s between
        dead connections: with eight of them, past its 30 s timeout.) The try costs a round
        trip (~50 µs here), so a connection back from work less than :data:`CHECK_IDLE_S`
        ago is lent as it is: under load no statement pays for it, and a cut in the middle
        of traffic fails only the statements then in flight.
        """
        for _ in range(POOL_SIZE + 1):
            conn = await self._pool.getconn()
            if time.monotonic() - self._idle_since.get(conn, 0.0) > CHECK_IDLE_S:
                try:
                    await conn.execute("")
                except psycopg.OperationalError:
                    await self._pool.putconn(conn)  # broken: discarded, replaced in the background
                    continue
            try:
                yield conn
            finally:
                self._idle_since[conn] = time.monotonic()
                await self._pool.putconn(conn)
            return
        raise psycopg.OperationalError("no pooled connection answered")

    def _sql(self, sql: str) -> str:
        translated = self._translated.get(sql)
        if translated is None:
            translated = self._translated[sql] = self.dialect.translate(sql, self._primary_key)
        return translated

    def _primary_key(self, table: str) -> tuple[str, ...]:
        return self._primary_keys.get(table, ())

    async def _load_primary_keys(self) -> None:
        rows = await self.fetch_all(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) ON true "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE i.indisprimary ORDER BY c.relname, k.pos")
        keys: dict[str, list[str]] = {}
        for table, column in rows:
            keys.setdefault(table, []).append(column)
        self._primary_keys = {table: tuple(columns) for table, columns in keys.items()}
        self._translated.clear()

    # -- reading ---------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        with _storage_errors(self.url):
            async with self._connection() as conn:
                cursor = await conn.execute(self._sql(sql), params)
                return await cursor.fetchall() if cursor.description else []

    fetch_one = Database.fetch_one  # both built on fetch_all, as on SQLite
    fetch_value = Database.fetch_value

    # -- writing ---------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        """``BEGIN`` … ``COMMIT`` on one pooled connection; rolled back on any exception."""
        with _storage_errors(self.url):
            async with self._write_lock, self._connection() as conn, conn.transaction():
                yield PostgresTransaction(conn, self)

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """One data-changing statement, committed by itself (the connection is in autocommit)."""
        with _storage_errors(self.url):
            async with self._write_lock, self._connection() as conn:
                cursor = await conn.execute(self._sql(sql), params)
                return cursor.rowcount

    async def write_if_free(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> bool:
        """One statement only if nobody holds the lock right now; False if skipped (as on SQLite:
        this process's writers, and on the server any row lock it would wait for)."""
        if self._write_lock.locked():
            return False
        with _storage_errors(self.url):
            async with self._write_lock, self._connection() as conn:
                try:
                    async with conn.transaction():
                        await conn.execute("SET LOCAL lock_timeout = '1ms'")
                        await conn.execute(self._sql(sql), params)
                except psycopg.errors.LockNotAvailable:
                    return False
        return True

    # -- schema ----------------------------------------------------------------------

    async def schema_version(self) -> int:
        exists = await self.fetch_value("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not exists:
            return 0
        return int(await self.fetch_value("SELECT coalesce(max(version), 0) FROM schema_migrations") or 0)

    async def migrate(self, migrations: Iterable[Any] | None = None) -> list[int]:
        """Apply every migration not yet recorded, each in one transaction with its record
        (PostgreSQL's DDL is transactional: a failing migration leaves nothing behind).
        An advisory lock keeps two processes starting at once from migrating twice."""
        todo = list(bundled_migrations(Engine.POSTGRESQL) if migrations is None else migrations)
        with _storage_errors(self.url):
            applied = await self._apply(todo)
        await self._load_primary_keys()
        return applied

    @staticmethod
    async def _missing_ledger(conn: psycopg.AsyncConnection[Any]) -> bool:
        cursor = await conn.execute("SELECT to_regclass('schema_migrations') IS NULL")
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def _apply(self, todo: list[Any]) -> list[int]:
        applied: list[int] = []
        async with self._write_lock, self._connection() as conn:
            # Created only when missing: PostgreSQL checks the right to create even for an
            # existing table, and a bot may run as a role that reads and writes the tables an
            # owner migrated, without that right.
            if await self._missing_ledger(conn):
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(7243019)")
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            cursor = await conn.execute("SELECT version FROM schema_migrations")
            done = {row[0] for row in await cursor.fetchall()}
            newest_known = max((m.version for m in todo), default=0)
            if done and max(done) > newest_known:
                raise newer_schema(self.url.display(), max(done), newest_known)
            for migration in todo:
                if migration.version in done:
                    continue
                try:
                    async with conn.transaction():
                        await conn.execute("SELECT pg_advisory_xact_lock(7243019)")
                        cursor = await conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s",
                                                    (migration.version,))
                        if await cursor.fetchone():
                            continue  # another process applied it meanwhile
                        await conn.execute(migration.sql)  # type: ignore[arg-type]  # a script: no parameters
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                            "(%s, %s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                            (migration.version, migration.name))
                except psycopg.errors.InsufficientPrivilege:
                    raise
                except psycopg.Error as exc:
                    raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: {exc}") from exc
                log.info("applied migration %04d_%s", migration.version, migration.name)
                applied.append(migration.version)
        return applied


class PostgresTransaction(Transaction):
    """One pooled connection inside one open transaction (a :class:`Transaction` to the storage
    modules, which tell "inside a transaction" from "a database" by that class)."""

    dialect = POSTGRESQL

    def __init__(self, conn: psycopg.AsyncConnection[Any], db: PostgresDatabase) -> None:
        self._conn = conn  # type: ignore[assignment]
        self._db = db

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        cursor = await self._conn.execute(self._db._sql(sql), params)
        return cursor.rowcount

    async def execute_unless_refused(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> bool:
        """:meth:`Transaction.execute_unless_refused`: inside a savepoint, so a refused
        statement does not abort the whole transaction."""
        try:
            async with self._conn.transaction():
                await self._conn.execute(self._db._sql(sql), params)
        except psycopg.IntegrityError:
            return False
        return True

    async def insert(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run an INSERT; returns the new id (``RETURNING id``)."""
        cursor = await self._conn.execute(self._db._sql(sql) + POSTGRESQL.returning_id, params)
        row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._conn.cursor() as cursor:
            await cursor.executemany(self._db._sql(sql), rows)
            explicit = _EXPLICIT_IDS.match(sql)
            if explicit:  # SQLite's next rowid follows max(id); an identity column must be told
                await cursor.execute(_SYNC_IDENTITY.format(table=explicit[1]))

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        cursor = await self._conn.execute(self._db._sql(sql), params)
        return await cursor.fetchall() if cursor.description else []

    fetch_one = Transaction.fetch_one

    async def execute_native(self, sql: str) -> None:
        """A statement in PostgreSQL's own SQL, not ported from SQLite's: the definitions
        :mod:`storage.bulk_load` reads back from the catalogue (``pg_get_indexdef``) to
        rebuild what it set aside."""
        await self._conn.execute(sql)

    async def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """``COPY table (columns) FROM STDIN``: PostgreSQL's bulk path, for :mod:`storage.bulk_load`
        (table and column names come from the code, never from input). Rows with their own
        ids move the identity on past them, as :meth:`execute_many` does."""
        async with self._conn.cursor() as cursor:
            async with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    await copy.write_row(row)
            if "id" in columns:
                await cursor.execute(_SYNC_IDENTITY.format(table=table))
