"""Regions: loading the Kemendagri list for the deployment root, and reading it back."""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

from bot.domain.regions import NATIONAL, Level, Region, RegionTree, contains, level_of, parent_of
from storage.db import Database
from storage.scope import within

DEFAULT_CSV = Path(__file__).resolve().parents[1] / "data" / "wilayah" / "wilayah.csv"


def read_csv(path: Path) -> Iterator[Region]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield Region(code=row["kode"].strip(), name=row["nama"].strip())


def code_in_csv(path: Path, code: str) -> bool:
    return code in _codes(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _codes(path: Path, mtime_ns: int) -> frozenset[str]:
    return frozenset(r.code for r in read_csv(path))


def _ancestors(code: str) -> set[str]:
    out: set[str] = set()
    parent = parent_of(code)
    while parent is not None:
        out.add(parent)
        parent = parent_of(parent)
    return out


@functools.lru_cache(maxsize=4)
def _rows_to_load(csv_path: Path, mtime_ns: int, root_code: str) -> tuple[str, list[tuple[str, str, int, str | None]]]:
    """The file's digest and the rows a root needs; parsed once per process (the list
    has 91,599 lines, and every test database loads it)."""
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()[:16]
    wanted = _ancestors(root_code)
    rows = [
        (r.code, r.name, int(level_of(r.code)), parent_of(r.code))
        for r in read_csv(csv_path)
        if contains(root_code, r.code) or r.code in wanted or level_of(r.code) < Level.DESAKEL
    ]
    return digest, rows


async def load_root(db: Database, csv_path: Path, root_code: str) -> int:
    """Load the subtree under ``root_code``, its ancestors, and every province,
    kabupaten/kota and kecamatan of Indonesia (NIKs issued elsewhere are checked
    against them) into ``regions``. Skipped when the same file and root were
    loaded before, so start-up does not re-read the list. Returns rows written."""
    digest, rows = _rows_to_load(csv_path, csv_path.stat().st_mtime_ns, root_code)
    marker = f"{root_code}:{digest}"
    if await db.fetch_value("SELECT value FROM meta WHERE key = 'regions_loaded'") == marker:
        return 0
    if root_code != NATIONAL and not any(code == root_code for code, *_ in rows):
        raise KeyError(root_code)  # the nation's own row comes from migration 0019
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            rows,
        )
        await tx.execute(
            "INSERT INTO meta (key, value) VALUES ('regions_loaded', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (marker,),
        )
    return len(rows)


async def load_tree(db: Database, root_code: str) -> RegionTree:
    inside, params = within("code", root_code)
    rows = await db.fetch_all(f"SELECT code, name FROM regions WHERE {inside} ORDER BY code", params)
    return RegionTree.build(root_code, (Region(row["code"], row["name"]) for row in rows))


async def kecamatan_codes(db: Database) -> frozenset[str]:
    """Every kecamatan code in Indonesia, for checking the region part of a NIK."""
    rows = await db.fetch_all("SELECT code FROM regions WHERE level = ?", (int(Level.KECAMATAN),))
    return frozenset(row[0] for row in rows)
