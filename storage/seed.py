"""The demo seeder's writes (:mod:`bot.dev.seed`): bulk inserts, ``executemany`` inside large
transactions, so a million target members take minutes. The rows come ready-made in column
order; the rekap counters follow through the database triggers as for any other write.
Also the checks that keep demo data out of a database that already holds records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage import catalogue, risk_history
from storage.db import Database, Transaction
from storage.scope import within

Rows = Sequence[tuple[Any, ...]]
_ID_TABLES = frozenset({"keluarga", "sasaran", "kunjungan"})


async def holds_keluarga(db: Database) -> bool:
    return bool(await db.fetch_value("SELECT count(*) FROM keluarga"))


async def holds_sasaran(db: Database) -> bool:
    return bool(await db.fetch_value("SELECT count(*) FROM sasaran"))


async def next_id(db: Database | Transaction, table: str) -> int:
    """The first free id of ``keluarga``, ``sasaran`` or ``kunjungan`` (the seeder assigns ids itself)."""
    if table not in _ID_TABLES:
        raise ValueError(f"no ids assigned for table {table!r}")
    row = await db.fetch_one(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return int(row[0] if row else 1)


async def desa_codes(db: Database, root: str) -> list[str]:
    """Every desa/kelurahan at or under ``root``, in code order."""
    inside, params = within("code", root)
    rows = await db.fetch_all(f"SELECT code FROM regions WHERE level = 4 AND {inside} ORDER BY code", params)
    return [r[0] for r in rows]


#: The columns of each table the seeder writes, in the order its rows come (parents first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "full_name", "role", "region_code", "team_position", "status", "created_at", "updated_at"),
    "keluarga": ("id", "region_code", "rt", "rw", "address", "head_name", "no_kk_enc", "no_kk_hash", "no_kk_masked",
                 "water_source", "latrine", "berisiko", "answers_json", "reporter_id", "created_at", "updated_at"),
    "keluarga_risk": ("keluarga_id", "code", "reason"),
    "sasaran": ("id", "keluarga_id", "region_code", "category", "name", "nik_enc", "nik_hash", "nik_masked", "sex",
                "birth_date", "hpht", "hpl", "delivery_date", "status", "ended_reason", "ended_on", "reporter_id",
                "created_at", "updated_at"),
    "sasaran_flag": ("sasaran_id", "code", "reason"),
    "kunjungan": ("id", "sasaran_id", "region_code", "reporter_id", "visited_on", "kind", "outcome", "weight_kg",
                  "height_cm", "measured_lying", "lila_cm", "hb", "haz", "waz", "whz", "stunted", "wasted",
                  "underweight", "created_at"),
}


def _insert(table: str, verb: str = "INSERT") -> str:
    columns = COLUMNS[table]
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


async def member_ids_from(db: Database, first: int) -> set[int]:
    """The ids of the users at or above ``first`` (the demo members' range)."""
    return {r[0] for r in await db.fetch_all("SELECT id FROM users WHERE id >= ?", (first,))}


async def add_members(tx: Transaction, rows: Rows) -> None:
    """Demo TPK members (:data:`COLUMNS` ``users``); those already there are kept."""
    await tx.execute_many(_insert("users", "INSERT OR IGNORE"), rows)


async def add_batch(db: Database, *, keluarga: Rows, risks: Rows, sasaran: Rows, flags: Rows, kunjungan: Rows) -> None:
    """One transaction of families, their KRS factors, members, member flags and visits."""
    async with db.transaction() as tx:
        for table, rows in (("keluarga", keluarga), ("keluarga_risk", risks), ("sasaran", sasaran),
                            ("sasaran_flag", flags), ("kunjungan", kunjungan)):
            await tx.execute_many(_insert(table), rows)
        if "rekap_state_span" in await catalogue.table_names(tx):  # not in old benches
            await risk_history.open_spans_for(tx, [row[0] for row in keluarga], [row[0] for row in sasaran])
