"""An inline month calendar for date questions: tap a day instead of typing it."""

from __future__ import annotations

import calendar
from datetime import date

from bot import callbacks
from bot.formatting import month_year

WEEKDAYS = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")  # never "Mg": that reads as minggu (week)


def month_of(text: str | None) -> date | None:
    """``YYYYMM`` (a month the calendar can show, see ``bot.callbacks.MONTH``) → the
    first of that month; anything else → None."""
    if text and callbacks.MONTH.parse(text) is not None:
        return date(int(text[:4]), int(text[4:]), 1)
    return None


def year_of(text: str | None) -> int | None:
    """``YYYY`` (the month-and-year picker of that year, ``bot.callbacks`` checks the digits) → the year."""
    if text and len(text) == 4 and text.isascii() and text.isdigit() and callbacks.MONTH.parse(f"{text}01"):
        return int(text)
    return None


MONTH_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def parse_month(text: str | None, fallback: date) -> date:
    """``YYYYMM`` → the first of that month; anything else → ``fallback``'s month."""
    return month_of(text) or fallback.replace(day=1)


def shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_grid(month: date, earliest: date, latest: date,
               today: date | None = None) -> tuple[str, list[list[tuple[str, str | None]]]]:
    """Title and rows of (label, YYYYMMDD or None for blanks/out-of-range days); today is
    marked «[5]» so the member finds their bearings."""
    rows: list[list[tuple[str, str | None]]] = [[(d, None) for d in WEEKDAYS]]
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        row: list[tuple[str, str | None]] = []
        for day in week:
            if day.month != month.month:
                row.append((" ", None))
            elif earliest <= day <= latest:
                row.append((f"[{day.day}]" if day == today else str(day.day), day.strftime("%Y%m%d")))
            else:
                row.append(("·", None))
        rows.append(row)
    return month_year(month), rows
