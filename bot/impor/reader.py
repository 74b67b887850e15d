"""Reading an XLSX or CSV file sheet by sheet, row by row, without loading it whole.

An XLSX is read with python-calamine (Rust's calamine): about fifteen times faster than
openpyxl's read-only mode on the same file (``bench/bench_impor.py``), which made reading
the largest part of an import. It holds one sheet's cells while that sheet is walked
(openpyxl held the shared-string table of the whole file); rows are handed on one at a
time. A CSV is read through :mod:`csv` with its delimiter guessed (a comma, a semicolon
— what Excel writes in an Indonesian locale — or a tab). Row numbers are the ones a
person sees in a spreadsheet: the header is row 1. Empty cells arrive as ``""`` or
None, dates as :class:`datetime.date` / :class:`datetime.datetime`; the row parser
takes either (:func:`bot.impor.rows.cell_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from bot.impor.template import CHOICE_SHEET, DOC_SHEET

Source = bytes | Path


class UnreadableFile(ValueError):
    """Not an XLSX or CSV file we can read; the message is for the user."""


@dataclass(frozen=True)
class SheetHeader:
    name: str
    headers: tuple[str, ...]


def _is_xlsx(source: Source) -> bool:
    head = source[:4] if isinstance(source, bytes) else source.open("rb").read(4)
    return head == b"PK\x03\x04"


def _text(source: Source) -> str:
    raw = source if isinstance(source, bytes) else source.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("File CSV ini tidak bisa dibaca (pengodean huruf tidak dikenal). Simpan sebagai UTF-8.")


def _csv_rows(source: Source) -> Iterator[tuple[object, ...]]:
    text = _text(source)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    for row in csv.reader(io.StringIO(text), dialect):
        yield tuple(row)


def _blank(row: tuple[object, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def sheets(source: Source) -> list[SheetHeader]:
    """The sheets that hold data, with their header rows (the first non-empty row)."""
    found = []
    for name, rows in _open(source):
        for row in rows:
            if not _blank(row):
                found.append(SheetHeader(name, tuple("" if v is None else str(v).strip() for v in row)))
                break
    return found


@contextmanager
def opened(source: Source) -> Iterator[Callable[[str], Iterator[tuple[int, tuple[object, ...]]]]]:
    """The file opened once; the function gives the data rows of a sheet (as :func:`rows`)."""
    if not _is_xlsx(source):
        yield lambda sheet: _data_rows(_csv_rows(source))
        return
    book = _load(source)
    try:
        yield lambda sheet: _data_rows(_sheet_rows(book, sheet))
    finally:
        book.close()


def _data_rows(stream: Iterator[tuple[object, ...]]) -> Iterator[tuple[int, tuple[object, ...]]]:
    header_seen = False
    for number, row in enumerate(stream, start=1):
        if _blank(row):
            continue
        if not header_seen:
            header_seen = True
            continue
        yield number, row


_UNREADABLE = "File Excel ini tidak bisa dibuka. Simpan ulang sebagai .xlsx lalu kirim lagi."


def _load(source: Source) -> Any:
    try:
        if isinstance(source, bytes):
            return CalamineWorkbook.from_filelike(io.BytesIO(source))
        return CalamineWorkbook.from_path(str(source))
    except (CalamineError, OSError, ValueError) as exc:
        raise UnreadableFile(_UNREADABLE) from exc


def _sheet_rows(book: Any, name: str) -> Iterator[tuple[object, ...]]:
    try:
        sheet = book.get_sheet_by_name(name)
    except (CalamineError, ValueError) as exc:
        raise UnreadableFile(_UNREADABLE) from exc
    # Rows come from the sheet's first row, cells from its first used column: put back the
    # empty columns before it, so a column's index is its place in the spreadsheet.
    pad = ("",) * (sheet.start[1] if sheet.start else 0)
    for row in sheet.iter_rows():
        yield (*pad, *row) if pad else tuple(row)


def _open(source: Source) -> Iterator[tuple[str, Iterator[tuple[object, ...]]]]:
    if not _is_xlsx(source):
        yield "csv", _csv_rows(source)
        return
    book = _load(source)
    try:
        for meta in book.sheets_metadata:
            if meta.name in (DOC_SHEET, CHOICE_SHEET) or meta.typ != SheetTypeEnum.WorkSheet:
                continue
            yield meta.name, _sheet_rows(book, meta.name)
    finally:
        book.close()
