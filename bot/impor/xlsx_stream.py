"""An XLSX sheet read row by row in bounded memory, for /impor.

Why our own reader (about 150 lines) and not a library: the two we tried each miss one of
/impor's goals (issue 17, ``bench/bench_impor.py``). openpyxl's read-only mode streams but
builds a Python object per cell: reading 100,000 rows took longer than importing them.
python-calamine (Rust) is fast, but holds a whole sheet's cells at once, about 0.8 KiB a
row, so an import's memory grew with the file. An XLSX is a zip of XML parts, and a sheet
is ``<row r="5"><c r="B5" t="s" s="3"><v>12</v></c>…</row>``: lxml's ``iterparse`` (C)
walks it a row at a time, and each row is dropped once handed on. Held for the whole file
is only what every row may refer to: the shared-string table (each distinct text once)
and which cell styles are dates. The table grows with the file (most texts of a by-name
list are names and numbers that occur once), so it is kept on disk with the most used texts
cached (:class:`storage.scratch.TextTable`), not as a list of ``str``, and each ``<si>`` is
dropped once read, like the rows. openpyxl supplies the parts of the format that need care:
which number formats show a date, and Excel's date serials (both calendars).

Values come back as the row parser takes them (:func:`bot.impor.rows.cell_text`), and
``tests/impor/test_xlsx_stream.py`` checks them against openpyxl on generated workbooks:
text as ``str``, numbers as ``float``, booleans, dates as :class:`datetime.date` (at
midnight) or :class:`datetime.datetime`, a time of day as :class:`datetime.time`, an empty
cell as ``""``. Rows are padded to the widest row seen so far, and rows missing from the XML
(empty ones) are given as empty tuples, so a row's place in the stream is its row number.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import IO, Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from storage.scratch import TextTable

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET = f"{_REL}/worksheet"  # a chart sheet holds no cells
_ROW, _CELL, _VALUE, _TEXT = (f"{{{_MAIN}}}{t}" for t in ("row", "c", "v", "t"))
_INLINE, _PHONETIC = f"{{{_MAIN}}}is", f"{{{_MAIN}}}rPh"
_DIGITS = "0123456789"


#: Rows parsed before their shared strings are looked up (one query for them all).
ROWS_AT_ONCE = 100


class _Shared(int):
    """A cell naming the shared string of this index, until its batch of rows is looked up."""


class NotXlsx(ValueError):
    """The zip is not a workbook we can read (a part is missing or is not XML)."""


def _parse_args() -> dict[str, Any]:
    # No entity expansion (a "billion laughs" file), but lines as long as Excel writes them.
    return {"resolve_entities": False, "huge_tree": True, "no_network": True}


class Workbook:
    """One XLSX opened for reading: its worksheets by name, the shared strings, the date styles."""

    def __init__(self, source: str | IO[bytes]) -> None:
        self._strings = TextTable()
        try:
            self._zip = zipfile.ZipFile(source)
            book = self._xml("xl/workbook.xml")
            rels = self._xml("xl/_rels/workbook.xml.rels")
            targets = {r.get("Id"): (r.get("Type"), r.get("Target", ""))
                       for r in rels.iter(f"{{{_PKG_REL}}}Relationship")}
            #: worksheet name -> its part in the zip, in the workbook's order
            self.sheets: dict[str, str] = {}
            for sheet in book.iter(f"{{{_MAIN}}}sheet"):
                kind, target = targets.get(sheet.get(f"{{{_REL}}}id"), (None, ""))
                if kind == _WORKSHEET:
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    self.sheets[sheet.get("name", "")] = part
            pr = book.find(f"{{{_MAIN}}}workbookPr")
            self._epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") \
                else CALENDAR_WINDOWS_1900
            self._read_shared_strings()
            self._dates = self._date_styles()
        except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
            self.close()
            raise NotXlsx(str(exc)) from exc
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if hasattr(self, "_zip"):
            self._zip.close()
        self._strings.close()

    def _xml(self, part: str) -> Any:
        with self._zip.open(part) as handle:
            return etree.parse(handle, etree.XMLParser(**_parse_args())).getroot()

    def _read_shared_strings(self) -> None:
        """Every <si>'s text: its <t>, or its rich-text runs joined (phonetic hints left out)."""
        if "xl/sharedStrings.xml" not in self._zip.NameToInfo:
            return
        with self._zip.open("xl/sharedStrings.xml") as handle:
            self._strings.extend(_texts(etree.iterparse(handle, tag=f"{{{_MAIN}}}si", **_parse_args())))

    def _date_styles(self) -> frozenset[int]:
        """The cell styles (a cell's ``s``) whose number format shows a date or a time."""
        if "xl/styles.xml" not in self._zip.NameToInfo:
            return frozenset()
        styles = self._xml("xl/styles.xml")
        formats = dict(BUILTIN_FORMATS)
        for fmt in styles.iter(f"{{{_MAIN}}}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        xfs = styles.find(f"{{{_MAIN}}}cellXfs")
        if xfs is None:
            return frozenset()
        return frozenset(index for index, xf in enumerate(xfs.iterchildren(f"{{{_MAIN}}}xf"))
                         if is_date_format(formats.get(int(xf.get("numFmtId", "0")), "")))

    def rows(self, name: str) -> Iterator[tuple[object, ...]]:
        """The rows of worksheet ``name`` from row 1. NotXlsx when its XML is broken."""
        width, expected = 0, 1
        batch: list[list[object]] = []
        try:
            with self._zip.open(self.sheets[name]) as handle:
                for _, row in etree.iterparse(handle, tag=_ROW, **_parse_args()):
                    number = int(row.get("r") or expected)
                    while expected < number:  # rows with no cells are left out of the XML
                        batch.append([""] * width)
                        expected += 1
                    cells = self._cells(row)
                    width = max(width, len(cells))
                    cells.extend([""] * (width - len(cells)))
                    batch.append(cells)
                    expected = number + 1
                    _drop(row)
                    if len(batch) >= ROWS_AT_ONCE:
                        yield from self._with_texts(batch)
                        batch = []
            yield from self._with_texts(batch)
        except (KeyError, ValueError, IndexError, etree.XMLSyntaxError, zipfile.BadZipFile) as exc:
            raise NotXlsx(str(exc)) from exc

    def _with_texts(self, batch: list[list[object]]) -> Iterator[tuple[object, ...]]:
        """The rows of ``batch`` with their shared strings, looked up in one query."""
        texts = self._strings.many({v for cells in batch for v in cells if type(v) is _Shared})
        for cells in batch:
            yield tuple(texts[v] if type(v) is _Shared else v for v in cells)  # type: ignore[index]

    def _cells(self, row: Any) -> list[object]:
        cells: list[object] = []
        for cell in row.iterchildren(_CELL):
            ref = cell.get("r")
            if ref:
                column = column_index_from_string(ref.rstrip(_DIGITS))
                if column > len(cells) + 1:
                    cells.extend([""] * (column - 1 - len(cells)))
            cells.append(self._value(cell))
        return cells

    def _value(self, cell: Any) -> object:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(_INLINE)
            return _text_of(inline) if inline is not None else ""
        raw = cell.findtext(_VALUE)
        if not raw:
            return ""
        if kind == "s":
            return _Shared(raw)
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":  # an ISO 8601 value (strict OOXML; rare)
            return _iso(raw)
        number = float(raw)
        if int(cell.get("s", "0")) in self._dates:
            return _excel_date(number, self._epoch)
        return number


def _drop(element: Any) -> None:
    """Free an element iterparse has handed on, and what it keeps of its siblings before it
    (cleared elements stay in the tree otherwise: an XML node each, outside Python's heap)."""
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


def _texts(items: Iterator[tuple[str, Any]]) -> Iterator[str]:
    for _, item in items:
        yield _text_of(item)
        _drop(item)


def _text_of(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(_TEXT) if t.getparent().tag != _PHONETIC)


def _excel_date(serial: float, epoch: datetime) -> object:
    """A date serial: below one day a time of day, a whole day a date, else a date and time."""
    if 0 <= serial < 1:
        moment = datetime(1900, 1, 1) + timedelta(days=serial)
        return time(moment.hour, moment.minute, moment.second, moment.microsecond)
    value = from_excel(serial, epoch)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value


def _iso(text: str) -> object:
    moment = datetime.fromisoformat(text)
    return moment.date() if "T" not in text else moment
