"""Plausible demo data for a deployment: TPK members, families, target members, visits.

:func:`seed_demo` writes straight into the tables with bulk inserts (:mod:`storage.seed`:
``executemany`` inside large transactions) so a million target members take minutes, not hours. The
rows follow the schema and the reporting code's conventions: NIKs encrypted with the
deployment's key (masked and hashed like the forms do), family KRS factors in
``keluarga_risk`` with ``berisiko`` set accordingly, member health flags in
``sasaran_flag``, a 'pendaftaran' visit for every member, monthly measurements for
children with WHO-like z-scores and statuses, births and losses for pregnancies whose
HPL has passed (the mother then recorded as ibu nifas or closed, as /kunjungan does).
The rekap counters are maintained by the database triggers as for any other write.

Used by ``python -m bot seed-demo``, the playground (``--seed-demo``), the benchmarks and the tests.
Everything is derived from ``seed``: the same arguments give the same rows (except the
random nonces of the encrypted NIKs).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain.nik import mask_nik
from bot.domain.pregnancy import hpl_from_hpht
from bot.domain.risk import Jamban, SumberAirMinum
from storage import seed as seed_store
from storage.crypto import KELUARGA_KK, SASARAN_NIK, IdentityCipher
from storage.db import Database
from storage.timefmt import to_db

#: Demo TPK members get ids far above real Telegram ids (< 2**52), so they never clash.
DEMO_USER_BASE = 9_000_000_000_000_000
#: Rows per transaction.
_BATCH = 20_000

_FIRST_F = ("Siti", "Nur", "Dewi", "Sri", "Ani", "Rina", "Wati", "Yuli", "Eka", "Lina", "Tuti", "Ratna", "Fitri",
            "Maya", "Intan", "Ayu", "Dian", "Nia", "Rahma", "Yanti")
_FIRST_M = ("Ahmad", "Budi", "Dedi", "Eko", "Hendra", "Agus", "Rudi", "Joko", "Asep", "Ujang", "Iwan", "Rizki",
            "Fajar", "Dimas", "Bayu", "Andi", "Yusuf", "Ilham", "Arif", "Hasan")
_LAST = ("Saputra", "Hidayat", "Suryani", "Rahayu", "Wahyudi", "Kurniawan", "Lestari", "Setiawan", "Maulana",
         "Permata", "Pratama", "Nuraini", "Rohmah", "Sudrajat", "Fauzi")
_WATER_OK = [w for w in SumberAirMinum if w.layak]
_WATER_BAD = [w for w in SumberAirMinum if not w.layak]
_LATRINE_OK = [j for j in Jamban if j.layak]
_LATRINE_BAD = [j for j in Jamban if not j.layak]
#: Share of each category among target members (roughly as in Pendataan Keluarga).
_CATEGORY_WEIGHTS = (("baduta", 0.30), ("balita", 0.30), ("ibu_hamil", 0.17), ("ibu_nifas", 0.05), ("catin", 0.18))


@dataclass
class SeedSummary:
    members: int = 0
    keluarga: int = 0
    sasaran: int = 0
    kunjungan: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class _Buffers:
    keluarga: list[tuple[Any, ...]] = field(default_factory=list)
    risks: list[tuple[Any, ...]] = field(default_factory=list)
    sasaran: list[tuple[Any, ...]] = field(default_factory=list)
    flags: list[tuple[Any, ...]] = field(default_factory=list)
    kunjungan: list[tuple[Any, ...]] = field(default_factory=list)

    def size(self) -> int:
        return len(self.sasaran)


async def _desa_codes(db: Database, root: str) -> list[str]:
    codes = await seed_store.desa_codes(db, root)
    if not codes:
        raise LookupError(f"no desa/kelurahan under {root}: load the regions first")
    return codes


def _members(desa: Sequence[str], since: datetime) -> tuple[dict[str, list[int]], list[tuple[Any, ...]]]:
    """Three TPK members (bidan, kader PKK, kader KB) per desa/kelurahan: their ids by desa, and
    their rows in :data:`storage.seed.COLUMNS`' order for ``users``."""
    members: dict[str, list[int]] = {}
    rows = []
    for index, code in enumerate(desa):
        ids = [DEMO_USER_BASE + index * 3 + k for k in range(3)]
        members[code] = ids
        for k, (position, name) in enumerate((("bidan", "Bidan"), ("kader_pkk", "Kader PKK"),
                                              ("kader_kb", "Kader KB"))):
            rows.append((ids[k], f"{name} {code[-4:]}", "tpk", code, position, "active", to_db(since),
                         to_db(since)))
    return members, rows


def _name(rng: random.Random, female: bool) -> str:
    first = rng.choice(_FIRST_F if female else _FIRST_M)
    return f"{first} {rng.choice(_LAST)}"


def _years_ago(day: date, years: float) -> date:
    return day - timedelta(days=round(years * 365.25))


#: WHO median length/height (cm) and weight (kg) by age in months, both sexes averaged.
_MEDIAN_AGES = (0, 6, 12, 24, 36, 48, 60)
_MEDIAN_HEIGHT = (49.9, 66.5, 75.0, 86.9, 95.6, 102.9, 109.7)
_MEDIAN_WEIGHT = (3.3, 7.6, 9.4, 12.0, 14.1, 16.1, 18.1)


def _interpolate(months: float, values: Sequence[float]) -> float:
    for index in range(1, len(_MEDIAN_AGES)):
        low, high = _MEDIAN_AGES[index - 1], _MEDIAN_AGES[index]
        if months <= high:
            share = (months - low) / (high - low)
            return values[index - 1] + share * (values[index] - values[index - 1])
    return values[-1]


def _z(rng: random.Random, mean: float, sd: float) -> float:
    return round(max(-5.5, min(4.5, rng.gauss(mean, sd))), 2)


class _Generator:
    def __init__(self, cipher: IdentityCipher, rng: random.Random, now: datetime, months: int,
                 ids: dict[str, int], members: dict[str, list[int]]) -> None:
        self.cipher = cipher
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.start = now - timedelta(days=round(months * 30.44))
        self.ids = ids
        self.members = members
        self.nik_serial = rng.randrange(1, 9000)
        self.serials: dict[str, int] = {}
        self.summary = SeedSummary()

    def _nik(self, desa: str, born: date, female: bool) -> str:
        """Region, birth date (+40 for women) and a serial unique per region and date."""
        kecamatan = desa[:8].replace(".", "")
        dd = born.day + (40 if female else 0)
        stem = f"{kecamatan}{dd:02d}{born:%m}{born:%y}"
        serial = self.serials.get(stem, 0) + 1
        self.serials[stem] = serial
        return f"{stem}{serial:04d}"

    def _take(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _when(self) -> datetime:
        """A registration instant, daytime, somewhat more recent than uniform."""
        span = (self.now - self.start).total_seconds()
        moment = self.start + timedelta(seconds=span * math.sqrt(self.rng.random()))
        return moment.replace(hour=self.rng.randrange(1, 10), minute=self.rng.randrange(60), second=0,
                              microsecond=0)

    def family(self, buffers: _Buffers, desa: str, size: int) -> None:
        rng = self.rng
        created = self._when()
        day = (created + timedelta(hours=7)).date()
        reporter = rng.choice(self.members[desa])
        keluarga_id = self._take("keluarga")
        water = rng.choice(_WATER_BAD) if rng.random() < 0.12 else rng.choice(_WATER_OK)
        latrine = rng.choice(_LATRINE_BAD) if rng.random() < 0.15 else rng.choice(_LATRINE_OK)
        factors = []
        if not water.layak:
            factors.append(("water", f"Sumber air minum utama belum layak: {water.label}."))
        if not latrine.layak:
            factors.append(("latrine", f"Jamban belum layak: {latrine.label}."))
        wife_age = round(min(max(rng.gauss(28, 5.5), 16), 45))
        children = rng.choice((0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 5))
        if wife_age < 20:
            factors.append(("terlalu_muda", f"Istri berusia {wife_age} tahun: terlalu muda untuk hamil."))
        if wife_age > 35:
            factors.append(("terlalu_tua", f"Istri berusia {wife_age} tahun: terlalu tua untuk hamil."))
        if children and rng.random() < 0.06:
            factors.append(("terlalu_dekat", "Kelahiran terakhir kurang dari 24 bulan lalu."))
        if children > 3:
            factors.append(("terlalu_banyak", f"Sudah punya {children} anak: terlalu banyak."))
        if rng.random() < 0.08:
            factors.append(("no_modern_kb", "Pasangan usia subur belum memakai KB modern."))
        head = _name(rng, False)
        kk = None
        if rng.random() < 0.6:
            self.nik_serial += 1
            kk = f"{desa[:8].replace('.', '')}{self.nik_serial:010d}"[:16]
        buffers.keluarga.append((
            keluarga_id, desa, f"{rng.randint(1, 12):03d}", f"{rng.randint(1, 9):03d}", f"Kp. {rng.choice(_LAST)}",
            head, self.cipher.encrypt(kk, KELUARGA_KK, keluarga_id) if kk else None,
            self.cipher.lookup_hash(kk) if kk else None,
            mask_nik(kk) if kk else None, water.value, latrine.value, int(bool(factors)),
            json.dumps({"pus": True, "anak": children}), reporter, to_db(created), to_db(created),
        ))
        buffers.risks.extend((keluarga_id, code, reason) for code, reason in factors)
        self.summary.keluarga += 1
        for _ in range(size):
            self.member(buffers, keluarga_id, desa, reporter, created, day)

    def _category(self) -> str:
        pick = self.rng.random()
        for category, weight in _CATEGORY_WEIGHTS:
            pick -= weight
            if pick < 0:
                return category
        return "balita"

    def member(self, buffers: _Buffers, keluarga_id: int, desa: str, reporter: int, created: datetime,
               day: date) -> None:
        rng = self.rng
        category = self._category()
        sasaran_id = self._take("sasaran")
        female = True
        hpht = hpl = delivery = None
        status, ended_reason, ended_on = "aktif", None, None
        if category in ("baduta", "balita"):
            female = rng.random() < 0.5
            months = rng.randint(0, 23) if category == "baduta" else rng.randint(24, 59)
            born = day - timedelta(days=round(months * 30.44 + rng.randint(0, 29)))
        elif category == "catin":
            female = rng.random() < 0.5
            born = _years_ago(day, rng.uniform(18, 30))
        else:
            born = _years_ago(day, rng.uniform(17, 42))
        if category == "ibu_hamil":
            hpht = day - timedelta(days=rng.randint(28, 270))
            hpl = hpl_from_hpht(hpht)
        elif category == "ibu_nifas":
            delivery = day - timedelta(days=rng.randint(0, 40))
        outcome_visit = None
        if category == "ibu_hamil" and hpl is not None and hpl + timedelta(days=14) < self.today:
            roll = rng.random()
            birth_day = hpl + timedelta(days=rng.randint(-14, 10))
            if roll < 0.93:
                category, delivery = "ibu_nifas", birth_day  # /kunjungan turns her into ibu nifas
                outcome_visit = ("lahir", birth_day)
            elif roll < 0.98:
                status, ended_reason, ended_on = "selesai", "keguguran", hpht + timedelta(days=rng.randint(50, 140))
                outcome_visit = ("keguguran", ended_on)
        nik = self._nik(desa, born, female) if rng.random() < 0.7 else None
        buffers.sasaran.append((
            sasaran_id, keluarga_id, desa, category, _name(rng, female),
            self.cipher.encrypt(nik, SASARAN_NIK, sasaran_id) if nik else None,
            self.cipher.lookup_hash(nik) if nik else None,
            mask_nik(nik) if nik else None, "P" if female else "L", born.isoformat(),
            hpht.isoformat() if hpht else None, hpl.isoformat() if hpl else None,
            delivery.isoformat() if delivery else None, status, ended_reason,
            ended_on.isoformat() if ended_on else None, reporter, to_db(created), to_db(created),
        ))
        self.summary.sasaran += 1
        self.summary.by_category[category] = self.summary.by_category.get(category, 0) + 1
        child = category in ("baduta", "balita")
        mother = category in ("ibu_hamil", "ibu_nifas", "catin")
        lila = round(rng.gauss(25.5, 2.2), 1) if mother else None
        hb = round(rng.gauss(11.8, 1.2), 1) if mother else None
        if lila is not None and lila < 23.5 and female and status == "aktif":
            buffers.flags.append((sasaran_id, "kek", f"LiLA {lila} cm: kurang energi kronis (KEK)."))
        if hb is not None and hb < 11.0 and female and status == "aktif":
            buffers.flags.append((sasaran_id, "anaemia", f"Hb {hb} g/dL: anemia."))
        # registration measurement, then follow-ups
        visits = [day]
        if child:
            follow = rng.choice((0, 1, 2, 3, 4, 6))
            visits += [day + timedelta(days=30 * k + rng.randint(-5, 5)) for k in range(1, follow + 1)]
        elif rng.random() < 0.4:
            visits.append(day + timedelta(days=rng.randint(20, 90)))
        haz_mean = rng.gauss(-1.1, 0.5)
        last: tuple[float, float, float] | None = None
        for index, visited in enumerate(v for v in visits if v <= self.today):
            kind = "pendaftaran" if index == 0 else "kunjungan"
            visit_created = created if index == 0 else datetime.combine(visited, created.time(), UTC)
            if child:
                age_days = max((visited - born).days, 0)
                haz, waz, whz = _z(rng, haz_mean, 0.4), _z(rng, -0.8, 1.1), _z(rng, -0.3, 1.1)
                last = (haz, waz, whz)
                months_old = age_days / 30.4375
                height = round(_interpolate(months_old, _MEDIAN_HEIGHT) * (1 + haz * 0.037), 1)
                weight = round(_interpolate(months_old, _MEDIAN_WEIGHT) * (1 + waz * 0.11), 1)
                buffers.kunjungan.append((
                    self._take("kunjungan"), sasaran_id, desa, reporter, visited.isoformat(), kind, None,
                    max(weight, 1.5), max(height, 40.0), int(age_days < 730), None, None, haz, waz, whz,
                    int(haz < -2), int(whz < -2), int(waz < -2), to_db(visit_created),
                ))
            else:
                buffers.kunjungan.append((
                    self._take("kunjungan"), sasaran_id, desa, reporter, visited.isoformat(), kind, None,
                    round(rng.gauss(55, 8), 1) if mother else None, round(rng.gauss(152, 6), 1) if mother else None,
                    None, lila, hb, None, None, None, None, None, None, to_db(visit_created),
                ))
            self.summary.kunjungan += 1
        if outcome_visit is not None and outcome_visit[1] <= self.today:
            outcome, visited = outcome_visit
            buffers.kunjungan.append((
                self._take("kunjungan"), sasaran_id, desa, reporter, visited.isoformat(), "kunjungan", outcome,
                None, None, None, None, None, None, None, None, None, None, None,
                to_db(datetime.combine(visited, created.time(), UTC)),
            ))
            self.summary.kunjungan += 1
        if child and last is not None and status == "aktif":
            haz, waz, whz = last
            if haz < -2:
                buffers.flags.append((sasaran_id, "stunted_child", f"Tinggi/panjang badan menurut umur (z {haz})."))
            if whz < -2:
                buffers.flags.append((sasaran_id, "wasted_child", f"Berat menurut tinggi badan (z {whz})."))
            if waz < -2:
                buffers.flags.append((sasaran_id, "underweight_child", f"Berat badan menurut umur (z {waz})."))


async def _flush(db: Database, buffers: _Buffers) -> None:
    await seed_store.add_batch(db, keluarga=buffers.keluarga, risks=buffers.risks, sasaran=buffers.sasaran,
                               flags=buffers.flags, kunjungan=buffers.kunjungan)


async def seed_demo(db: Database, cipher: IdentityCipher, *, root: str, sasaran: int, seed: int,
                    now: datetime, months: int = 24, areas: Sequence[str] | None = None) -> SeedSummary:
    """Create about ``sasaran`` target members (in families of 1–3) spread over the
    desa/kelurahan under ``root`` (or only ``areas``), registered during the
    ``months`` before ``now``. Regions must be loaded; members are created as needed."""
    generator, batches, members = await _prepare(db, cipher, root=root, sasaran=sasaran, seed=seed, now=now,
                                                 months=months, areas=areas)
    async with db.transaction() as tx:
        await seed_store.add_members(tx, members)
    for buffers in batches:
        await _flush(db, buffers)
    return generator.summary


async def seed_bulk(db: Database, cipher: IdentityCipher, *, root: str, sasaran: int, seed: int,
                    now: datetime, months: int = 24, areas: Sequence[str] | None = None) -> SeedSummary:
    """:func:`seed_demo`'s rows, loaded by ``COPY`` and counted once at the end
    (:mod:`storage.bulk_load`, PostgreSQL only, the bot stopped): for national-size loads,
    where a trigger per row would take hours."""
    from storage import bulk_load
    from storage.postgres import PostgresDatabase

    if not isinstance(db, PostgresDatabase):
        raise TypeError("seed_bulk loads PostgreSQL; use seed_demo on SQLite")
    generator, batches, members = await _prepare(db, cipher, root=root, sasaran=sasaran, seed=seed, now=now,
                                                 months=months, areas=areas)
    # The members are copied too (a quarter of a million nationally, each through the counter
    # triggers of users otherwise); those an earlier seed made are kept as they are.
    known = await seed_store.member_ids_from(db, DEMO_USER_BASE)

    async def tables() -> AsyncIterator[dict[str, list[tuple[Any, ...]]]]:
        yield {"users": [row for row in members if row[0] not in known]}
        async for buffers in _made_ahead(batches):
            yield {"keluarga": buffers.keluarga, "keluarga_risk": buffers.risks, "sasaran": buffers.sasaran,
                   "sasaran_flag": buffers.flags, "kunjungan": buffers.kunjungan}

    await bulk_load.load(db, tables())
    return generator.summary


async def _made_ahead(batches: Iterator[_Buffers]) -> AsyncIterator[_Buffers]:
    """The batches, each made in a worker thread while the one before is being copied: the
    server parses and indexes a batch while Python makes the next (encrypting and hashing
    NIKs is most of it), instead of the two taking turns. One batch at a time is made,
    in order, so the rows are those the same seed always gives."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed") as maker:
        coming = loop.run_in_executor(maker, next, batches, None)
        while (buffers := await coming) is not None:
            coming = loop.run_in_executor(maker, next, batches, None)
            yield buffers


async def _prepare(db: Database, cipher: IdentityCipher, *, root: str, sasaran: int, seed: int, now: datetime,
                   months: int, areas: Sequence[str] | None
                   ) -> tuple[_Generator, Iterator[_Buffers], list[tuple[Any, ...]]]:
    """The batches of rows to write, made as they are taken (the generator's summary is
    complete once they all were), and the rows of the TPK members of every desa, which the
    caller writes first."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)
    desa = [code for code in await _desa_codes(db, root) if areas is None or any(
        code == a or code.startswith(a + ".") for a in areas)]
    members, member_rows = _members(desa, now - timedelta(days=round((months + 1) * 30.44)))
    ids = {t: await seed_store.next_id(db, t) for t in ("keluarga", "sasaran", "kunjungan")}
    generator = _Generator(cipher, rng, now, months, ids, members)
    generator.summary.members = sum(len(v) for v in members.values())

    def batches() -> Iterator[_Buffers]:
        # Busier areas get more families: a skewed but deterministic weight per desa.
        # Summed once (random.choices would sum them again for every family: 83,000 desa nationally).
        cumulative = list(itertools.accumulate(0.4 + rng.random() ** 2 * 1.6 for _ in desa))
        buffers = _Buffers()
        while generator.summary.sasaran < sasaran:
            size = min(rng.choice((1, 1, 2, 2, 2, 3)), sasaran - generator.summary.sasaran)
            generator.family(buffers, rng.choices(desa, cum_weights=cumulative)[0], size)
            if buffers.size() >= _BATCH:
                yield buffers
                buffers = _Buffers()
        if buffers.size():
            yield buffers

    return generator, batches(), member_rows
