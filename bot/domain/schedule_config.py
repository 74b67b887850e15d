"""Configurable reminder schedule: the ``[pengingat]`` table of the app settings.

Sources disagree on trimester boundaries, immunisation ages and visit timing (see
``docs/domain.md``), so every offset the reminder planner uses lives here instead of in
code. The defaults are the programme values from domain.md; where domain.md leaves a
choice open (ANC target weeks, posyandu day, acknowledgement timeout, ...), the field
comment says why the default was picked. ``extra="forbid"`` makes a typo in the TOML an
error at start-up instead of a silently ignored setting.
"""

from __future__ import annotations

from datetime import time
from itertools import pairwise
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain.daytime import DaytimeWindow
from bot.domain.pregnancy import MAX_GESTATION_WEEKS, TrimesterBoundaries

#: A local clock hour, 0–23.
Hour = Annotated[int, Field(ge=0, le=23)]


class _Section(BaseModel):
    """Strict, immutable base: unknown keys are errors, values never change at runtime."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AncConfig(_Section):
    """Antenatal care (ANC) contacts and their reminders.

    Default target weeks 8, 14, 20, 30, 34, 36 give the programme minimum of one
    contact in trimester I, two in II and three in III under *both* boundary conventions
    named in domain.md (TM II 13–24 or 13–28): switching the boundaries never silently
    moves a contact into the wrong trimester. Week 8 leaves a month of margin before
    trimester I ends for mothers who go late; 14 and 20 split trimester II; 30, 34 and
    36 follow WHO's 2016 contact model, and 36 is also when the birth plan is finalised.
    """

    #: Filled from the app's one ``[trimester]`` setting (bot.settings.Settings), never
    #: set in ``[pengingat.anc]``: reminders, forms and /rekap must agree on trimesters.
    trimester_first_end_week: int = Field(12, ge=4, le=20)
    trimester_second_end_week: int = Field(24, ge=16, le=32)
    contact_weeks: tuple[int, ...] = (8, 14, 20, 30, 34, 36)
    #: Minimum contacts per trimester (I, II, III): the programme's 1-2-3 rule.
    min_contacts_per_trimester: tuple[int, int, int] = (1, 2, 3)
    #: The reminder goes this many days before the target date, so "minggu ini" is true
    #: and an unanswered reminder still reaches the TPK before the visit is late.
    remind_days_before: int = Field(3, ge=0, le=14)

    def boundaries(self) -> TrimesterBoundaries:
        return TrimesterBoundaries(
            first_end_week=self.trimester_first_end_week,
            second_end_week=self.trimester_second_end_week,
        )

    @model_validator(mode="after")
    def _contacts_fit_trimesters(self) -> Self:
        weeks = self.contact_weeks
        if self.trimester_first_end_week >= self.trimester_second_end_week:
            raise ValueError("trimester I must end before trimester II")
        if not weeks or list(weeks) != sorted(set(weeks)):
            raise ValueError("contact_weeks must be strictly increasing")
        if weeks[0] < 4 or weeks[-1] > MAX_GESTATION_WEEKS:
            raise ValueError(f"contact_weeks must lie in weeks 4..{MAX_GESTATION_WEEKS}")
        bounds = self.boundaries()
        counts = [0, 0, 0]
        for week in weeks:
            counts[bounds.trimester(week) - 1] += 1
        for trimester, (have, need) in enumerate(
            zip(counts, self.min_contacts_per_trimester, strict=True), start=1
        ):
            if have < need:
                raise ValueError(
                    f"trimester {trimester} has {have} ANC contact(s), needs {need}: "
                    "adjust contact_weeks to the trimester boundaries"
                )
        return self


class TtdConfig(_Section):
    """Iron-folic tablet (TTD) reminders: one tablet a day, at least 90 in pregnancy.

    On by default because adherence, not supply, is the known gap; each mother can turn it
    off. 18:00 because Buku KIA advises taking TTD in the evening (less nausea) and 18:00
    is the latest hour inside the default daytime window.

    The default is a **weekly check-in** ("Sudah minum 7 / Kurang dari 7") rather than a
    daily text: a field round counted 134 identical daily messages in four months, which
    mothers stop reading. Her answers count toward :attr:`goal`; fewer than 7 tells her TPK
    member. A mother may choose the daily reminder in /jadwal (``harian``), and an area may
    make it the default here.
    """

    enabled_by_default: bool = True
    #: ``mingguan``: one check-in a week; ``harian``: a (varied) reminder every day.
    mode: Literal["mingguan", "harian"] = "mingguan"
    hour: Hour = 18
    #: First week with a reminder: a pregnancy is rarely known earlier.
    start_week: int = Field(4, ge=0, le=40)
    #: The check-in's day (0 = Monday … 6 = Sunday): the same evening every week is a
    #: habit, and Sunday is the day a household is most often at home together. It asks
    #: about the seven days ending that day.
    checkin_weekday: int = Field(6, ge=0, le=6)
    #: Tablets a pregnancy should have (domain.md: at least 90).
    goal: int = Field(90, ge=1, le=300)


class WeeklyMessageConfig(_Section):
    """Weekly education message, one per completed week of pregnancy (content bank)."""

    first_week: int = Field(4, ge=4, le=42)
    last_week: int = Field(42, ge=4, le=42)
    #: 0 = Monday … 6 = Sunday; ``None`` sends on the day the new week starts (HPHT's
    #: weekday), which keeps "usia kehamilan kini N minggu" exactly true.
    weekday: int | None = Field(None, ge=0, le=6)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.first_week > self.last_week:
            raise ValueError("first_week must not be after last_week")
        return self


class PregnancyConfig(_Section):
    """Pregnancy-wide settings besides ANC and TTD."""

    #: Nothing pregnancy-related is planned after this completed week (post-term care is
    #: the TPK's and the midwife's job, not a bot's).
    last_week: int = Field(42, ge=40, le=MAX_GESTATION_WEEKS)
    #: Birth preparation (P4K) reminder week.
    p4k_week: int = Field(36, ge=20, le=40)
    #: "Mendekati HPL" reminders, in days before the due date.
    hpl_days_before: tuple[int, ...] = (14, 3)

    @model_validator(mode="after")
    def _positive_unique(self) -> Self:
        days = self.hpl_days_before
        if any(d < 1 or d > 60 for d in days) or len(set(days)) != len(days):
            raise ValueError("hpl_days_before must be distinct values in 1..60")
        return self


class DayWindow(_Section):
    """A visit window in whole days after delivery (day 0 = the day of birth).

    "6 hours" rounds down to day 0: a date-based plan cannot say more, and the midwife
    decides the hour.
    """

    start_day: int = Field(ge=0, le=60)
    end_day: int = Field(ge=0, le=60)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_day > self.end_day:
            raise ValueError("start_day must not be after end_day")
        return self


def _ascending(windows: tuple[DayWindow, ...], name: str) -> None:
    for earlier, later in pairwise(windows):
        if later.start_day <= earlier.end_day:
            raise ValueError(f"{name} windows must be ascending and not overlap")


class PostpartumConfig(_Section):
    """Postpartum (KF), newborn (KN), KB pascapersalinan and ASI reminders."""

    kf: tuple[DayWindow, ...] = (
        DayWindow(start_day=0, end_day=2),
        DayWindow(start_day=3, end_day=7),
        DayWindow(start_day=8, end_day=28),
        DayWindow(start_day=29, end_day=42),
    )
    kn: tuple[DayWindow, ...] = (
        DayWindow(start_day=0, end_day=2),
        DayWindow(start_day=3, end_day=7),
        DayWindow(start_day=8, end_day=28),
    )
    #: KB must start by day 42. Day 35 is a week after the KF4 reminder (which already
    #: brings her to the midwife) and leaves a week, and a TPK follow-up, before day 42.
    kb_reminder_day: int = Field(35, ge=0, le=42)
    kb_deadline_day: int = Field(42, ge=1, le=60)
    #: ASI eksklusif encouragement: the first two weeks (milk coming in, most give-ups),
    #: then monthly until the sixth month.
    asi_days: tuple[int, ...] = (3, 7, 14, 30, 60, 90, 120, 150)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _ascending(self.kf, "kf")
        _ascending(self.kn, "kn")
        if self.kb_reminder_day > self.kb_deadline_day:
            raise ValueError("kb_reminder_day must not be after kb_deadline_day")
        days = self.asi_days
        if list(days) != sorted(set(days)) or any(d < 0 or d > 182 for d in days):
            raise ValueError("asi_days must be increasing values in 0..182")
        return self


class ImmunisationDose(_Section):
    """One programme visit: the vaccines given at one age (exactly one of days/months)."""

    key: str = Field(pattern=r"^[a-z0-9_]+$", max_length=40)
    age_days: int | None = Field(None, ge=0, le=731)
    age_months: int | None = Field(None, ge=0, le=24)
    vaccines: tuple[str, ...] = Field(min_length=1)
    #: How long after the due date the reminder is still worth sending (catch-up).
    window_days: int = Field(28, ge=0, le=90)

    @model_validator(mode="after")
    def _one_age(self) -> Self:
        if (self.age_days is None) == (self.age_months is None):
            raise ValueError("give exactly one of age_days or age_months")
        return self


def _dose(key: str, *, months: int, vaccines: tuple[str, ...]) -> ImmunisationDose:
    return ImmunisationDose(key=key, age_months=months, vaccines=vaccines)


class ImmunisationConfig(_Section):
    """The routine schedule 0–24 months as listed in domain.md (configurable)."""

    doses: tuple[ImmunisationDose, ...] = (
        # HB-0 belongs in the first 24 hours; the programme accepts it up to day 7.
        ImmunisationDose(key="hb0", age_days=0, vaccines=("HB-0",), window_days=7),
        _dose("bcg_polio1", months=1, vaccines=("BCG", "Polio tetes 1")),
        _dose(
            "dpt1_polio2",
            months=2,
            vaccines=("DPT-HB-Hib 1", "Polio tetes 2", "PCV 1", "Rotavirus 1"),
        ),
        _dose("dpt2_polio3", months=3, vaccines=("DPT-HB-Hib 2", "Polio tetes 3")),
        _dose(
            "dpt3_polio4_ipv",
            months=4,
            vaccines=("DPT-HB-Hib 3", "Polio tetes 4", "Polio suntik (IPV)"),
        ),
        _dose("mr", months=9, vaccines=("Campak-Rubela (MR)",)),
        _dose(
            "lanjutan_18",
            months=18,
            vaccines=("DPT-HB-Hib lanjutan", "Campak-Rubela (MR) lanjutan"),
        ),
    )

    @model_validator(mode="after")
    def _unique_keys(self) -> Self:
        keys = [dose.key for dose in self.doses]
        if len(set(keys)) != len(keys):
            raise ValueError("immunisation dose keys must be unique")
        return self


class PosyanduConfig(_Section):
    """Monthly weighing reminder for every child 0–59 months.

    One reminder per *calendar* month, on ``day_of_month``, saying "bulan ini": each
    desa holds posyandu on its own day, which the bot does not know, and a calendar
    month key (``posyandu_2026_11``) stays stable when a birth date is corrected.
    """

    day_of_month: int = Field(1, ge=1, le=28)
    #: Before this age the newborn visits (KN) do the weighing.
    start_age_days: int = Field(28, ge=0, le=90)
    #: Reminders stop when the child turns this many months old (balita ends at 59).
    end_age_months: int = Field(60, ge=1, le=60)
    #: Vitamin A is given in February and August to children 6–59 months.
    vitamin_a_months: tuple[int, ...] = (2, 8)
    vitamin_a_min_age_months: int = Field(6, ge=0, le=59)
    #: June is the national measurement month (Bulan Penimbangan Balita).
    measurement_month: int | None = Field(6, ge=1, le=12)


class SendWindowConfig(_Section):
    """Local daytime in which reminders may reach a mother (end is exclusive)."""

    start: time = time(7, 0)
    end: time = time(19, 0)
    #: Morning, after the household's first chores, before posyandu/puskesmas opens.
    preferred_hour: Hour = 8

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start >= self.end:
            raise ValueError("send window start must be before its end")
        return self

    def daytime(self) -> DaytimeWindow:
        return DaytimeWindow(start=self.start, end=self.end)

    def allows_hour(self, hour: int) -> bool:
        return self.daytime().contains(time(hour))


class AckConfig(_Section):
    """What happens when a reminder that needs an answer gets none.

    48 hours: signal is weak and phones are shared, so a day is too short, and with the
    ANC reminder going 3 days before the visit the TPK still hears of it a day ahead.
    72 hours more before the coordinator is told spans a weekend.
    """

    timeout_hours: int = Field(48, ge=1, le=240)
    coordinator_escalation_hours: int = Field(72, ge=1, le=480)


class RoutineVisitConfig(_Section):
    """A repeating TPK home visit: every ``interval_days``, open ``window_days``."""

    interval_days: int = Field(30, ge=7, le=120)
    window_days: int = Field(14, ge=0, le=120)


class VisitConfig(_Section):
    """TPK visit tasks (pendampingan) per sasaran category and the daily digest."""

    #: Start of the working day, so the digest can shape the day's route.
    digest_hour: Hour = 7
    ibu_hamil: RoutineVisitConfig = RoutineVisitConfig()
    baduta: RoutineVisitConfig = RoutineVisitConfig()
    balita: RoutineVisitConfig = RoutineVisitConfig()
    #: A TPK visit around each ANC contact: a week before (remind, arrange transport)
    #: to a week after (check the visit happened, note Hb/LiLA/weight).
    anc_days_before: int = Field(7, ge=0, le=28)
    anc_days_after: int = Field(7, ge=0, le=28)
    #: Catin are accompanied monthly in the last months before the wedding.
    catin_months_before: int = Field(3, ge=1, le=12)


class ReminderConfig(_Section):
    """The whole ``[pengingat]`` settings table; every field has a programme default."""

    anc: AncConfig = AncConfig()
    ttd: TtdConfig = TtdConfig()
    weekly: WeeklyMessageConfig = WeeklyMessageConfig()
    pregnancy: PregnancyConfig = PregnancyConfig()
    postpartum: PostpartumConfig = PostpartumConfig()
    immunisation: ImmunisationConfig = ImmunisationConfig()
    posyandu: PosyanduConfig = PosyanduConfig()
    send_window: SendWindowConfig = SendWindowConfig()
    ack: AckConfig = AckConfig()
    visits: VisitConfig = VisitConfig()

    @model_validator(mode="after")
    def _hours_in_daytime(self) -> Self:
        window = self.send_window
        for name, hour in (
            ("send_window.preferred_hour", window.preferred_hour),
            ("ttd.hour", self.ttd.hour),
        ):
            if not window.allows_hour(hour):
                raise ValueError(f"{name} must fall inside the send window")
        if self.weekly.last_week > self.pregnancy.last_week:
            raise ValueError("weekly.last_week must not exceed pregnancy.last_week")
        return self
