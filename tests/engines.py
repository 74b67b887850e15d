"""Both storage engines for the tests: a SQLite file in ``tmp_path`` or a fresh PostgreSQL database.

PostgreSQL is reached only through ``TPK_TEST_POSTGRES_URL`` (default the local server). Each
PostgreSQL test gets ``CREATE DATABASE tpk_test_<random>``, dropped afterwards whatever the
test did. Without a reachable server those tests are skipped with one reason, unless
``TPK_POSTGRES_TESTS=required`` (as ``.ci/run`` sets it), which makes them fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from pathlib import Path

import pytest

from storage.url import Engine, StorageURL, parse

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
ENGINES = [Engine.SQLITE.value, Engine.POSTGRESQL.value]


def server_url() -> StorageURL:
    return parse(os.environ.get("TPK_TEST_POSTGRES_URL", DEFAULT_URL))


def required() -> bool:
    return os.environ.get("TPK_POSTGRES_TESTS", "").strip().lower() == "required"


@cache
def unreachable_reason() -> str | None:
    """None when the server answers; else why not (checked once per test session)."""
    import psycopg

    url = server_url()
    try:
        psycopg.connect(url.conninfo(), connect_timeout=3).close()
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split())[:160]
        return f"PostgreSQL tidak terjangkau di {url.display()} (TPK_TEST_POSTGRES_URL): {detail}"
    return None


def skipped_summary() -> str | None:
    """The one line ``make test`` ends with when the PostgreSQL half did not run."""
    # Asked here too, not only when a test asked: under pytest-xdist the workers ask, and this
    # summary runs in the controller, which would otherwise never know.
    reason = unreachable_reason()
    if reason is None:
        return None
    return f"{reason} — tes PostgreSQL dilewati; TPK_POSTGRES_TESTS=required membuatnya gagal"


def skip_unless_reachable() -> None:
    reason = unreachable_reason()
    if reason is not None:
        if required():
            pytest.fail(f"{reason} — TPK_POSTGRES_TESTS=required", pytrace=False)
        pytest.skip(f"PostgreSQL tidak terjangkau di {server_url().display()}")


@contextmanager
def fresh_postgres(*, migrated: bool = False) -> Iterator[StorageURL]:
    """A new database on the test server, dropped afterwards (its connections too): empty, or
    (``migrated``) a copy of :func:`_template` — every migration applied and Kota Serang's
    regions loaded, which saves each test the ~2 s of doing it. Synchronous, so CLI tests
    (which run their own event loop) can use it as well."""
    import psycopg

    skip_unless_reachable()
    url = server_url()
    # Unique per xdist worker and per test, so parallel workers never meet on one name.
    name = f"tpk_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(6)}"
    # WAL_LOG, not FILE_COPY: FILE_COPY forces a checkpoint of the whole server per copy, which
    # parallel workers wait on (20 s setups measured); WAL_LOG took 0.11 s against 0.32 s idle.
    template = f' TEMPLATE "{_template()}" STRATEGY WAL_LOG' if migrated else ""
    with psycopg.connect(url.conninfo(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{template}')
        try:
            yield url.with_database(name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@cache
def _template() -> str:
    """``tpk_template_<digest of the migrations and the region list>``, built once (under an
    advisory lock, for parallel workers) and kept."""
    import asyncio
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    from storage import regions as regions_store
    from storage.db import bundled_migrations
    from storage.engine import open_database

    digest = hashlib.sha256()
    for migration in bundled_migrations(Engine.POSTGRESQL):
        digest.update(migration.sql.encode())
    digest.update(regions_store.DEFAULT_CSV.read_bytes())
    name = f"tpk_template_{digest.hexdigest()[:12]}"
    url = server_url()

    async def build(target: StorageURL) -> None:
        db = await open_database(target)
        try:
            await db.migrate()
            await regions_store.load_root(db, regions_store.DEFAULT_CSV, "36.73")
        finally:
            await db.close()

    with psycopg.connect(url.conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(7243020)")
        try:
            names = [r[0] for r in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'tpk\\_template\\_%'").fetchall()]
            # Templates of other digests stay: another checkout or a run of other code may be
            # cloning one right now (dropping them broke parallel runs). Drop them by hand.
            if name not in names:
                building = f"{name}_building"
                admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{building}"')
                with ThreadPoolExecutor(1) as thread:  # the caller may be inside an event loop
                    thread.submit(asyncio.run, build(url.with_database(building))).result()
                admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            admin.execute("SELECT pg_advisory_unlock(7243020)")
    return name


@asynccontextmanager
async def storage_for(engine: str, tmp_path: Path, name: str = "tpk.sqlite3", *,
                      migrated: bool = True) -> AsyncIterator[StorageURL]:
    """A new database on ``engine``; on PostgreSQL already migrated unless ``migrated=False``
    (SQLite migrates a new file in a few milliseconds, so its file always starts empty)."""
    if engine == Engine.SQLITE.value:
        yield StorageURL.sqlite(tmp_path / name)
    else:
        with fresh_postgres(migrated=migrated) as url:
            yield url
