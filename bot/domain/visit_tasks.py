"""The TPK member's home visits (pendampingan) due for one sasaran.

Tasks are derived, never stored: the daily digest asks :func:`plan_visit_tasks` for
each sasaran of the member and a recorded visit closes a task by moving
``last_visit_on``. They hang on the same dates as the mother's reminders (ANC contacts,
KF windows, the end of the pregnancy, :mod:`bot.domain.reminder_plan`), so a visit is
asked for around the contact the mother is reminded of. Pure: no clock, database or
Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.domain.reminder_plan import add_months, last_pregnancy_day, week_start
from bot.domain.schedule_config import ReminderConfig, RoutineVisitConfig

_DAY = timedelta(days=1)

SasaranCategory = Literal["catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"]


@dataclass(frozen=True)
class VisitAnchors:
    """The dates a sasaran's visit plan hangs on; each category uses its own."""

    hpht: date | None = None
    delivery_date: date | None = None
    birth_date: date | None = None
    wedding_date: date | None = None
    #: Starts the monthly cycle when there was no visit yet.
    registered_on: date | None = None


@dataclass(frozen=True)
class VisitTask:
    """A home visit (pendampingan) a TPK should make in ``[due_date, window_end]``."""

    kind: str
    due_date: date
    window_end: date

    def is_open_during(self, start: date, end: date) -> bool:
        return self.due_date <= end and self.window_end >= start

    def label(self) -> str:
        return visit_task_label(self.kind)


def _routine(
    first_day: date,
    last_day: date,
    anchor: date,
    last_visit_on: date | None,
    routine: RoutineVisitConfig,
) -> Iterator[VisitTask]:
    """A visit every ``interval_days`` after the last one (or from ``anchor``)."""
    interval = timedelta(days=routine.interval_days)
    due = last_visit_on + interval if last_visit_on is not None else anchor
    while due <= last_day:
        if due >= first_day:
            yield VisitTask(
                "kunjungan_rutin", due, min(due + timedelta(days=routine.window_days), last_day)
            )
        due += interval


def _unless_done(tasks: Iterable[VisitTask], last_visit_on: date | None) -> list[VisitTask]:
    """An event visit is done when the last recorded visit fell inside its window."""
    if last_visit_on is None:
        return list(tasks)
    return [t for t in tasks if not t.due_date <= last_visit_on <= t.window_end]


def _pregnancy_visits(
    anchors: VisitAnchors, last_visit_on: date | None, config: ReminderConfig
) -> list[VisitTask]:
    hpht = anchors.hpht
    start = hpht or anchors.registered_on or last_visit_on
    if start is None:
        return []
    if anchors.delivery_date is not None:
        last_day = anchors.delivery_date - _DAY
    elif hpht is not None:
        last_day = last_pregnancy_day(hpht, config)
    else:  # HPHT unknown: no pregnancy lasts longer than this after it is known
        last_day = start + timedelta(weeks=config.pregnancy.last_week)
    visits = config.visits
    around_anc = []
    if hpht is not None:
        for number, week in enumerate(config.anc.contact_weeks, start=1):
            contact = week_start(hpht, week)
            due = contact - timedelta(days=visits.anc_days_before)
            if due <= last_day:
                end = min(contact + timedelta(days=visits.anc_days_after), last_day)
                around_anc.append(VisitTask(f"kunjungan_anc_{number}", due, end))
    anchor = max(anchors.registered_on or start, start)
    routine = _routine(start, last_day, anchor, last_visit_on, visits.ibu_hamil)
    return [*_unless_done(around_anc, last_visit_on), *routine]


def _postpartum_visits(
    anchors: VisitAnchors, last_visit_on: date | None, config: ReminderConfig
) -> list[VisitTask]:
    delivery = anchors.delivery_date
    if delivery is None:
        return []
    tasks = [
        VisitTask(
            f"kunjungan_kf_{number}",
            delivery + timedelta(days=window.start_day),
            delivery + timedelta(days=window.end_day),
        )
        for number, window in enumerate(config.postpartum.kf, start=1)
    ]
    return _unless_done(tasks, last_visit_on)


def _child_visits(
    category: Literal["baduta", "balita"],
    anchors: VisitAnchors,
    last_visit_on: date | None,
    config: ReminderConfig,
) -> list[VisitTask]:
    birth = anchors.birth_date
    if birth is None:
        return []
    months = (0, 24) if category == "baduta" else (24, 60)
    first_day = add_months(birth, months[0])
    last_day = add_months(birth, months[1]) - _DAY
    anchor = max(anchors.registered_on or first_day, first_day)
    routine = config.visits.baduta if category == "baduta" else config.visits.balita
    return list(_routine(first_day, last_day, anchor, last_visit_on, routine))


def _catin_visits(
    anchors: VisitAnchors, last_visit_on: date | None, config: ReminderConfig
) -> list[VisitTask]:
    wedding = anchors.wedding_date
    if wedding is None:
        return []
    count = config.visits.catin_months_before
    tasks = [
        VisitTask(
            f"kunjungan_catin_{number}",
            add_months(wedding, number - count - 1),
            add_months(wedding, number - count) - _DAY,
        )
        for number in range(1, count + 1)
    ]
    return _unless_done(tasks, last_visit_on)


def plan_visit_tasks(
    category: SasaranCategory,
    anchors: VisitAnchors,
    last_visit_on: date | None,
    config: ReminderConfig,
) -> list[VisitTask]:
    """The TPK's visits for one sasaran, for the daily digest.

    - ibu hamil: a visit around each ANC contact (a week before to a week after) and a
      routine visit every month, until the birth or the end of week 42;
    - ibu nifas: one visit inside each KF window (day 0–42);
    - baduta / balita: a routine visit every month for the category's age span;
    - catin: one visit in each of the last 3 months before the wedding.

    The monthly cycle restarts from ``last_visit_on``; an event visit whose window holds
    ``last_visit_on`` is taken as done. A missing anchor date gives no tasks.
    """
    match category:
        case "ibu_hamil":
            tasks = _pregnancy_visits(anchors, last_visit_on, config)
        case "ibu_nifas":
            tasks = _postpartum_visits(anchors, last_visit_on, config)
        case "baduta" | "balita":
            tasks = _child_visits(category, anchors, last_visit_on, config)
        case "catin":
            tasks = _catin_visits(anchors, last_visit_on, config)
        case _:
            raise ValueError(f"unknown sasaran category {category!r}")
    return sorted(tasks, key=lambda t: (t.due_date, t.kind))


_VISIT_LABELS = {
    "kunjungan_rutin": "Kunjungan rutin bulanan",
    "kunjungan_anc": "Dampingi periksa kehamilan ke-{n}",
    "kunjungan_kf": "Kunjungan nifas KF{n}",
    "kunjungan_catin": "Pendampingan catin ke-{n}",
}


def visit_task_label(kind: str) -> str:
    """Short Indonesian label for the TPK digest ("Dampingi periksa kehamilan ke-3")."""
    prefix, _, number = kind.rpartition("_")
    if number.isdigit() and prefix in _VISIT_LABELS:
        return _VISIT_LABELS[prefix].format(n=number)
    return _VISIT_LABELS.get(kind, kind)
