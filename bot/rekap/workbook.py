"""The /ekspor workbook (XLSX, openpyxl in write-only mode).

Sheets:

* "Ringkasan": the /rekap figures, row for row with the same labels as the message,
  with the compared period and the change, the same months a year earlier, and for a
  closed period what was learned after the close ("Revisi setelah ditutup");
* "Per kecamatan" / "Per kel-desa": one sheet per level below the area, one row per
  area, one column per figure;
* "Sasaran": one row per target member in the area (masked NIK only; no names, no
  phone numbers, nothing decrypted).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.domain.age import age_label
from bot.domain.growth import height_status, nutrition_status, weight_for_age_status
from bot.domain.pregnancy import gestational_age
from bot.domain.regions import RegionTree, parent_of
from bot.formatting import long_date
from bot.rekap.figures import AKTIVITAS, ALL_RISK_LABELS, CATEGORY_LABELS, Rekap, Row, summary_rows
from bot.rekap.message import revision_text
from storage.rekap import SPAN_CATEGORY
from storage.rekap_rows import SasaranRow

PERCENT = "0.0%"
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)


def slug(text: str) -> str:
    """"Kec. Curug" → "kec-curug" (for file names)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "wilayah"


def filename(rekap: Rekap) -> str:
    return f"rekap-{slug(rekap.area_name)}-{rekap.period.slug()}.xlsx"


def _cell(sheet: WriteOnlyWorksheet, value: object, *, font: Font | None = None,
          number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _header(sheet: WriteOnlyWorksheet, names: Sequence[str]) -> None:
    sheet.append([_cell(sheet, name, font=_BOLD) for name in names])


def extra_rows(rekap: Rekap) -> list[Row]:
    """Figures the message shows outside the rows: desa/kelurahan without a report."""
    if rekap.desa_total <= 1:
        return []
    return [Row("tanpa_laporan", AKTIVITAS, "Kel./desa tanpa laporan", len(rekap.without_report), None,
                compare=False)]


def summary_table(rekap: Rekap) -> list[Row]:
    """The rows of the Ringkasan sheet, in order."""
    return summary_rows(rekap.figures) + extra_rows(rekap)


def _ringkasan(book: Workbook, rekap: Rekap, earlier: Rekap | None = None) -> None:
    sheet = book.create_sheet("Ringkasan")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 44
    for column in "CDEFG":
        sheet.column_dimensions[column].width = 15
    sheet.append([_cell(sheet, f"Rekap {rekap.area_label}", font=_TITLE)])
    sheet.append(["Periode", rekap.period.label()])
    sheet.append(["Dibanding", rekap.previous.label()])
    if earlier is not None:
        sheet.append(["Setahun sebelumnya", earlier.period.label()])
    sheet.append(["Keadaan per", long_date(rekap.reference_day)])
    if rekap.closed is not None:
        sheet.append(["Angka ditutup", long_date(rekap.closed_on) if rekap.closed_on else "–"])
        sheet.append(["Revisi setelah ditutup", revision_text(rekap) or "tidak ada"])
    sheet.append([])
    revised = {row.key: delta for row, delta in rekap.revision}
    _header(sheet, ["Bagian", "Indikator", "Nilai", "Persen", "Periode sebelumnya", "Persen sebelumnya",
                    "Perubahan", *(["Setahun sebelumnya", "Perubahan setahun"] if earlier is not None else []),
                    *(["Revisi setelah ditutup"] if rekap.closed is not None else [])])
    year_before = {row.key: row for row in summary_table(earlier)} if earlier is not None else {}
    for row in summary_table(rekap):
        change: object = None
        if row.compare and row.value is not None and row.previous is not None:
            if row.whole is not None:
                if row.share is not None and row.share_previous is not None:
                    change = _cell(sheet, row.share - row.share_previous, number_format=PERCENT)
            else:
                change = row.value - row.previous
        sheet.append([
            row.section,
            row.label,
            "–" if row.value is None else row.value,
            _cell(sheet, row.share, number_format=PERCENT) if row.share is not None else None,
            row.previous if row.compare else None,
            _cell(sheet, row.share_previous, number_format=PERCENT)
            if row.compare and row.share_previous is not None else None,
            change,
            *(_year_columns(sheet, row, year_before.get(row.key)) if earlier is not None else []),
            *([revised.get(row.key)] if rekap.closed is not None else []),
        ])
    if rekap.without_report and rekap.desa_total > 1:
        sheet.append([])
        sheet.append([_cell(sheet, "Kel./desa tanpa laporan pada periode ini", font=_BOLD)])
        for name in rekap.without_report:
            sheet.append(["", name])


def _year_columns(sheet: WriteOnlyWorksheet, row: Row, before: Row | None) -> list[object]:
    """The same figure a year earlier, and the change since (in points for a share)."""
    if before is None or not row.compare or before.value is None:
        return [None, None]
    if row.whole is not None:
        if row.share is None or before.share is None:
            return [_cell(sheet, before.share, number_format=PERCENT) if before.share is not None else None, None]
        return [_cell(sheet, before.share, number_format=PERCENT),
                _cell(sheet, row.share - before.share, number_format=PERCENT)]
    return [before.value, None if row.value is None else row.value - before.value]


def _breakdowns(book: Workbook, rekap: Rekap) -> None:
    for breakdown in rekap.breakdowns:
        sheet = book.create_sheet(breakdown.title)
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 28
        template = [r for r in breakdown.areas[0].figures.rows] if breakdown.areas else []
        names = ["Kode", "Wilayah"]
        for row in template:
            names.append(row.label)
            if row.whole is not None:
                names.append(f"{row.label} (%)")
        names.append("Ada laporan")
        _header(sheet, names)
        for area in breakdown.areas:
            values: list[object] = [area.code, area.name]
            for row in area.figures.rows:
                values.append("–" if row.value is None else row.value)
                if row.whole is not None:
                    values.append(_cell(sheet, row.share, number_format=PERCENT) if row.share is not None else None)
            values.append("ya" if area.reported else "belum")
            sheet.append(values)


SASARAN_COLUMNS = (
    "No", "ID", "Kecamatan", "Kel./Desa", "Kategori", "Status", "NIK (disamarkan)", "L/P", "Umur",
    "Tanggal ukur terakhir", "BB (kg)", "TB/PB (cm)", "LiLA (cm)", "Hb (g/dL)", "TB/U", "BB/TB", "BB/U",
    "Usia kehamilan", "HPL", "Faktor risiko keluarga", "Tanda kesehatan", "Kunjungan terakhir",
)


def _memo(compute: Callable[[K], V]) -> Callable[[K], V]:
    """``compute`` remembered per key, for one sheet. A sheet of 100,000 members holds
    only a few thousand distinct dates, birth dates, z-scores and risk combinations."""
    known: dict[K, V] = {}

    def get(key: K) -> V:
        try:
            return known[key]
        except KeyError:
            value = known[key] = compute(key)
            return value

    return get


def _sasaran(book: Workbook, rekap: Rekap, rows: Sequence[SasaranRow], total: int, tree: RegionTree) -> None:
    sheet = book.create_sheet("Sasaran")
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUV", (6, 9, 16, 18, 18, 9, 20, 5, 16, 14, 8, 9, 9, 9, 14, 18,
                                                         22, 16, 12, 36, 30, 14), strict=True):
        sheet.column_dimensions[column].width = width
    _header(sheet, SASARAN_COLUMNS)
    on = rekap.reference_day
    name = _memo(lambda code: "" if not code else tree[code].name if code in tree else code)
    kecamatan = _memo(lambda code: name(parent_of(code) if code.count(".") == 3 else None))
    age = _memo(lambda born: _age(born, on))
    # A styled cell costs more to make than to write, and openpyxl writes each appended
    # cell before taking the next, so one dd-mm-yyyy cell per date serves every row.
    day = _memo(lambda value: _date_cell(sheet, value))
    height = _memo(lambda z: height_status(z).label)
    nutrition = _memo(lambda z: nutrition_status(z).label)
    weight = _memo(lambda z: weight_for_age_status(z).label)
    risks = _memo(lambda codes: ", ".join(ALL_RISK_LABELS.get(c, c) for c in codes))

    for number, row in enumerate(rows, start=1):
        child = row.category in ("baduta", "balita")
        pregnant = row.category == "ibu_hamil" and row.status == "aktif"
        sheet.append([
            number,
            row.id,
            kecamatan(row.region_code),
            name(row.region_code),
            category(row),
            row.status,
            row.nik_masked or "",
            row.sex or "",
            age(row.birth_date),
            day(row.measured_on),
            row.weight_kg,
            row.height_cm,
            row.lila_cm,
            row.hb,
            height(row.haz) if child and row.haz is not None else None,
            nutrition(row.whz) if child and row.whz is not None else None,
            weight(row.waz) if child and row.waz is not None else None,
            gestational_age(row.hpht, on).label() if pregnant and row.hpht and row.hpht <= on else None,
            day(row.hpl) if row.category == "ibu_hamil" else None,
            risks(row.family_risks),
            risks(row.flags),
            day(row.last_visit),
        ])
    if total > len(rows):
        sheet.append([])
        sheet.append([_cell(sheet, f"{total - len(rows)} baris lagi tidak dimuat (batas {len(rows)} baris); "
                                   "pilih wilayah yang lebih kecil.", font=_BOLD)])


def category(row: SasaranRow) -> str:
    """The category on the sheet's day (a child of 25 months is a balita whatever was
    typed at registration); the registered one when it is in no target group that day."""
    current = SPAN_CATEGORY.get(row.state or "", row.category)
    return CATEGORY_LABELS.get(current, current)


def _age(born: date | None, on: date) -> str | None:
    if born is None or born > on:
        return None
    return age_label(born, on)


def _date_cell(sheet: WriteOnlyWorksheet, day: date | None) -> WriteOnlyCell | None:
    if day is None:
        return None
    return _cell(sheet, day, number_format="dd-mm-yyyy")


def build_workbook(rekap: Rekap, rows: Sequence[SasaranRow], total: int, tree: RegionTree,
                   earlier: Rekap | None = None) -> bytes:
    """The XLSX file's bytes (CPU only; run it in a worker thread for big areas).
    ``earlier``: the same months a year before, a second comparison column."""
    book = Workbook(write_only=True)
    _ringkasan(book, rekap, earlier)
    _breakdowns(book, rekap)
    _sasaran(book, rekap, rows, total, tree)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
