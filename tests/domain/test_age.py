"""Ages as the rules and the people count them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.age import (
    age_in_days,
    age_in_years,
    age_label,
    completed_months,
    who_months,
)


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        (date(2000, 5, 10), date(2020, 5, 9), 19),
        (date(2000, 5, 10), date(2020, 5, 10), 20),
        (date(2004, 2, 29), date(2023, 2, 28), 18),
        (date(2004, 2, 29), date(2023, 3, 1), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
    ],
)
def test_completed_years(birth: date, on: date, years: int) -> None:
    assert age_in_years(birth, on) == years


def test_age_in_days_and_who_months() -> None:
    assert age_in_days(date(2024, 1, 1), date(2024, 3, 1)) == 60
    assert who_months(731) == pytest.approx(24.016, abs=1e-3)
    assert who_months(0) == 0


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2024, 1, 15), date(2024, 2, 14), 0),
        (date(2024, 1, 15), date(2024, 2, 15), 1),
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2023, 1, 31), date(2023, 4, 30), 3),
        (date(2022, 6, 10), date(2024, 6, 9), 23),
        (date(2022, 6, 10), date(2024, 6, 10), 24),
    ],
)
def test_calendar_completed_months(birth: date, on: date, months: int) -> None:
    assert completed_months(birth, on) == months


@pytest.mark.parametrize(
    ("birth", "on", "label"),
    [
        (date(2024, 3, 1), date(2024, 3, 1), "0 hari"),
        (date(2024, 3, 1), date(2024, 3, 13), "12 hari"),
        (date(2024, 3, 1), date(2024, 8, 5), "5 bulan"),
        (date(2023, 3, 1), date(2024, 3, 1), "1 tahun"),
        (date(2023, 1, 1), date(2024, 4, 2), "1 tahun 3 bulan"),
    ],
)
def test_indonesian_age_label(birth: date, on: date, label: str) -> None:
    assert age_label(birth, on) == label


def test_a_date_before_birth_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        age_in_years(date(2024, 1, 2), date(2024, 1, 1))
    with pytest.raises(ValueError):
        who_months(-1)
