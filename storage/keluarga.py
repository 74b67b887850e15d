"""Families (keluarga), their target members (sasaran), visits and risk rows.

Writes take an open transaction so a whole report, its risk rows, its audit entries
and the deletion of its draft commit together. Every read that returns people takes
the caller's scope and filters in SQL (:func:`storage.scope.within`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.domain.nik import mask_nik
from bot.domain.risk import RiskFactor
from storage import audit
from storage.at_rest import seal
from storage.crypto import KELUARGA_KK, SASARAN_NIK, SASARAN_PHONE, IdentityCipher, opened
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import to_db


@dataclass(frozen=True)
class NewKeluarga:
    region_code: str
    head_name: str
    water_source: str
    latrine: str
    rt: str | None = None
    rw: str | None = None
    address: str | None = None
    no_kk: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewSasaran:
    category: str
    name: str
    nik: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    hpht: date | None = None
    hpl: date | None = None
    delivery_date: date | None = None
    mother_id: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Measurement:
    """One registration measurement or visit, with the z-scores already computed."""

    visited_on: date
    weight_kg: float | None = None
    height_cm: float | None = None
    measured_lying: bool | None = None
    lila_cm: float | None = None
    hb: float | None = None
    haz: float | None = None
    waz: float | None = None
    whz: float | None = None
    stunted: bool | None = None
    wasted: bool | None = None
    underweight: bool | None = None


@dataclass(frozen=True)
class Keluarga:
    id: int
    region_code: str
    rt: str | None
    rw: str | None
    address: str | None
    head_name: str
    no_kk_masked: str | None
    water_source: str
    latrine: str
    berisiko: bool
    answers: dict[str, Any]
    reporter_id: int
    created_at: str


@dataclass(frozen=True)
class Sasaran:
    id: int
    keluarga_id: int
    region_code: str
    category: str
    name: str
    nik_masked: str | None
    sex: str | None
    birth_date: date | None
    hpht: date | None
    hpl: date | None
    delivery_date: date | None
    mother_id: int | None
    status: str
    ended_reason: str | None
    ended_on: date | None
    answers: dict[str, Any]
    reporter_id: int
    created_at: str


@dataclass(frozen=True)
class Kunjungan:
    id: int
    sasaran_id: int
    visited_on: date
    kind: str
    outcome: str | None
    measurement: Measurement
    answers: dict[str, Any]
    reporter_id: int


@dataclass(frozen=True)
class SasaranOwner:
    """Who holds a NIK already, inside the caller's scope: shown (masked) when someone
    registers it again there."""

    sasaran_id: int
    nik_masked: str
    region_code: str
    category: str
    reporter_name: str


@dataclass(frozen=True)
class KkOwner:
    """The family already reported with a No. KK, inside the caller's scope."""

    keluarga_id: int
    region_code: str


@dataclass(frozen=True)
class Elsewhere:
    """A NIK or No. KK registered outside the caller's scope: only the ids, for telling the
    record's own TPK member and coordinator (never shown to the caller, issue 15 §2)."""

    entity: str  # "sasaran" / "keluarga"
    record_id: int
    region_code: str
    reporter_id: int
    masked: str | None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


_K_COLS = ("id, region_code, rt, rw, address, head_name, no_kk_masked, water_source, latrine, berisiko, "
           "answers_json, reporter_id, created_at")
_S_COLS = ("id, keluarga_id, region_code, category, name, nik_masked, sex, birth_date, hpht, hpl, "
           "delivery_date, mother_id, status, ended_reason, ended_on, answers_json, reporter_id, created_at")
_V_COLS = ("id, sasaran_id, visited_on, kind, outcome, weight_kg, height_cm, measured_lying, lila_cm, hb, "
           "haz, waz, whz, stunted, wasted, underweight, answers_json, reporter_id")


def _keluarga(row: aiosqlite.Row) -> Keluarga:
    return Keluarga(
        id=row["id"], region_code=row["region_code"], rt=row["rt"], rw=row["rw"], address=row["address"],
        head_name=row["head_name"], no_kk_masked=row["no_kk_masked"], water_source=row["water_source"],
        latrine=row["latrine"], berisiko=bool(row["berisiko"]), answers=json.loads(row["answers_json"]),
        reporter_id=row["reporter_id"], created_at=row["created_at"],
    )


def _sasaran(row: aiosqlite.Row) -> Sasaran:
    return Sasaran(
        id=row["id"], keluarga_id=row["keluarga_id"], region_code=row["region_code"], category=row["category"],
        name=row["name"], nik_masked=row["nik_masked"], sex=row["sex"], birth_date=_day(row["birth_date"]),
        hpht=_day(row["hpht"]), hpl=_day(row["hpl"]), delivery_date=_day(row["delivery_date"]),
        mother_id=row["mother_id"], status=row["status"], ended_reason=row["ended_reason"],
        ended_on=_day(row["ended_on"]), answers=json.loads(row["answers_json"]),
        reporter_id=row["reporter_id"], created_at=row["created_at"],
    )


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _kunjungan(row: aiosqlite.Row) -> Kunjungan:
    measurement = Measurement(
        visited_on=date.fromisoformat(row["visited_on"]), weight_kg=row["weight_kg"], height_cm=row["height_cm"],
        measured_lying=_bool(row["measured_lying"]), lila_cm=row["lila_cm"], hb=row["hb"], haz=row["haz"],
        waz=row["waz"], whz=row["whz"], stunted=_bool(row["stunted"]), wasted=_bool(row["wasted"]),
        underweight=_bool(row["underweight"]),
    )
    return Kunjungan(id=row["id"], sasaran_id=row["sasaran_id"], visited_on=measurement.visited_on,
                     kind=row["kind"], outcome=row["outcome"], measurement=measurement,
                     answers=json.loads(row["answers_json"]), reporter_id=row["reporter_id"])


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# -- writing -------------------------------------------------------------------------


#: The columns a new family's row is written with (``create_keluarga`` and the import's
#: batch, :class:`storage.impor_batch.NewRecords`, write the same values).
KELUARGA_INSERT_COLUMNS = ("region_code, rt, rw, address, head_name, no_kk_masked, water_source, latrine, "
                           "answers_json, reporter_id, draft_key, created_at, updated_at")
SASARAN_INSERT_COLUMNS = ("keluarga_id, region_code, category, name, nik_masked, sex, birth_date, hpht, hpl, "
                          "delivery_date, mother_id, answers_json, reporter_id, created_at, updated_at")


def insert_sql(table: str, *columns: str) -> str:
    """``INSERT INTO table (…) VALUES (?, …)`` for comma-separated column lists."""
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in names.split(','))})"


def keluarga_values(data: NewKeluarga, *, reporter_id: int, draft_key: str | None, now: datetime) -> tuple[Any, ...]:
    """The values of :data:`KELUARGA_INSERT_COLUMNS` for a new family."""
    kk, stamp = data.no_kk, to_db(now)
    return (data.region_code, data.rt, data.rw, data.address, data.head_name, mask_nik(kk) if kk else None,
            data.water_source, data.latrine, _json(data.answers), reporter_id, draft_key, stamp, stamp)


def keluarga_audit(data: NewKeluarga) -> dict[str, Any]:
    """What the audit log keeps of a new family: everything but the No. KK."""
    return {k: v for k, v in asdict(data).items() if k != "no_kk"}


def sasaran_values(data: NewSasaran, *, keluarga_id: int, region_code: str, reporter_id: int,
                   now: datetime) -> tuple[Any, ...]:
    """The values of :data:`SASARAN_INSERT_COLUMNS` for a new member (the family's region)."""
    nik, stamp = data.nik, to_db(now)
    return (keluarga_id, region_code, data.category, data.name, mask_nik(nik) if nik else None, data.sex,
            _iso(data.birth_date), _iso(data.hpht), _iso(data.hpl), _iso(data.delivery_date), data.mother_id,
            _json(data.answers), reporter_id, stamp, stamp)


def sasaran_audit(data: NewSasaran) -> dict[str, Any]:
    """What the audit log keeps of a new member: everything but NIK and phone."""
    return {k: v for k, v in asdict(data).items() if k not in ("nik", "phone")}


async def create_keluarga(tx: Transaction, cipher: IdentityCipher, data: NewKeluarga, *, reporter_id: int,
                          draft_key: str | None, now: datetime) -> int:
    new_id = await tx.insert(insert_sql("keluarga", KELUARGA_INSERT_COLUMNS),
                             keluarga_values(data, reporter_id=reporter_id, draft_key=draft_key, now=now))
    await seal(tx, cipher, KELUARGA_KK, new_id, data.no_kk)
    await audit.record(tx, at=now, actor_id=reporter_id, action="create", entity="keluarga",
                       entity_id=new_id, after=keluarga_audit(data))
    return new_id


async def add_sasaran(tx: Transaction, cipher: IdentityCipher, keluarga_id: int, data: NewSasaran, *,
                      reporter_id: int, now: datetime) -> int:
    row = await tx.fetch_one("SELECT region_code FROM keluarga WHERE id = ?", (keluarga_id,))
    if row is None:
        raise LookupError(keluarga_id)
    new_id = await tx.insert(insert_sql("sasaran", SASARAN_INSERT_COLUMNS),
                             sasaran_values(data, keluarga_id=keluarga_id, region_code=row["region_code"],
                                            reporter_id=reporter_id, now=now))
    await seal(tx, cipher, SASARAN_NIK, new_id, data.nik)
    await seal(tx, cipher, SASARAN_PHONE, new_id, data.phone)
    await audit.record(tx, at=now, actor_id=reporter_id, action="create", entity="sasaran",
                       entity_id=new_id, after=sasaran_audit(data))
    return new_id


async def add_kunjungan(tx: Transaction, *, sasaran_id: int, reporter_id: int, kind: str,
                        measurement: Measurement, answers: dict[str, Any], outcome: str | None = None,
                        draft_key: str | None = None, now: datetime) -> int:
    row = await tx.fetch_one("SELECT region_code FROM sasaran WHERE id = ?", (sasaran_id,))
    if row is None:
        raise LookupError(sasaran_id)
    m = measurement
    new_id = await tx.insert(
        "INSERT INTO kunjungan (sasaran_id, region_code, reporter_id, visited_on, kind, outcome, weight_kg, "
        "height_cm, measured_lying, lila_cm, hb, haz, waz, whz, stunted, wasted, underweight, answers_json, "
        "draft_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (sasaran_id, row["region_code"], reporter_id, m.visited_on.isoformat(), kind, outcome, m.weight_kg,
         m.height_cm, m.measured_lying, m.lila_cm, m.hb, m.haz, m.waz, m.whz, m.stunted, m.wasted,
         m.underweight, _json(answers), draft_key, to_db(now)),
    )
    await audit.record(tx, at=now, actor_id=reporter_id, action="create", entity="kunjungan", entity_id=new_id,
                       after={"sasaran_id": sasaran_id, "kind": kind, "outcome": outcome,
                              "visited_on": m.visited_on.isoformat()})
    return new_id


async def update_sasaran(tx: Transaction, sasaran_id: int, *, actor_id: int, now: datetime,
                         **changes: Any) -> None:
    """Change plain columns of a sasaran (dates as ``date``), audited with before/after."""
    allowed = {"category", "name", "sex", "birth_date", "hpht", "hpl", "delivery_date", "status",
               "ended_reason", "ended_on", "answers_json"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    before_row = await tx.fetch_one(f"SELECT {_S_COLS} FROM sasaran WHERE id = ?", (sasaran_id,))
    if before_row is None:
        raise LookupError(sasaran_id)
    values = {k: (_iso(v) if isinstance(v, date) else v) for k, v in changes.items()}
    assignments = ", ".join(f"{k} = ?" for k in values)
    await tx.execute(f"UPDATE sasaran SET {assignments}, updated_at = ? WHERE id = ?",
                     (*values.values(), to_db(now), sasaran_id))
    before = {k: before_row[k] for k in values}
    await audit.record(tx, at=now, actor_id=actor_id, action="update", entity="sasaran", entity_id=sasaran_id,
                       before=before, after=values)


async def replace_risks(tx: Transaction, keluarga_id: int, family: Iterable[RiskFactor],
                        members: dict[int, list[RiskFactor]], *, berisiko: bool) -> None:
    """Store the latest assessment: family KRS factors, each member's health flags."""
    await tx.execute("DELETE FROM keluarga_risk WHERE keluarga_id = ?", (keluarga_id,))
    await tx.execute_many("INSERT OR REPLACE INTO keluarga_risk (keluarga_id, code, reason) VALUES (?, ?, ?)",
                          [(keluarga_id, f.code.value, f.reason) for f in family])
    await tx.execute("UPDATE keluarga SET berisiko = ? WHERE id = ?", (int(berisiko), keluarga_id))
    for sasaran_id, flags in members.items():
        await tx.execute("DELETE FROM sasaran_flag WHERE sasaran_id = ?", (sasaran_id,))
        await tx.execute_many("INSERT OR REPLACE INTO sasaran_flag (sasaran_id, code, reason) VALUES (?, ?, ?)",
                              [(sasaran_id, f.code.value, f.reason) for f in flags])


# -- reading inside a transaction (for reassessment) -----------------------------------


async def keluarga_in_tx(tx: Transaction, keluarga_id: int) -> Keluarga | None:
    row = await tx.fetch_one(f"SELECT {_K_COLS} FROM keluarga WHERE id = ?", (keluarga_id,))
    return _keluarga(row) if row else None


async def sasaran_in_tx(tx: Transaction, sasaran_id: int) -> Sasaran | None:
    """Any record by id, erased or not: the form checks the caller's scope on its region itself."""
    row = await tx.fetch_one(f"SELECT {_S_COLS} FROM sasaran WHERE id = ?", (sasaran_id,))
    return _sasaran(row) if row else None


async def member_ids_in_tx(tx: Transaction, keluarga_id: int) -> list[int]:
    """Every member of a family, erased ones too (their reminder plans are refreshed after a correction)."""
    return [r[0] for r in await tx.fetch_all("SELECT id FROM sasaran WHERE keluarga_id = ?", (keluarga_id,))]


async def members_in_tx(tx: Transaction, keluarga_id: int) -> list[Sasaran]:
    rows = await tx.fetch_all(f"SELECT {_S_COLS} FROM sasaran WHERE keluarga_id = ? AND erased_at IS NULL "
                              "ORDER BY id", (keluarga_id,))
    return [_sasaran(r) for r in rows]


async def kunjungan_history_in_tx(tx: Transaction, sasaran_id: int) -> list[Kunjungan]:
    """Every registration and visit of one member, oldest first (KMS, KB, births)."""
    rows = await tx.fetch_all(f"SELECT {_V_COLS} FROM kunjungan WHERE sasaran_id = ? "
                              "ORDER BY visited_on, id", (sasaran_id,))
    return [_kunjungan(r) for r in rows]


# -- reading, always within a scope ----------------------------------------------------


async def find_by_nik(db: Database, cipher: IdentityCipher, nik: str, scope: str
                      ) -> SasaranOwner | Elsewhere | None:
    """A NIK registered anywhere in the deployment (duplicates are deployment-wide). Inside
    ``scope`` the masked NIK, area, category and reporter; outside it only the ids."""
    inside, params = within("s.region_code", scope)
    row = await db.fetch_one(
        f"SELECT s.id, s.nik_masked, s.region_code, s.category, u.full_name, s.reporter_id, {inside} FROM sasaran s "
        "JOIN users u ON u.id = s.reporter_id WHERE s.nik_hash = ? AND s.erased_at IS NULL",
        (*params, cipher.lookup_hash(nik)),
    )
    if row is None:
        return None
    if not row[6]:
        return Elsewhere("sasaran", row[0], row[2], row[5], row[1])
    return SasaranOwner(row[0], row[1], row[2], row[3], row[4])


async def find_kk(db: Database, cipher: IdentityCipher, no_kk: str, scope: str) -> KkOwner | Elsewhere | None:
    """A family already reported with this No. KK (found by its keyed hash): its area inside
    ``scope``, only the ids outside it."""
    inside, params = within("region_code", scope)
    row = await db.fetch_one(
        f"SELECT id, region_code, reporter_id, no_kk_masked, {inside} FROM keluarga "
        "WHERE no_kk_hash = ? AND erased_at IS NULL ORDER BY id LIMIT 1",
        (*params, cipher.lookup_hash(no_kk)),
    )
    if row is None:
        return None
    if not row[4]:
        return Elsewhere("keluarga", row[0], row[1], row[2], row[3])
    return KkOwner(row[0], row[1])


async def ended_reason(db: Database, sasaran_id: int) -> str | None:
    return await db.fetch_value("SELECT ended_reason FROM sasaran WHERE id = ?", (sasaran_id,))


async def same_person(db: Database, region_code: str, name: str, birth_date: date) -> list[Sasaran]:
    rows = await db.fetch_all(
        f"SELECT {_S_COLS} FROM sasaran WHERE region_code = ? AND name = ? COLLATE NOCASE AND birth_date = ? "
        "AND erased_at IS NULL", (region_code, name, birth_date.isoformat()))
    return [_sasaran(r) for r in rows]


async def get_keluarga(db: Database, scope: str, keluarga_id: int) -> Keluarga | None:
    inside, params = within("region_code", scope)
    row = await db.fetch_one(f"SELECT {_K_COLS} FROM keluarga WHERE id = ? AND {inside} AND erased_at IS NULL "
                             "AND anonymised_at IS NULL",
                             (keluarga_id, *params))
    return _keluarga(row) if row else None


async def list_keluarga(db: Database, scope: str, *, reporter_id: int | None = None, limit: int = 10,
                        offset: int = 0) -> tuple[list[Keluarga], int]:
    """A page of families in scope (optionally only one reporter's), newest first, and the total."""
    inside, params = within("region_code", scope)
    where = f"{inside} AND erased_at IS NULL AND anonymised_at IS NULL"
    args: tuple[Any, ...] = params
    if reporter_id is not None:
        where += " AND reporter_id = ?"
        args = (*args, reporter_id)
    total = await db.fetch_value(f"SELECT count(*) FROM keluarga WHERE {where}", args)
    rows = await db.fetch_all(f"SELECT {_K_COLS} FROM keluarga WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                              (*args, limit, offset))
    return [_keluarga(r) for r in rows], int(total or 0)


async def members(db: Database, scope: str, keluarga_id: int) -> list[Sasaran]:
    inside, params = within("region_code", scope)
    rows = await db.fetch_all(f"SELECT {_S_COLS} FROM sasaran WHERE keluarga_id = ? AND {inside} "
                              "AND erased_at IS NULL AND anonymised_at IS NULL ORDER BY id", (keluarga_id, *params))
    return [_sasaran(r) for r in rows]


async def get_sasaran(db: Database, scope: str, sasaran_id: int) -> Sasaran | None:
    inside, params = within("region_code", scope)
    row = await db.fetch_one(f"SELECT {_S_COLS} FROM sasaran WHERE id = ? AND {inside} AND erased_at IS NULL "
                             "AND anonymised_at IS NULL",
                             (sasaran_id, *params))
    return _sasaran(row) if row else None


async def search_sasaran(db: Database, scope: str, name: str, *, limit: int = 10) -> list[Sasaran]:
    inside, params = within("region_code", scope)
    rows = await db.fetch_all(
        f"SELECT {_S_COLS} FROM sasaran WHERE {inside} AND erased_at IS NULL AND status = 'aktif' "
        "AND name LIKE ? ESCAPE '\\' COLLATE NOCASE ORDER BY name COLLATE NOCASE LIMIT ?",
        (*params, "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit))
    return [_sasaran(r) for r in rows]


async def flags(db: Database, sasaran_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    if not sasaran_ids:
        return {}
    marks = ",".join("?" for _ in sasaran_ids)
    rows = await db.fetch_all(f"SELECT sasaran_id, code, reason FROM sasaran_flag WHERE sasaran_id IN ({marks})",
                              sasaran_ids)
    out: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        out.setdefault(row[0], []).append((row[1], row[2]))
    return out


async def family_risks(db: Database, keluarga_id: int) -> list[tuple[str, str]]:
    rows = await db.fetch_all("SELECT code, reason FROM keluarga_risk WHERE keluarga_id = ? ORDER BY code",
                              (keluarga_id,))
    return [(r[0], r[1]) for r in rows]


async def latest_kunjungan(db: Database, sasaran_id: int) -> Kunjungan | None:
    row = await db.fetch_one(f"SELECT {_V_COLS} FROM kunjungan WHERE sasaran_id = ? "
                             "ORDER BY visited_on DESC, id DESC LIMIT 1", (sasaran_id,))
    return _kunjungan(row) if row else None


async def measurement_history(db: Database, scope: str, sasaran_id: int) -> list[Kunjungan]:
    """Every registration and visit of one member in scope, oldest first: the growth
    history /keluarga shows and the chart draws (each measurement keeps its own date)."""
    inside, params = within("s.region_code", scope)
    cols = ", ".join(f"v.{c.strip()}" for c in _V_COLS.split(","))
    rows = await db.fetch_all(f"SELECT {cols} FROM kunjungan v JOIN sasaran s ON s.id = v.sasaran_id "
                              f"WHERE v.sasaran_id = ? AND {inside} AND s.erased_at IS NULL "
                              "AND s.anonymised_at IS NULL ORDER BY v.visited_on, v.id", (sasaran_id, *params))
    return [_kunjungan(r) for r in rows]


async def kunjungan_by_draft(db: Database, draft_key: str) -> Kunjungan | None:
    row = await db.fetch_one(f"SELECT {_V_COLS} FROM kunjungan WHERE draft_key = ?", (draft_key,))
    return _kunjungan(row) if row else None


async def keluarga_by_draft(db: Database, draft_key: str) -> Keluarga | None:
    row = await db.fetch_one(f"SELECT {_K_COLS} FROM keluarga WHERE draft_key = ?", (draft_key,))
    return _keluarga(row) if row else None


async def recent_sasaran(db: Database, scope: str, *, reporter_id: int, limit: int = 10) -> list[Sasaran]:
    """Active sasaran in scope, the member's own first, most recently registered first."""
    inside, params = within("region_code", scope)
    rows = await db.fetch_all(
        f"SELECT {_S_COLS} FROM sasaran WHERE {inside} AND erased_at IS NULL AND status = 'aktif' "
        "ORDER BY reporter_id = ? DESC, id DESC LIMIT ?", (*params, reporter_id, limit))
    return [_sasaran(r) for r in rows]


async def identity_for_edit(db: Database, cipher: IdentityCipher, scope: str, sasaran_id: int) -> dict[str, Any] | None:
    """The decrypted NIK and phone of one sasaran in scope, to pre-fill a correction form
    (which keeps them in an encrypted draft)."""
    inside, params = within("region_code", scope)
    row = await db.fetch_one(f"SELECT nik_enc, phone_enc FROM sasaran WHERE id = ? AND {inside} AND erased_at IS NULL",
                             (sasaran_id, *params))
    if row is None:
        return None
    return {"nik": opened(cipher, SASARAN_NIK, sasaran_id, row["nik_enc"]),
            "phone": opened(cipher, SASARAN_PHONE, sasaran_id, row["phone_enc"])}


async def correct_sasaran(tx: Transaction, cipher: IdentityCipher, sasaran_id: int, data: NewSasaran, *,
                          actor_id: int, now: datetime) -> None:
    """Replace a sasaran's profile with corrected answers; audited (NIK masked, no phone)."""
    before = await tx.fetch_one(f"SELECT {_S_COLS} FROM sasaran WHERE id = ?", (sasaran_id,))
    if before is None:
        raise LookupError(sasaran_id)
    nik = data.nik
    await tx.execute(
        "UPDATE sasaran SET category = ?, name = ?, nik_masked = ?, sex = ?, "
        "birth_date = ?, hpht = ?, hpl = ?, delivery_date = ?, answers_json = ?, updated_at = ? "
        "WHERE id = ?",
        (data.category, data.name, mask_nik(nik) if nik else None, data.sex, _iso(data.birth_date), _iso(data.hpht),
         _iso(data.hpl), _iso(data.delivery_date), _json(data.answers), to_db(now), sasaran_id),
    )
    await seal(tx, cipher, SASARAN_NIK, sasaran_id, nik)
    await seal(tx, cipher, SASARAN_PHONE, sasaran_id, data.phone)
    shown = ("category", "name", "nik_masked", "sex", "birth_date", "hpht", "hpl", "delivery_date", "answers_json")
    after = await tx.fetch_one(f"SELECT {_S_COLS} FROM sasaran WHERE id = ?", (sasaran_id,))
    assert after is not None
    await audit.record(tx, at=now, actor_id=actor_id, action="update", entity="sasaran", entity_id=sasaran_id,
                       before={k: before[k] for k in shown}, after={k: after[k] for k in shown})


async def kk_for_edit(db: Database, cipher: IdentityCipher, scope: str, keluarga_id: int) -> str | None:
    """The decrypted No. KK of a family in scope, to pre-fill a correction (kept in an
    encrypted draft); None when it has none."""
    inside, params = within("region_code", scope)
    value = await db.fetch_value(f"SELECT no_kk_enc FROM keluarga WHERE id = ? AND {inside}", (keluarga_id, *params))
    return opened(cipher, KELUARGA_KK, keluarga_id, value)


async def correct_keluarga(tx: Transaction, cipher: IdentityCipher, keluarga_id: int, data: NewKeluarga, *,
                           actor_id: int, now: datetime) -> None:
    """Replace a family's answers with corrected ones; audited (No. KK masked)."""
    shown = ("region_code", "rt", "rw", "address", "head_name", "no_kk_masked", "water_source", "latrine",
             "answers_json")
    before = await tx.fetch_one(f"SELECT {', '.join(shown)} FROM keluarga WHERE id = ?", (keluarga_id,))
    if before is None:
        raise LookupError(keluarga_id)
    kk = data.no_kk
    await tx.execute(
        "UPDATE keluarga SET region_code = ?, rt = ?, rw = ?, address = ?, head_name = ?, "
        "no_kk_masked = ?, water_source = ?, latrine = ?, answers_json = ?, updated_at = ? "
        "WHERE id = ?",
        (data.region_code, data.rt, data.rw, data.address, data.head_name,
         mask_nik(kk) if kk else None, data.water_source, data.latrine,
         _json(data.answers), to_db(now), keluarga_id),
    )
    await seal(tx, cipher, KELUARGA_KK, keluarga_id, kk)
    await tx.execute("UPDATE sasaran SET region_code = ? WHERE keluarga_id = ?", (data.region_code, keluarga_id))
    after = await tx.fetch_one(f"SELECT {', '.join(shown)} FROM keluarga WHERE id = ?", (keluarga_id,))
    assert after is not None
    await audit.record(tx, at=now, actor_id=actor_id, action="update", entity="keluarga", entity_id=keluarga_id,
                       before={k: before[k] for k in shown}, after={k: after[k] for k in shown})


# -- many families at once (an import reassesses a chunk of families in a few trips) ----


def _marks(values: list[int]) -> str:
    return ",".join("?" for _ in values)


async def keluarga_many_in_tx(tx: Transaction, ids: list[int]) -> list[Keluarga]:
    rows = await tx.fetch_all(f"SELECT {_K_COLS} FROM keluarga WHERE id IN ({_marks(ids)})", ids) if ids else []
    return [_keluarga(r) for r in rows]


async def active_members_many_in_tx(tx: Transaction, keluarga_ids: list[int]) -> list[Sasaran]:
    if not keluarga_ids:
        return []
    rows = await tx.fetch_all(f"SELECT {_S_COLS} FROM sasaran WHERE keluarga_id IN ({_marks(keluarga_ids)}) "
                              "AND erased_at IS NULL AND status = 'aktif' ORDER BY id", keluarga_ids)
    return [_sasaran(r) for r in rows]


async def latest_measurements_in_tx(tx: Transaction, sasaran_ids: list[int]) -> dict[int, Kunjungan]:
    """Each sasaran's latest visit or measurement (as :func:`latest_measurement_in_tx`)."""
    if not sasaran_ids:
        return {}
    rows = await tx.fetch_all(
        f"SELECT {_V_COLS} FROM (SELECT *, row_number() OVER (PARTITION BY sasaran_id ORDER BY visited_on DESC, "
        f"id DESC) AS n FROM kunjungan WHERE sasaran_id IN ({_marks(sasaran_ids)})) WHERE n = 1", sasaran_ids)
    return {r["sasaran_id"]: _kunjungan(r) for r in rows}


async def replace_risks_many(tx: Transaction, assessed: list[tuple[int, list[RiskFactor],
                                                                   dict[int, list[RiskFactor]], bool]]) -> None:
    """:func:`replace_risks` for many families: (keluarga id, family factors, member flags, berisiko)."""
    if not assessed:
        return
    ids = [a[0] for a in assessed]
    members = [m for a in assessed for m in a[2]]
    await tx.execute(f"DELETE FROM keluarga_risk WHERE keluarga_id IN ({_marks(ids)})", ids)
    await tx.execute_many("INSERT OR REPLACE INTO keluarga_risk (keluarga_id, code, reason) VALUES (?, ?, ?)",
                          [(a[0], f.code.value, f.reason) for a in assessed for f in a[1]])
    await tx.execute_many("UPDATE keluarga SET berisiko = ? WHERE id = ? AND berisiko <> ?",
                          [(int(a[3]), a[0], int(a[3])) for a in assessed])
    if members:
        await tx.execute(f"DELETE FROM sasaran_flag WHERE sasaran_id IN ({_marks(members)})", members)
        await tx.execute_many("INSERT OR REPLACE INTO sasaran_flag (sasaran_id, code, reason) VALUES (?, ?, ?)",
                              [(m, f.code.value, f.reason) for a in assessed for m, flags in a[2].items()
                               for f in flags])
