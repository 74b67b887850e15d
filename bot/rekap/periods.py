"""Report periods: whole calendar months, from one month to a year — a month, a
triwulan (quarter), a semester (I: January–June, II: July–December) or a year.

A period is a run of months ``first``..``last``. The four buttons (bulan ini, bulan lalu,
3 bulan terakhir, tahun ini) and every typed form (``2026-10``, ``Oktober 2026``,
``okt``, ``2026``) become one; callback data carries it as a short token. Nothing here
reads the clock: "today" is passed in, in the deployment's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

#: Earliest year accepted (the TPK programme started in 2021).
MIN_YEAR = 2000
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ROMAN_NUMBER = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
#: The words for a triwulan and a semester, each with how many of them a year has.
_PART_WORDS = {"triwulan": 4, "tw": 4, "kuartal": 4, "q": 4, "semester": 2, "smt": 2, "sem": 2, "s": 2}

MONTHS = {
    "januari": 1, "jan": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2,
    "maret": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agust": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12,
}

EXAMPLES = ("/rekap bulan lalu, /rekap 2026-10, /rekap Oktober 2026, /rekap tw3 2026, /rekap semester 2 2026 "
            "atau /rekap 2026")


class PeriodError(ValueError):
    """A period that cannot be used; the message is for the user (Indonesian)."""


class UnknownPeriod(PeriodError):
    """Text that is not a period at all (as opposed to a period out of range)."""


def _month_name(month: date) -> str:
    return format_date(month, format="MMMM", locale="id")


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True, order=True)
class Period:
    """Months ``first``..``last`` (both the 1st of their month), inclusive."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last.day != 1 or self.last < self.first:
            raise ValueError(f"bad period {self.first}..{self.last}")

    # -- construction ------------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        day = date(year, month, 1)
        return cls(day, day)

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        """Triwulan 1–4."""
        first = date(year, 3 * number - 2, 1)
        return cls(first, add_months(first, 2))

    @classmethod
    def semester(cls, year: int, number: int) -> Period:
        """Semester I (January–June) or II (July–December), as the AKS runs."""
        first = date(year, 6 * number - 5, 1)
        return cls(first, add_months(first, 5))

    @classmethod
    def months_ending(cls, last: date, count: int) -> Period:
        return cls(add_months(month_start(last), 1 - count), month_start(last))

    # -- shape -------------------------------------------------------------------

    @property
    def length(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    @property
    def start(self) -> date:
        return self.first

    @property
    def end(self) -> date:
        """The last day of the period."""
        return add_months(self.last, 1) - timedelta(days=1)

    def months(self) -> list[date]:
        return [add_months(self.first, i) for i in range(self.length)]

    @property
    def is_single_month(self) -> bool:
        return self.length == 1

    @property
    def is_calendar_year(self) -> bool:
        return self.first.month == 1 and self.last.month == 12 and self.first.year == self.last.year

    @property
    def is_year_to_date(self) -> bool:
        """January up to a later month of the same year (not a whole calendar period)."""
        return (self.first.month == 1 and self.first.year == self.last.year and self.length > 1
                and self.calendar_kind is None)

    @property
    def calendar_kind(self) -> str | None:
        """"triwulan", "semester" or "tahun" for a whole calendar period, else None (a month is None too)."""
        kinds = {3: "triwulan", 6: "semester", 12: "tahun"}
        kind = kinds.get(self.length)
        if kind and (self.first.month - 1) % self.length == 0:
            return kind
        return None

    def previous(self) -> Period:
        """The period it is compared with: the one just before of the same length (a month
        with the month before, a triwulan, semester or year with the one before); January
        up to a month with the same months a year earlier."""
        if self.is_year_to_date:
            return self.year_earlier()
        return Period(add_months(self.first, -self.length), add_months(self.first, -1))

    def year_earlier(self) -> Period:
        """The same months a year before (the workbook's second comparison)."""
        return Period(add_months(self.first, -12), add_months(self.last, -12))

    def reference_day(self, today: date) -> date:
        """The day "as of" which states are shown: the period's last day, or today
        while the period is running."""
        return min(self.end, today)

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The first and last instant of the period in ``zone``."""
        start = datetime.combine(self.start, time(0), zone)
        end = datetime.combine(self.end, time(23, 59, 59), zone)
        return start, end

    # -- text --------------------------------------------------------------------

    def label(self) -> str:
        """"Oktober 2026", "Tahun 2026", "Januari – November 2026", "Desember 2025 – Februari 2026"."""
        if self.is_single_month:
            return f"{_month_name(self.first)} {self.first.year}"
        if self.is_calendar_year:
            return f"Tahun {self.first.year}"
        if self.calendar_kind is not None:
            number = (self.first.month - 1) // self.length + 1
            return f"{self.calendar_kind.capitalize()} {ROMAN[number]} {self.first.year}"
        if self.first.year == self.last.year:
            return f"{_month_name(self.first)} – {_month_name(self.last)} {self.last.year}"
        return f"{_month_name(self.first)} {self.first.year} – {_month_name(self.last)} {self.last.year}"

    def slug(self) -> str:
        """For file names: "2026-10", "2026", "2026-08_2026-10"."""
        if self.is_single_month:
            return f"{self.first:%Y-%m}"
        if self.is_calendar_year:
            return f"{self.first.year}"
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"

    def token(self) -> str:
        """Compact form for callback data: "202610" or "202601-202611"."""
        if self.is_single_month:
            return f"{self.first:%Y%m}"
        return f"{self.first:%Y%m}-{self.last:%Y%m}"

    @classmethod
    def from_token(cls, token: str) -> Period:
        match = re.fullmatch(r"(\d{4})(\d{2})(?:-(\d{4})(\d{2}))?", token)
        if not match:
            raise ValueError(token)
        first = date(int(match[1]), int(match[2]), 1)
        last = date(int(match[3]), int(match[4]), 1) if match[3] else first
        period = cls(first, last)
        if period.length > 12:
            raise ValueError(token)
        return period


# -- the choices -----------------------------------------------------------------------


def this_month(today: date) -> Period:
    return Period.months_ending(today, 1)


def last_month(today: date) -> Period:
    return Period.months_ending(add_months(month_start(today), -1), 1)


def last_three_months(today: date) -> Period:
    """This month and the two before it."""
    return Period.months_ending(today, 3)


def this_year(today: date) -> Period:
    """January up to this month."""
    return Period(date(today.year, 1, 1), month_start(today))


def year(value: int, today: date) -> Period:
    if value < MIN_YEAR:
        raise PeriodError(f"Tahun {value} terlalu lama. Pilih tahun {MIN_YEAR} atau sesudahnya.")
    if value == today.year:
        return this_year(today)
    return Period(date(value, 1, 1), date(value, 12, 1))


def this_quarter(today: date) -> Period:
    return Period.quarter(today.year, (today.month - 1) // 3 + 1)


def this_semester(today: date) -> Period:
    return Period.semester(today.year, 1 if today.month <= 6 else 2)


CHOICES = (
    ("Bulan ini", this_month),
    ("Bulan lalu", last_month),
    ("3 bulan terakhir", last_three_months),
    ("Tahun ini", this_year),
)
#: A row of its own under CHOICES: the calendar periods the AKS and reports upward use.
CALENDAR_CHOICES = (
    ("Triwulan ini", this_quarter),
    ("Semester ini", this_semester),
)

_WORDS = {
    "bulan ini": this_month,
    "bulanini": this_month,
    "bulan lalu": last_month,
    "bulan kemarin": last_month,
    "bulanlalu": last_month,
    "3 bulan terakhir": last_three_months,
    "3 bulan": last_three_months,
    "tiga bulan terakhir": last_three_months,
    "tiga bulan": last_three_months,
    "tahun ini": this_year,
    "tahunini": this_year,
    "triwulan ini": this_quarter,
    "semester ini": this_semester,
}
_PART = re.compile(rf"({'|'.join(sorted(_PART_WORDS, key=len, reverse=True))})\s*(iv|i{{1,3}}|[1-4])"
                   r"(?:\s+(\d{4}|\d{2}))?")


def part_of_year(word: str, number: int, year_value: int | None, today: date) -> Period:
    """Triwulan or semester ``number``; without a year the latest one that has started."""
    parts = _PART_WORDS[word]
    if not 1 <= number <= parts:
        what = "Triwulan 1–4" if parts == 4 else "Semester 1 (Januari–Juni) atau 2 (Juli–Desember)"
        raise PeriodError(f"{what}, misalnya /rekap {'tw3 2026' if parts == 4 else 'semester 2 2026'}.")
    make = Period.quarter if parts == 4 else Period.semester
    if year_value is None:
        period = make(today.year, number)
        return period if period.first <= month_start(today) else make(today.year - 1, number)
    return make(year_value + 2000 if year_value < 100 else year_value, number)


def check(period: Period, today: date) -> Period:
    """Refuse periods that have not started or are out of range. A triwulan or semester
    still running is shown up to today."""
    if period.first > month_start(today) or (period.calendar_kind is None and period.last > month_start(today)):
        raise PeriodError("Periode itu belum dimulai. Pilih bulan ini atau bulan yang sudah lewat.")
    if period.first.year < MIN_YEAR:
        raise PeriodError(f"Tahun {period.first.year} terlalu lama. Pilih tahun {MIN_YEAR} atau sesudahnya.")
    return period


def parse_period(text: str, today: date) -> Period:
    """A period from what a coordinator types; :class:`PeriodError` says what is
    expected. Empty text is this month."""
    cleaned = " ".join(text.lower().replace(",", " ").split())
    if not cleaned:
        return this_month(today)
    if cleaned in _WORDS:
        return _WORDS[cleaned](today)
    if cleaned == "tahun lalu":
        return year(today.year - 1, today)
    if match := re.fullmatch(r"(\d{4})\s*[-/.]\s*(\d{1,2})", cleaned):
        return check(_month(int(match[1]), int(match[2])), today)
    if match := re.fullmatch(r"(\d{1,2})\s*[-/.]\s*(\d{4})", cleaned):
        return check(_month(int(match[2]), int(match[1])), today)
    if match := _PART.fullmatch(cleaned):
        year_value = int(match[3]) if match[3] else None
        return check(part_of_year(match[1], _ROMAN_NUMBER[match[2]], year_value, today), today)
    if match := re.fullmatch(r"(?:tahun\s+)?(\d{4})", cleaned):
        return check(year(int(match[1]), today), today)
    if match := re.fullmatch(r"([a-z]+)\.?(?:\s+(\d{4}|\d{2}))?", cleaned):
        number = MONTHS.get(match[1])
        if number is not None:
            if match[2] is None:
                # "Oktober" alone: the latest October that has started.
                guess = date(today.year, number, 1)
                if guess > month_start(today):
                    guess = guess.replace(year=today.year - 1)
                return check(Period(guess, guess), today)
            value = int(match[2])
            return check(_month(value + 2000 if value < 100 else value, number), today)
    raise UnknownPeriod(f"Periode “{text.strip()}” tidak dikenali. Contoh: {EXAMPLES}.")


def _month(year_value: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"Bulan {month} tidak ada. Tulis bulan 1–12, misalnya {EXAMPLES}.")
    if year_value < MIN_YEAR:
        raise PeriodError(f"Tahun {year_value} terlalu lama. Pilih tahun {MIN_YEAR} atau sesudahnya.")
    return Period.month(year_value, month)
