"""Which column of each sheet means what: the plan an import walks a file with.

Headers are recognised by name (:mod:`bot.impor.headers`), else by the mapping chosen
for the same header row before (remembered in storage); what is left is asked about
(the buttons of ``/impor``, ``--mapping`` on the command line).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.impor import headers, reader
from bot.services import Services
from storage import impor as store

#: The answer "ignore this column".
IGNORE = "-"


@dataclass(frozen=True)
class SheetPlan:
    name: str
    headers: tuple[str, ...]
    mapping: dict[int, str]  # column index -> column key


@dataclass(frozen=True)
class SheetMapping:
    plan: SheetPlan
    unknown: tuple[int, ...]  # header indexes nobody has mapped yet
    signature: str


def file_hash(source: reader.Source) -> str:
    data = source if isinstance(source, bytes) else source.read_bytes()
    return hashlib.sha256(data).hexdigest()


def sheet_order(plan: SheetPlan) -> int:
    """Families before their members, members before their measurements."""
    keys = set(plan.mapping.values())
    if {"nama", "kategori"} <= keys:
        return 1
    if keys & {"berat", "tinggi", "lila", "hb"} and not keys & {"air", "jamban"}:
        return 2
    return 0


async def read_mappings(services: Services, source: reader.Source) -> list[SheetMapping]:
    """Every data sheet with the mapping its headers get: recognised names, else what was
    chosen for the same header row before; what is left is asked about."""
    found = []
    for sheet in reader.sheets(source):
        mapping, unknown = headers.auto_mapping(sheet.headers)
        signature = headers.signature(sheet.headers)
        remembered = await store.remembered_mapping(services.db, signature)
        if remembered is not None:
            mapping = {i: k for i, k in remembered.items() if k != IGNORE}
            unknown = []
        found.append(SheetMapping(SheetPlan(sheet.name, sheet.headers, mapping), tuple(unknown), signature))
    found.sort(key=lambda m: sheet_order(m.plan))
    return found
