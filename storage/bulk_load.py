"""Loading records in bulk into PostgreSQL: ``COPY`` with the counter triggers off, then one
recount of every /rekap counter.

Each row fires a chain of triggers on PostgreSQL: a member's spans, then each counter row
they touch, then its roll-ups and running total, about 37 upserts and 1.2 ms of the server
per sasaran (bench/RESULTS.md, section 7). ``COPY`` fires row triggers as ``INSERT`` does,
so ten million members would take the server 4–5 hours however they arrive. A load into a
deployment the bot is not running on (the national benchmark, a first copy of a national
by-name list) therefore copies the records with every user trigger of the counted tables
off and then recounts with :func:`storage.rekap.recount_without_triggers`: one grouped
statement per kind of counter, into the same counter tables the triggers keep, with the
same values (``tests/rekap/test_bulk_recount.py`` compares them after every kind of change).

All of it is one transaction, so a load that fails leaves nothing. ``ALTER TABLE …
DISABLE TRIGGER`` holds each table's exclusive lock until the end: nothing else reads or
writes them meanwhile, which is why the bot must not be running. The triggers switched off
include the phone sealing of migration 0008, which has nothing to check: the columns loaded
(:data:`storage.seed.COLUMNS`) hold no phone number. SQLite has no way to switch triggers off; its deployments are
small enough for the triggers (:func:`storage.seed.add_batch`). The copied tables' foreign keys
and non-unique indexes are set aside while the rows come and built again before the recount
(:func:`_set_aside`).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass, field

from storage import risk_history, seed
from storage.postgres import PostgresDatabase, PostgresTransaction
from storage.rekap import COUNTER_TRIGGER_TABLES, recount_without_triggers
from storage.seed import COLUMNS, Rows

#: The tables a load writes, parents first, with the counter tables their triggers feed.
_TABLES = (*COLUMNS, "reminders", *COUNTER_TRIGGER_TABLES)
#: Memory for each sort and grouping of the load's transaction (PostgreSQL's default is 4 MB):
#: the recount groups tens of millions of counter rows, which at 4 MB go to disk in thousands
#: of runs. Only this transaction gets it (``SET LOCAL``); bench/RESULTS.md section 7 has the effect.
WORK_MEM = "1GB"


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)


async def load(db: PostgresDatabase, batches: AsyncIterable[Mapping[str, Rows]] | None) -> LoadReport:
    """Copy every batch (rows per table of :data:`storage.seed.COLUMNS`, in its column order;
    ids above those already there), open the risk-state spans of the families and members that
    came (as :func:`storage.seed.add_batch` does), and recount every counter, in one
    transaction. ``None``: no rows, only the recount."""
    if not isinstance(db, PostgresDatabase):
        raise TypeError("storage.bulk_load is for PostgreSQL; on SQLite the triggers count (storage.seed)")
    report = LoadReport()
    async with db.transaction() as tx:
        assert isinstance(tx, PostgresTransaction)
        await tx.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        for table in _TABLES:
            await tx.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        first = {table: await seed.next_id(tx, table) for table in ("keluarga", "sasaran")}
        if batches is not None:
            restore = await _set_aside(tx, tuple(COLUMNS))
            async for batch in batches:
                for table, rows in batch.items():
                    await tx.copy_rows(table, COLUMNS[table], rows)
                    report.rows[table] = report.rows.get(table, 0) + len(rows)
            for statement in restore:
                await tx.execute_native(statement)
        await risk_history.open_spans_from(tx, first["keluarga"], first["sasaran"])
        await recount_without_triggers(tx)
        for table in _TABLES:
            await tx.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return report


async def _set_aside(tx: PostgresTransaction, tables: tuple[str, ...]) -> list[str]:
    """Drop the copied tables' foreign keys and non-unique indexes; returns the statements
    that put them back, indexes first. PostgreSQL's advice for a bulk load ("Populating a
    Database"): otherwise each row copied looks its parents up once per foreign key and
    enters every index at a random place. At ten million sasaran the copy took 14.8 times
    as long as at one million, with the server, not the generator, the bound
    (bench/RESULTS.md section 7). ``CREATE INDEX`` sorts once;
    ``ADD CONSTRAINT … FOREIGN KEY`` checks every row in one join, and fails the load (and
    so leaves nothing) if a row has no parent. Primary keys and unique constraints stay: the
    ids must not clash while the rows come."""
    indexes, foreign_keys = [], []
    for table in tables:
        for name, definition in await tx.fetch_all(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid = ?::regclass AND NOT i.indisunique AND NOT i.indisprimary", (table,)):
            await tx.execute_native(f"DROP INDEX {name}")
            indexes.append(definition)
        for name, definition in await tx.fetch_all(
                "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = ?::regclass AND contype = 'f'", (table,)):
            await tx.execute_native(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            foreign_keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    return indexes + foreign_keys


async def recount(db: PostgresDatabase) -> None:
    """Every counter recounted without a trigger per row (after a load, or to repair); with
    no rows to copy, nothing is set aside."""
    await load(db, None)
