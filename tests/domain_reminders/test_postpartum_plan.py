"""After the birth: KF, KN, KB pascapersalinan, ASI, immunisation and posyandu."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.reminder_plan import add_months, plan_postpartum
from bot.domain.schedule_config import ReminderConfig

DELIVERY = date(2026, 1, 31)  # a month end, to exercise calendar-month ages


def by_kind(items):  # type: ignore[no-untyped-def]
    return {item.kind: item for item in items}


@pytest.mark.parametrize(
    ("kind", "first_day", "last_day"),
    [
        ("kf_1", 0, 2),
        ("kf_2", 3, 7),
        ("kf_3", 8, 28),
        ("kf_4", 29, 42),
        ("kn_1", 0, 2),
        ("kn_2", 3, 7),
        ("kn_3", 8, 28),
    ],
)
def test_visits_inside_their_windows(
    config: ReminderConfig, kind: str, first_day: int, last_day: int
) -> None:
    item = by_kind(plan_postpartum(DELIVERY, config))[kind]
    assert item.due_date == DELIVERY + timedelta(days=first_day)
    assert item.window_end == DELIVERY + timedelta(days=last_day)
    assert item.needs_ack


def test_kb_pasca_before_day_42(config: ReminderConfig) -> None:
    kb = by_kind(plan_postpartum(DELIVERY, config))["kb_pasca"]
    assert kb.due_date < DELIVERY + timedelta(days=42)
    assert kb.window_end == DELIVERY + timedelta(days=42)


def test_asi_encouragement_within_six_months(config: ReminderConfig) -> None:
    asi = [i for i in plan_postpartum(DELIVERY, config) if i.kind == "asi"]
    assert [i.due_date - DELIVERY for i in asi] == [
        timedelta(days=d) for d in config.postpartum.asi_days
    ]
    assert all(i.due_date < add_months(DELIVERY, 6) for i in asi)


def test_immunisation_dates_match_the_configured_schedule(config: ReminderConfig) -> None:
    plan = by_kind(plan_postpartum(DELIVERY, config))
    expected = {
        "imun_hb0": date(2026, 1, 31),
        "imun_bcg_polio1": date(2026, 2, 28),  # 1 month after 31 January
        "imun_dpt1_polio2": date(2026, 3, 31),
        "imun_dpt2_polio3": date(2026, 4, 30),
        "imun_dpt3_polio4_ipv": date(2026, 5, 31),
        "imun_mr": date(2026, 10, 31),
        "imun_lanjutan_18": date(2027, 7, 31),
    }
    assert {k: v.due_date for k, v in plan.items() if k.startswith("imun_")} == expected
    assert plan["imun_bcg_polio1"].payload["vaccines"] == ("BCG", "Polio tetes 1")


def test_changed_immunisation_schedule_changes_the_plan() -> None:
    config = ReminderConfig.model_validate(
        {"immunisation": {"doses": [{"key": "pcv3", "age_months": 12, "vaccines": ["PCV 3"]}]}}
    )
    imun = [i for i in plan_postpartum(DELIVERY, config) if i.text_key == "imun"]
    assert [(i.kind, i.due_date) for i in imun] == [("imun_pcv3", date(2027, 1, 31))]


def test_baby_birth_date_drives_the_baby_items(config: ReminderConfig) -> None:
    """Mother delivered on the 31st; the baby's record says 1 February (after midnight)."""
    plan = by_kind(plan_postpartum(DELIVERY, config, baby_birth_date=date(2026, 2, 1)))
    assert plan["kf_1"].due_date == DELIVERY
    assert plan["kn_1"].due_date == date(2026, 2, 1)
    assert plan["imun_bcg_polio1"].due_date == date(2026, 3, 1)


def test_posyandu_monthly_until_59_months(config: ReminderConfig) -> None:
    posyandu = [i for i in plan_postpartum(DELIVERY, config) if i.text_key == "posyandu"]
    months = [(i.due_date.year, i.due_date.month) for i in posyandu]
    assert months[0] == (2026, 3)  # first 1st-of-month at least 28 days after birth
    # 1 January 2031 she is 59 months old; on 31 January 2031 she turns 60 months.
    assert months[-1] == (2031, 1)
    assert posyandu[-1].window_end == date(2031, 1, 30)
    assert len(set(months)) == len(months) == 59
    assert all(i.window_end < add_months(DELIVERY, 60) for i in posyandu)
    assert posyandu[0].kind == "posyandu_2026_03"


def test_vitamin_a_in_february_and_august_from_six_months(config: ReminderConfig) -> None:
    posyandu = [i for i in plan_postpartum(DELIVERY, config) if i.text_key == "posyandu"]
    with_vitamin_a = [i.kind for i in posyandu if i.payload["vitamin_a"]]
    assert with_vitamin_a[:2] == ["posyandu_2026_08", "posyandu_2027_02"]
    assert all(k[-2:] in {"02", "08"} for k in with_vitamin_a)
    june = [i for i in posyandu if i.payload["measurement_month"]]
    assert all(i.due_date.month == 6 for i in june) and len(june) == 5


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 15), 24, date(2026, 3, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 12, 5), 1, date(2025, 1, 5)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
