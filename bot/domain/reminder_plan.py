"""Reminder plans: which reminders a record calls for, on which local dates.

Reminders are rows, not timers (design property 2). A periodic job asks
:func:`plan_for` what is open in the next days and inserts one row per
``(sasaran_id, kind, due_date)`` with ``ON CONFLICT DO NOTHING``; rows that drop out of
the plan after a correction (HPHT fixed, birth, loss) are cancelled. That only works if
the plan is a pure, deterministic function of the record's facts, so nothing here reads
the clock, the database or Telegram, and every item has a stable ``kind`` string.

An item is *open* from its ``due_date`` through its ``window_end`` (local dates); a
window asks for every item open on at least one of its days. Late items are therefore
still materialised while they are useful (a mother registered in week 10 still gets the
trimester-I ANC reminder) and a deferred, not yet sent row is not cancelled just because
its due date has passed.

The TPK's visit tasks follow the same date rules (:mod:`bot.domain.visit_tasks`); what
each kind says to the mother is :mod:`bot.reminders.messages`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from bot.domain.pregnancy import hpl_from_hpht
from bot.domain.schedule_config import DayWindow, ReminderConfig

Audience = Literal["ibu", "tpk"]
PayloadValue = bool | int | str | tuple[str, ...]

_DAY = timedelta(days=1)
#: The nifas period ends on day 42 after the birth: nothing for the mother as ibu nifas
#: (KF, KB pascapersalinan) is open after it, whatever the configured windows say.
NIFAS_LAST_DAY = 42


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder the record calls for; ``(kind, due_date)`` is its identity."""

    kind: str
    due_date: date
    #: Last local date on which sending it still makes sense; after it: expired.
    window_end: date
    audience: Audience
    #: True for health-service contacts: no answer within the timeout → TPK is told.
    needs_ack: bool
    #: Which text template renders it (several kinds share one, e.g. ``anc``).
    text_key: str
    #: Preferred local hour; the dispatcher moves it into the daytime window.
    send_hour: int
    #: What the text needs (contact number, week, vaccines ...). Never names or NIK.
    payload: Mapping[str, PayloadValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.window_end < self.due_date:
            raise ValueError(f"{self.kind}: window ends before it is due")
        object.__setattr__(self, "payload", MappingProxyType(dict(self.payload)))

    @property
    def key(self) -> tuple[str, date]:
        return (self.kind, self.due_date)

    def is_open_during(self, start: date, end: date) -> bool:
        return self.due_date <= end and self.window_end >= start


@dataclass(frozen=True)
class PlanFacts:
    """The facts of one mother's record that decide her reminders.

    Consent, pauses and opt-outs are not facts of the plan: the caller checks them
    before sending. ``baby_birth_date`` defaults to ``delivery_date``.
    """

    hpht: date | None = None
    delivery_date: date | None = None
    baby_birth_date: date | None = None
    pregnancy_lost_on: date | None = None
    ttd_enabled: bool = False
    #: Her choice in /jadwal (or ``[pengingat.ttd] mode``): a daily reminder instead of
    #: the weekly check-in.
    ttd_daily: bool = False


def week_start(hpht: date, week: int) -> date:
    """First day of completed gestational week ``week`` (what "N minggu" means)."""
    return hpht + timedelta(weeks=week)


def last_pregnancy_day(hpht: date, config: ReminderConfig) -> date:
    """The last day a pregnancy is still followed (end of ``pregnancy.last_week``)."""
    return week_start(hpht, config.pregnancy.last_week + 1) - _DAY


def add_months(day: date, months: int) -> date:
    """Same day ``months`` calendar months later (or earlier), clipped to the month's end."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _reminder(
    kind: str,
    due: date,
    window_end: date,
    text_key: str,
    *,
    hour: int,
    needs_ack: bool,
    **payload: PayloadValue,
) -> PlannedReminder:
    return PlannedReminder(
        kind=kind,
        due_date=due,
        window_end=window_end,
        audience="ibu",
        needs_ack=needs_ack,
        text_key=text_key,
        send_hour=hour,
        payload=payload,
    )


# --------------------------------------------------------------------------- pregnancy


def _anc(hpht: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    """One reminder per ANC contact, open until the next contact's reminder is due."""
    anc, hour = config.anc, config.send_window.preferred_hour
    bounds = anc.boundaries()
    visits = [week_start(hpht, week) for week in anc.contact_weeks]
    dues = [visit - timedelta(days=anc.remind_days_before) for visit in visits]
    ends = [next_due - _DAY for next_due in dues[1:]] + [
        max(hpl_from_hpht(hpht), visits[-1]) - _DAY
    ]
    for number, (week, visit, due, end) in enumerate(
        zip(anc.contact_weeks, visits, dues, ends, strict=True), start=1
    ):
        yield _reminder(
            f"anc_{number}",
            due,
            max(end, due),
            "anc",
            hour=hour,
            needs_ack=True,
            contact=number,
            week=week,
            trimester=bounds.trimester(week),
            visit_date=visit.isoformat(),
        )


def _weekly(hpht: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    weekly, hour = config.weekly, config.send_window.preferred_hour
    for week in range(weekly.first_week, weekly.last_week + 1):
        start = week_start(hpht, week)
        shift = 0 if weekly.weekday is None else (weekly.weekday - start.weekday()) % 7
        yield _reminder(
            f"pekan_{week}",
            start + timedelta(days=shift),
            start + timedelta(days=6),
            "pekan",
            hour=hour,
            needs_ack=False,
            week=week,
        )


def _birth_preparation(hpht: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    """P4K at its week, then the "mendekati HPL" countdown."""
    hour, hpl = config.send_window.preferred_hour, hpl_from_hpht(hpht)
    p4k_week = config.pregnancy.p4k_week
    p4k_due = week_start(hpht, p4k_week)
    yield _reminder(
        "p4k", p4k_due, max(p4k_due, hpl - _DAY), "p4k", hour=hour, needs_ack=False, week=p4k_week
    )
    for days in config.pregnancy.hpl_days_before:
        due = hpl - timedelta(days=days)
        # A countdown goes stale quickly: at most two days late, never on the HPL itself.
        yield _reminder(
            f"hpl_{days}",
            due,
            min(due + timedelta(days=2), hpl - _DAY),
            "hpl",
            hour=hour,
            needs_ack=False,
            days_before=days,
            hpl=hpl.isoformat(),
        )


#: How many kind daily tablet texts rotate (bot.reminders.messages holds them).
TTD_DAILY_VARIANTS = 5
#: The weekly check-in is worth sending on its own evening only (like the daily text): a
#: late one would ask a mother who just joined about a week before she joined, and the
#: next week's comes anyway.
TTD_CHECKIN_GRACE_DAYS = 0


def _ttd(hpht: date, config: ReminderConfig, first: date, last: date) -> Iterator[PlannedReminder]:
    """Daily tablet reminders, generated only for the days in ``[first, last]``; the
    text rotates by date (``variant``), so no two days in a row read the same."""
    first = max(first, week_start(hpht, config.ttd.start_week))
    last = min(last, last_pregnancy_day(hpht, config))
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        yield _reminder("ttd", day, day, "ttd", hour=config.ttd.hour, needs_ack=False,
                        variant=day.toordinal() % TTD_DAILY_VARIANTS)


def _ttd_weekly(hpht: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    """One check-in a week on ``ttd.checkin_weekday``, about the seven days ending that
    day, from the first such day a full week after the tablets start. Its answer buttons
    carry the row's id, so an old week's button records that week (``from``/``to``)."""
    ttd, last_day = config.ttd, last_pregnancy_day(hpht, config)
    earliest = week_start(hpht, ttd.start_week) + timedelta(days=6)
    due = earliest + timedelta(days=(ttd.checkin_weekday - earliest.weekday()) % 7)
    while due <= last_day:
        yield _reminder(
            "ttd_minggu",
            due,
            min(due + timedelta(days=TTD_CHECKIN_GRACE_DAYS), last_day),
            "ttd_minggu",
            hour=ttd.hour,
            needs_ack=False,
            **{"from": (due - timedelta(days=6)).isoformat(), "to": due.isoformat()},
        )
        due += timedelta(weeks=1)


def _pregnancy(
    hpht: date, config: ReminderConfig, *, ttd_enabled: bool, ttd_daily: bool = False,
    ttd_span: tuple[date, date] | None,
) -> list[PlannedReminder]:
    last_day = last_pregnancy_day(hpht, config)
    items = [*_anc(hpht, config), *_weekly(hpht, config), *_birth_preparation(hpht, config)]
    items = [
        replace(item, window_end=min(item.window_end, last_day))
        for item in items
        if item.due_date <= last_day
    ]
    if ttd_enabled and ttd_daily:
        first, last = ttd_span or (hpht, last_day)
        items.extend(_ttd(hpht, config, first, last))
    elif ttd_enabled:
        items.extend(_ttd_weekly(hpht, config))
    return items


def plan_pregnancy(
    hpht: date, config: ReminderConfig, *, ttd_enabled: bool, ttd_daily: bool = False
) -> list[PlannedReminder]:
    """Every reminder of a whole pregnancy from its HPHT (no birth or loss recorded)."""
    return _sorted(_pregnancy(hpht, config, ttd_enabled=ttd_enabled, ttd_daily=ttd_daily, ttd_span=None))


def _before_birth(items: Iterable[PlannedReminder], delivery: date) -> list[PlannedReminder]:
    """Pregnancy items end the day before the birth: no "mendekati HPL" to a new mother."""
    return [
        replace(item, window_end=min(item.window_end, delivery - _DAY))
        for item in items
        if item.due_date < delivery
    ]


# --------------------------------------------------------------------------- after birth


def _day_windows(
    prefix: str, windows: tuple[DayWindow, ...], anchor: date, hour: int
) -> Iterator[PlannedReminder]:
    for number, window in enumerate(windows, start=1):
        end = anchor + timedelta(days=window.end_day)
        yield _reminder(
            f"{prefix}_{number}",
            anchor + timedelta(days=window.start_day),
            end,
            prefix,
            hour=hour,
            needs_ack=True,
            visit=number,
            until=end.isoformat(),
        )


def _mother_postpartum(delivery: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    post, hour = config.postpartum, config.send_window.preferred_hour
    nifas_end = delivery + timedelta(days=NIFAS_LAST_DAY)
    for item in _day_windows("kf", post.kf, delivery, hour):
        if item.due_date <= nifas_end:
            yield replace(item, window_end=min(item.window_end, nifas_end))
    deadline = min(delivery + timedelta(days=post.kb_deadline_day), nifas_end)
    due = min(delivery + timedelta(days=post.kb_reminder_day), deadline)
    yield _reminder(
        "kb_pasca",
        due,
        deadline,
        "kb_pasca",
        hour=hour,
        needs_ack=True,
        until=deadline.isoformat(),
    )


def _asi(birth: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    for day in config.postpartum.asi_days:
        due = birth + timedelta(days=day)
        yield _reminder(
            "asi",
            due,
            due + timedelta(days=6),
            "asi",
            hour=config.send_window.preferred_hour,
            needs_ack=False,
            day=day,
        )


def _immunisation(birth: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    for dose in config.immunisation.doses:
        if dose.age_months is not None:
            due = add_months(birth, dose.age_months)
        else:
            due = birth + timedelta(days=dose.age_days or 0)
        end = due + timedelta(days=dose.window_days)
        yield _reminder(
            f"imun_{dose.key}",
            due,
            end,
            "imun",
            hour=config.send_window.preferred_hour,
            needs_ack=True,
            vaccines=dose.vaccines,
            until=end.isoformat(),
        )


def vitamin_a_capsule(birth: date, month_start: date, config: ReminderConfig) -> str | None:
    """The vitamin A capsule a child gets in the posyandu month starting ``month_start``
    ("biru" 6–11 months, "merah" 12–59), or None outside February/August or the ages.

    Age is taken at the month's last day: a child who turns 6 months during February or
    August still gets that month's dose (born 29 February → turns 6 months on
    29 August), and one who turns 12 months that month gets the red one."""
    posyandu = config.posyandu
    if month_start.month not in posyandu.vitamin_a_months:
        return None
    month_end = add_months(month_start, 1) - _DAY
    if month_end < add_months(birth, posyandu.vitamin_a_min_age_months):
        return None
    if month_start >= add_months(birth, posyandu.end_age_months):
        return None
    return "biru" if month_end < add_months(birth, 12) else "merah"


def _posyandu(birth: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    """One reminder per calendar month while the child is 0–59 months old: the monthly
    weighing of baduta (0–23 months) and balita (24–59) alike; none from 60 months."""
    posyandu = config.posyandu
    first_allowed = birth + timedelta(days=posyandu.start_age_days)
    stop = add_months(birth, posyandu.end_age_months)  # first day too old
    month_start = first_allowed.replace(day=1)
    while True:
        due = month_start.replace(day=posyandu.day_of_month)
        if due >= stop:
            return
        if due >= first_allowed:
            month_end = add_months(month_start, 1) - _DAY
            capsule = vitamin_a_capsule(birth, month_start, config)
            extra: dict[str, PayloadValue] = {"vitamin_a_capsule": capsule} if capsule else {}
            yield _reminder(
                f"posyandu_{due.year}_{due.month:02d}",
                due,
                min(month_end, stop - _DAY),
                "posyandu",
                hour=config.send_window.preferred_hour,
                needs_ack=True,
                month=due.month,
                vitamin_a=capsule is not None,
                measurement_month=due.month == posyandu.measurement_month,
                **extra,
            )
        month_start = add_months(month_start, 1)


def plan_postpartum(
    delivery_date: date, config: ReminderConfig, *, baby_birth_date: date | None = None
) -> list[PlannedReminder]:
    """KF, KB pascapersalinan and ASI for the mother; KN, immunisation and posyandu for
    the baby (sent to the mother, who reads them for her child)."""
    birth = baby_birth_date or delivery_date
    return _sorted(
        [
            *_mother_postpartum(delivery_date, config),
            *_day_windows("kn", config.postpartum.kn, birth, config.send_window.preferred_hour),
            *_asi(birth, config),
            *_immunisation(birth, config),
            *_posyandu(birth, config),
        ]
    )


# --------------------------------------------------------------------------- entry points


def _sorted(items: Iterable[PlannedReminder]) -> list[PlannedReminder]:
    return sorted(items, key=lambda item: (item.due_date, item.kind))


def _plan(
    facts: PlanFacts, config: ReminderConfig, span: tuple[date, date] | None
) -> list[PlannedReminder]:
    if facts.pregnancy_lost_on is not None:
        # After a loss nothing about pregnancy or baby may arrive; the TPK takes over
        # in person. The caller cancels rows that are still scheduled.
        return []
    items: list[PlannedReminder] = []
    if facts.hpht is not None:
        pregnancy = _pregnancy(facts.hpht, config, ttd_enabled=facts.ttd_enabled, ttd_daily=facts.ttd_daily,
                               ttd_span=span)
        if facts.delivery_date is not None:
            pregnancy = _before_birth(pregnancy, facts.delivery_date)
        items.extend(pregnancy)
    if facts.delivery_date is not None:
        items.extend(
            plan_postpartum(facts.delivery_date, config, baby_birth_date=facts.baby_birth_date)
        )
    if span is not None:
        items = [item for item in items if item.is_open_during(*span)]
    return _sorted(items)


def plan_all(facts: PlanFacts, config: ReminderConfig) -> list[PlannedReminder]:
    """The whole plan of a record, every daily TTD row included (for tests and review)."""
    return _plan(facts, config, None)


def plan_for(
    facts: PlanFacts, start: date, end: date, config: ReminderConfig
) -> list[PlannedReminder]:
    """What is open on at least one day of ``[start, end]``: the rolling-window entry point.

    Equal to ``plan_all`` filtered to the window, but daily kinds are only generated
    inside the window, so materialising two weeks costs two weeks of rows.
    """
    if end < start:
        raise ValueError("window end is before its start")
    return _plan(facts, config, (start, end))
