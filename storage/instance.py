"""One bot per database: an OS lock on a file next to it, held while the bot runs.

Two bots on one SQLite file would both run the reminder dispatcher and both answer
every member (with one token, Telegram hands each update to only one of them). The
lock is ``flock`` on ``<database>.lock``: the kernel drops it when the process ends,
however it ends (SIGKILL included), so a crash never leaves a stale lock behind, and
the file itself is never deleted (deleting it would let two starts each lock a
different file). The backup command and other tools do not take it.

On PostgreSQL there is no file next to the database: :func:`instance_lock_for` holds a
session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own for as
long as the bot runs; the server drops it when that connection ends, however the process
ends, exactly like ``flock``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import unavailable
from storage.url import Engine, StorageURL

#: The advisory lock key of "a bot runs on this database" (any constant: one per database).
PG_INSTANCE_KEY = 7243021


class AlreadyRunning(RuntimeError):
    """Another process holds the lock of this database."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def instance_lock(database: Path) -> Iterator[None]:
    """Hold the database's instance lock, or raise :class:`AlreadyRunning` at once."""
    path = lock_path(database)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise unavailable(database, error) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise AlreadyRunning(
                f"bot lain (proses {holder}) sudah berjalan dengan basis data {database} — hentikan dulu "
                "yang lama; dua bot pada satu basis data akan mengirim pengingat dua kali") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def instance_lock_for(target: StorageURL, password: str = "") -> Iterator[None]:
    """The instance lock of the configured engine: the file lock, or PostgreSQL's advisory lock."""
    if target.engine is Engine.SQLITE:
        with instance_lock(target.path or Path()):
            yield
        return
    import psycopg  # only on PostgreSQL: SQLite never loads the driver

    with psycopg.connect(target.conninfo(password), autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (PG_INSTANCE_KEY,)).fetchone()
        if not row or not row[0]:
            holder = conn.execute(
                "SELECT string_agg(pid::text, ', ') FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                (PG_INSTANCE_KEY,)).fetchone()
            raise AlreadyRunning(
                f"bot lain (koneksi server {holder[0] if holder and holder[0] else '?'}) sudah berjalan dengan "
                f"basis data {target.display()} — hentikan dulu yang lama; dua bot pada satu basis data akan "
                "mengirim pengingat dua kali")
        yield
