"""Working sets of one import that grow with its file, kept on disk instead of in Python objects.

Two things an import must hold for the whole walk over a file grow with the file, not with
its chunk: the XLSX shared-string table (every distinct text of the workbook, any of which a
later cell may name by index) and the in-file digests (one per row: a row naming a record an
earlier row named is a duplicate; a later row may join a family or sasaran an earlier row
will create). As Python objects they took ~70 bytes a text and ~70 bytes a digest, plus the
XML nodes behind them: at 200,000 rows ~60 MiB, most of what the import's peak grew by
(``bench/bench_impor.py``, ``bench/RESULTS.md`` section 5).

Each lives here in a private temporary SQLite database (``sqlite3.connect("")``): SQLite
keeps its pages in a cache capped at :data:`CACHE_KIB` and writes the rest to an anonymous
file of its own that is deleted when the connection closes (or the process dies), so the
memory they take stays the same whatever the size of the file imported. Nothing here is
durable, nor needs to be: a resumed import walks its file from the start again and rebuilds
both (the ledger in :mod:`storage.impor` is what makes it resumable).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from storage.in_lists import in_lists

#: The page cache of each scratch database, KiB: what it may hold in memory.
CACHE_KIB = 1024

def _private_database() -> sqlite3.Connection:
    """A temporary database of this connection alone. ``check_same_thread`` off: the
    reader of an import runs in worker threads, one after another, never at once."""
    conn = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA journal_mode = OFF")  # nothing to roll back: it dies with the import
    conn.execute("PRAGMA synchronous = OFF")
    return conn


def _write(conn: sqlite3.Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """One statement for many rows in one transaction (all of them or, on an error, none)."""
    conn.execute("BEGIN")
    try:
        conn.executemany(sql, rows)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class DigestSets:
    """Sets of 64-bit signed integers, one per ``kind`` (a small int the caller chooses).

    Asked a chunk at a time (:meth:`known`), so a chunk of 500 rows costs one query per
    kind, not one per row. Keys must fit SQLite's INTEGER: ``-2**63 <= key < 2**63``.
    """

    def __init__(self) -> None:
        self._conn = _private_database()
        self._conn.execute("CREATE TABLE digest (kind INTEGER NOT NULL, key INTEGER NOT NULL, "
                           "PRIMARY KEY (kind, key)) WITHOUT ROWID")

    def add(self, kind: int, keys: Iterable[int]) -> None:
        """Put ``keys`` into the set ``kind`` (keys already there are left as they are)."""
        _write(self._conn, "INSERT OR IGNORE INTO digest (kind, key) VALUES (?, ?)", ((kind, key) for key in keys))

    def known(self, kind: int, keys: Iterable[int]) -> set[int]:
        """The ones of ``keys`` that are in the set ``kind``."""
        found: set[int] = set()
        for marks, batch in in_lists(set(keys)):
            rows = self._conn.execute(f"SELECT key FROM digest WHERE kind = ? AND key IN ({marks})", (kind, *batch))
            found.update(r[0] for r in rows)
        return found

    def close(self) -> None:
        self._conn.close()


class TextTable:
    """A list of texts, appended in order and read back by index, like ``list[str]``:
    ``table[i]`` is the i-th text appended (IndexError past the end or below 0). Read many
    at once (:meth:`many`): an XLSX reader asks for a batch of rows' texts in one query."""

    def __init__(self) -> None:
        self._conn = _private_database()
        self._conn.execute("CREATE TABLE text (i INTEGER PRIMARY KEY, s TEXT NOT NULL)")
        self._length = 0

    def extend(self, texts: Iterable[str]) -> None:
        """Append ``texts`` after the ones already there, in order."""
        for _, batch in in_lists(texts):
            _write(self._conn, "INSERT INTO text (i, s) VALUES (?, ?)", enumerate(batch, self._length))
            self._length += len(batch)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> str:
        return self.many((index,))[index]

    def many(self, indexes: Iterable[int]) -> dict[int, str]:
        """Index -> text for each of ``indexes``; IndexError if one is not below :func:`len`."""
        wanted = set(indexes)
        if any(not 0 <= i < self._length for i in wanted):
            raise IndexError(sorted(i for i in wanted if not 0 <= i < self._length)[0])
        found: dict[int, str] = {}
        for marks, batch in in_lists(wanted):
            found.update(self._conn.execute(f"SELECT i, s FROM text WHERE i IN ({marks})", batch).fetchall())
        return found

    def close(self) -> None:
        self._conn.close()
