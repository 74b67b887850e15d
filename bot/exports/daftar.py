"""The by-name workbook of ``/ekspor daftar``: a member's follow-up list (or a
coordinator's area) with names, addresses and what is due.

A workbook with names is a by-name export: the caller audits it, its first line names
the reader and the date, and a NIK appears only masked (the storage layer never
hands over anything else).
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from bot.domain.age import age_label
from bot.domain.regions import RegionTree
from bot.formatting import long_date
from conversations.options import CATEGORY_LABELS_BY_VALUE
from storage.daftar import NamedRow

HEADERS = ["Kepala keluarga", "Alamat", "RT/RW", "Kelurahan/desa", "Nama sasaran", "Kategori", "Usia",
           "NIK (disamarkan)", "Kunjungan terakhir", "Jatuh tempo kunjungan", "Tanda", "Sumber"]


def filename(today: date) -> str:
    return f"daftar-sasaran-{today.isoformat()}.xlsx"


def header_line(reader: str, today: date) -> str:
    return f"Daftar sasaran dengan nama — untuk {reader}, dicetak {long_date(today)}. Rahasia: jangan disebarkan."


def workbook(rows: list[NamedRow], *, reader: str, today: date, regions: RegionTree) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("daftar")
    sheet.append([header_line(reader, today)])
    sheet.append(HEADERS)
    for r in rows:
        area = regions.get(r.region_code)
        sheet.append([
            r.head_name, r.address or "", f"{r.rt or '-'}/{r.rw or '-'}", area.name if area else r.region_code,
            r.name or "", CATEGORY_LABELS_BY_VALUE.get(r.category or "", ""),
            age_label(r.birth_date, today) if r.birth_date else "", r.nik_masked or "",
            r.last_visit.isoformat() if r.last_visit else "belum dikunjungi", r.due.isoformat(),
            "; ".join(t for t in ("berisiko stunting" if r.berisiko else "", r.flags,
                                  "KKA audit kasus belum dilengkapi" if r.kka_due else "") if t),
            r.source or "laporan TPK",
        ])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
