"""A pregnancy's reminders follow domain.md's schedule from the HPHT."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from bot.domain.pregnancy import gestational_age, hpl_from_hpht
from bot.domain.reminder_plan import PlanFacts, plan_all, plan_pregnancy
from bot.domain.schedule_config import ReminderConfig

HPHT = date(2026, 1, 5)


def by_kind(items):  # type: ignore[no-untyped-def]
    return {item.kind: item for item in items}


def test_six_anc_contacts_one_two_three_per_trimester(config: ReminderConfig) -> None:
    plan = by_kind(plan_pregnancy(HPHT, config, ttd_enabled=False))
    anc = [plan[f"anc_{n}"] for n in range(1, 7)]
    visits = [date.fromisoformat(str(item.payload["visit_date"])) for item in anc]
    trimesters = [config.anc.boundaries().trimester(gestational_age(HPHT, v).weeks) for v in visits]
    assert trimesters == [1, 2, 2, 3, 3, 3]
    assert [item.payload["trimester"] for item in anc] == trimesters
    for item, visit in zip(anc, visits, strict=True):
        assert visit - item.due_date == timedelta(days=config.anc.remind_days_before)
        assert item.needs_ack and item.audience == "ibu"


def test_trimester_boundaries_are_configurable() -> None:
    config = ReminderConfig.model_validate(
        {
            "anc": {
                "trimester_second_end_week": 28,
                "contact_weeks": [10, 16, 24, 30, 34, 37],
            }
        }
    )
    anc = [
        item for item in plan_pregnancy(HPHT, config, ttd_enabled=False) if item.text_key == "anc"
    ]
    assert [item.payload["trimester"] for item in anc] == [1, 2, 2, 3, 3, 3]
    assert anc[2].payload["week"] == 24


def test_anc_reminders_hand_over_without_gap_or_overlap(config: ReminderConfig) -> None:
    """A late registrant still gets the contact she is due for, and only one at a time."""
    anc = [i for i in plan_pregnancy(HPHT, config, ttd_enabled=False) if i.text_key == "anc"]
    for earlier, later in pairwise(anc):
        assert earlier.window_end + timedelta(days=1) == later.due_date
    assert anc[-1].window_end == hpl_from_hpht(HPHT) - timedelta(days=1)


def test_hpl_is_hpht_plus_280_and_countdown_precedes_it(config: ReminderConfig) -> None:
    plan = by_kind(plan_pregnancy(HPHT, config, ttd_enabled=False))
    hpl = HPHT + timedelta(days=280)
    assert plan["hpl_14"].due_date == hpl - timedelta(days=14)
    assert plan["hpl_3"].due_date == hpl - timedelta(days=3)
    assert plan["hpl_3"].payload["hpl"] == hpl.isoformat()
    assert all(plan[k].window_end < hpl for k in ("hpl_14", "hpl_3"))


def test_p4k_at_week_36(config: ReminderConfig) -> None:
    p4k = by_kind(plan_pregnancy(HPHT, config, ttd_enabled=False))["p4k"]
    assert gestational_age(HPHT, p4k.due_date).weeks == 36


def test_one_weekly_message_for_each_week_4_to_42(config: ReminderConfig) -> None:
    weekly = [i for i in plan_pregnancy(HPHT, config, ttd_enabled=False) if i.text_key == "pekan"]
    assert [i.payload["week"] for i in weekly] == list(range(4, 43))
    for item in weekly:
        assert gestational_age(HPHT, item.due_date).weeks == item.payload["week"]


def test_weekly_message_on_a_fixed_weekday_stays_in_its_week() -> None:
    config = ReminderConfig.model_validate({"weekly": {"weekday": 6}})  # Sunday
    weekly = [i for i in plan_pregnancy(HPHT, config, ttd_enabled=False) if i.text_key == "pekan"]
    for item in weekly:
        assert item.due_date.weekday() == 6
        assert gestational_age(HPHT, item.due_date).weeks == item.payload["week"]


def test_ttd_daily_only_when_enabled(config: ReminderConfig) -> None:
    assert not [i for i in plan_pregnancy(HPHT, config, ttd_enabled=False) if i.kind == "ttd"]
    assert not [i for i in plan_pregnancy(HPHT, config, ttd_enabled=True) if i.kind == "ttd"], "weekly by default"
    ttd = [i for i in plan_pregnancy(HPHT, config, ttd_enabled=True, ttd_daily=True) if i.kind == "ttd"]
    days = [i.due_date for i in ttd]
    assert days == [days[0] + timedelta(days=n) for n in range(len(days))]
    assert gestational_age(HPHT, days[0]).weeks == config.ttd.start_week
    assert len(ttd) >= 90
    assert all(i.send_hour == config.ttd.hour and i.window_end == i.due_date for i in ttd)


def test_nothing_after_week_42(config: ReminderConfig) -> None:
    plan = plan_pregnancy(HPHT, config, ttd_enabled=True)
    assert max(i.window_end for i in plan) == HPHT + timedelta(weeks=43) - timedelta(days=1)


def test_corrected_hpht_moves_every_date(config: ReminderConfig) -> None:
    """The USG says the pregnancy is 10 days further along than the first HPHT."""
    first = plan_all(PlanFacts(hpht=HPHT), config)
    corrected = plan_all(PlanFacts(hpht=HPHT - timedelta(days=10)), config)
    assert [i.kind for i in first] == [i.kind for i in corrected]
    for old, new in zip(first, corrected, strict=True):
        assert new.due_date == old.due_date - timedelta(days=10)
    assert plan_all(PlanFacts(hpht=HPHT), config) == first  # same facts, same plan
