"""Import files for the tests, built from plain records so each test can count what
the bot should report independently of the bot's own code."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

from bot.impor.columns import Kind
from bot.impor.template import SHEETS

SUKAWANA, CURUG_DESA, KASEMEN_DESA = "36.73.04.1007", "36.73.04.1001", "36.73.02.1001"
TODAY = date(2026, 11, 23)


def nik(kecamatan: str, born: date, female: bool, serial: int) -> str:
    """A NIK that passes the form's checks: kecamatan code, birth date (+40 for women), serial."""
    day = born.day + (40 if female else 0)
    return f"{kecamatan.replace('.', '')[:6]}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def kk(kecamatan: str, serial: int) -> str:
    return f"{kecamatan.replace('.', '')[:6]}{serial:010d}"


@dataclass
class Family:
    region: str
    head: str
    no_kk: str | None
    rt: int = 1
    rw: int = 2
    address: str = "Jl. Melati 5"
    water: str = "Sumur bor / pompa"
    latrine: str = "Jamban sendiri (leher angsa) dengan tangki septik"


@dataclass
class Member:
    no_kk: str | None
    head: str
    region: str
    category: str
    name: str
    nik: str | None
    born: date
    sex: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Weighing:
    region: str
    nik: str | None
    name: str
    born: date
    on: date
    weight: float
    height: float
    position: str = "Berbaring (panjang badan)"


def _family_row(f: Family) -> dict[str, Any]:
    return {"Kode Wilayah": f.region, "RT": f.rt, "RW": f.rw, "Alamat": f.address, "Nama Kepala Keluarga": f.head,
            "No. KK": f.no_kk, "Sumber Air Minum": f.water, "Jamban": f.latrine}


def _member_row(m: Member) -> dict[str, Any]:
    return {"Kode Wilayah": m.region, "No. KK": m.no_kk, "Nama Kepala Keluarga": m.head, "Kategori": m.category,
            "Nama": m.name, "NIK": m.nik, "Jenis Kelamin": m.sex, "Tanggal Lahir": m.born, **m.extra}


def _weighing_row(w: Weighing) -> dict[str, Any]:
    return {"Kode Wilayah": w.region, "NIK": w.nik, "Nama": w.name, "Tanggal Lahir": w.born, "Tanggal Ukur": w.on,
            "Berat Badan": w.weight, "Tinggi Badan": w.height, "Cara Ukur": w.position}


def template_file(families: list[Family], members: list[Member] = (), weighings: list[Weighing] = ()) -> bytes:
    """The shipped template's sheets and headers, filled with these records."""
    book = Workbook(write_only=True)
    for kind, records, to_row in ((Kind.KELUARGA, families, _family_row), (Kind.SASARAN, members, _member_row),
                                  (Kind.PENGUKURAN, weighings, _weighing_row)):
        sheet = book.create_sheet(kind.value)
        headers = [c.header for c in SHEETS[kind]]
        sheet.append(headers)
        for record in records:
            values = to_row(record)
            sheet.append([values.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(headers: list[str], rows: list[list[Any]], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
    return out.getvalue().encode("utf-8")


def child_born(i: int) -> date:
    return TODAY - timedelta(days=60 + (i * 37) % 600)


def adult_born(i: int) -> date:
    return TODAY - timedelta(days=365 * 22 + (i * 53) % 3000)
