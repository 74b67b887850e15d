"""Indonesian formatting of numbers, percentages and dates (1.234; 27,6%; 23 November 2026)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date, format_timedelta, get_month_names
from babel.numbers import format_decimal, format_percent

LOCALE = "id"


def number(value: float | int) -> str:
    return format_decimal(value, locale=LOCALE)


def percent(part: float | int, whole: float | int) -> str:
    """Share with one decimal, "–" when there is nothing to divide by."""
    if not whole:
        return "–"
    return format_percent(part / whole, format="#,##0.0%", locale=LOCALE)


def long_date(day: date) -> str:
    """ "12 Maret 2026": the way dates are written in Buku KIA."""
    return format_date(day, format="d MMMM yyyy", locale=LOCALE)


def month_name(month: int) -> str:
    """ "Maret" for 3: CLDR's Indonesian month names, the same words :func:`long_date` prints."""
    return get_month_names("wide", context="stand-alone", locale=LOCALE)[month]


def month_year(day: date) -> str:
    return format_date(day, format="MMMM yyyy", locale=LOCALE)


def ago(instant: datetime | None, now: datetime) -> str:
    """"3 hari lalu", "baru saja", or "belum pernah" when there is no instant."""
    if instant is None:
        return "belum pernah"
    elapsed = now - instant
    if elapsed < timedelta(minutes=1):
        return "baru saja"
    return f"{format_timedelta(elapsed, locale=LOCALE)} lalu"


def signed(delta: int) -> str:
    """A change in a count: "+12", "−3" (true minus sign), "±0"."""
    if delta == 0:
        return "±0"
    sign = "+" if delta > 0 else "−"
    return f"{sign}{number(abs(delta))}"


def points(delta: float) -> str:
    """A change in a percentage, in percentage points: "+1,2 poin", "−0,4 poin", "±0 poin"."""
    rounded = round(delta * 100, 1)
    if rounded == 0:
        return "±0 poin"
    sign = "+" if rounded > 0 else "−"
    return f"{sign}{format_decimal(abs(rounded), format='#,##0.0', locale=LOCALE)} poin"
