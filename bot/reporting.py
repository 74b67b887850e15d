"""Turning stored records into domain facts, and keeping risk rows up to date.

The form layer never computes risk itself: after any change to a family or one of
its members, :func:`reassess` loads the family, its active members and their latest
measurements, asks the domain rules, and stores the result in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from bot.domain.growth import GrowthAssessment, Position, assess_growth_on
from bot.domain.kms import Weighing, is_2t, kms_readings
from bot.domain.pregnancy import TrimesterBoundaries, gestational_age
from bot.domain.risk import (
    IstriPus,
    Jamban,
    KeluargaFacts,
    KrsAssessment,
    MetodeKb,
    SasaranFacts,
    SasaranKind,
    SumberAirMinum,
)
from bot.domain.risk_timeline import risk_timeline
from bot.domain.thresholds import DEFAULT_THRESHOLDS, ClinicalThresholds
from storage import keluarga as store
from storage import risk_history
from storage.db import Transaction
from storage.keluarga import Keluarga, Kunjungan, Measurement, Sasaran


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def istri_facts(answers: dict[str, Any]) -> IstriPus | None:
    """The PUS wife as answered in the family form (None when there is no couple)."""
    born = _day(answers.get("istri_lahir"))
    if not answers.get("pus") or born is None:
        return None
    kb = answers.get("kb")
    return IstriPus(
        birth_date=born,
        children=int(answers.get("anak") or 0),
        last_birth_date=_day(answers.get("anak_terakhir")),
        kb_method=MetodeKb(kb) if kb else None,
        pregnant=bool(answers.get("hamil")),
    )


def latest_kb(members: Sequence[Sasaran], visits: dict[int, list[Kunjungan]]) -> MetodeKb | None:
    """KB pascapersalinan as last recorded for a mother (her nifas registration or visits)."""
    found: tuple[date, MetodeKb] | None = None
    for member in members:
        answered = [(date.min, member.answers)] + [(v.visited_on, v.answers) for v in visits.get(member.id, [])]
        for on, answers in answered:
            if answers.get("kb_pasca") is None:
                continue
            method = MetodeKb(answers["kb_metode"]) if answers.get("kb_pasca") and answers.get("kb_metode") \
                else MetodeKb.TIDAK_KB
            if found is None or on >= found[0]:
                found = (on, method)
    return found[1] if found else None


def istri_now(answers: dict[str, Any], members: Sequence[Sasaran],
              visits: dict[int, list[Kunjungan]] | None = None) -> IstriPus | None:
    """The PUS wife as the family form described her, brought up to date by the members
    recorded since: a birth recorded in the bot adds a child and moves the last birth (so
    terlalu dekat/banyak follow it), she is pregnant only while an ibu hamil record is
    active (so her KB counts again after the birth), and the KB she chose after the birth
    replaces the answer given before. Nothing a member record says is ever dropped: this is
    what keeps a family berisiko after a birth (the form's answers alone went stale)."""
    istri = istri_facts(answers)
    if istri is None:
        return None
    visits = visits or {}
    born_here = [m for m in members if m.mother_id is not None and m.birth_date is not None]
    births = [d for d in (istri.last_birth_date, *(m.birth_date for m in members if m.category in ("baduta", "balita")),
                          *(m.delivery_date for m in members)) if d is not None]
    mothers = [m for m in members if m.category in ("ibu_hamil", "ibu_nifas") or m.delivery_date is not None]
    pregnant = istri.pregnant
    if mothers or born_here:
        pregnant = any(m.category == "ibu_hamil" and m.status == "aktif" for m in members)
    kb = latest_kb(mothers, visits) or istri.kb_method
    return replace(istri, children=istri.children + len(born_here), last_birth_date=max(births, default=None),
                   pregnant=pregnant, kb_method=kb)


def keluarga_facts(keluarga: Keluarga, members: Sequence[Sasaran] = (),
                   visits: dict[int, list[Kunjungan]] | None = None) -> KeluargaFacts:
    return KeluargaFacts(
        water_source=SumberAirMinum(keluarga.water_source),
        latrine=Jamban(keluarga.latrine),
        istri=istri_now(keluarga.answers, members, visits),
    )


def child_growth(sex: str | None, birth_date: date | None, m: Measurement) -> GrowthAssessment | None:
    if sex not in ("L", "P") or birth_date is None or m.visited_on < birth_date:
        return None
    if m.weight_kg is None and m.height_cm is None:
        return None
    position = None if m.measured_lying is None else (Position.LYING if m.measured_lying else Position.STANDING)
    return assess_growth_on(sex, birth_date, m.visited_on, m.weight_kg, m.height_cm, position)  # type: ignore[arg-type]


def trimester_on(sasaran: Sasaran, on: date, boundaries: TrimesterBoundaries) -> int | None:
    if sasaran.hpht is None:
        return None
    return boundaries.trimester(gestational_age(sasaran.hpht, on).weeks)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def child_weighings(history: Sequence[Kunjungan]) -> list[Weighing]:
    return [Weighing(v.visited_on, v.measurement.weight_kg) for v in history if v.measurement.weight_kg is not None]


def sasaran_facts(sasaran: Sasaran, latest: Kunjungan | None, boundaries: TrimesterBoundaries,
                  history: Sequence[Kunjungan] = (),
                  thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> SasaranFacts:
    m = latest.measurement if latest else None
    kind = SasaranKind(sasaran.category)
    growth = None
    child = kind in (SasaranKind.BADUTA, SasaranKind.BALITA)
    if m is not None and child:
        growth = child_growth(sasaran.sex, sasaran.birth_date, m)
    two_t = False
    if child and sasaran.birth_date is not None and history:
        two_t = is_2t(kms_readings(sasaran.birth_date, child_weighings(history), thresholds))
    return SasaranFacts(
        ref=str(sasaran.id),
        kind=kind,
        sex=sasaran.sex,  # type: ignore[arg-type]
        height_cm=m.height_cm if m else None,
        weight_kg=m.weight_kg if m else None,
        lila_cm=m.lila_cm if m else None,
        hb_g_dl=m.hb if m else None,
        trimester=trimester_on(sasaran, m.visited_on, boundaries) if m and kind is SasaranKind.IBU_HAMIL else None,
        growth=growth,
        birth_weight_kg=_number(sasaran.answers.get("berat_lahir")) if child else None,
        birth_length_cm=_number(sasaran.answers.get("panjang_lahir")) if child else None,
        kms_2t=two_t,
    )


FamilyFacts = tuple[KeluargaFacts, list[SasaranFacts], list[Sasaran]]


async def family_facts_in_tx(tx: Transaction, keluarga_id: int, *, thresholds: ClinicalThresholds,
                             boundaries: TrimesterBoundaries) -> FamilyFacts:
    """What a reassessment decides on: the family's facts, its active members' facts, and
    every member (ended ones too, whose records still move the wife's story)."""
    keluarga = await store.keluarga_in_tx(tx, keluarga_id)
    if keluarga is None:
        raise LookupError(keluarga_id)
    everyone = await store.members_in_tx(tx, keluarga_id)
    history = {m.id: await store.kunjungan_history_in_tx(tx, m.id) for m in everyone}
    facts = [sasaran_facts(m, history[m.id][-1] if history[m.id] else None, boundaries, history[m.id], thresholds)
             for m in everyone if m.status == "aktif"]
    return keluarga_facts(keluarga, everyone, history), facts, everyone


async def reassess(tx: Transaction, keluarga_id: int, *, today: date, thresholds: ClinicalThresholds,
                   boundaries: TrimesterBoundaries) -> KrsAssessment:
    """Assess the family as it stands on ``today`` and store it: the current risk rows,
    and the dated history /rekap counts by (from today, with the days ahead on which a
    4 Terlalu factor changes by itself)."""
    family, facts, everyone = await family_facts_in_tx(tx, keluarga_id, thresholds=thresholds, boundaries=boundaries)
    members = [m for m in everyone if m.status == "aktif"]
    timeline = risk_timeline(family, facts, start=today, thresholds=thresholds)
    assessment = timeline[0][1]
    by_member = {m.id: [f for f in assessment.member_flags if f.member_ref == str(m.id)] for m in members}
    await store.replace_risks(tx, keluarga_id, assessment.family_factors, by_member,
                              berisiko=assessment.is_berisiko)
    await risk_history.record(tx, keluarga_id, today, *history_of(timeline, [m.id for m in everyone]))
    return assessment


def history_of(timeline: Sequence[tuple[date, KrsAssessment]],
               member_ids: Sequence[int]) -> tuple[risk_history.Timeline, dict[int, risk_history.Timeline]]:
    """A risk timeline as the span names storage keeps: the family's (berisiko, its KRS
    factors) and each member's health flags (none for a member no longer active)."""
    family = [(day, frozenset({"berisiko"} if a.is_berisiko else set())
               | {f"risk_{f.code.value}" for f in a.family_factors}) for day, a in timeline]
    members = {member_id: [(day, frozenset(f"flag_{f.code.value}" for f in a.member_flags
                                           if f.member_ref == str(member_id))) for day, a in timeline]
               for member_id in member_ids}
    return family, members


async def reassess_many(tx: Transaction, keluarga_ids: list[int], *, today: date, thresholds: ClinicalThresholds,
                        boundaries: TrimesterBoundaries) -> None:
    """:func:`reassess` for many families in a few round trips (an import's chunk)."""
    families = await store.keluarga_many_in_tx(tx, keluarga_ids)
    members = await store.active_members_many_in_tx(tx, keluarga_ids)
    latest = await store.latest_measurements_in_tx(tx, [m.id for m in members])
    by_family: dict[int, list[Sasaran]] = {}
    for member in members:
        by_family.setdefault(member.keluarga_id, []).append(member)
    assessed = []
    histories: list[tuple[int, tuple[risk_history.Timeline, dict[int, risk_history.Timeline]]]] = []
    for keluarga in families:
        own = by_family.get(keluarga.id, [])
        facts = [sasaran_facts(m, latest.get(m.id), boundaries) for m in own]
        timeline = risk_timeline(keluarga_facts(keluarga), facts, start=today, thresholds=thresholds)
        assessment = timeline[0][1]
        flags = {m.id: [f for f in assessment.member_flags if f.member_ref == str(m.id)] for m in own}
        assessed.append((keluarga.id, list(assessment.family_factors), flags, assessment.is_berisiko))
        histories.append((keluarga.id, history_of(timeline, [m.id for m in own])))
    await store.replace_risks_many(tx, assessed)
    for keluarga_id, (family, by_member) in histories:
        await risk_history.record(tx, keluarga_id, today, family, by_member)
