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

The module also holds the Indonesian texts of each kind and the TPK visit tasks, which
follow the same date rules.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain.pregnancy import hpl_from_hpht
from bot.domain.schedule_config import DayWindow, ReminderConfig, RoutineVisitConfig

Audience = Literal["ibu", "tpk"]
PayloadValue = bool | int | str | tuple[str, ...]

_DAY = timedelta(days=1)


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

    def render(self, *, first_name: str | None = None, bank: WeeklyContent | None = None) -> str:
        return render_text(self.text_key, self.payload, first_name=first_name, bank=bank)


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


def _week_start(hpht: date, week: int) -> date:
    """First day of completed gestational week ``week`` (what "N minggu" means)."""
    return hpht + timedelta(weeks=week)


def _last_pregnancy_day(hpht: date, config: ReminderConfig) -> date:
    return _week_start(hpht, config.pregnancy.last_week + 1) - _DAY


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
    visits = [_week_start(hpht, week) for week in anc.contact_weeks]
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
        start = _week_start(hpht, week)
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
    p4k_due = _week_start(hpht, p4k_week)
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


def _ttd(hpht: date, config: ReminderConfig, first: date, last: date) -> Iterator[PlannedReminder]:
    """Daily tablet reminders, generated only for the days in ``[first, last]``."""
    first = max(first, _week_start(hpht, config.ttd.start_week))
    last = min(last, _last_pregnancy_day(hpht, config))
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        yield _reminder("ttd", day, day, "ttd", hour=config.ttd.hour, needs_ack=False)


def _pregnancy(
    hpht: date, config: ReminderConfig, *, ttd_enabled: bool, ttd_span: tuple[date, date] | None
) -> list[PlannedReminder]:
    last_day = _last_pregnancy_day(hpht, config)
    items = [*_anc(hpht, config), *_weekly(hpht, config), *_birth_preparation(hpht, config)]
    items = [
        replace(item, window_end=min(item.window_end, last_day))
        for item in items
        if item.due_date <= last_day
    ]
    if ttd_enabled:
        first, last = ttd_span or (hpht, last_day)
        items.extend(_ttd(hpht, config, first, last))
    return items


def plan_pregnancy(
    hpht: date, config: ReminderConfig, *, ttd_enabled: bool
) -> list[PlannedReminder]:
    """Every reminder of a whole pregnancy from its HPHT (no birth or loss recorded)."""
    return _sorted(_pregnancy(hpht, config, ttd_enabled=ttd_enabled, ttd_span=None))


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
    yield from _day_windows("kf", post.kf, delivery, hour)
    deadline = delivery + timedelta(days=post.kb_deadline_day)
    yield _reminder(
        "kb_pasca",
        delivery + timedelta(days=post.kb_reminder_day),
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


def _posyandu(birth: date, config: ReminderConfig) -> Iterator[PlannedReminder]:
    """One reminder per calendar month while the child is 0–59 months old."""
    posyandu = config.posyandu
    first_allowed = birth + timedelta(days=posyandu.start_age_days)
    stop = add_months(birth, posyandu.end_age_months)  # first day too old
    vitamin_a_from = add_months(birth, posyandu.vitamin_a_min_age_months)
    month_start = first_allowed.replace(day=1)
    while True:
        due = month_start.replace(day=posyandu.day_of_month)
        if due >= stop:
            return
        if due >= first_allowed:
            month_end = add_months(month_start, 1) - _DAY
            yield _reminder(
                f"posyandu_{due.year}_{due.month:02d}",
                due,
                min(month_end, stop - _DAY),
                "posyandu",
                hour=config.send_window.preferred_hour,
                needs_ack=True,
                month=due.month,
                vitamin_a=due.month in posyandu.vitamin_a_months and due >= vitamin_a_from,
                measurement_month=due.month == posyandu.measurement_month,
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
        pregnancy = _pregnancy(facts.hpht, config, ttd_enabled=facts.ttd_enabled, ttd_span=span)
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


# --------------------------------------------------------------------------- TPK visits

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
        last_day = _last_pregnancy_day(hpht, config)
    else:  # HPHT unknown: no pregnancy lasts longer than this after it is known
        last_day = start + timedelta(weeks=config.pregnancy.last_week)
    visits = config.visits
    around_anc = []
    if hpht is not None:
        for number, week in enumerate(config.anc.contact_weeks, start=1):
            contact = _week_start(hpht, week)
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


# --------------------------------------------------------------------------- content bank

CONTENT_DIR = Path(__file__).resolve().parents[2] / "data" / "konten"
WEEKLY_CONTENT_PATH = CONTENT_DIR / "kehamilan_mingguan.toml"
CONTENT_WEEKS = range(4, 43)


class WeeklyMessage(BaseModel):
    """One week's message: a development milestone and one practical tip."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    janin: str = Field(min_length=10, max_length=200)
    tips: str = Field(min_length=10, max_length=200)


class WeeklyContent(BaseModel):
    """The weekly content bank; complete for weeks 4–42 or it does not load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minggu: dict[int, WeeklyMessage]

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [week for week in CONTENT_WEEKS if week not in self.minggu]
        if missing:
            raise ValueError(f"weekly content misses weeks {missing}")
        return self


@cache
def load_weekly_content(path: Path = WEEKLY_CONTENT_PATH) -> WeeklyContent:
    """Read and validate the content bank (cached: it is read-only shipped data)."""
    with path.open("rb") as handle:
        return WeeklyContent.model_validate(tomllib.load(handle))


# --------------------------------------------------------------------------- texts

_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
_NAME = re.compile(r"[^\W\d_]+(?:['.-][^\W\d_]+)*")


def format_date_id(day: date) -> str:
    """ "12 Maret 2026": the way dates are written in Buku KIA."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def greeting(first_name: str | None) -> str:
    """ "Bunda Sari", or just "Bunda" when there is no plain first name to use.

    Only the first word, and only letters: a NIK or phone typed into a name field
    must never end up in a message.
    """
    words = (first_name or "").split()
    if words and len(words[0]) <= 30 and _NAME.fullmatch(words[0]):
        return f"Bunda {words[0]}"
    return "Bunda"


def _date(payload: Mapping[str, PayloadValue], name: str) -> str:
    return format_date_id(date.fromisoformat(str(payload[name])))


def _span(days: int) -> str:
    return f"{days // 7} minggu" if days >= 7 and days % 7 == 0 else f"{days} hari"


def _join(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} dan {words[-1]}"


def _anc_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    # A reminder can go out after its visit date (she joined late in the pregnancy, or
    # the bot was down); "minggu ini" would then be untrue, so the text says so kindly.
    if on is not None and on > date.fromisoformat(str(p["visit_date"])):
        return (
            f"jadwal periksa kehamilan ke-{p['contact']} sekitar {_date(p, 'visit_date')}. Bila belum "
            "sempat, periksa secepatnya ke puskesmas atau bidan ya. Jangan lupa bawa Buku KIA."
        )
    return (
        f"minggu ini waktunya periksa kehamilan ke-{p['contact']} di puskesmas atau bidan "
        f"(sekitar {_date(p, 'visit_date')}). Jangan lupa bawa Buku KIA ya."
    )


def _ttd_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        "jangan lupa minum 1 tablet tambah darah hari ini. Paling baik malam sebelum tidur, "
        "dengan air putih, bukan teh atau kopi."
    )


def _weekly_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    message = bank.minggu[int(str(p["week"]))]
    return f"usia kehamilan Bunda kini {p['week']} minggu. {message.janin} Tips: {message.tips}"


def _p4k_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"kehamilan Bunda sudah {p['week']} minggu. Yuk lengkapi rencana persalinan (P4K) "
        "bersama bidan: tempat dan penolong persalinan, biaya atau JKN, kendaraan, "
        "pendamping, dan calon pendonor darah."
    )


def _hpl_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"perkiraan lahir (HPL) si kecil tanggal {_date(p, 'hpl')}, sekitar "
        f"{_span(int(str(p['days_before'])))} lagi. Siapkan tas persalinan dan Buku KIA. "
        "Bila mulas teratur, keluar lendir darah, atau air ketuban pecah, segera ke bidan."
    )


def _kf_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"waktunya kunjungan nifas ke-{p['visit']} (KF{p['visit']}). Minta bidan memeriksa "
        f"kesehatan Bunda paling lambat {_date(p, 'until')}."
    )


def _kn_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"waktunya si kecil diperiksa bidan: kunjungan neonatal ke-{p['visit']} "
        f"(KN{p['visit']}), paling lambat {_date(p, 'until')}. Bawa Buku KIA ya."
    )


def _kb_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        "sudah memilih KB setelah melahirkan? Sebaiknya mulai paling lambat "
        f"{_date(p, 'until')}. Tanyakan kepada bidan KB yang aman untuk ibu menyusui."
    )


def _asi_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    day = int(str(p["day"]))
    if day < 30:
        return (
            "susui si kecil sesering ia mau, paling sedikit 8 kali sehari. ASI saja sudah "
            "cukup sampai usia 6 bulan, tanpa air putih, madu, atau susu formula."
        )
    return (
        f"si kecil sudah {day // 30} bulan. Hebat! Teruskan ASI saja sampai usia 6 bulan, "
        "lalu tambah MPASI dengan lauk hewani dan lanjutkan menyusui."
    )


def _imun_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    vaccines = p["vaccines"]
    # A tuple when planned, a list when read back from a stored row's JSON.
    names = [str(v) for v in vaccines] if isinstance(vaccines, tuple | list) else [str(vaccines)]
    return (
        f"waktunya imunisasi si kecil: {_join(names)}. Datang ke posyandu atau puskesmas "
        f"paling lambat {_date(p, 'until')}, bawa Buku KIA ya."
    )


def _posyandu_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    text = (
        f"jangan lupa bawa si kecil ke posyandu bulan {_MONTHS[int(str(p['month'])) - 1]} "
        "untuk ditimbang dan diukur panjang atau tingginya."
    )
    if p.get("vitamin_a"):
        text += " Bulan ini juga ada kapsul vitamin A gratis."
    if p.get("measurement_month"):
        text += " Bulan ini Bulan Penimbangan Balita."
    return text


_TEXTS: dict[str, Callable[[Mapping[str, PayloadValue], WeeklyContent, date | None], str]] = {
    "anc": _anc_text,
    "ttd": _ttd_text,
    "pekan": _weekly_text,
    "p4k": _p4k_text,
    "hpl": _hpl_text,
    "kf": _kf_text,
    "kn": _kn_text,
    "kb_pasca": _kb_text,
    "asi": _asi_text,
    "imun": _imun_text,
    "posyandu": _posyandu_text,
}

TEXT_KEYS = frozenset(_TEXTS)


def render_text(
    text_key: str,
    payload: Mapping[str, PayloadValue],
    *,
    first_name: str | None = None,
    bank: WeeklyContent | None = None,
    on: date | None = None,
) -> str:
    """The Indonesian message for a planned (or stored) reminder.

    Takes the text key and payload rather than the reminder so the dispatcher can render
    from a stored row; the name is read at send time, so renaming needs no re-planning,
    and ``on`` (her local date at sending) lets a late reminder say its date has passed.
    """
    try:
        body = _TEXTS[text_key]
    except KeyError:
        raise ValueError(f"no text for reminder key {text_key!r}") from None
    return f"{greeting(first_name)}, {body(payload, bank or load_weekly_content(), on)}"
