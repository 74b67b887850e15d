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
        return f"PostgreSQL tidak terjangkau di {url.display()} (TPK_TEST_POSTGRES_URL): {str(exc).strip()[:120]}"
    return None


def skip_unless_reachable() -> None:
    reason = unreachable_reason()
    if reason is not None:
        if required():
            pytest.fail(f"{reason} — TPK_POSTGRES_TESTS=required", pytrace=False)
        pytest.skip(reason)


@contextmanager
def fresh_postgres() -> Iterator[StorageURL]:
    """A new, empty database on the test server, dropped afterwards (its connections too).
    Synchronous, so CLI tests (which run their own event loop) can use it as well."""
    import psycopg

    skip_unless_reachable()
    url = server_url()
    name = f"tpk_test_{secrets.token_hex(6)}"
    with psycopg.connect(url.conninfo(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.with_database(name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def storage_for(engine: str, tmp_path: Path, name: str = "tpk.sqlite3") -> AsyncIterator[StorageURL]:
    if engine == Engine.SQLITE.value:
        yield StorageURL.sqlite(tmp_path / name)
    else:
        with fresh_postgres() as url:
            yield url
