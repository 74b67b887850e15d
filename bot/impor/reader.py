"""Reading an XLSX or CSV file sheet by sheet, row by row, without loading it whole.

An XLSX is streamed a row at a time by :mod:`bot.impor.xlsx_stream` (lxml): memory holds
one row and the file's distinct texts, not the sheet (python-calamine held every cell of
a sheet, about 0.8 KiB a row), and it is still much faster than openpyxl's read-only mode,
which made reading the largest part of an import (``bench/bench_impor.py``). A CSV is
read through :mod:`csv` with its delimiter guessed (a comma, a semicolon — what Excel
writes in an Indonesian locale — or a tab). Row numbers are the ones a
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

from bot.impor.template import CHOICE_SHEET, DOC_SHEET
from bot.impor.xlsx_stream import NotXlsx, Workbook

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


def _load(source: Source) -> Workbook:
    try:
        return Workbook(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    except (NotXlsx, OSError) as exc:
        raise UnreadableFile(_UNREADABLE) from exc


def _sheet_rows(book: Workbook, name: str) -> Iterator[tuple[object, ...]]:
    try:
        yield from book.rows(name)
    except (NotXlsx, KeyError) as exc:
        raise UnreadableFile(_UNREADABLE) from exc


def _open(source: Source) -> Iterator[tuple[str, Iterator[tuple[object, ...]]]]:
    if not _is_xlsx(source):
        yield "csv", _csv_rows(source)
        return
    book = _load(source)
    try:
        for name in book.sheets:
            if name not in (DOC_SHEET, CHOICE_SHEET):
                yield name, _sheet_rows(book, name)
    finally:
        book.close()
