"""One bot per database: an OS lock on a file next to it, held while the bot runs.

Two bots on one SQLite file would both run the reminder dispatcher and both answer
every member (with one token, Telegram hands each update to only one of them). The
lock is ``flock`` on ``<database>.lock``: the kernel drops it when the process ends,
however it ends (SIGKILL included), so a crash never leaves a stale lock behind, and
the file itself is never deleted (deleting it would let two starts each lock a
different file). The backup command and other tools do not take it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import unavailable


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
