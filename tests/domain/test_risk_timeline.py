"""The days a family's risk changes by itself (bot/domain/risk_timeline.py): the wife's
age and the months since the last birth move the 4 Terlalu with no write, and /rekap
counts by the state on the reference day (issue 14)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.age import age_in_years
from bot.domain.risk import IstriPus, KeluargaFacts, MetodeKb, RiskCode, assess_family
from bot.domain.risk_timeline import birthday, risk_timeline

START = date(2026, 3, 10)


def family(born: date, *, children: int = 1, last_birth: date | None = None,
           kb: MetodeKb | None = MetodeKb.PIL) -> KeluargaFacts:
    return KeluargaFacts(istri=IstriPus(birth_date=born, children=children, last_birth_date=last_birth, kb_method=kb))


def codes(assessment) -> set[RiskCode]:  # type: ignore[no-untyped-def]
    return {f.code for f in assessment.family_factors}


def test_terlalu_muda_ends_on_the_twentieth_birthday() -> None:
    facts = family(date(2006, 7, 1))
    timeline = risk_timeline(facts, [], start=START)
    assert [(day, a.is_berisiko, codes(a)) for day, a in timeline][:2] == [
        (START, True, {RiskCode.TERLALU_MUDA}),
        (date(2026, 7, 1), False, set()),
    ]


def test_terlalu_dekat_ends_24_months_after_the_last_birth_and_terlalu_tua_starts_at_36() -> None:
    facts = family(date(1990, 12, 31), last_birth=date(2025, 1, 31))
    timeline = risk_timeline(facts, [], start=START)
    assert [(day, codes(a)) for day, a in timeline][:3] == [
        (START, {RiskCode.TERLALU_DEKAT}),
        (date(2026, 12, 31), {RiskCode.TERLALU_DEKAT, RiskCode.TERLALU_TUA}),
        (date(2027, 1, 31), {RiskCode.TERLALU_TUA}),
    ]


def test_a_wife_who_leaves_the_pus_ages_takes_her_factors_with_her() -> None:
    facts = family(date(1977, 5, 20), kb=MetodeKb.TIDAK_KB)
    timeline = risk_timeline(facts, [], start=START)
    assert [(day, a.is_berisiko) for day, a in timeline] == [(START, True), (date(2027, 5, 20), False)]


def test_no_wife_no_change_days() -> None:
    assert len(risk_timeline(KeluargaFacts(), [], start=START)) == 1


def test_a_leap_day_birthday_is_the_first_of_march_as_ages_count() -> None:
    born = date(2008, 2, 29)
    assert birthday(born, 18) == date(2026, 3, 1)
    assert age_in_years(born, date(2026, 2, 28)) == 17 and age_in_years(born, date(2026, 3, 1)) == 18


@given(born=st.dates(date(1970, 1, 1), date(2012, 12, 31)),
       last_birth=st.none() | st.dates(date(2020, 1, 1), date(2026, 3, 10)),
       children=st.integers(0, 6),
       kb=st.none() | st.sampled_from(MetodeKb),
       start=st.dates(date(2026, 3, 10), date(2028, 12, 31)),
       offsets=st.lists(st.integers(0, 5000), min_size=1, max_size=30))
def test_the_timeline_is_the_assessment_of_every_day(born: date, last_birth: date | None, children: int,
                                                     kb: MetodeKb | None, start: date, offsets: list[int]) -> None:
    """Whatever day is asked, the entry covering it says what assessing on that day says."""
    if last_birth is not None and not born <= last_birth <= start:
        last_birth = None
    facts = family(born, children=children, last_birth=last_birth, kb=kb)
    timeline = risk_timeline(facts, [], start=start)
    for offset in offsets:
        day = start + timedelta(days=offset)
        covering = [a for first, a in timeline if first <= day][-1]
        truth = assess_family(facts, [], on=day)
        assert (covering.is_berisiko, codes(covering)) == (truth.is_berisiko, codes(truth)), day
