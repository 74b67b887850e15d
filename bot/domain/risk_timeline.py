"""A family's risk status as it will stand on every day from a reassessment on.

Figures for a period count a family berisiko stunting (and a mother KEK or anaemic) by
its state on the period's reference day (issue 14), and the 4 Terlalu change with time
alone: the wife turns 20 (no longer terlalu muda) or 36 (terlalu tua), leaves the PUS
ages, and 24 months pass since the last birth (no longer terlalu dekat). Nothing is
written on those days, so a reassessment computes ahead the days its answer changes —
like the day a baduta turns 24 months — and storage keeps each state as a dated span.
/rekap then reads counters by day and never re-evaluates a family.

Pure: the facts and the day come in, nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.reminder_plan import add_months
from bot.domain.risk import IstriPus, KeluargaFacts, KrsAssessment, SasaranFacts, assess_family
from bot.domain.thresholds import DEFAULT_THRESHOLDS, ClinicalThresholds


def birthday(born: date, years: int) -> date:
    """The day someone born on ``born`` completes ``years`` (29 February: 1 March), as
    :func:`bot.domain.age.age_in_years` counts."""
    year = born.year + years
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def change_days(istri: IstriPus | None, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> list[date]:
    """Every day a time-dependent factor of the wife can start or stop: the birthdays at
    the PUS and 4 Terlalu age limits and the day the last birth is no longer "dekat"."""
    if istri is None:
        return []
    rules = thresholds.terlalu
    ages = {thresholds.pus_min_age, thresholds.pus_max_age + 1, rules.muda_below_age, rules.tua_above_age + 1}
    if rules.tua_max_age is not None:
        ages.add(rules.tua_max_age + 1)
    days = {birthday(istri.birth_date, age) for age in ages}
    if istri.last_birth_date is not None:
        days.add(add_months(istri.last_birth_date, rules.dekat_below_months))
    return sorted(days)


def _state(assessment: KrsAssessment) -> tuple[object, ...]:
    return (assessment.is_berisiko, frozenset(f.code for f in assessment.family_factors),
            frozenset((f.member_ref, f.code) for f in assessment.member_flags))


def risk_timeline(keluarga: KeluargaFacts, members: Sequence[SasaranFacts], *, start: date,
                  thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> list[tuple[date, KrsAssessment]]:
    """The assessment on ``start`` and on each later day it changes, until the next
    write: ``[(start, a0), (d1, a1), ...]``, each lasting until the next one's day (the
    last one open). Consecutive entries always differ."""
    timeline = [(start, assess_family(keluarga, members, on=start, thresholds=thresholds))]
    for day in change_days(keluarga.istri, thresholds):
        if day <= start or day < keluarga.istri.birth_date:  # type: ignore[union-attr]
            continue
        assessment = assess_family(keluarga, members, on=day, thresholds=thresholds)
        if _state(assessment) != _state(timeline[-1][1]):
            timeline.append((day, assessment))
    return timeline
