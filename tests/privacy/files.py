"""What a test reads of the stored data as it lies on disk, on either engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import BotUnderTest


def database_bytes(bot: BotUnderTest) -> bytes | None:
    """What is on disk: the SQLite file with its WAL; on PostgreSQL, after a checkpoint, the
    files of this database's tables, indexes and TOAST in the server's data directory (WAL
    apart: the server's, README § PostgreSQL). None when this process cannot read them (a
    server on another machine, or files of another user): the checks that need them then say
    so and only the SQL-visible checks run."""
    path = bot.settings.storage.target.path
    if path is not None:
        return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")) if p.is_file())
    import psycopg

    with psycopg.connect(bot.settings.storage.target.conninfo(), autocommit=True) as conn:
        try:
            conn.execute("CHECKPOINT")  # the server's buffers onto its files
            home = Path(conn.execute("SHOW data_directory").fetchone()[0])
        except psycopg.Error:  # not a superuser: no checkpoint, no data directory
            return None
        files = [home / r[0] for r in conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'i', 't') AND n.nspname IN (current_schema(), 'pg_toast')").fetchall() if r[0]]
    try:
        return b"".join(part.read_bytes() for file in files
                        for part in sorted(file.parent.glob(file.name + "*")) if part.is_file())
    except OSError:
        return None


def readable_bytes(bot: BotUnderTest) -> bytes:
    """:func:`database_bytes`, or the test is skipped (with why) where the files cannot be read."""
    raw = database_bytes(bot)
    if raw is None:
        pytest.skip("the PostgreSQL server's files cannot be read from this process")
    return raw
