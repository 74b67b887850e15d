"""Iron tablets (TTD): the weekly check-in plan, the varied daily texts and the counting rule."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.reminder_plan import PlanFacts, plan_all, plan_pregnancy, week_start
from bot.domain.schedule_config import ReminderConfig
from bot.domain.tablets import DAILY, WEEKLY, TabletReport, count_tablets, progress
from bot.reminders.messages import TTD_DAILY_TEXTS, day_span, render_text

HPHT = date(2026, 1, 5)  # a Monday


def _week(start: date, tablets: int) -> TabletReport:
    return TabletReport(start, WEEKLY, tablets)


def _day(day: date) -> TabletReport:
    return TabletReport(day, DAILY, 1)


# -- the plan ---------------------------------------------------------------------------------


def test_the_default_is_one_check_in_a_week_on_sunday_evening(config: ReminderConfig) -> None:
    plan = plan_pregnancy(HPHT, config, ttd_enabled=True)
    checkins = [i for i in plan if i.kind == "ttd_minggu"]
    assert not [i for i in plan if i.kind == "ttd"], "no daily text unless she chooses it"
    days = [i.due_date for i in checkins]
    assert all(d.weekday() == 6 for d in days)
    assert days == [days[0] + timedelta(weeks=n) for n in range(len(days))]
    # A full week after the tablets start (week 4), up to the last week followed.
    assert days[0] >= week_start(HPHT, config.ttd.start_week) + timedelta(days=6)
    assert days[0] - timedelta(days=7) < week_start(HPHT, config.ttd.start_week) + timedelta(days=6)
    assert days[-1] <= week_start(HPHT, config.pregnancy.last_week + 1) - timedelta(days=1)
    for item in checkins:
        assert item.send_hour == config.ttd.hour and not item.needs_ack
        assert item.payload["to"] == item.due_date.isoformat()
        assert date.fromisoformat(str(item.payload["from"])) == item.due_date - timedelta(days=6)
        assert item.window_end == item.due_date, "its own evening only"
    # About 37 weeks of check-ins instead of some 270 daily texts.
    assert 30 <= len(checkins) <= 40


def test_the_check_in_day_is_configurable(config: ReminderConfig) -> None:
    friday = config.model_copy(update={"ttd": config.ttd.model_copy(update={"checkin_weekday": 4})})
    days = {i.due_date.weekday() for i in plan_pregnancy(HPHT, friday, ttd_enabled=True) if i.kind == "ttd_minggu"}
    assert days == {4}


def test_the_configured_mode_does_not_override_a_mothers_facts(config: ReminderConfig) -> None:
    """``[pengingat.ttd] mode`` is read where her link is (bot.reminders.planning.ttd_mode);
    the plan itself follows the facts only."""
    daily = plan_all(PlanFacts(hpht=HPHT, ttd_enabled=True, ttd_daily=True), config)
    assert {i.kind for i in daily if i.kind.startswith("ttd")} == {"ttd"}
    assert not [i for i in plan_all(PlanFacts(hpht=HPHT, ttd_enabled=False, ttd_daily=True), config)
                if i.kind.startswith("ttd")]


def test_the_daily_text_varies_deterministically_and_never_repeats_the_next_day(config: ReminderConfig) -> None:
    daily = [i for i in plan_pregnancy(HPHT, config, ttd_enabled=True, ttd_daily=True) if i.kind == "ttd"]
    texts = [render_text(i.text_key, i.payload, first_name="Sari") for i in daily]
    assert len(set(texts)) == len(TTD_DAILY_TEXTS) >= 4
    assert all(a != b for a, b in pairwise(texts))
    again = [render_text(i.text_key, i.payload, first_name="Sari")
             for i in plan_pregnancy(HPHT, config, ttd_enabled=True, ttd_daily=True) if i.kind == "ttd"]
    assert again == texts
    # A row stored before the variants existed (no payload) still renders.
    assert render_text("ttd", {}, first_name="Sari") == f"Bunda Sari, {TTD_DAILY_TEXTS[0]}"


def test_the_weekly_text_names_its_seven_days(config: ReminderConfig) -> None:
    item = next(i for i in plan_pregnancy(HPHT, config, ttd_enabled=True) if i.kind == "ttd_minggu")
    text = render_text(item.text_key, item.payload, first_name="Sari")
    first = date.fromisoformat(str(item.payload["from"]))
    assert text.startswith("Bunda Sari, bagaimana tablet tambah darah Bunda minggu ini (")
    assert f"({day_span(first, item.due_date)})" in text
    assert day_span(date(2026, 11, 17), date(2026, 11, 23)) == "17–23 November"
    assert day_span(date(2026, 11, 28), date(2026, 12, 4)) == "28 November – 4 Desember"
    assert "«Sudah minum 7»" in text and "«Kurang dari 7»" in text


# -- counting ---------------------------------------------------------------------------------

MONDAY = date(2026, 11, 16)


def test_weeks_add_up_toward_the_goal() -> None:
    weeks = [_week(MONDAY + timedelta(weeks=n), 7) for n in range(7)]
    count = progress(weeks, 90)
    assert count.taken == 49 and not count.reached
    assert count.latest_week == weeks[-1]
    assert progress([*weeks, _week(MONDAY + timedelta(weeks=7), 3)], 90).latest_week.tablets == 3  # type: ignore[union-attr]


def test_fewer_counts_what_she_said() -> None:
    assert count_tablets([_week(MONDAY, 7), _week(MONDAY + timedelta(weeks=1), 3)]) == 10
    assert count_tablets([_week(MONDAY, 0)]) == 0


def test_daily_presses_in_an_answered_week_are_not_added_to_it() -> None:
    presses = [_day(MONDAY), _day(MONDAY + timedelta(days=1))]
    assert count_tablets([*presses, _week(MONDAY, 7)]) == 7
    assert count_tablets([*presses, _week(MONDAY, 0)]) == 2, "she did press on those two days"
    assert count_tablets([*presses, _week(MONDAY + timedelta(weeks=1), 7)]) == 9


def test_a_day_counts_once() -> None:
    assert count_tablets([_day(MONDAY), _day(MONDAY)]) == 1
    # Two overlapping weeks (the check-in day was reconfigured): no day is counted twice.
    assert count_tablets([_week(MONDAY, 7), _week(MONDAY + timedelta(days=3), 7)]) == 10


def test_a_report_names_a_possible_span() -> None:
    with pytest.raises(ValueError):
        TabletReport(MONDAY, WEEKLY, 8)
    with pytest.raises(ValueError):
        TabletReport(MONDAY, DAILY, 2)
    with pytest.raises(ValueError):
        TabletReport(MONDAY, 3, 1)


_reports = st.lists(st.one_of(
    st.builds(_week, st.dates(MONDAY, MONDAY + timedelta(days=120)), st.integers(0, 7)),
    st.builds(_day, st.dates(MONDAY, MONDAY + timedelta(days=120))),
), max_size=40)


@given(reports=_reports)
@settings(max_examples=200, deadline=None)
def test_never_more_than_a_tablet_a_day_nor_more_than_she_reported(reports: list[TabletReport]) -> None:
    days = {day for r in reports for day in r.each_day()}
    total = count_tablets(reports)
    assert 0 <= total <= len(days)
    assert total <= sum(r.tablets for r in reports)
    assert count_tablets(reversed(reports)) == total, "order of answers does not matter"
    assert count_tablets([*reports, *reports]) == total, "the same answer twice changes nothing"


@given(reports=_reports, day=st.dates(MONDAY, MONDAY + timedelta(days=120)))
@settings(max_examples=200, deadline=None)
def test_a_daily_press_never_lowers_the_count(reports: list[TabletReport], day: date) -> None:
    assert count_tablets([*reports, _day(day)]) >= count_tablets(reports)


@given(weeks=st.lists(st.integers(0, 7), max_size=20))
@settings(max_examples=100, deadline=None)
def test_answers_of_the_configured_weeks_simply_add_up(weeks: list[int]) -> None:
    reports = [_week(MONDAY + timedelta(weeks=n), tablets) for n, tablets in enumerate(weeks)]
    assert count_tablets(reports) == sum(weeks)
    assert progress(reports, 90).reached == (sum(weeks) >= 90)
