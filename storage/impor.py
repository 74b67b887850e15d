"""Imports of by-name lists: the import record, its row ledger, remembered header
mappings, the lookups that match a file's rows to stored records, and undo.

The ledger (``impor_row``) is written in the same transaction as the records of its
chunk, so after a crash a resumed import skips exactly the rows already written and
redoes the rest: nothing is lost and nothing doubles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import audit, catalogue
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import to_db

#: Import column key -> keluarga column (``answers.<key>`` for the family form's answers).
KELUARGA_COLUMNS = {"rt": "rt", "rw": "rw", "alamat": "address", "kepala": "head_name", "air": "water_source",
                    "jamban": "latrine", "pus": "answers.pus", "istri_lahir": "answers.istri_lahir",
                    "anak": "answers.anak", "anak_terakhir": "answers.anak_terakhir", "hamil": "answers.hamil",
                    "kb": "answers.kb"}
#: Import column key -> sasaran column.
SASARAN_COLUMNS = {"kategori": "category", "nama": "name", "jk": "sex", "lahir": "birth_date", "hpht": "hpht",
                   "hpl": "hpl", "persalinan": "delivery_date"}


@dataclass(frozen=True)
class Impor:
    id: int
    file_hash: str
    file_name: str
    source: str
    actor_id: int
    scope: str
    file_id: str | None
    mapping: dict[str, dict[str, str]]  # sheet -> {column index: key}
    use_file: frozenset[str]
    state: str
    counts: dict[str, int]
    created_at: str
    finished_at: str | None


_COLS = ("id, file_hash, file_name, source, actor_id, scope, file_id, mapping_json, use_file_json, state, "
         "counts_json, created_at, finished_at")


def _impor(row: Any) -> Impor:
    return Impor(id=row["id"], file_hash=row["file_hash"], file_name=row["file_name"], source=row["source"],
                 actor_id=row["actor_id"], scope=row["scope"], file_id=row["file_id"],
                 mapping=json.loads(row["mapping_json"]), use_file=frozenset(json.loads(row["use_file_json"])),
                 state=row["state"], counts=json.loads(row["counts_json"]), created_at=row["created_at"],
                 finished_at=row["finished_at"])


# -- header mappings --------------------------------------------------------------------


async def remembered_mapping(db: Database, signature: str) -> dict[int, str] | None:
    text = await db.fetch_value("SELECT mapping_json FROM impor_mapping WHERE signature = ?", (signature,))
    return None if text is None else {int(k): v for k, v in json.loads(text).items()}


async def remember_mapping(db: Database, signature: str, mapping: dict[int, str], *, user_id: int | None,
                           now: datetime) -> None:
    await db.write("INSERT INTO impor_mapping (signature, mapping_json, updated_by, updated_at) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (signature) DO UPDATE SET mapping_json = excluded.mapping_json, "
                   "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                   (signature, json.dumps({str(k): v for k, v in sorted(mapping.items())}), user_id, to_db(now)))


# -- the import record ------------------------------------------------------------------


async def create(db: Database, *, file_hash: str, file_name: str, actor_id: int, scope: str, file_id: str | None,
                 mapping: dict[str, dict[int, str]], now: datetime) -> int:
    async with db.transaction() as tx:
        return await tx.insert(
            "INSERT INTO impor (file_hash, file_name, source, actor_id, scope, file_id, mapping_json, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (file_hash, file_name, f"impor {file_name}", actor_id, scope, file_id, _mapping_json(mapping), to_db(now)))


def _mapping_json(mapping: dict[str, dict[int, str]]) -> str:
    return json.dumps({sheet: {str(k): v for k, v in cols.items()} for sheet, cols in mapping.items()},
                      ensure_ascii=False, sort_keys=True)


async def get(db: Database, impor_id: int, *, scope: str) -> Impor | None:
    """One import made inside ``scope`` (a coordinator sees the imports of their area)."""
    inside, params = within("scope", scope)
    row = await db.fetch_one(f"SELECT {_COLS} FROM impor WHERE id = ? AND {inside}", (impor_id, *params))
    return _impor(row) if row else None


async def resumable(db: Database, file_hash: str, scope: str) -> Impor | None:
    """The unfinished import of the same file in the same area, to continue."""
    row = await db.fetch_one(f"SELECT {_COLS} FROM impor WHERE file_hash = ? AND scope = ? AND state = 'running' "
                             "ORDER BY id DESC LIMIT 1", (file_hash, scope))
    return _impor(row) if row else None


async def cut_off(db: Database, boot_id: str) -> list[Impor]:
    """Imports left running by another process (a crash or a restart), not the ones this process runs."""
    rows = await db.fetch_all(f"SELECT {_COLS} FROM impor WHERE state = 'running' AND coalesce(boot_id, '') != ? "
                              "ORDER BY id", (boot_id,))
    return [_impor(r) for r in rows]


async def set_mapping(db: Database, impor_id: int, mapping: dict[str, dict[int, str]]) -> None:
    await db.write("UPDATE impor SET mapping_json = ? WHERE id = ?", (_mapping_json(mapping), impor_id))


async def set_use_file(db: Database, impor_id: int, columns: Iterable[str]) -> None:
    await db.write("UPDATE impor SET use_file_json = ? WHERE id = ?", (json.dumps(sorted(columns)), impor_id))


async def set_state(db: Database, impor_id: int, state: str, *, counts: dict[str, int] | None = None,
                    now: datetime | None = None) -> None:
    if counts is None:
        await db.write("UPDATE impor SET state = ? WHERE id = ?", (state, impor_id))
        return
    await db.write("UPDATE impor SET state = ?, counts_json = ?, finished_at = ? WHERE id = ?",
                   (state, json.dumps(counts, sort_keys=True), to_db(now) if now else None, impor_id))


async def start(db: Database, impor: Impor, *, now: datetime, boot_id: str) -> None:
    """Mark the import running (by this process), audited with who, which file (name and hash) and the
    preview's counts."""
    async with db.transaction() as tx:
        await tx.execute("UPDATE impor SET state = 'running', boot_id = ? WHERE id = ?", (boot_id, impor.id))
        await audit.record(tx, at=now, actor_id=impor.actor_id, action="impor", entity="impor", entity_id=impor.id,
                           after={"file_name": impor.file_name, "file_hash": impor.file_hash, "scope": impor.scope})


async def finish(db: Database, impor: Impor, counts: dict[str, int], *, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE impor SET state = 'done', counts_json = ?, finished_at = ? WHERE id = ?",
                         (json.dumps(counts, sort_keys=True), to_db(now), impor.id))
        await audit.record(tx, at=now, actor_id=impor.actor_id, action="impor_selesai", entity="impor",
                           entity_id=impor.id, after=counts)


async def list_imports(db: Database, scope: str, *, limit: int = 10) -> list[Impor]:
    inside, params = within("scope", scope)
    rows = await db.fetch_all(f"SELECT {_COLS} FROM impor WHERE {inside} AND state IN ('running', 'done', 'undone') "
                              "ORDER BY id DESC LIMIT ?", (*params, limit))
    return [_impor(r) for r in rows]


# -- the row ledger ---------------------------------------------------------------------


async def written_rows(tx: Transaction, impor_id: int, sheet: str, first: int, last: int) -> set[int]:
    rows = await tx.fetch_all("SELECT row_no FROM impor_row WHERE impor_id = ? AND sheet = ? AND row_no BETWEEN ? "
                              "AND ?", (impor_id, sheet, first, last))
    return {r[0] for r in rows}


async def record_rows(tx: Transaction, impor_id: int, sheet: str,
                      rows: Sequence[tuple[int, str, int | None, int | None, int | None, str | None]]) -> None:
    """(row number, outcome, keluarga id, sasaran id, kunjungan id, before json) of written rows."""
    await tx.execute_many(
        "INSERT INTO impor_row (impor_id, sheet, row_no, outcome, keluarga_id, sasaran_id, kunjungan_id, "
        "before_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(impor_id, sheet, *r) for r in rows])


async def mark_source(tx: Transaction, impor_id: int, *, keluarga: Iterable[int] = (), sasaran: Iterable[int] = (),
                      kunjungan: Iterable[int] = ()) -> None:
    """Records created by an import carry its id (their ``sumber``)."""
    for table, ids in (("keluarga", list(keluarga)), ("sasaran", list(sasaran)), ("kunjungan", list(kunjungan))):
        if ids:
            marks = ",".join("?" for _ in ids)
            await tx.execute(f"UPDATE {table} SET impor_id = ? WHERE id IN ({marks})", (impor_id, *ids))


# -- matching lookups (deployment-wide: a NIK is one person anywhere) ------------------


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" for _ in values)


async def sasaran_by_nik(tx: Transaction | Database, hashes: Sequence[str]) -> dict[str, Any]:
    if not hashes:
        return {}
    rows = await tx.fetch_all(f"SELECT {_S_MATCH} FROM sasaran WHERE nik_hash IN ({_marks(hashes)}) "
                              "AND erased_at IS NULL", list(hashes))
    return {r["nik_hash"]: r for r in rows}


async def keluarga_by_kk(tx: Transaction | Database, hashes: Sequence[str]) -> dict[str, Any]:
    if not hashes:
        return {}
    rows = await tx.fetch_all(f"SELECT {_K_MATCH} FROM keluarga WHERE no_kk_hash IN ({_marks(hashes)}) "
                              "AND erased_at IS NULL ORDER BY id", list(hashes))
    return {r["no_kk_hash"]: r for r in rows}


def _values(rows: Sequence[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    width = len(rows[0])
    one = "(" + ",".join("?" for _ in range(width)) + ")"
    return ",".join(one for _ in rows), [v for row in rows for v in row]


async def keluarga_by_head(tx: Transaction | Database, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """(desa, head name) -> the oldest family of that head in that desa (names compared case-blind)."""
    if not wanted:
        return {}
    values, params = _values(wanted)
    rows = await tx.fetch_all(
        f"WITH w(r, h) AS (VALUES {values}) SELECT {_K_MATCH.replace('id,', 'k.id,', 1)} FROM w JOIN keluarga k "
        "ON k.region_code = w.r AND k.head_name = w.h COLLATE NOCASE WHERE k.erased_at IS NULL ORDER BY k.id DESC",
        params)
    return {(r["region_code"], r["head_name"].casefold()): r for r in rows}


async def sasaran_in_families(tx: Transaction | Database,
                              wanted: Sequence[tuple[int, str]]) -> dict[tuple[int, str], Any]:
    """(keluarga id, name) -> that family's member of that name."""
    if not wanted:
        return {}
    values, params = _values(wanted)
    rows = await tx.fetch_all(
        f"WITH w(k, n) AS (VALUES {values}) SELECT {_S_MATCH.replace('id,', 's.id,', 1)} FROM w JOIN sasaran s "
        "ON s.keluarga_id = CAST(w.k AS INTEGER) AND s.name = w.n COLLATE NOCASE WHERE s.erased_at IS NULL"
        " ORDER BY s.id DESC", params)
    return {(r["keluarga_id"], r["name"].casefold()): r for r in rows}


async def sasaran_by_person(tx: Transaction | Database,
                            wanted: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
    """(desa, name, birth date) -> the sasaran of that name born that day in that desa."""
    if not wanted:
        return {}
    values, params = _values(wanted)
    rows = await tx.fetch_all(
        f"WITH w(r, n, b) AS (VALUES {values}) SELECT {_S_MATCH.replace('id,', 's.id,', 1)} FROM w JOIN sasaran s "
        "ON s.region_code = w.r AND s.name = w.n COLLATE NOCASE AND s.birth_date = w.b WHERE s.erased_at IS NULL "
        "ORDER BY s.id DESC", params)
    return {(r["region_code"], r["name"].casefold(), r["birth_date"]): r for r in rows}


async def measured(tx: Transaction | Database, sasaran_ids: Sequence[int]) -> dict[tuple[int, str], list[Any]]:
    """(sasaran id, date) -> the measurements stored for it that day."""
    if not sasaran_ids:
        return {}
    rows = await tx.fetch_all(f"SELECT sasaran_id, visited_on, weight_kg, height_cm, lila_cm, hb FROM kunjungan "
                              f"WHERE sasaran_id IN ({_marks(sasaran_ids)})", list(sasaran_ids))
    out: dict[tuple[int, str], list[Any]] = {}
    for r in rows:
        out.setdefault((r["sasaran_id"], r["visited_on"]), []).append(r)
    return out


_K_MATCH = ("id, region_code, rt, rw, address, head_name, no_kk_hash, water_source, latrine, answers_json, "
            "updated_at")
_S_MATCH = ("id, keluarga_id, region_code, category, name, nik_hash, sex, birth_date, hpht, hpl, delivery_date, "
            "updated_at")


def stored_value(row: Any, column: str) -> Any:
    """The stored value of one import column key's database column (see the maps above)."""
    if column.startswith("answers."):
        return json.loads(row["answers_json"]).get(column.split(".", 1)[1])
    return row[column]


async def update_columns(tx: Transaction, table: str, record_id: int, changes: dict[str, Any], *, actor_id: int,
                         impor_id: int, now: datetime) -> dict[str, Any]:
    """Write the file's values of the chosen columns (``answers.<key>`` into the answers
    JSON), audited with before and after; returns the previous values, for undo."""
    assert table in ("keluarga", "sasaran")
    row = await tx.fetch_one(f"SELECT {_K_MATCH if table == 'keluarga' else _S_MATCH} FROM {table} WHERE id = ?",
                             (record_id,))
    assert row is not None
    before = {c: stored_value(row, c) for c in changes}
    plain = {c: v for c, v in changes.items() if not c.startswith("answers.")}
    answers = {c.split(".", 1)[1]: v for c, v in changes.items() if c.startswith("answers.")}
    sets = [f"{c} = ?" for c in plain]
    values: list[Any] = list(plain.values())
    if answers:
        merged = {**json.loads(row["answers_json"]), **answers}
        sets.append("answers_json = ?")
        values.append(json.dumps(merged, ensure_ascii=False, sort_keys=True, default=str))
    await tx.execute(f"UPDATE {table} SET {', '.join(sets)}, updated_at = ? WHERE id = ?",
                     (*values, to_db(now), record_id))
    await audit.record(tx, at=now, actor_id=actor_id, action="update", entity=table, entity_id=record_id,
                       before={"impor_id": impor_id, **before}, after=changes)
    return before


# -- undo -------------------------------------------------------------------------------


class UndoRefused(Exception):
    """Something was recorded on the import's records since; the message says what."""


async def undo(db: Database, impor: Impor, *, actor_id: int, now: datetime) -> dict[str, int]:
    """Remove what the import created and put back what it updated, provided nothing was
    changed on those records since (no edit, no visit, no new member, no reminder)."""
    async with db.transaction() as tx:
        stamp = impor.finished_at or ""
        changed = await tx.fetch_one(
            "SELECT (SELECT count(*) FROM keluarga WHERE impor_id = ? AND updated_at > ?)"
            " + (SELECT count(*) FROM sasaran WHERE impor_id = ? AND updated_at > ?)"
            " + (SELECT count(*) FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id WHERE s.impor_id = ? "
            "    AND k.impor_id IS NOT ?)"
            " + (SELECT count(*) FROM sasaran s JOIN keluarga k ON k.id = s.keluarga_id WHERE k.impor_id = ? "
            "    AND s.impor_id IS NOT ?)"
            " + (SELECT count(*) FROM keluarga k JOIN impor_row r ON r.keluarga_id = k.id AND r.outcome = 'updated'"
            "    WHERE r.impor_id = ? AND k.updated_at > ?)",
            (impor.id, stamp, impor.id, stamp, impor.id, impor.id, impor.id, impor.id, impor.id, stamp))
        if changed and changed[0]:
            raise UndoRefused("Data dari impor ini sudah diubah atau dikunjungi sejak diimpor.")
        tables = await catalogue.table_names(tx)
        for table in ("reminders", "ibu"):
            if table in tables and await tx.fetch_one(f"SELECT 1 FROM {table} WHERE sasaran_id IN "
                                             "(SELECT id FROM sasaran WHERE impor_id = ?) LIMIT 1", (impor.id,)):
                raise UndoRefused("Sasaran dari impor ini sudah menerima pengingat.")
        updates = await tx.fetch_all("SELECT keluarga_id, sasaran_id, before_json FROM impor_row WHERE impor_id = ? "
                                     "AND outcome = 'updated' AND before_json IS NOT NULL", (impor.id,))
        for row in updates:
            before = json.loads(row["before_json"])
            for table, record_id in (("keluarga", row["keluarga_id"]), ("sasaran", row["sasaran_id"])):
                values = before.get(table)
                if values and record_id:
                    await update_columns(tx, table, record_id, values, actor_id=actor_id, impor_id=impor.id, now=now)
        counts = {}
        for table in ("kunjungan", "sasaran_flag", "sasaran", "keluarga_assignee", "keluarga_risk", "keluarga"):
            if table == "sasaran_flag":
                sql = "DELETE FROM sasaran_flag WHERE sasaran_id IN (SELECT id FROM sasaran WHERE impor_id = ?)"
            elif table in ("keluarga_assignee", "keluarga_risk"):
                sql = f"DELETE FROM {table} WHERE keluarga_id IN (SELECT id FROM keluarga WHERE impor_id = ?)"
            else:
                sql = f"DELETE FROM {table} WHERE impor_id = ?"
            counts[table] = await tx.execute(sql, (impor.id,))
        await tx.execute("UPDATE impor SET state = 'undone', undone_at = ? WHERE id = ?", (to_db(now), impor.id))
        await audit.record(tx, at=now, actor_id=actor_id, action="impor_batal", entity="impor", entity_id=impor.id,
                           after=counts)
    return counts


# -- assignment ---------------------------------------------------------------------------


async def assign(db: Database, keluarga_id: int, user_id: int, *, by: int, now: datetime) -> None:
    """Give a family to one member (instead of every member of its desa)."""
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM keluarga_assignee WHERE keluarga_id = ?", (keluarga_id,))
        await tx.execute("INSERT INTO keluarga_assignee (keluarga_id, user_id, assigned_by, assigned_at) "
                         "VALUES (?, ?, ?, ?)", (keluarga_id, user_id, by, to_db(now)))
        await audit.record(tx, at=now, actor_id=by, action="assign", entity="keluarga", entity_id=keluarga_id,
                           after={"user_id": user_id})


async def ledger_counts(db: Database, impor_id: int) -> dict[str, int]:
    """How many rows of an import ended in each outcome (the whole import, resumed or not)."""
    rows = await db.fetch_all("SELECT outcome, count(*) FROM impor_row WHERE impor_id = ? GROUP BY outcome",
                              (impor_id,))
    return {r[0]: r[1] for r in rows}


async def desa_of_import(db: Database, impor_id: int) -> list[str]:
    """The desa/kelurahan an import created families in, by code."""
    rows = await db.fetch_all("SELECT DISTINCT region_code FROM keluarga WHERE impor_id = ? ORDER BY region_code",
                              (impor_id,))
    return [r[0] for r in rows]


async def assign_import(db: Database, impor_id: int, region_code: str, user_id: int, *, by: int,
                        now: datetime) -> int:
    """Give every family the import created in one desa to one member; returns how many."""
    async with db.transaction() as tx:
        ids = [r[0] for r in await tx.fetch_all("SELECT id FROM keluarga WHERE impor_id = ? AND region_code = ?",
                                                (impor_id, region_code))]
        if ids:
            marks = ",".join("?" for _ in ids)
            await tx.execute(f"DELETE FROM keluarga_assignee WHERE keluarga_id IN ({marks})", ids)
            await tx.execute_many("INSERT INTO keluarga_assignee (keluarga_id, user_id, assigned_by, assigned_at) "
                                  "VALUES (?, ?, ?, ?)", [(i, user_id, by, to_db(now)) for i in ids])
            await audit.record(tx, at=now, actor_id=by, action="assign", entity="impor", entity_id=impor_id,
                               after={"region_code": region_code, "user_id": user_id, "keluarga": len(ids)})
    return len(ids)
