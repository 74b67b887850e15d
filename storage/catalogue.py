"""What the schema holds, read from each engine's own catalogue in one shape.

SQLite answers from ``sqlite_master`` and ``pragma_table_info`` / ``pragma_index_list`` /
``pragma_index_info`` / ``pragma_foreign_key_list``; PostgreSQL from ``information_schema``
and ``pg_index``. :func:`describe` is what ``tests/foundation/test_engines.py`` compares:
the same migrations must give the same tables, columns, keys and indexes on both.
Column types are compared by family (SQLite's INTEGER is PostgreSQL's BIGINT).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.url import Engine

_FAMILY = {"integer": "integer", "bigint": "integer", "text": "text", "real": "real", "double precision": "real"}


@dataclass(frozen=True)
class Column:
    name: str
    family: str
    not_null: bool


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool
    partial: bool


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    #: Each foreign key as (columns, referenced table, referenced columns).
    foreign_keys: frozenset[tuple[tuple[str, ...], str, tuple[str, ...]]]
    #: Named indexes, and the column sets of UNIQUE constraints (which each engine names its own way).
    indexes: frozenset[Index]
    unique: frozenset[tuple[str, ...]]


async def table_names(db: Any) -> set[str]:
    if db.dialect.engine is Engine.SQLITE:
        rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        rows = await db.fetch_all("SELECT table_name FROM information_schema.tables "
                                  "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    return {r[0] for r in rows}


async def column_names(db: Any, table: str) -> list[str]:
    if db.dialect.engine is Engine.SQLITE:
        return [r[0] for r in await db.fetch_all("SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,))]
    return [r[0] for r in await db.fetch_all(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position", (table,))]


async def describe(db: Any) -> dict[str, Table]:
    reader = _sqlite_table if db.dialect.engine is Engine.SQLITE else _postgresql_table
    return {name: await reader(db, name) for name in sorted(await table_names(db))}


async def _sqlite_table(db: Any, name: str) -> Table:
    info = await db.fetch_all("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", (name,))
    # A primary key column counts as NOT NULL (PostgreSQL makes it so; SQLite lets a rowid
    # table's TEXT key hold NULL, a quirk the storage modules never use).
    columns = tuple(Column(r[0], _FAMILY[r[1].lower()], bool(r[2]) or r[3] > 0) for r in info)
    primary_key = tuple(r[0] for r in sorted((r for r in info if r[3]), key=lambda r: r[3]))
    fks: dict[int, list[Any]] = {}
    for r in await db.fetch_all('SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?)', (name,)):
        fks.setdefault(r[0], []).append(r)
    foreign = frozenset((tuple(r[3] for r in rows), rows[0][2], tuple(r[4] or "id" for r in rows))
                        for rows in (sorted(v, key=lambda r: r[1]) for v in fks.values()))
    indexes, unique = set(), set()
    for r in await db.fetch_all("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", (name,)):
        cols = tuple(c[0] for c in await db.fetch_all(
            "SELECT coalesce(name, '<expr>') FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno", (r[0],)))
        if r[2] == "c":
            indexes.add(Index(r[0], cols, bool(r[1]), bool(r[3])))
        elif r[2] == "u":
            unique.add(cols)
    return Table(name, columns, primary_key, foreign, frozenset(indexes), frozenset(unique))


async def _postgresql_table(db: Any, name: str) -> Table:
    info = await db.fetch_all(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position", (name,))
    columns = tuple(Column(r[0], _FAMILY[r[1]], r[2] == "NO") for r in info)
    rows = await db.fetch_all(
        "SELECT i.indexrelid::regclass::text, i.indisprimary, i.indisunique, i.indpred IS NOT NULL, "
        "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u')), "
        "array(SELECT coalesce(a.attname, '<expr>') FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) "
        "      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "      WHERE k.pos <= i.indnkeyatts ORDER BY k.pos) "
        "FROM pg_index i WHERE i.indrelid = ?::regclass", (name,))
    primary_key: tuple[str, ...] = ()
    indexes, unique = set(), set()
    for index_name, primary, is_unique, partial, constraint, cols in rows:
        if primary:
            primary_key = tuple(cols)
        elif constraint:
            unique.add(tuple(cols))
        else:
            indexes.add(Index(index_name, tuple(cols), is_unique, partial))
    fk_rows = await db.fetch_all(
        "SELECT c.conname, array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(n, p) "
        "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.p), "
        "c.confrelid::regclass::text, array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(n, p) "
        "  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.p) "
        "FROM pg_constraint c WHERE c.conrelid = ?::regclass AND c.contype = 'f'", (name,))
    foreign = frozenset((tuple(r[1]), r[2], tuple(r[3])) for r in fk_rows)
    return Table(name, columns, primary_key, foreign, frozenset(indexes), frozenset(unique))
