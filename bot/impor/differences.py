"""Where a matched record and the file disagree, field by field (bot vs file).

A difference is never written unless the coordinator picked "pakai data file" for its
column; the list is what the differences workbook shows. The file's values are
compared as the form would store them (:func:`bot.lapor_fields.new_keluarga` /
:func:`~bot.lapor_fields.new_sasaran`), so "Ledeng / PAM" equals a stored ``ledeng``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.impor.report import Difference, Verdict
from bot.impor.rows import ParsedRow
from bot.lapor_fields import new_keluarga, new_sasaran
from storage import impor as store


def opt_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def family(row: ParsedRow, stored: Any, verdict: Verdict) -> list[Difference]:
    assert row.family is not None
    data = new_keluarga({"rt": None, "rw": None, **row.family})
    values = {"rt": opt_text(row.family.get("rt")), "rw": opt_text(row.family.get("rw")),
              "alamat": data.address, "kepala": data.head_name, "air": data.water_source,
              "jamban": data.latrine, **{k: data.answers.get(k) for k in ("pus", "istri_lahir", "anak",
                                                                        "anak_terakhir", "hamil", "kb")}}
    return _differences(verdict, "keluarga", stored["head_name"], stored, values, store.KELUARGA_COLUMNS, row.family)


def member(row: ParsedRow, stored: Any, verdict: Verdict, today: date) -> list[Difference]:
    assert row.member is not None
    data = new_sasaran(row.member, today)
    values = {"kategori": data.category, "nama": data.name, "jk": data.sex, "lahir": _iso(data.birth_date),
              "hpht": _iso(data.hpht), "hpl": _iso(data.hpl), "persalinan": _iso(data.delivery_date)}
    given = {**row.member, "jk": row.member.get("jk") or (data.sex if "kategori" in row.member else None)}
    return _differences(verdict, "sasaran", stored["name"], stored, values, store.SASARAN_COLUMNS, given)


def _differences(verdict: Verdict, record: str, label: str, stored: Any, values: dict[str, Any],
                 columns: dict[str, str], given: dict[str, Any]) -> list[Difference]:
    diffs = []
    for key, value in values.items():
        if value is None or given.get(key) is None:
            continue
        old = store.stored_value(stored, columns[key])
        if _same(old, value):
            continue
        diffs.append(Difference(verdict.sheet, verdict.row_no, record, label, key, old, value))
    verdict.differences.extend(diffs)
    return diffs


def _same(old: Any, new: Any) -> bool:
    if old is None and new is None:
        return True
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) == bool(new) and old is not None
    return str(old).casefold() == str(new).casefold() if old is not None else False
