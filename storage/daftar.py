"""A TPK member's own list (``/daftar``) and the by-name workbook (``/ekspor daftar``).

A family is a member's when they reported it, when it was given to them, or when it
was imported into their desa and given to nobody in particular (every TPK member of
the desa then has it). Visits are the member's own: an imported measurement is not a
visit, so an imported family stays "belum dikunjungi" until someone goes there — and
that visit is what verifies it (Verval).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from storage.db import Database
from storage.scope import within_named

#: A family with no visit for this long is due again.
VISIT_EVERY_DAYS = 30
MAX_ROWS = 20_000


@dataclass(frozen=True)
class DaftarFamily:
    id: int
    head_name: str
    rt: str | None
    rw: str | None
    region_code: str
    berisiko: bool
    imported: bool
    members: int
    last_visit: date | None
    due: date
    unmeasured_children: int  # children with no weight or height this month
    kka_due: int = 0  # audit cases of this family in an open round whose KKA is not completed yet

    @property
    def visited(self) -> bool:
        return self.last_visit is not None


_MINE = ("(k.reporter_id = :user OR EXISTS (SELECT 1 FROM keluarga_assignee a WHERE a.keluarga_id = k.id "
         "AND a.user_id = :user) OR (k.impor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM keluarga_assignee a "
         "WHERE a.keluarga_id = k.id)))")
#: Audit cases (Kajian Kasus) of the family in an open round, not dropped, whose KKA the member
#: (``:user``; any member for a coordinator's list) has still to complete — what ``/audit`` asks them.
_KKA = ("SELECT count(*) FROM audit_case c JOIN audit_round r ON r.id = c.round_id WHERE c.keluarga_id = k.id "
        "AND c.status <> 'batal' AND r.closed_at IS NULL AND c.kka_json IS NULL "
        "AND (CAST(:user AS INTEGER) IS NULL OR c.tpk_id = :user)")
_VISITS = ("SELECT max(v.visited_on) FROM kunjungan v JOIN sasaran s ON s.id = v.sasaran_id "
           "WHERE s.keluarga_id = k.id AND v.impor_id IS NULL AND v.kind = 'kunjungan'")


def _where(scope: str, user_id: int | None, unvisited: bool) -> tuple[str, dict[str, Any]]:
    inside, area = within_named("k.region_code", scope)
    where = f"{inside} AND k.erased_at IS NULL AND k.anonymised_at IS NULL"
    params: dict[str, Any] = {**area, "user": user_id}
    if user_id is not None:
        where += f" AND {_MINE}"
    if unvisited:
        where += f" AND k.impor_id IS NOT NULL AND ({_VISITS}) IS NULL"
    return where, params


async def families(db: Database, scope: str, *, user_id: int | None, today: date, order: str = "due",
                   unvisited: bool = False, limit: int = 8, offset: int = 0) -> tuple[list[DaftarFamily], int]:
    """A page of the member's families (``user_id`` None: every family in ``scope``) and the total."""
    where, params = _where(scope, user_id, unvisited)
    month_start = today.replace(day=1).isoformat()
    total = await db.fetch_value(f"SELECT count(*) FROM keluarga k WHERE {where}", params)
    ordering = "due, k.id" if order == "due" else "k.berisiko DESC, flags DESC, due, k.id"
    rows = await db.fetch_all(
        f"SELECT k.id, k.head_name, k.rt, k.rw, k.region_code, k.berisiko, k.impor_id, "
        f"(SELECT count(*) FROM sasaran s WHERE s.keluarga_id = k.id AND s.status = 'aktif' AND s.erased_at IS NULL)"
        f" AS members, ({_VISITS}) AS last_visit, "
        f"coalesce(date(({_VISITS}), '+{VISIT_EVERY_DAYS} days'), substr(k.created_at, 1, 10)) AS due, "
        "(SELECT count(*) FROM sasaran s WHERE s.keluarga_id = k.id AND s.status = 'aktif' AND s.erased_at IS NULL "
        " AND s.category IN ('baduta', 'balita') AND NOT EXISTS (SELECT 1 FROM kunjungan v WHERE v.sasaran_id = s.id"
        " AND v.visited_on >= :month AND (v.weight_kg IS NOT NULL OR v.height_cm IS NOT NULL))) AS unmeasured, "
        "(SELECT count(*) FROM sasaran_flag f JOIN sasaran s ON s.id = f.sasaran_id WHERE s.keluarga_id = k.id) "
        "+ (SELECT count(*) FROM keluarga_risk r WHERE r.keluarga_id = k.id) AS flags, "
        f"({_KKA}) AS kka_due FROM keluarga k WHERE {where} ORDER BY {ordering} LIMIT :limit OFFSET :offset",
        {**params, "month": month_start, "limit": limit, "offset": offset})
    return [_family(r) for r in rows], int(total or 0)


def _family(row: Any) -> DaftarFamily:
    return DaftarFamily(
        id=row["id"], head_name=row["head_name"], rt=row["rt"], rw=row["rw"], region_code=row["region_code"],
        berisiko=bool(row["berisiko"]), imported=row["impor_id"] is not None, members=row["members"],
        last_visit=date.fromisoformat(row["last_visit"]) if row["last_visit"] else None,
        due=date.fromisoformat(row["due"]), unmeasured_children=row["unmeasured"], kka_due=row["kka_due"])


@dataclass(frozen=True)
class NamedRow:
    """One line of the by-name workbook: a sasaran with its family (or a family alone)."""

    keluarga_id: int
    head_name: str
    address: str | None
    rt: str | None
    rw: str | None
    region_code: str
    berisiko: bool
    source: str | None  # the import it came from ("impor verval_krs_2026.xlsx"), None if a member reported it
    name: str | None
    category: str | None
    birth_date: date | None
    nik_masked: str | None
    last_visit: date | None
    due: date
    flags: str
    kka_due: bool = False  # an audit case of this family waits for its KKA


async def named_rows(db: Database, scope: str, *, user_id: int | None, today: date) -> list[NamedRow]:
    """Every family of the list with each active member; NIK only in its masked form."""
    where, params = _where(scope, user_id, False)
    rows = await db.fetch_all(
        f"SELECT k.id, k.head_name, k.address, k.rt, k.rw, k.region_code, k.berisiko, "
        f"(SELECT source FROM impor i WHERE i.id = k.impor_id) AS source, s.name, "
        f"s.category, s.birth_date, s.nik_masked, ({_VISITS}) AS last_visit, "
        f"coalesce(date(({_VISITS}), '+{VISIT_EVERY_DAYS} days'), substr(k.created_at, 1, 10)) AS due, "
        "(SELECT group_concat(u.reason, '; ') FROM (SELECT reason FROM keluarga_risk r WHERE r.keluarga_id = k.id "
        " UNION ALL SELECT reason FROM sasaran_flag f WHERE f.sasaran_id = s.id) AS u) AS flags, "
        f"({_KKA}) AS kka_due "
        f"FROM keluarga k LEFT JOIN sasaran s ON s.keluarga_id = k.id AND s.status = 'aktif' AND s.erased_at IS NULL "
        f"AND s.anonymised_at IS NULL WHERE {where} ORDER BY due, k.id, s.id LIMIT :limit",
        {**params, "limit": MAX_ROWS})
    return [NamedRow(
        keluarga_id=r["id"], head_name=r["head_name"], address=r["address"], rt=r["rt"], rw=r["rw"],
        region_code=r["region_code"], berisiko=bool(r["berisiko"]), source=r["source"],
        name=r["name"], category=r["category"],
        birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None, nik_masked=r["nik_masked"],
        last_visit=date.fromisoformat(r["last_visit"]) if r["last_visit"] else None,
        due=date.fromisoformat(r["due"]), flags=r["flags"] or "", kka_due=bool(r["kka_due"])) for r in rows]
