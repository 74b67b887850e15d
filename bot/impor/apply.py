"""Running an import: the preview pass and the writing pass are the same walk over the
file, so what the preview counts is what the write does.

The file is read in chunks of :data:`~bot.impor.chunks.CHUNK` rows, each parsed
(:mod:`bot.impor.rows`) and matched (:mod:`bot.impor.match`); when writing, a chunk is
stored in one transaction together with its ledger rows, so a crash loses at most the
chunk in flight and a resumed run skips what was written. Its new families and
sasaran are written in a few statements (:class:`storage.impor_batch.NewRecords`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.domain.regions import contains
from bot.domain.roles import Caller, Role
from bot.impor import differences, reader
from bot.impor.chunks import CHUNK, parsed_chunks
from bot.impor.columns import BY_KEY
from bot.impor.match import Lookups, Matcher, family_digest
from bot.impor.plans import SheetPlan
from bot.impor.report import Report, Verdict
from bot.impor.rows import ParsedRow, Problem, RowParser
from bot.lapor_fields import new_keluarga, new_sasaran
from bot.reporting import child_growth, reassess_many
from bot.services import Services
from conversations.forms.model import FormContext
from storage import impor as store
from storage import keluarga as records
from storage.db import Transaction
from storage.impor_batch import NewRecords
from storage.keluarga import Measurement

__all__ = ["CHUNK", "Importer", "form_context"]

Ids = tuple[int | None, int | None, int | None, str | None]  # keluarga, sasaran, kunjungan, before json


def form_context(services: Services, actor_id: int, today: date) -> FormContext:
    """The context a form of the deployment's root would get: the import checks the
    area itself, to tell "outside your area" from "no such desa"."""
    return FormContext(services=services, caller=Caller(user_id=actor_id, role=Role.ADMIN,
                                                        scope=services.regions.root.code), today=today)


@dataclass
class _Writing:
    """One chunk's transaction: its new records, what they touch, its ledger."""

    tx: Transaction
    new: NewRecords
    touched: set[int] = field(default_factory=set)
    new_sasaran: set[int] = field(default_factory=set)
    kunjungan: list[int] = field(default_factory=list)
    ledger: list[Any] = field(default_factory=list)


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
        self.match: Matcher  # each walk's own (:meth:`run`): the file's digests start empty

    async def run(self, source: reader.Source, on_chunk: Callable[[int], Any] | None = None) -> Report:
        report = Report()
        parsers = {plan.name: RowParser(self.ctx, plan.headers, plan.mapping, self.scope) for plan in self.plans}
        self.match = Matcher(self.services.cipher)
        try:
            with reader.opened(source) as rows_of:
                for plan in self.plans:
                    async for parsed in parsed_chunks(rows_of(plan.name), parsers[plan.name]):
                        for verdict in await self._chunk(plan.name, parsed):
                            report.add(verdict)
                        if on_chunk is not None:
                            await on_chunk(report.rows)
        finally:
            self.match.close()  # its scratch file on disk goes with it
        return report

    # -- one chunk -------------------------------------------------------------------

    async def _chunk(self, sheet: str, rows: list[ParsedRow]) -> list[Verdict]:
        if self.impor is None:
            found = await self.match.lookups(self.services.db, rows)
            return [await self._row(sheet, row, found, None) for row in rows]
        async with self.services.db.transaction() as tx:
            found = await self.match.lookups(tx, rows)
            done = await store.written_rows(tx, self.impor.id, sheet, rows[0].row_no, rows[-1].row_no) \
                if rows else set()
            w = _Writing(tx, NewRecords(tx, self.services.cipher, impor_id=self.impor.id, reporter_id=self.actor_id,
                                        now=self.services.clock.now()))
            verdicts = [await self._row(sheet, row, found, None if row.row_no in done else w) for row in rows]
            await w.new.flush()
            await store.record_rows(tx, self.impor.id, sheet, w.ledger)
            await store.mark_source(tx, self.impor.id, kunjungan=w.kunjungan)
            settings = self.services.settings
            await reassess_many(tx, sorted(w.touched), today=self.today, thresholds=settings.klinis,
                                boundaries=settings.trimester.boundaries)
        return verdicts

    async def _row(self, sheet: str, row: ParsedRow, found: Lookups, w: _Writing | None) -> Verdict:
        """The verdict of one row; with ``w`` its records are written too (and its ledger
        line). Without ``w`` in writing mode the row was written before a crash."""
        verdict = Verdict(sheet, row.row_no, "error", problems=list(row.problems))
        ids: Ids = (None, None, None, None)
        if row.problems:
            pass
        elif row.out_of_scope:
            verdict.outcome = "out_of_scope"
        elif self.match.seen_before(row):
            verdict.outcome = "duplicate"
        else:
            try:
                ids = await self._apply(row, verdict, found, w)
            except _OutOfScope:
                verdict.outcome = "out_of_scope"
            except _RowError as exc:
                verdict.outcome = "error"
                verdict.problems.append(exc.problem)
        if w is not None:
            w.ledger.append((verdict.row_no, verdict.outcome, *ids))
        return verdict

    # -- matching and writing ----------------------------------------------------------

    async def _apply(self, row: ParsedRow, verdict: Verdict, found: Lookups, w: _Writing | None) -> Ids:
        created = updated = different = False
        before: dict[str, Any] = {}
        keluarga_id: int | None = None
        sasaran_id: int | None = None
        kunjungan_id: int | None = None
        if row.family is not None:
            keluarga_id, rule, stored = self.match.family(row, found)
            verdict.rule = rule
            if rule is None:
                if not row.family_full:
                    raise _RowError(Problem(BY_KEY["no_kk"].header, "Keluarga ini tidak ditemukan: laporkan atau "
                                                                    "impor dulu keluarganya."))
                created = True
                keluarga_id = await self._create_family(row, found, w)
            elif stored is not None and row.family_full:
                changed, differs = await self._use_file("keluarga", stored, differences.family(row, stored, verdict),
                                                        w, before)
                updated, different = updated or changed, different or differs
                if changed and w is not None:
                    w.touched.add(stored["id"])
        if row.member is not None:
            if row.family is None:
                raise _RowError(Problem(BY_KEY["no_kk"].header, "Isi No. KK atau Nama Kepala Keluarga sasaran ini."))
            sasaran_id, rule, stored = self.match.member(row, keluarga_id, verdict.rule, found)
            if stored is not None and not self._in_scope(stored["region_code"]):
                verdict.outcome = "out_of_scope"
                return (None, None, None, None)
            if rule:
                verdict.rule = rule
            if stored is None and sasaran_id is None:
                created = True
                sasaran_id = await self._create_member(row, keluarga_id, found, w)
            elif stored is not None:
                changed, differs = await self._use_file(
                    "sasaran", stored, differences.member(row, stored, verdict, self.today), w, before)
                updated, different = updated or changed, different or differs
                if changed and w is not None:
                    w.touched.add(stored["keluarga_id"])
        if row.measure is not None and self._has_values(row.measure):
            made, kunjungan_id, sasaran_id = await self._measurement(row, sasaran_id, verdict, found, w)
            created = created or made
        verdict.outcome = "create" if created else "update" if updated else "different" if different else "unchanged"
        return (keluarga_id, sasaran_id, kunjungan_id, json.dumps(before, default=str) if before else None)

    async def _use_file(self, table: str, stored: Any, diffs: list[Any], w: _Writing | None,
                        before: dict[str, Any]) -> tuple[bool, bool]:
        """Write the file's values of the columns the coordinator chose ("pakai data file");
        returns (updated, differences left as they are)."""
        chosen = {d.column: d.file_value for d in diffs if d.column in self.use_file}
        if chosen and w is not None:
            columns = store.KELUARGA_COLUMNS if table == "keluarga" else store.SASARAN_COLUMNS
            before[table] = await store.update_columns(
                w.tx, table, stored["id"], {columns[c]: v for c, v in chosen.items()}, actor_id=self.actor_id,
                impor_id=self._impor_id, now=self.services.clock.now())
        return bool(chosen), len(chosen) < len(diffs)

    @property
    def _impor_id(self) -> int:
        assert self.impor is not None
        return self.impor.id

    def _in_scope(self, code: str) -> bool:
        return contains(self.scope, code)

    async def _create_family(self, row: ParsedRow, found: Lookups, w: _Writing | None) -> int | None:
        if w is None:
            self.match.plan_family(row)
            return None
        answers = row.family
        assert answers is not None
        data = new_keluarga({"rt": None, "rw": None, **answers})
        data = replace(data, rt=differences.opt_text(answers.get("rt")), rw=differences.opt_text(answers.get("rw")),
                       answers={**data.answers, **({"istri_nama": answers["nama_istri"]}
                                                   if answers.get("nama_istri") else {})})
        new_id = await w.new.keluarga(data)
        found.new_families[family_digest(row)] = new_id
        w.touched.add(new_id)
        return new_id

    async def _create_member(self, row: ParsedRow, keluarga_id: int | None, found: Lookups,
                             w: _Writing | None) -> int | None:
        assert row.member is not None
        if w is None or keluarga_id is None:
            self.match.plan_member(row)
            return None
        new_id = await w.new.sasaran(keluarga_id, new_sasaran(row.member, self.today))
        nik_hash = self.match.nik_hash(row)
        if nik_hash:
            found.new_members[nik_hash] = new_id
        w.new_sasaran.add(new_id)
        w.touched.add(keluarga_id)
        return new_id

    @staticmethod
    def _has_values(measure: dict[str, Any]) -> bool:
        return any(measure.get(k) is not None for k in ("berat", "tinggi", "lila", "hb"))

    async def _measurement(self, row: ParsedRow, sasaran_id: int | None, verdict: Verdict, found: Lookups,
                           w: _Writing | None) -> tuple[bool, int | None, int | None]:
        m = row.measure
        assert m is not None
        if row.member is None:
            sasaran_id, rule, stored, planned = self.match.measured_person(row, found)
            if rule:
                verdict.rule = rule
            if sasaran_id is None and not planned:
                raise _RowError(Problem(BY_KEY["nik"].header, "Sasaran ini tidak ditemukan: impor atau laporkan dulu "
                                                              "sasarannya."))
            if stored is not None and not self._in_scope(stored["region_code"]):
                raise _OutOfScope()
        on = m.get("tanggal_ukur") or self.today.isoformat()
        if sasaran_id is not None and any(
                (r["weight_kg"], r["height_cm"], r["lila_cm"], r["hb"]) == (m.get("berat"), m.get("tinggi"),
                                                                           m.get("lila"), m.get("hb"))
                for r in found.measured.get((sasaran_id, on), [])):
            return False, None, sasaran_id
        if w is None or sasaran_id is None:
            return True, None, sasaran_id
        if w.new.pending(sasaran_id):
            await w.new.flush()
        person = await records.sasaran_in_tx(w.tx, sasaran_id)
        assert person is not None
        lying = {"lying": True, "standing": False}.get(m.get("cara_ukur") or "")
        measurement = Measurement(visited_on=date.fromisoformat(on), weight_kg=m.get("berat"),
                                  height_cm=m.get("tinggi"), measured_lying=lying, lila_cm=m.get("lila"),
                                  hb=m.get("hb"))
        growth = child_growth(person.sex, person.birth_date, measurement)
        if growth is not None:
            measurement = replace(measurement, haz=growth.haz, waz=growth.waz, whz=growth.whz, stunted=growth.stunted,
                                  wasted=growth.wasted, underweight=growth.underweight)
        kind = "pendaftaran" if row.member is not None and sasaran_id in w.new_sasaran else "kunjungan"
        new_id = await records.add_kunjungan(w.tx, sasaran_id=sasaran_id, reporter_id=self.actor_id, kind=kind,
                                             measurement=measurement, answers={"sumber": "impor"},
                                             now=self.services.clock.now())
        w.kunjungan.append(new_id)
        w.touched.add(person.keluarga_id)
        return True, new_id, sasaran_id


class _RowError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


class _OutOfScope(_RowError):
    def __init__(self) -> None:
        super().__init__(Problem("", "di luar wilayah Anda"))

