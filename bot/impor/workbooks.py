"""The import's own workbooks: the preview in detail (every row's outcome and match
rule, every error) and the differences between the bot's records and the file —
the reconciliation districts otherwise do by hand."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.impor.columns import BY_KEY
from bot.impor.report import Report
from bot.impor.run import WORDS

PREVIEW_FILENAME = "pratinjau_impor.xlsx"


def _show(value: Any) -> Any:
    if value is True:
        return "Ya"
    if value is False:
        return "Tidak"
    return value


def _sheet(book: Workbook, title: str, header: list[str]) -> Any:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def preview_workbook(report: Report) -> bytes:
    """Sheets "perbedaan" (one row per differing field: bot value, file value),
    "baris" (each row's outcome and the rule it was matched by) and "galat"."""
    book = Workbook(write_only=False)
    book.remove(book.active)
    diffs = _sheet(book, "perbedaan", ["Lembar", "Baris", "Data", "Nama di bot", "Kolom", "Di bot", "Di file"])
    for d in report.differences:
        diffs.append([d.sheet, d.row_no, d.record, d.label, BY_KEY[d.column].header, _show(d.bot_value),
                      _show(d.file_value)])
    rows = _sheet(book, "baris", ["Lembar", "Baris", "Hasil", "Dicocokkan dengan"])
    for v in report.verdicts:
        rows.append([v.sheet, v.row_no, WORDS[v.outcome], v.rule or ""])
    errors = _sheet(book, "galat", ["Lembar", "Baris", "Kolom", "Alasan"])
    for sheet, row_no, problem in report.problems:
        errors.append([sheet, row_no, problem.column, problem.reason])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
