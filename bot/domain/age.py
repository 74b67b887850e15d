"""Ages on a given date, in the units each rule needs.

Three different "ages" are in use and mixing them up shifts children across
cut-offs: completed years (4 Terlalu, PUS), age in days (the WHO growth-standard
input), and calendar completed months (what a mother says: "1 tahun 3 bulan", and
the baduta/balita split). ``on`` is always passed in; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from datetime import date

#: WHO igrowup/anthro: average days per month (365.25 / 12).
WHO_DAYS_PER_MONTH = 30.4375


def _check_order(birth_date: date, on: date) -> None:
    if on < birth_date:
        raise ValueError(f"{on} is before the birth date {birth_date}")


def age_in_years(birth_date: date, on: date) -> int:
    """Completed years; someone born on 29 February has a birthday on 1 March."""
    _check_order(birth_date, on)
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def age_in_days(birth_date: date, on: date) -> int:
    """Days since birth: the age WHO's growth standards are indexed by."""
    _check_order(birth_date, on)
    return (on - birth_date).days


def who_months(age_days: int) -> float:
    """Age in months as WHO growth charts count it (days / 30.4375)."""
    if age_days < 0:
        raise ValueError("age in days cannot be negative")
    return age_days / WHO_DAYS_PER_MONTH


def completed_months(birth_date: date, on: date) -> int:
    """Calendar months completed, as people count them.

    A month is completed on the same day-of-month as the birth, or on the last day
    of a shorter month (born 31 January: one month on 29 February 2024).
    """
    _check_order(birth_date, on)
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    month_length = calendar.monthrange(on.year, on.month)[1]
    if on.day < min(birth_date.day, month_length):
        months -= 1
    return months


def age_label(birth_date: date, on: date) -> str:
    """Indonesian age for display: "1 tahun 3 bulan", "2 tahun", "5 bulan", "12 hari"."""
    months = completed_months(birth_date, on)
    if months == 0:
        return f"{age_in_days(birth_date, on)} hari"
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} tahun")
    if rest:
        parts.append(f"{rest} bulan")
    return " ".join(parts)
