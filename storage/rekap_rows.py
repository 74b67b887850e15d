"""One row per target member for the /ekspor workbook's "Sasaran" sheet.

Only what the sheet may show is selected: area, category, the masked NIK, sex, birth
date, pregnancy dates, the latest measurement up to the reference day, the risk codes
as they stood that day, and the last visit. Names, phone numbers and the encrypted NIK
are never read here. The cost is one row per member in the area, which is what an
export is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage.db import Database
from storage.rekap import FLAG_CODES, _inside
from storage.timefmt import to_db


@dataclass(frozen=True, slots=True)
class SasaranRow:
    """One member's line. Slots, as an export holds up to ``[rekap] export_max_rows`` of
    these at once (about 1.2 KB each with their values; 5 % less than with a ``__dict__``)."""

    id: int
    region_code: str
    category: str
    status: str
    nik_masked: str | None
    sex: str | None
    birth_date: date | None
    hpht: date | None
    hpl: date | None
    measured_on: date | None
    weight_kg: float | None
    height_cm: float | None
    lila_cm: float | None
    hb: float | None
    haz: float | None
    waz: float | None
    whz: float | None
    last_visit: date | None
    family_risks: tuple[str, ...]
    flags: tuple[str, ...]
    #: The membership span it is in on the day asked (storage.rekap.SPAN_NAMES), None outside all.
    state: str | None = None


#: The flags kept by day in ``rekap_state_span`` (the others are read as they stand).
_COUNTED = ",".join(f"'{code}'" for code in FLAG_CODES)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(text.split(","))) if text else ()


async def sasaran_rows(db: Database, *, scope: str, area: str, registered_by: datetime, on: date,
                       limit: int) -> tuple[list[SasaranRow], int]:
    """Members inside ``area`` registered by ``registered_by``, with their state on day
    ``on``; at most ``limit`` rows, and the total. Records erased or anonymised (/hapus,
    retention) are left out, like every other list: the sheet names no one who asked to
    be erased, not even by area, category and birth year."""
    inside, params = _inside(scope, area, "s.region_code")
    where = f"{inside} AND s.erased_at IS NULL AND s.anonymised_at IS NULL AND s.created_at <= ?"
    args = (*params, to_db(registered_by))
    total = int(await db.fetch_value(f"SELECT count(*) FROM sasaran s WHERE {where}", args) or 0)
    day = on.isoformat()
    rows = await db.fetch_all(
        "SELECT s.id, s.region_code, s.category, s.status, s.nik_masked, s.sex, s.birth_date, s.hpht, s.hpl,"
        " m.visited_on, m.weight_kg, m.height_cm, m.lila_cm, m.hb, m.haz, m.waz, m.whz,"
        " (SELECT max(v.visited_on) FROM kunjungan v WHERE v.sasaran_id = s.id AND v.visited_on <= ?),"
        # The family's KRS factors and the member's counted flags as they stood on the day
        # (the dated history of migration 0017, as /rekap counts them); the member's other
        # flags (short mother, low IMT, the child statuses of her latest measurement) as now.
        " (SELECT group_concat(substr(x.name, 6)) FROM rekap_state_span x WHERE x.subject = 'keluarga'"
        "   AND x.subject_id = s.keluarga_id AND x.name <> 'berisiko' AND x.start_day <= ? AND x.end_day > ?),"
        " (SELECT group_concat(u.code) FROM ("
        "   SELECT substr(x.name, 6) AS code FROM rekap_state_span x WHERE x.subject = 'sasaran'"
        "    AND x.subject_id = s.id AND x.start_day <= ? AND x.end_day > ?"
        f"  UNION ALL SELECT f.code FROM sasaran_flag f WHERE f.sasaran_id = s.id AND f.code NOT IN ({_COUNTED})"
        " ) AS u),"
        " (SELECT sp.name FROM rekap_span sp WHERE sp.sasaran_id = s.id AND sp.start_day <= ? AND sp.end_day > ?"
        "   LIMIT 1)"
        " FROM sasaran s LEFT JOIN kunjungan m ON m.id = ("
        "   SELECT k.id FROM kunjungan k WHERE k.sasaran_id = s.id AND k.visited_on <= ?"
        "   AND (k.weight_kg IS NOT NULL OR k.height_cm IS NOT NULL OR k.lila_cm IS NOT NULL OR k.hb IS NOT NULL)"
        "   ORDER BY k.visited_on DESC, k.id DESC LIMIT 1)"
        f" WHERE {where} ORDER BY s.region_code, s.category, s.id LIMIT ?",
        (*(day,) * 8, *args, limit),
    )
    # 100,000 rows take ~0.6 s to convert: in a thread, so the event loop keeps answering
    # other members meanwhile (done in the loop it stalled every update that long).
    return await asyncio.to_thread(_members, rows), total


def _members(rows: Sequence[Any]) -> list[SasaranRow]:
    return [
        SasaranRow(
            id=r[0], region_code=r[1], category=r[2], status=r[3], nik_masked=r[4], sex=r[5],
            birth_date=_day(r[6]), hpht=_day(r[7]), hpl=_day(r[8]), measured_on=_day(r[9]), weight_kg=r[10],
            height_cm=r[11], lila_cm=r[12], hb=r[13], haz=r[14], waz=r[15], whz=r[16], last_visit=_day(r[17]),
            family_risks=_codes(r[18]), flags=_codes(r[19]), state=r[20],
        )
        for r in rows
    ]
