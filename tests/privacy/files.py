"""What a test reads of the stored data as it lies on disk, on either engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import BotUnderTest


def database_files(bot: BotUnderTest) -> dict[str, bytes] | None:
    """What is on disk, by file: the SQLite file with its WAL; on PostgreSQL, after a
    checkpoint, the files of this database's tables, indexes and TOAST in the server's data
    directory, by relation (each with its segments and forks; WAL apart: the server's,
    README § PostgreSQL). None when this process cannot read them (a server on another
    machine, or files of another user): the checks that need them then say so and only the
    SQL-visible checks run."""
    path = bot.settings.storage.target.path
    if path is not None:
        return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")) if p.is_file()}
    import psycopg

    with psycopg.connect(bot.settings.storage.target.conninfo(), autocommit=True) as conn:
        try:
            conn.execute("CHECKPOINT")  # the server's buffers onto its files
            home = Path(conn.execute("SHOW data_directory").fetchone()[0])
        except psycopg.Error:  # not a superuser: no checkpoint, no data directory
            return None
        relations = conn.execute(
            "SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'i', 't')"
            " AND n.nspname IN (current_schema(), 'pg_toast')").fetchall()
    out: dict[str, bytes] = {}
    try:
        for name, where in relations:
            if not where:
                continue
            file = home / where
            for part in sorted(file.parent.glob(file.name + "*")):
                # the file itself, its segments (.1, .2) and forks (_fsm, _vm); not another
                # relation's file whose number merely starts with the same digits
                if part.is_file() and (part.name == file.name or part.name[len(file.name)] in "._"):
                    out[f"{name} ({part.name})"] = part.read_bytes()
    except OSError:
        return None
    return out


def database_bytes(bot: BotUnderTest) -> bytes | None:
    """:func:`database_files` joined: everything on disk as one byte string, or None."""
    files = database_files(bot)
    return None if files is None else b"".join(files.values())


def holding(bot: BotUnderTest, value: bytes) -> list[str]:
    """Which of :func:`database_files` hold ``value``: for a failure's message."""
    return [name for name, content in (database_files(bot) or {}).items() if value in content]


def readable_bytes(bot: BotUnderTest) -> bytes:
    """:func:`database_bytes`, or the test is skipped (with why) where the files cannot be read."""
    raw = database_bytes(bot)
    if raw is None:
        pytest.skip("the PostgreSQL server's files cannot be read from this process")
    return raw
