"""The /ekspor "Sasaran" sheet, cell by cell, against the domain functions it shows.

The sheet computes each label and date cell once per distinct value (a 100,000-row
export repeats a few thousand dates and z-scores), so every row is checked here
against a fresh computation: the same dates in several columns and rows, each with
its dd-mm-yyyy format, and every age, status and risk label of its own row.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl

from bot.domain.age import age_label, completed_months
from bot.domain.growth import height_status, nutrition_status, weight_for_age_status
from bot.domain.pregnancy import gestational_age
from bot.rekap.figures import ALL_RISK_LABELS, CATEGORY_LABELS
from bot.rekap.periods import Period, this_year
from bot.rekap.service import build_export, today
from bot.rekap.workbook import SASARAN_COLUMNS
from bot.services import Services
from storage import rekap_rows
from tests.rekap.conftest import ROOT, brute


def _day(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else None


def category_on(row: rekap_rows.SasaranRow, on: date) -> str:
    """A child's category by its age on the sheet's day; others as registered."""
    if row.category in ("baduta", "balita") and row.birth_date and row.birth_date <= on:
        return "balita" if completed_months(row.birth_date, on) >= 24 else "baduta"
    return row.category


async def test_every_row_of_the_sasaran_sheet_shows_its_own_values(seeded: Services) -> None:
    period = this_year(today(seeded))
    export = await build_export(seeded, scope=ROOT, area=ROOT, period=period)
    on = export.rekap.reference_day
    _, end_utc = period.utc_bounds(seeded.settings.wilayah.zone)
    rows, _ = await rekap_rows.sasaran_rows(seeded.db, scope=ROOT, area=ROOT, registered_by=end_utc, on=on,
                                            limit=seeded.settings.rekap.export_max_rows)
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))["Sasaran"]
    lines = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(lines) == export.rows > 800
    column = {name: index for index, name in enumerate(SASARAN_COLUMNS)}
    dates = ("Tanggal ukur terakhir", "HPL", "Kunjungan terakhir")
    repeated = 0
    for number, (row, cells) in enumerate(zip(rows, lines, strict=True), start=1):
        value = {name: cells[index].value for name, index in column.items()}
        child = row.category in ("baduta", "balita")
        assert (value["No"], value["ID"]) == (number, row.id)
        assert value["Kel./Desa"] == seeded.regions[row.region_code].name
        assert value["Kategori"] == CATEGORY_LABELS[category_on(row, on)]
        assert value["Umur"] == (age_label(row.birth_date, on) if row.birth_date and row.birth_date <= on else None)
        assert value["TB/U"] == (height_status(row.haz).label if child and row.haz is not None else None)
        assert value["BB/TB"] == (nutrition_status(row.whz).label if child and row.whz is not None else None)
        assert value["BB/U"] == (weight_for_age_status(row.waz).label if child and row.waz is not None else None)
        pregnant = row.category == "ibu_hamil" and row.status == "aktif" and row.hpht and row.hpht <= on
        assert value["Usia kehamilan"] == (gestational_age(row.hpht, on).label() if pregnant else None)
        # An empty text cell reads back as None.
        assert value["Faktor risiko keluarga"] == (", ".join(ALL_RISK_LABELS[c] for c in row.family_risks) or None)
        assert value["Tanda kesehatan"] == (", ".join(ALL_RISK_LABELS[c] for c in row.flags) or None)
        hpl = row.hpl if row.category == "ibu_hamil" else None
        assert [_day(value[name]) for name in dates] == [row.measured_on, hpl, row.last_visit]
        for name in dates:
            if value[name] is not None:
                assert cells[column[name]].number_format == "dd-mm-yyyy", (number, name)
        repeated += row.measured_on is not None and row.measured_on == row.last_visit
    assert repeated > 0, "the same date twice in one row is covered"


async def test_the_summary_compares_with_the_same_months_a_year_earlier(seeded: Services) -> None:
    period = Period.semester(2026, 2)
    export = await build_export(seeded, scope=ROOT, area=ROOT, period=period)
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))["Ringkasan"]
    lines = [tuple(c.value for c in line) for line in sheet.iter_rows()]
    assert ("Periode", "Semester II 2026") in [line[:2] for line in lines]
    assert ("Dibanding", "Semester I 2026") in [line[:2] for line in lines]
    assert ("Setahun sebelumnya", "Semester II 2025") in [line[:2] for line in lines]
    header = next(i for i, line in enumerate(lines) if line[:2] == ("Bagian", "Indikator"))
    year_column = lines[header].index("Setahun sebelumnya")
    by_label = {line[1]: line for line in lines[header + 1:] if line[1]}
    expected = await brute(seeded, ROOT, period.year_earlier())
    checked = 0
    for row in export.rekap.figures.rows:
        if row.compare and row.whole is None and row.label in by_label and row.key in expected:
            assert by_label[row.label][year_column] == expected[row.key], row.key
            checked += 1
    assert checked >= 10
