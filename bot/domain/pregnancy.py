"""Pregnancy dates: HPL (due date), gestational age and trimester.

Naegele's rule (HPL = HPHT + 280 days) is what Indonesian antenatal books use. A TPK
member may know the HPHT, only "n weeks" or "n months" pregnant, or a known HPL; all
are turned into an HPHT so that one date drives every later computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

GESTATION_DAYS = 280
#: Longest plausible pregnancy; answers beyond it are rejected as typing errors.
MAX_GESTATION_WEEKS = 44
#: Average days per calendar month, for "hamil 5 bulan".
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class TrimesterBoundaries:
    """Last completed week of trimester I and II (sources disagree: 12/24 or 12/28)."""

    first_end_week: int = 12
    second_end_week: int = 24

    def trimester(self, weeks: int) -> int:
        if weeks <= self.first_end_week:
            return 1
        if weeks <= self.second_end_week:
            return 2
        return 3


@dataclass(frozen=True)
class GestationalAge:
    weeks: int
    days: int

    @property
    def total_days(self) -> int:
        return self.weeks * 7 + self.days

    def label(self) -> str:
        """Indonesian short form, e.g. "23 minggu 4 hari"."""
        return f"{self.weeks} minggu {self.days} hari" if self.days else f"{self.weeks} minggu"


def hpl_from_hpht(hpht: date) -> date:
    return hpht + timedelta(days=GESTATION_DAYS)


def hpht_from_hpl(hpl: date) -> date:
    return hpl - timedelta(days=GESTATION_DAYS)


def hpht_from_weeks(weeks: float, on: date) -> date:
    return on - timedelta(days=round(weeks * 7))


def hpht_from_months(months: float, on: date) -> date:
    return on - timedelta(days=round(months * DAYS_PER_MONTH))


def gestational_age(hpht: date, on: date) -> GestationalAge:
    """Completed weeks and days since HPHT on ``on`` (negative spans clamp to zero)."""
    total = max((on - hpht).days, 0)
    return GestationalAge(weeks=total // 7, days=total % 7)
