"""Exports for the systems others report into, each laid out by a table in
``layouts.toml`` (data, not code): e-PPGBM-style children's measurements, Verval
KRS-style family verification results, and a CSV of every sheet.

The code only knows how to compute each named value (:data:`VALUES`); which values a
layout has, in which order and under which header is the table's business. NIK and
No. KK are always masked: the bot has no export right that would reveal them.
"""

from __future__ import annotations

import csv
import io
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from openpyxl import Workbook

from bot.domain.growth import height_status, nutrition_status, weight_for_age_status
from bot.domain.regions import RegionTree
from bot.domain.risk import Jamban, SumberAirMinum
from storage import exports as store
from storage.db import Database


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    sheet: str
    rows: str  # which query: child_measurements / families
    confirmed: bool
    basis: str
    columns: tuple[tuple[str, str], ...]  # (header, value name)


def load() -> dict[str, Layout]:
    table = tomllib.loads(resources.files("bot.exports").joinpath("layouts.toml").read_text(encoding="utf-8"))
    return {name: Layout(name, spec["title"], spec["sheet"], spec["rows"], spec["confirmed"], spec["basis"],
                         tuple((c["header"], c["value"]) for c in spec["columns"])) for name, spec in table.items()}


def _status(classify: Callable[[float], Any], key: str) -> Callable[[Any, RegionTree], Any]:
    return lambda row, _: classify(row[key]).label if row[key] is not None else ""


def _round(key: str) -> Callable[[Any, RegionTree], Any]:
    return lambda row, _: round(row[key], 2) if row[key] is not None else ""


def _plain(key: str) -> Callable[[Any, RegionTree], Any]:
    return lambda row, _: "" if row[key] is None else row[key]


def _desa(row: Any, regions: RegionTree) -> str:
    area = regions.get(row["region_code"])
    return area.name if area else ""


def _position(row: Any, _: RegionTree) -> str:
    return {1: "berbaring", 0: "berdiri"}.get(row["measured_lying"], "")


#: Every value a layout may name, and how it is computed from a row.
VALUES: dict[str, Callable[[Any, RegionTree], Any]] = {
    **{key: _plain(key) for key in ("nik_masked", "name", "sex", "birth_date", "head_name", "region_code",
                                    "visited_on", "weight_kg", "height_cm", "no_kk_masked", "address", "rt", "rw",
                                    "risk_factors", "verified_on", "verifier")},
    "desa": _desa,
    "position": _position,
    "haz": _round("haz"), "waz": _round("waz"), "whz": _round("whz"),
    "height_status": _status(height_status, "haz"),
    "weight_status": _status(weight_for_age_status, "waz"),
    "nutrition_status": _status(nutrition_status, "whz"),
    "krs_status": lambda row, _: "Berisiko stunting" if row["berisiko"] else "Tidak berisiko",
    "water_source": lambda row, _: SumberAirMinum(row["water_source"]).label,
    "latrine": lambda row, _: Jamban(row["latrine"]).label,
    "verified": lambda row, _: "terverifikasi" if row["verified_on"] else "belum diverifikasi",
}

_QUERIES = {"child_measurements": store.child_measurements, "families": store.families}


@dataclass(frozen=True)
class Table:
    """A sheet (the header row, then one row per record) and who it names, for the access log."""

    rows: list[list[Any]]
    sasaran_ids: list[int]  # the people named by their own row (a child's measurement)
    keluarga_ids: list[int]  # the families named by their row (logged for each member)


async def table(db: Database, layout: Layout, scope: str, regions: RegionTree) -> Table:
    """The header row and one row per record, as the layout says."""
    rows = await _QUERIES[layout.rows](db, scope)
    keys = rows[0].keys() if rows else []
    return Table([[h for h, _ in layout.columns], *([VALUES[v](r, regions) for _, v in layout.columns] for r in rows)],
                 sasaran_ids=[r["sasaran_id"] for r in rows] if "sasaran_id" in keys else [],
                 keluarga_ids=[r["id"] for r in rows] if "sasaran_id" not in keys and "id" in keys else [])


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_zip(sheets: dict[str, list[list[Any]]]) -> bytes:
    """One UTF-8 CSV per sheet (with a BOM, so Excel reads the letters right), in a zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in sheets.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())
    return out.getvalue()
