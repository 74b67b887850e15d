"""The import template: one sheet per record kind, a documentation sheet, and the
closed choices as drop-down lists — all generated from :data:`bot.impor.columns.COLUMNS`.

The same workbook is committed as ``data/templat_impor.xlsx`` (``python -m
bot.impor.template`` writes it); a test checks that file equals what the code makes.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.impor.columns import BY_KEY, Column, Kind, columns_of

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "data" / "templat_impor.xlsx"
FILENAME = "templat_impor_tpk.xlsx"
#: A fixed timestamp, so the committed file does not change with every generation.
_STAMP = datetime(2026, 1, 1)
DOC_SHEET = "keterangan"
CHOICE_SHEET = "pilihan"
_ROWS_VALIDATED = 20_000

#: The columns of each sheet: a sasaran or measurement row names its family or sasaran
#: by the identity columns in front.
SHEETS: dict[Kind, tuple[Column, ...]] = {
    Kind.KELUARGA: columns_of(Kind.KELUARGA),
    Kind.SASARAN: (BY_KEY["kode_wilayah"], BY_KEY["no_kk"], BY_KEY["kepala"], *columns_of(Kind.SASARAN)),
    Kind.PENGUKURAN: (BY_KEY["kode_wilayah"], BY_KEY["nik"], BY_KEY["nama"], BY_KEY["lahir"],
                      *columns_of(Kind.PENGUKURAN)),
}


def build() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    choices = book.create_sheet(CHOICE_SHEET)
    choice_ranges: dict[str, str] = {}
    for number, column in enumerate((c for c in BY_KEY.values() if c.choices), start=1):
        letter = get_column_letter(number)
        choices.cell(1, number, column.header).font = Font(bold=True)
        for row, option in enumerate(column.choices, start=2):
            choices.cell(row, number, option.label)
        choice_ranges[column.key] = f"{CHOICE_SHEET}!${letter}$2:${letter}${len(column.choices) + 1}"
    for kind, columns in SHEETS.items():
        sheet = book.create_sheet(kind.value, index=list(SHEETS).index(kind))
        for number, column in enumerate(columns, start=1):
            cell = sheet.cell(1, number, column.header)
            cell.font = Font(bold=True)
            sheet.column_dimensions[get_column_letter(number)].width = max(12, len(column.header) + 2)
            if column.key in choice_ranges:
                letter = get_column_letter(number)
                rule = DataValidation(type="list", formula1=f"={choice_ranges[column.key]}", allow_blank=True,
                                      showErrorMessage=True, errorTitle="Pilihan tidak dikenal",
                                      error=f"Pilih {column.header} dari daftar.")
                rule.add(f"{letter}2:{letter}{_ROWS_VALIDATED}")
                sheet.add_data_validation(rule)
        sheet.freeze_panes = "A2"
    docs = book.create_sheet(DOC_SHEET, index=len(SHEETS))
    docs.append(["Lembar", "Kolom", "Wajib", "Keterangan", "Pilihan"])
    for cell in docs[1]:
        cell.font = Font(bold=True)
    for kind, columns in SHEETS.items():
        for column in columns:
            required = "ya" if column.required and column.kind is kind else ""
            docs.append([kind.value, column.header, required, column.description,
                         "; ".join(o.label for o in column.choices)])
    for letter, width in zip("ABCDE", (12, 28, 7, 70, 60), strict=True):
        docs.column_dimensions[letter].width = width
    book.properties.created = book.properties.modified = _STAMP
    book.properties.creator = "TPK Bot"
    return book


def template_bytes() -> bytes:
    out = io.BytesIO()
    build().save(out)
    return out.getvalue()


def main() -> int:
    TEMPLATE_PATH.write_bytes(template_bytes())
    print(f"{TEMPLATE_PATH} ditulis")
    return 0


if __name__ == "__main__":
    sys.exit(main())
