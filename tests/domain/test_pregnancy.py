"""A mother tells her HPHT, or how far along she is; the bot works out HPL and trimester."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.pregnancy import (
    GestationalAge,
    TrimesterBoundaries,
    gestational_age,
    hpht_from_hpl,
    hpht_from_months,
    hpht_from_weeks,
    hpl_from_hpht,
)


def test_naegele_hpl_is_hpht_plus_280_days() -> None:
    assert hpl_from_hpht(date(2024, 1, 1)) == date(2024, 10, 7)
    assert hpl_from_hpht(date(2023, 5, 20)) == date(2024, 2, 24)  # across a leap February


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_hpl_and_hpht_are_inverse(hpht: date) -> None:
    assert hpht_from_hpl(hpl_from_hpht(hpht)) == hpht


def test_weeks_or_months_pregnant_give_an_hpht() -> None:
    on = date(2025, 6, 1)
    assert hpht_from_weeks(20, on) == on - timedelta(weeks=20)
    assert gestational_age(hpht_from_weeks(20, on), on) == GestationalAge(20, 0)
    assert hpht_from_months(5, on) == on - timedelta(days=152)


def test_gestational_age_in_weeks_and_days() -> None:
    age = gestational_age(date(2025, 1, 1), date(2025, 6, 15))
    assert (age.weeks, age.days, age.total_days) == (23, 4, 165)
    assert age.label() == "23 minggu 4 hari"
    assert GestationalAge(12, 0).label() == "12 minggu"
    assert gestational_age(date(2025, 6, 2), date(2025, 6, 1)) == GestationalAge(0, 0)


@pytest.mark.parametrize(("weeks", "trimester"), [(0, 1), (12, 1), (13, 2), (24, 2), (25, 3)])
def test_default_trimesters_follow_anc_boundaries(weeks: int, trimester: int) -> None:
    assert TrimesterBoundaries().trimester(weeks) == trimester


def test_trimesters_are_configurable() -> None:
    other = TrimesterBoundaries(first_end_week=12, second_end_week=28)
    assert [other.trimester(w) for w in (24, 28, 29)] == [2, 2, 3]
