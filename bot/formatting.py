"""Indonesian formatting of numbers, percentages and dates (1.234; 27,6%; 23 November 2026)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date, format_timedelta
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
    return format_date(day, format="d MMMM yyyy", locale=LOCALE)


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
