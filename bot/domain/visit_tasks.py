"""The TPK member's home visits (pendampingan) due for one sasaran.

Tasks are derived from the record's dates, never typed: the daily list asks
:func:`plan_visit_tasks` for each sasaran of the member and :func:`outstanding` keeps
what is still owed. They hang on the same dates as the mother's reminders (ANC
contacts, KF windows, the end of the pregnancy, :mod:`bot.domain.reminder_plan`), so a
visit is asked for around the contact the mother is reminded of. Pure: no clock,
database or Telegram.

Nothing is dropped for being late (issue 14): a task stays owed, "terlambat N hari"
counted from its :attr:`VisitTask.target` (the contact's date, the end of a window),
until a visit on or after the day it opened is recorded or someone closes it with a
reason. Categories follow the calendar, not what was typed at registration: a child is
visited as baduta until 24 months and as balita until 60, a mother as ibu nifas until
day 42, a catin until the wedding (then a task asks to record the marriage), and a
pregnancy past 42 weeks with no birth gets a referral task, past 44 a task to update the
record.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.domain.reminder_plan import NIFAS_LAST_DAY, add_months, last_pregnancy_day, week_start
from bot.domain.schedule_config import ReminderConfig, RoutineVisitConfig

_DAY = timedelta(days=1)

SasaranCategory = Literal["catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"]
ChildCategory = Literal["baduta", "balita"]

ROUTINE = "kunjungan_rutin"
#: A pregnancy still recorded at 42 completed weeks with no birth: refer and visit.
POST_TERM_WEEKS = 42
#: Past 44 weeks (the longest plausible pregnancy) the record is almost surely stale.
STALE_PREGNANCY_WEEKS = 44
#: A task raised by an event (a "mohon dikunjungi" request, a referral), not by dates.
REQUEST = "permintaan"


def child_category(birth: date, on: date) -> ChildCategory | None:
    """Baduta until the day before 24 months, balita until the day before 60, then none."""
    if on < add_months(birth, 24):
        return "baduta"
    if on < add_months(birth, 60):
        return "balita"
    return None


def post_term_from(hpht: date) -> date:
    """The first day of week 42: from here a pregnancy with no birth needs a referral."""
    return week_start(hpht, POST_TERM_WEEKS)


def stale_from(hpht: date) -> date:
    """The first day past 44 completed weeks: the record needs updating."""
    return week_start(hpht, STALE_PREGNANCY_WEEKS) + _DAY


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
    """A home visit (pendampingan) a TPK should make from ``due_date``, by ``target``.

    ``window_end`` is when the visit is best made by; after it the task is late, not gone.
    """

    kind: str
    due_date: date
    window_end: date
    #: The day the visit is due by (the ANC contact itself); default: ``due_date``.
    target_date: date | None = None
    #: False for a task a visit alone does not settle (a stale pregnancy record).
    closes_by_visit: bool = True
    #: What the list says, for tasks raised by an event (their notice's first line).
    text: str | None = None
    #: Stable identity for closing; default ``kind@due_date``.
    ident: str | None = None

    def is_open_during(self, start: date, end: date) -> bool:
        return self.due_date <= end and self.window_end >= start

    @property
    def target(self) -> date:
        return self.target_date or self.due_date

    @property
    def key(self) -> str:
        return self.ident or f"{self.kind}@{self.due_date.isoformat()}"

    def days_late(self, today: date) -> int:
        """Days past its target (0 or less: not late)."""
        return (today - self.target).days

    def label(self) -> str:
        return self.text or visit_task_label(self.kind)


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


def _post_term(hpht: date) -> list[VisitTask]:
    """Neither may go silent: a referral and visit at 42 weeks, a record update past 44."""
    refer, stale = post_term_from(hpht), stale_from(hpht)
    return [
        VisitTask("pascaterm_rujuk", refer, stale - _DAY, target_date=refer),
        # Open until the record changes: registered late, it is still owed.
        VisitTask("pascaterm_perbarui", stale, date.max, target_date=stale, closes_by_visit=False),
    ]


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
                around_anc.append(VisitTask(f"kunjungan_anc_{number}", due, end, target_date=min(contact, end)))
    anchor = max(anchors.registered_on or start, start)
    routine = _routine(start, last_day, anchor, last_visit_on, visits.ibu_hamil)
    post_term = _post_term(hpht) if hpht is not None and anchors.delivery_date is None else []
    return [*_unless_done(around_anc, last_visit_on), *routine, *post_term]


def _postpartum_visits(
    anchors: VisitAnchors, last_visit_on: date | None, config: ReminderConfig
) -> list[VisitTask]:
    """One visit in each KF window; the nifas period, and with it these tasks, ends on day 42."""
    delivery = anchors.delivery_date
    if delivery is None:
        return []
    tasks = []
    for number, window in enumerate(config.postpartum.kf, start=1):
        if window.start_day > NIFAS_LAST_DAY:
            continue
        end = delivery + timedelta(days=min(window.end_day, NIFAS_LAST_DAY))
        tasks.append(VisitTask(f"kunjungan_kf_{number}", delivery + timedelta(days=window.start_day), end,
                               target_date=end))
    return _unless_done(tasks, last_visit_on)


def _child_visits(anchors: VisitAnchors, last_visit_on: date | None, config: ReminderConfig) -> list[VisitTask]:
    """A routine visit every month from birth to 60 months, by the age on each visit's
    day (baduta's interval before 24 months, balita's after), whatever was typed."""
    birth = anchors.birth_date
    if birth is None:
        return []
    balita_from, last_day = add_months(birth, 24), add_months(birth, 60) - _DAY

    def routine_on(day: date) -> RoutineVisitConfig:
        return config.visits.baduta if day < balita_from else config.visits.balita

    anchor = max(anchors.registered_on or birth, birth)
    due = anchor if last_visit_on is None else last_visit_on + timedelta(days=routine_on(last_visit_on).interval_days)
    tasks = []
    while due <= last_day:
        routine = routine_on(due)
        tasks.append(VisitTask(ROUTINE, due, min(due + timedelta(days=routine.window_days), last_day)))
        due += timedelta(days=routine.interval_days)
    return tasks


def _catin_visits(
    anchors: VisitAnchors, last_visit_on: date | None, config: ReminderConfig
) -> list[VisitTask]:
    wedding = anchors.wedding_date
    if wedding is None:
        return []
    count = config.visits.catin_months_before
    tasks = []
    for number in range(1, count + 1):
        end = add_months(wedding, number - count) - _DAY
        tasks.append(VisitTask(f"kunjungan_catin_{number}", add_months(wedding, number - count - 1), end,
                               target_date=end))
    after = wedding + _DAY  # the wedding has passed: record the marriage (and a pregnancy if any)
    return [*_unless_done(tasks, last_visit_on), VisitTask("catin_menikah", after, date.max, target_date=after)]


def plan_visit_tasks(
    category: SasaranCategory,
    anchors: VisitAnchors,
    last_visit_on: date | None,
    config: ReminderConfig,
) -> list[VisitTask]:
    """The TPK's visits for one sasaran, for the daily list.

    - ibu hamil: a visit around each ANC contact (a week before to a week after) and a
      routine visit every month, until the birth or the end of week 42; with no birth
      recorded, a referral at 42 weeks and a record update past 44;
    - ibu nifas: one visit inside each KF window (day 0–42);
    - baduta / balita: a routine visit every month from birth to 60 months (the stored
      category does not matter: the age on each day does);
    - catin: one visit in each of the last 3 months before the wedding, then a task to
      record the marriage.

    The monthly cycle restarts from ``last_visit_on``; an event visit whose window holds
    ``last_visit_on`` is taken as done. A missing anchor date gives no tasks.
    """
    match category:
        case "ibu_hamil":
            tasks = _pregnancy_visits(anchors, last_visit_on, config)
        case "ibu_nifas":
            tasks = _postpartum_visits(anchors, last_visit_on, config)
        case "baduta" | "balita":
            tasks = _child_visits(anchors, last_visit_on, config)
        case "catin":
            tasks = _catin_visits(anchors, last_visit_on, config)
        case _:
            raise ValueError(f"unknown sasaran category {category!r}")
    return sorted(tasks, key=lambda t: (t.due_date, t.kind))


def outstanding(
    tasks: Iterable[VisitTask],
    *,
    today: date,
    lookahead_days: int,
    last_visit_on: date | None,
    registered_on: date | None,
    closed: Collection[str] = (),
) -> list[VisitTask]:
    """What the member still owes, from tasks opening by ``today + lookahead_days``.

    A task is settled by a visit on or after the day it opened (a late visit counts;
    one visit settles every earlier task of the person) unless it does not close by
    visit, or by a closing reason (its :attr:`~VisitTask.key` in ``closed``). It is not
    owed when its window ended before the record was registered (nobody knew of her).
    Of the monthly visits only the first unsettled one is kept: three missed months are
    one late visit, not three. Latest first.
    """
    horizon = today + timedelta(days=lookahead_days)
    kept: list[VisitTask] = []
    routine_kept = False
    for task in sorted(tasks, key=lambda t: (t.due_date, t.kind)):
        if task.due_date > horizon or task.key in closed:
            continue
        if task.closes_by_visit and last_visit_on is not None and last_visit_on >= task.due_date:
            continue
        if registered_on is not None and task.window_end < registered_on and task.kind != REQUEST:
            continue
        if task.kind == ROUTINE:
            if routine_kept:
                continue
            routine_kept = True
        kept.append(task)
    return sorted(kept, key=lambda t: (-t.days_late(today), t.due_date, t.kind))


_VISIT_LABELS = {
    ROUTINE: "Kunjungan rutin bulanan",
    "kunjungan_anc": "Dampingi periksa kehamilan ke-{n}",
    "kunjungan_kf": "Kunjungan nifas KF{n}",
    "kunjungan_catin": "Pendampingan catin ke-{n}",
    "catin_menikah": "Tanggal menikah sudah lewat: catat pernikahannya (dan kehamilan bila ada)",
    "pascaterm_rujuk": "Kehamilan 42 minggu, belum ada catatan persalinan: rujuk dan kunjungi",
    "pascaterm_perbarui": "Kehamilan lewat 44 minggu: perbarui catatannya (persalinan, keguguran, atau HPHT)",
    REQUEST: "Mohon dikunjungi",
}


def visit_task_label(kind: str) -> str:
    """Short Indonesian label for the TPK list ("Dampingi periksa kehamilan ke-3")."""
    prefix, _, number = kind.rpartition("_")
    if number.isdigit() and prefix in _VISIT_LABELS:
        return _VISIT_LABELS[prefix].format(n=number)
    return _VISIT_LABELS.get(kind, kind)
