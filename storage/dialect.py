"""What differs between the engines, in one place.

Storage modules write SQLite's SQL (``?`` placeholders, ``INSERT OR IGNORE``, ``INDEXED BY``)
and keep one API (:class:`storage.db.Database`). On PostgreSQL :meth:`Dialect.translate`
rewrites each statement once (cached): placeholders become psycopg's ``%s`` (and a literal
``%`` becomes ``%%``), ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``, ``INSERT OR
REPLACE`` an upsert on the table's primary key (read from the catalogue), SQLite's index hints
are dropped. Functions SQLite has and PostgreSQL lacks (``strftime``, ``date``,
``group_concat``) and the ``NOCASE`` collation are provided on PostgreSQL by migration
``0001_foundation.postgresql.sql``, so the statements themselves stay as they are.

What a statement cannot say the same way on both is a property here, used by the module that
needs it: the row lock of a claim (:meth:`Dialect.lock`, ``FOR UPDATE [SKIP LOCKED]``) and
``RETURNING id`` of an insert; the catalogue queries are :mod:`storage.catalogue`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from storage.sqlite_to_postgresql import port_statement
from storage.url import Engine

_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)
_INDEXED_BY = re.compile(r"\bINDEXED\s+BY\s+\w+\s*", re.IGNORECASE)
_NAMED = re.compile(r":([A-Za-z_]\w*)")


class DialectError(RuntimeError):
    """A statement that has no translation (a programming error, named in the message)."""


@dataclass(frozen=True)
class Dialect:
    engine: Engine
    #: Appended to an ``INSERT`` whose new id is wanted (SQLite reads ``lastrowid`` instead).
    returning_id: str
    #: Makes the connection overwrite deleted content (erasure); PostgreSQL has no such switch.
    secure_delete: str | None

    def lock(self, of: str | None = None, *, skip_locked: bool = False) -> str:
        """Appended to a ``SELECT`` inside a transaction that will change the rows it read.

        SQLite: nothing (``BEGIN IMMEDIATE`` already holds the database's one write lock).
        PostgreSQL: ``FOR UPDATE`` (``OF`` the table alias whose rows are taken, not the joined
        ones), with ``SKIP LOCKED`` for claims: two dispatchers never take the same row, and
        neither waits for the other.
        """
        if self.engine is Engine.SQLITE:
            return ""
        return " FOR UPDATE" + (f" OF {of}" if of else "") + (" SKIP LOCKED" if skip_locked else "")

    def translate(self, sql: str, primary_key: Callable[[str], Sequence[str]] | None = None) -> str:
        """The statement as this engine takes it; SQLite's is the source, returned unchanged."""
        if self.engine is Engine.SQLITE:
            return sql
        return _to_postgresql(sql, primary_key)


SQLITE = Dialect(Engine.SQLITE, returning_id="", secure_delete="PRAGMA secure_delete = ON")
POSTGRESQL = Dialect(Engine.POSTGRESQL, returning_id=" RETURNING id", secure_delete=None)


def for_engine(engine: Engine) -> Dialect:
    return SQLITE if engine is Engine.SQLITE else POSTGRESQL


def _to_postgresql(sql: str, primary_key: Callable[[str], Sequence[str]] | None) -> str:
    sql = _placeholders(port_statement(sql, primary_key))
    sql = _INDEXED_BY.sub("", sql)
    match = _INSERT_OR.match(sql)
    if match:
        verb, table, columns = match[1].upper(), match[2], [c.strip() for c in match[3].split(",")]
        head = f"INSERT INTO {table} ({', '.join(columns)})"
        sql = head + sql[match.end():]
        if verb == "IGNORE":
            sql += " ON CONFLICT DO NOTHING"
        else:
            if primary_key is None:
                raise DialectError(f"INSERT OR REPLACE INTO {table}: no primary key lookup")
            key = list(primary_key(table))
            rest = [c for c in columns if c not in key]
            if not key:
                raise DialectError(f"INSERT OR REPLACE INTO {table}: the table has no primary key")
            action = (f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in rest)}" if rest else "DO NOTHING")
            sql += f" ON CONFLICT ({', '.join(key)}) {action}"
    return sql


@lru_cache(maxsize=4096)
def _placeholders(sql: str) -> str:
    """``?`` → ``%s``, ``:name`` → ``%(name)s`` and ``%`` → ``%%``, outside quotes and comments."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # a doubled quote inside the literal
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
        elif c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif c == "?":
            out.append("%s")
            i += 1
        elif c == "%":
            out.append("%%")
            i += 1
        elif c == ":" and (named := _NAMED.match(sql, i)) and not sql.startswith("::", i) and (
                i == 0 or sql[i - 1] != ":"):
            out.append(f"%({named[1]})s")
            i = named.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)

