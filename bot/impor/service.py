"""Running an import: the preview pass and the writing pass are the same walk over the
file, so what the preview counts is what the write does.

The file is read in chunks of :data:`CHUNK` rows. Each chunk is parsed
(:mod:`bot.impor.rows`), matched against the stored records with a few batched
lookups — by NIK (keyed hash), else No. KK + name, else name + birth date + desa —
and, when writing, stored in one transaction together with its ledger rows, so a
crash loses at most the chunk in flight and a resumed run skips what was written.
Memory stays bounded by the chunk, apart from one 8-byte digest per row to tell
duplicates inside the file.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.domain.regions import contains
from bot.domain.roles import Caller, Role
from bot.impor import headers, reader
from bot.impor.columns import BY_KEY
from bot.impor.rows import ParsedRow, Problem, RowParser
from bot.reporting import child_growth, reassess_many
from bot.services import Services
from conversations import lapor
from conversations.forms.model import FormContext
from storage import impor as store
from storage import keluarga as records
from storage.db import Transaction
from storage.keluarga import Measurement

CHUNK = 500
#: How many errors and differences a report keeps for the message and the workbook
#: (the counts are always complete).
KEEP = 20_000
OUTCOMES = ("create", "update", "different", "unchanged", "duplicate", "out_of_scope", "error")
RULE_NIK, RULE_KK_NAME, RULE_PERSON = "NIK", "No. KK + nama", "nama + tanggal lahir + desa"
RULE_KK, RULE_HEAD, RULE_FILE = "No. KK", "nama kepala + desa", "keluarga baru di file ini"


@dataclass(frozen=True)
class SheetPlan:
    name: str
    headers: tuple[str, ...]
    mapping: dict[int, str]  # column index -> column key


@dataclass(frozen=True)
class Difference:
    sheet: str
    row_no: int
    record: str  # "keluarga" / "sasaran"
    label: str  # the family head's or the sasaran's name as stored
    column: str  # column key
    bot_value: Any
    file_value: Any


@dataclass
class Verdict:
    sheet: str
    row_no: int
    outcome: str
    rule: str | None = None
    problems: list[Problem] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    problems: list[tuple[str, int, Problem]] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    rules: Counter[str] = field(default_factory=Counter)
    verdicts: list[Verdict] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        self.rows += 1
        self.counts[verdict.outcome] += 1
        if verdict.rule:
            self.rules[verdict.rule] += 1
        if len(self.problems) < KEEP:
            self.problems.extend((verdict.sheet, verdict.row_no, p) for p in verdict.problems)
        if len(self.differences) < KEEP:
            self.differences.extend(verdict.differences)
        if len(self.verdicts) < KEEP:
            self.verdicts.append(verdict)


def file_hash(source: reader.Source) -> str:
    data = source if isinstance(source, bytes) else source.read_bytes()
    return hashlib.sha256(data).hexdigest()


def form_context(services: Services, actor_id: int, today: date) -> FormContext:
    """The context a form of the deployment's root would get: the import checks the
    area itself, to tell "outside your area" from "no such desa"."""
    return FormContext(services=services, caller=Caller(user_id=actor_id, role=Role.ADMIN,
                                                        scope=services.regions.root.code), today=today)


def _digest(*parts: object) -> int:
    text = "\x1f".join("" if p is None else str(p).casefold() for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass
class _Chunk:
    """Lookups made once per chunk, and what this chunk created (not yet visible to them)."""

    sasaran_by_nik: dict[str, Any]
    keluarga_by_kk: dict[str, Any]
    heads: dict[tuple[str, str], Any] = field(default_factory=dict)
    persons: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    in_family: dict[tuple[int, str], Any] = field(default_factory=dict)
    measured: dict[tuple[int, str], list[Any]] = field(default_factory=dict)
    new_families: dict[int, int] = field(default_factory=dict)  # family digest -> keluarga id
    new_members: dict[str, int] = field(default_factory=dict)  # nik hash -> sasaran id
    touched: set[int] = field(default_factory=set)
    created: dict[str, list[int]] = field(default_factory=lambda: {"keluarga": [], "sasaran": [], "kunjungan": []})


class Importer:
    """One walk over a file; ``impor`` given = write, None = preview only."""

    def __init__(self, services: Services, *, actor_id: int, scope: str, plans: list[SheetPlan],
                 use_file: frozenset[str] = frozenset(), impor: store.Impor | None = None,
                 today: date | None = None) -> None:
        self.services = services
        self.actor_id = actor_id
        self.scope = scope
        self.plans = plans
        self.use_file = use_file
        self.impor = impor
        self.today = today or services.clock.now().astimezone(services.settings.wilayah.zone).date()
        self.ctx = form_context(services, actor_id, self.today)
        self._seen: set[int] = set()
        self._file_families: set[int] = set()  # preview: families this file will create
        self._file_members: set[int] = set()  # preview: sasaran this file will create

    async def run(self, source: reader.Source, on_chunk: Callable[[int], Any] | None = None) -> Report:
        report = Report()
        parsers = {plan.name: RowParser(self.ctx, plan.headers, plan.mapping, self.scope) for plan in self.plans}
        with reader.opened(source) as rows_of:
            for plan in self.plans:
                async for parsed in _parsed_chunks(rows_of(plan.name), parsers[plan.name]):
                    for verdict in await self._chunk(plan.name, parsed):
                        report.add(verdict)
                    if on_chunk is not None:
                        await on_chunk(report.rows)
        return report

    # -- one chunk -------------------------------------------------------------------

    async def _lookups(self, db: Any, rows: list[ParsedRow]) -> _Chunk:
        """Every stored record the rows of a chunk may match, in a few queries."""
        cipher = self.services.cipher
        niks = sorted({h for r in rows if (h := self._nik_hash(r))})
        kks = sorted({cipher.lookup_hash(r.family["no_kk"]) for r in rows if r.family and r.family.get("no_kk")})
        chunk = _Chunk(await store.sasaran_by_nik(db, niks), await store.keluarga_by_kk(db, kks))
        chunk.heads = await store.keluarga_by_head(db, sorted(
            {(r.region_code, r.family["kepala"]) for r in rows
             if r.family and r.family.get("kepala") and r.region_code}))
        chunk.persons = await store.sasaran_by_person(db, sorted(
            {(r.region_code, a["nama"], a["lahir"]) for r in rows for a in (r.member, r.measure)
             if a and a.get("nama") and a.get("lahir") and r.region_code}))
        pairs = set()
        for r in rows:
            if r.member and r.family and r.family.get("no_kk"):
                found = chunk.keluarga_by_kk.get(cipher.lookup_hash(r.family["no_kk"]))
                if found is not None:
                    pairs.add((found["id"], r.member["nama"]))
        chunk.in_family = await store.sasaran_in_families(db, sorted(pairs))
        known = {s["id"] for s in (*chunk.sasaran_by_nik.values(), *chunk.persons.values(), *chunk.in_family.values())}
        chunk.measured = await store.measured(db, sorted(known)) if any(r.measure for r in rows) else {}
        return chunk

    async def _chunk(self, sheet: str, rows: list[ParsedRow]) -> list[Verdict]:
        if self.impor is None:
            chunk = await self._lookups(self.services.db, rows)
            return [await self._row(sheet, row, chunk, None) for row in rows]
        async with self.services.db.transaction() as tx:
            chunk = await self._lookups(tx, rows)
            done = await store.written_rows(tx, self.impor.id, sheet, rows[0].row_no, rows[-1].row_no) \
                if rows else set()
            verdicts, ledger = [], []
            for row in rows:
                skip = row.row_no in done
                verdict = await self._row(sheet, row, chunk, None if skip else tx, ledger)
                verdicts.append(verdict)
            await store.record_rows(tx, self.impor.id, sheet, ledger)
            await store.mark_source(tx, self.impor.id, **chunk.created)
            settings = self.services.settings
            await reassess_many(tx, sorted(chunk.touched), today=self.today, thresholds=settings.klinis,
                                boundaries=settings.trimester.boundaries)
        return verdicts

    def _nik_hash(self, row: ParsedRow) -> str | None:
        nik = None
        if row.member:
            nik = row.member.get("nik") or row.member.get("nik_anak")
        elif row.measure:
            nik = row.measure.get("nik")
        return self.services.cipher.lookup_hash(nik) if nik and nik != "-" else None

    async def _row(self, sheet: str, row: ParsedRow, chunk: _Chunk, tx: Transaction | None,
                   ledger: list[Any] | None = None) -> Verdict:
        """The verdict of one row; with ``tx`` its records are written too (``ledger``
        gets its line). Without ``tx`` in writing mode the row was written before a crash."""
        verdict = Verdict(sheet, row.row_no, "error", problems=list(row.problems))
        writing = tx is not None
        if row.problems:
            return self._log(verdict, ledger, writing)
        if row.out_of_scope:
            verdict.outcome = "out_of_scope"
            return self._log(verdict, ledger, writing)
        key = self._record_key(row)
        if key in self._seen:
            verdict.outcome = "duplicate"
            return self._log(verdict, ledger, writing)
        self._seen.add(key)
        try:
            ids = await self._apply(row, verdict, chunk, tx if writing else None)
        except _OutOfScope:
            verdict.outcome = "out_of_scope"
            return self._log(verdict, ledger, writing)
        except _RowError as exc:
            verdict.outcome = "error"
            verdict.problems.append(exc.problem)
            return self._log(verdict, ledger, writing)
        return self._log(verdict, ledger, writing, ids)

    def _log(self, verdict: Verdict, ledger: list[Any] | None, writing: bool,
             ids: tuple[int | None, int | None, int | None, str | None] = (None, None, None, None)) -> Verdict:
        if writing and ledger is not None:
            ledger.append((verdict.row_no, verdict.outcome, *ids))
        return verdict

    def _record_key(self, row: ParsedRow) -> int:
        if row.member is not None:
            m = row.member
            nik = m.get("nik") or m.get("nik_anak")
            return _digest("s", nik) if nik and nik != "-" else _digest("s", m.get("nama"), m.get("lahir"),
                                                                         row.region_code)
        if row.measure is not None and row.family is None:
            m = row.measure
            return _digest("m", m.get("nik") or (m.get("nama"), m.get("lahir"), row.region_code),
                           m.get("tanggal_ukur"))
        assert row.family is not None
        return _family_digest(row)

    # -- matching and writing ----------------------------------------------------------

    async def _apply(self, row: ParsedRow, verdict: Verdict, chunk: _Chunk,
                     tx: Transaction | None) -> tuple[int | None, int | None, int | None, str | None]:
        created = updated = different = False
        before: dict[str, Any] = {}
        keluarga_id: int | None = None
        sasaran_id: int | None = None
        kunjungan_id: int | None = None
        db: Any = tx or self.services.db
        if row.family is not None:
            keluarga_id, rule, stored = await self._find_family(row, chunk, db)
            verdict.rule = rule
            if rule is None:
                if not row.family_full:
                    raise _RowError(Problem(BY_KEY["no_kk"].header, "Keluarga ini tidak ditemukan: laporkan atau "
                                                                    "impor dulu keluarganya."))
                created = True
                verdict.rule = None
                keluarga_id = await self._create_family(row, chunk, tx)
            elif stored is not None and row.family_full:
                diffs = self._family_differences(row, stored, verdict)
                chosen = {d.column: d.file_value for d in diffs if d.column in self.use_file}
                different = different or len(chosen) < len(diffs)
                if chosen:
                    updated = True
                    if tx is not None:
                        changes = {store.KELUARGA_COLUMNS[c]: v for c, v in chosen.items()}
                        before["keluarga"] = await store.update_columns(
                            tx, "keluarga", stored["id"], changes, actor_id=self.actor_id, impor_id=self._impor_id,
                            now=self.services.clock.now())
                        chunk.touched.add(stored["id"])
        if row.member is not None:
            if row.family is None:
                raise _RowError(Problem(BY_KEY["no_kk"].header, "Isi No. KK atau Nama Kepala Keluarga sasaran ini."))
            sasaran_id, rule, stored = await self._find_member(row, keluarga_id, verdict.rule, chunk, db)
            if stored is not None and not self._in_scope(stored["region_code"]):
                verdict.outcome = "out_of_scope"
                return (None, None, None, None)
            if rule:
                verdict.rule = rule
            if stored is None and sasaran_id is None:
                created = True
                sasaran_id = await self._create_member(row, keluarga_id, chunk, tx)
            elif stored is not None:
                diffs = self._member_differences(row, stored, verdict)
                chosen = {d.column: d.file_value for d in diffs if d.column in self.use_file}
                different = different or len(chosen) < len(diffs)
                if chosen:
                    updated = True
                    if tx is not None:
                        changes = {store.SASARAN_COLUMNS[c]: v for c, v in chosen.items()}
                        before["sasaran"] = await store.update_columns(
                            tx, "sasaran", stored["id"], changes, actor_id=self.actor_id, impor_id=self._impor_id,
                            now=self.services.clock.now())
                        chunk.touched.add(stored["keluarga_id"])
        if row.measure is not None and self._has_values(row.measure):
            made, kunjungan_id, sasaran_id = await self._measurement(row, sasaran_id, verdict, chunk, db, tx)
            created = created or made
        verdict.outcome = "create" if created else "update" if updated else "different" if different else "unchanged"
        return (keluarga_id, sasaran_id, kunjungan_id, json.dumps(before, default=str) if before else None)

    @property
    def _impor_id(self) -> int:
        assert self.impor is not None
        return self.impor.id

    def _in_scope(self, code: str) -> bool:
        return contains(self.scope, code)

    async def _find_family(self, row: ParsedRow, chunk: _Chunk, db: Any) -> tuple[int | None, str | None, Any]:
        family = row.family
        assert family is not None
        digest = _family_digest(row)
        if digest in chunk.new_families:
            return chunk.new_families[digest], RULE_FILE, None
        if family.get("no_kk"):
            stored = chunk.keluarga_by_kk.get(self.services.cipher.lookup_hash(family["no_kk"]))
            if stored is not None:
                return stored["id"], RULE_KK, stored
        if family.get("kepala") and row.region_code:
            stored = chunk.heads.get((row.region_code, family["kepala"].casefold()))
            # Another No. KK is another family, whatever the head's name.
            if stored is not None and not (family.get("no_kk") and stored["no_kk_hash"]):
                return stored["id"], RULE_HEAD, stored
        if digest in self._file_families:
            return None, RULE_FILE, None
        return None, None, None

    async def _create_family(self, row: ParsedRow, chunk: _Chunk, tx: Transaction | None) -> int | None:
        digest = _family_digest(row)
        if tx is None:
            self._file_families.add(digest)
            return None
        answers = row.family
        assert answers is not None
        data = lapor.new_keluarga({"rt": None, "rw": None, **answers})
        data = replace(data, rt=_opt_text(answers.get("rt")), rw=_opt_text(answers.get("rw")),
                       answers={**data.answers, **({"istri_nama": answers["nama_istri"]}
                                                   if answers.get("nama_istri") else {})})
        new_id = await records.create_keluarga(tx, self.services.cipher, data, reporter_id=self.actor_id,
                                               draft_key=None, now=self.services.clock.now())
        chunk.new_families[digest] = new_id
        chunk.created["keluarga"].append(new_id)
        chunk.touched.add(new_id)
        return new_id

    async def _find_member(self, row: ParsedRow, keluarga_id: int | None, family_rule: str | None, chunk: _Chunk,
                           db: Any) -> tuple[int | None, str | None, Any]:
        member = row.member
        assert member is not None
        nik_hash = self._nik_hash(row)
        if nik_hash:
            if nik_hash in chunk.new_members:
                return chunk.new_members[nik_hash], RULE_NIK, None
            stored = chunk.sasaran_by_nik.get(nik_hash)
            if stored is not None:
                return stored["id"], RULE_NIK, stored
        if keluarga_id is not None and family_rule == RULE_KK:
            stored = chunk.in_family.get((keluarga_id, member["nama"].casefold()))
            if stored is not None:
                return stored["id"], RULE_KK_NAME, stored
        if member.get("lahir") and row.region_code:
            stored = chunk.persons.get((row.region_code, member["nama"].casefold(), member["lahir"]))
            if stored is not None:
                return stored["id"], RULE_PERSON, stored
        return None, None, None

    async def _create_member(self, row: ParsedRow, keluarga_id: int | None, chunk: _Chunk,
                             tx: Transaction | None) -> int | None:
        assert row.member is not None
        if tx is None or keluarga_id is None:
            self._file_members.update(_person_digests(self._nik_hash(row), row.member, row.region_code))
            return None
        data = lapor.new_sasaran(row.member, self.today)
        new_id = await records.add_sasaran(tx, self.services.cipher, keluarga_id, data, reporter_id=self.actor_id,
                                           now=self.services.clock.now())
        nik_hash = self._nik_hash(row)
        if nik_hash:
            chunk.new_members[nik_hash] = new_id
        chunk.created["sasaran"].append(new_id)
        chunk.touched.add(keluarga_id)
        return new_id

    @staticmethod
    def _has_values(measure: dict[str, Any]) -> bool:
        return any(measure.get(k) is not None for k in ("berat", "tinggi", "lila", "hb"))

    async def _measurement(self, row: ParsedRow, sasaran_id: int | None, verdict: Verdict, chunk: _Chunk, db: Any,
                           tx: Transaction | None) -> tuple[bool, int | None, int | None]:
        m = row.measure
        assert m is not None
        stored: Any = None
        if row.member is None:
            nik_hash = self.services.cipher.lookup_hash(m["nik"]) if m.get("nik") else None
            if nik_hash and nik_hash in chunk.new_members:
                sasaran_id = chunk.new_members[nik_hash]
            elif nik_hash and (stored := chunk.sasaran_by_nik.get(nik_hash)) is not None:
                sasaran_id, verdict.rule = stored["id"], RULE_NIK
            elif m.get("nama") and m.get("lahir") and row.region_code:
                stored = chunk.persons.get((row.region_code, m["nama"].casefold(), m["lahir"]))
                if stored is not None:
                    sasaran_id, verdict.rule = stored["id"], RULE_PERSON
            if stored is None and sasaran_id is None and \
                    not self._file_members & set(_person_digests(nik_hash, m, row.region_code)):
                raise _RowError(Problem(BY_KEY["nik"].header, "Sasaran ini tidak ditemukan: impor atau laporkan dulu "
                                                              "sasarannya."))
            if stored is not None and not self._in_scope(stored["region_code"]):
                raise _OutOfScope()
        on = m.get("tanggal_ukur") or self.today.isoformat()
        if sasaran_id is not None and any(
                (r["weight_kg"], r["height_cm"], r["lila_cm"], r["hb"]) == (m.get("berat"), m.get("tinggi"),
                                                                           m.get("lila"), m.get("hb"))
                for r in chunk.measured.get((sasaran_id, on), [])):
            return False, None, sasaran_id
        if tx is None or sasaran_id is None:
            return True, None, sasaran_id
        person = await records.sasaran_in_tx(tx, sasaran_id)
        assert person is not None
        lying = {"lying": True, "standing": False}.get(m.get("cara_ukur") or "")
        measurement = Measurement(visited_on=date.fromisoformat(on), weight_kg=m.get("berat"),
                                  height_cm=m.get("tinggi"), measured_lying=lying, lila_cm=m.get("lila"),
                                  hb=m.get("hb"))
        growth = child_growth(person.sex, person.birth_date, measurement)
        if growth is not None:
            measurement = replace(measurement, haz=growth.haz, waz=growth.waz, whz=growth.whz, stunted=growth.stunted,
                                  wasted=growth.wasted, underweight=growth.underweight)
        kind = "pendaftaran" if row.member is not None and sasaran_id in chunk.created["sasaran"] else "kunjungan"
        new_id = await records.add_kunjungan(tx, sasaran_id=sasaran_id, reporter_id=self.actor_id, kind=kind,
                                             measurement=measurement, answers={"sumber": "impor"},
                                             now=self.services.clock.now())
        chunk.created["kunjungan"].append(new_id)
        chunk.touched.add(person.keluarga_id)
        return True, new_id, sasaran_id

    # -- differences -------------------------------------------------------------------

    def _family_differences(self, row: ParsedRow, stored: Any, verdict: Verdict) -> list[Difference]:
        assert row.family is not None
        data = lapor.new_keluarga({"rt": None, "rw": None, **row.family})
        values = {"rt": _opt_text(row.family.get("rt")), "rw": _opt_text(row.family.get("rw")),
                  "alamat": data.address, "kepala": data.head_name, "air": data.water_source,
                  "jamban": data.latrine, **{k: data.answers.get(k) for k in ("pus", "istri_lahir", "anak",
                                                                            "anak_terakhir", "hamil", "kb")}}
        return self._differences(verdict, "keluarga", stored["head_name"], stored, values, store.KELUARGA_COLUMNS,
                                 row.family)

    def _member_differences(self, row: ParsedRow, stored: Any, verdict: Verdict) -> list[Difference]:
        assert row.member is not None
        data = lapor.new_sasaran(row.member, self.today)
        values = {"kategori": data.category, "nama": data.name, "jk": data.sex, "lahir": _iso(data.birth_date),
                  "hpht": _iso(data.hpht), "hpl": _iso(data.hpl), "persalinan": _iso(data.delivery_date)}
        given = {**row.member, "jk": row.member.get("jk") or (data.sex if "kategori" in row.member else None)}
        return self._differences(verdict, "sasaran", stored["name"], stored, values, store.SASARAN_COLUMNS, given)

    def _differences(self, verdict: Verdict, record: str, label: str, stored: Any, values: dict[str, Any],
                     columns: dict[str, str], given: dict[str, Any]) -> list[Difference]:
        diffs = []
        for key, value in values.items():
            if value is None or given.get(key) is None:
                continue
            old = store.stored_value(stored, columns[key])
            if _same(old, value):
                continue
            diffs.append(Difference(verdict.sheet, verdict.row_no, record, label, key, old, value))
        verdict.differences.extend(diffs)
        return diffs


class _RowError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


class _OutOfScope(_RowError):
    def __init__(self) -> None:
        super().__init__(Problem("", "di luar wilayah Anda"))


def _family_digest(row: ParsedRow) -> int:
    family = row.family
    assert family is not None
    if family.get("no_kk"):
        return _digest("k", family["no_kk"])
    return _digest("k", family.get("kepala"), row.region_code)


def _person_digests(nik_hash: str | None, answers: dict[str, Any], region_code: str | None) -> list[int]:
    """How a measurement row may name a sasaran the same file creates."""
    found = [_digest("p", answers.get("nama"), answers.get("lahir"), region_code)]
    if nik_hash:
        found.append(_digest("n", nik_hash))
    return found


def _opt_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _same(old: Any, new: Any) -> bool:
    if old is None and new is None:
        return True
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) == bool(new) and old is not None
    return str(old).casefold() == str(new).casefold() if old is not None else False


async def _parsed_chunks(rows: Iterator[tuple[int, tuple[object, ...]]],
                         parser: RowParser) -> AsyncIterator[list[ParsedRow]]:
    """Chunks of parsed rows, the next one read and parsed in a worker thread while the
    caller writes the current one: reading XLSX is Python work and SQLite's is not, so
    on two cores the two overlap. At most two chunks are held at a time."""

    def take() -> list[ParsedRow]:
        return [parser.parse(number, values) for number, values in itertools.islice(rows, CHUNK)]

    pending = asyncio.ensure_future(asyncio.to_thread(take))
    while True:
        chunk = await pending
        if not chunk:
            return
        pending = asyncio.ensure_future(asyncio.to_thread(take))
        yield chunk


def sheet_order(plan: SheetPlan) -> int:
    """Families before their members, members before their measurements."""
    keys = set(plan.mapping.values())
    if {"nama", "kategori"} <= keys:
        return 1
    if keys & {"berat", "tinggi", "lila", "hb"} and not keys & {"air", "jamban"}:
        return 2
    return 0


@dataclass(frozen=True)
class SheetMapping:
    plan: SheetPlan
    unknown: tuple[int, ...]  # header indexes nobody has mapped yet
    signature: str


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


IGNORE = "-"
