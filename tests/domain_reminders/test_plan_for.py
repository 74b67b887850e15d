"""The rolling-window entry point: births, losses, corrections and window equivalence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pregnancy import hpl_from_hpht
from bot.domain.reminder_plan import PlanFacts, plan_all, plan_for
from bot.domain.schedule_config import ReminderConfig

CONFIG = ReminderConfig()
HPHT = date(2026, 1, 5)
PREGNANCY_TEXT_KEYS = {"anc", "ttd", "ttd_minggu", "pekan", "p4k", "hpl"}


def test_window_returns_what_is_open_in_it() -> None:
    facts = PlanFacts(hpht=HPHT, ttd_enabled=True, ttd_daily=True)
    start = HPHT + timedelta(weeks=20)
    window = plan_for(facts, start, start + timedelta(days=13), CONFIG)
    assert [i.due_date for i in window if i.kind == "ttd"] == [
        start + timedelta(days=n) for n in range(14)
    ]
    assert {"pekan_20", "pekan_21", "anc_3"} <= {i.kind for i in window}


def test_late_registrant_still_gets_the_open_anc_reminder() -> None:
    """Registered at 10 weeks: the trimester-I contact (target week 8) is still open."""
    today = HPHT + timedelta(weeks=10)
    window = plan_for(PlanFacts(hpht=HPHT), today, today + timedelta(days=13), CONFIG)
    assert "anc_1" in {i.kind for i in window}


@pytest.mark.parametrize("daily", [False, True])
def test_after_birth_no_pregnancy_items(daily: bool) -> None:
    delivery = HPHT + timedelta(weeks=38, days=2)
    facts = PlanFacts(hpht=HPHT, delivery_date=delivery, ttd_enabled=True, ttd_daily=daily)
    for item in plan_all(facts, CONFIG):
        if item.text_key in PREGNANCY_TEXT_KEYS:
            assert item.window_end < delivery, item.kind
    after = plan_for(facts, delivery, delivery + timedelta(days=60), CONFIG)
    assert not {i.text_key for i in after} & PREGNANCY_TEXT_KEYS
    assert not [i for i in after if i.kind.startswith("hpl_")]
    assert {"kf_1", "kn_1", "imun_hb0"} <= {i.kind for i in after}


def test_birth_before_hpl_cuts_the_countdown_open_on_the_day() -> None:
    """Born the day after "HPL 14 hari lagi" was due: that reminder must not go out now."""
    hpl = hpl_from_hpht(HPHT)
    delivery = hpl - timedelta(days=13)
    facts = PlanFacts(hpht=HPHT, delivery_date=delivery)
    assert "hpl_14" not in {i.kind for i in plan_for(facts, delivery, delivery, CONFIG)}


@given(
    hpht=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    lost_after=st.one_of(st.none(), st.integers(0, 300)),
    delivered_after=st.one_of(st.none(), st.integers(150, 300)),
    ttd=st.booleans(),
    start_offset=st.integers(-60, 2200),
    length=st.integers(0, 45),
)
@settings(max_examples=60, deadline=None)
def test_after_a_loss_nothing_at_all(
    hpht: date,
    lost_after: int | None,
    delivered_after: int | None,
    ttd: bool,
    start_offset: int,
    length: int,
) -> None:
    """No congratulation, countdown, tablet, baby or posyandu text may reach her."""
    lost_on = hpht + timedelta(days=lost_after if lost_after is not None else 100)
    delivery = hpht + timedelta(days=delivered_after) if delivered_after else None
    facts = PlanFacts(hpht=hpht, delivery_date=delivery, pregnancy_lost_on=lost_on, ttd_enabled=ttd)
    start = hpht + timedelta(days=start_offset)
    assert plan_for(facts, start, start + timedelta(days=length), CONFIG) == []
    assert plan_all(facts, CONFIG) == []


@given(
    hpht=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2030, 12, 31))),
    delivered_after=st.one_of(st.none(), st.integers(150, 300)),
    ttd=st.booleans(),
    daily=st.booleans(),
    start_offset=st.integers(-30, 2200),
    length=st.integers(0, 60),
)
@settings(max_examples=150, deadline=None)
def test_window_equals_full_plan_filtered(
    hpht: date | None, delivered_after: int | None, ttd: bool, daily: bool, start_offset: int, length: int
) -> None:
    anchor = hpht or date(2027, 6, 1)
    delivery = anchor + timedelta(days=delivered_after) if delivered_after else None
    facts = PlanFacts(hpht=hpht, delivery_date=delivery, ttd_enabled=ttd, ttd_daily=daily)
    start = anchor + timedelta(days=start_offset)
    end = start + timedelta(days=length)
    full = plan_all(facts, CONFIG)
    assert plan_for(facts, start, end, CONFIG) == [i for i in full if i.is_open_during(start, end)]
    keys = [i.key for i in full]
    assert len(keys) == len(set(keys))


def test_plan_is_stable_across_calls() -> None:
    facts = PlanFacts(hpht=HPHT, delivery_date=HPHT + timedelta(days=275), ttd_enabled=True)
    start, end = HPHT + timedelta(days=260), HPHT + timedelta(days=290)
    assert plan_for(facts, start, end, CONFIG) == plan_for(facts, start, end, CONFIG)


def test_no_facts_no_plan() -> None:
    assert plan_all(PlanFacts(), CONFIG) == []
