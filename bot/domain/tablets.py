"""Counting iron tablets (TTD) toward a pregnancy's goal from what the mother reports.

She reports in two shapes: the weekly check-in (0–7 tablets over the seven days ending
on the check-in day) and, when she chose the daily reminder, "Sudah minum" (1 tablet
that day). She may switch between the two mid-week and may answer an old week's
message late, so reports can cover the same days. The rule, which never counts a day
twice:

* at most one tablet per calendar day;
* a week's answer and the daily presses on the same days are not added up: the larger
  of the two counts (a mother who pressed "Sudah minum" on Monday and Tuesday and then
  answers the week with 7 has taken 7, not 9; one who answers 0 after two presses has
  still taken those 2);
* weeks are taken oldest first; a day an earlier week already counted is not counted by
  a later, overlapping week (only possible when the check-in day was reconfigured).

Pure: no clock, database or Telegram. Storage keeps one row per answered reminder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

#: The spans a report can cover, in days.
DAILY, WEEKLY = 1, 7


@dataclass(frozen=True, order=True)
class TabletReport:
    """What she said: ``tablets`` taken over ``days`` days from ``start``."""

    start: date
    days: int
    tablets: int

    def __post_init__(self) -> None:
        if self.days not in (DAILY, WEEKLY):
            raise ValueError(f"a report covers 1 or 7 days, not {self.days}")
        if not 0 <= self.tablets <= self.days:
            raise ValueError(f"{self.tablets} tablets in {self.days} days")

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]


def count_tablets(reports: Iterable[TabletReport]) -> int:
    """Tablets taken according to ``reports``, by the rule in the module docstring."""
    reports = list(reports)
    pressed = {r.start for r in reports if r.days == DAILY and r.tablets}
    counted: set[date] = set()
    total = 0
    for week in sorted(r for r in reports if r.days == WEEKLY):
        free = [day for day in week.each_day() if day not in counted]
        if not free:
            continue
        total += max(min(week.tablets, len(free)), sum(day in pressed for day in free))
        counted.update(free)
    return total + len(pressed - counted)


@dataclass(frozen=True)
class TabletProgress:
    """Her count toward the goal, and her latest weekly answer (for her TPK member's card)."""

    taken: int
    goal: int
    latest_week: TabletReport | None

    @property
    def reached(self) -> bool:
        return self.taken >= self.goal


def progress(reports: Iterable[TabletReport], goal: int) -> TabletProgress:
    reports = list(reports)
    weeks = [r for r in reports if r.days == WEEKLY]
    return TabletProgress(count_tablets(reports), goal, max(weeks, default=None))
