"""After the birth: KF, KN, KB pascapersalinan, ASI, immunisation and posyandu."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.reminder_plan import PlanFacts, add_months, plan_for, plan_postpartum, vitamin_a_capsule
from bot.domain.schedule_config import DayWindow, ReminderConfig

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
    ("birth", "month", "capsule"),
    [
        (date(2028, 2, 29), date(2028, 8, 1), "biru"),  # turns 6 months on 29 August
        (date(2026, 2, 28), date(2026, 8, 1), "biru"),  # turns 6 months on 28 August
        (date(2026, 3, 1), date(2026, 8, 1), None),  # 6 months only on 1 September
        (date(2026, 2, 1), date(2026, 8, 1), "biru"),  # 6 months on the 1st itself
        (date(2025, 8, 31), date(2026, 8, 1), "merah"),  # turns 12 months on 31 August
        (date(2025, 9, 1), date(2026, 8, 1), "biru"),  # 11 months all August
        (date(2021, 8, 15), date(2026, 8, 1), "merah"),  # 59 months on the 1st, 60 on the 15th
        (date(2021, 7, 31), date(2026, 8, 1), None),  # 60 months: out of the target groups
    ],
)
def test_vitamin_a_in_the_month_a_child_turns_six_months(
    config: ReminderConfig, birth: date, month: date, capsule: str | None
) -> None:
    assert vitamin_a_capsule(birth, month, config) == capsule
    items = {i.kind: i for i in plan_postpartum(birth, config) if i.text_key == "posyandu"}
    item = items.get(f"posyandu_{month.year}_{month.month:02d}")
    if capsule is None:
        assert item is None or not item.payload["vitamin_a"]
    else:
        assert item is not None and item.payload["vitamin_a"] and item.payload["vitamin_a_capsule"] == capsule


def test_a_child_born_on_29_february_gets_vitamin_a_in_august(config: ReminderConfig) -> None:
    posyandu = [i for i in plan_postpartum(date(2028, 2, 29), config) if i.text_key == "posyandu"]
    assert [i.kind for i in posyandu if i.payload["vitamin_a"]][:2] == ["posyandu_2028_08", "posyandu_2029_02"]


def test_as_the_child_ages_the_plan_follows(config: ReminderConfig) -> None:
    """Baduta → balita at 24 months keeps the monthly posyandu; immunisation (catch-up
    windows included) is over before 24 months; nothing at all from 60 months."""
    birth = date(2026, 1, 15)
    plan = plan_postpartum(birth, config)
    balita_from, out = add_months(birth, 24), add_months(birth, 60)
    assert all(i.window_end < balita_from for i in plan if i.text_key == "imun")
    after_24 = [i for i in plan if i.due_date >= balita_from]
    assert after_24 and {i.text_key for i in after_24} == {"posyandu"}
    assert all(i.window_end < out for i in plan)
    assert plan_for(PlanFacts(delivery_date=birth), out, out + timedelta(days=60), config) == []


def test_the_mothers_items_end_with_nifas_on_day_42(config: ReminderConfig) -> None:
    wide = config.model_copy(update={"postpartum": config.postpartum.model_copy(
        update={"kb_reminder_day": 40, "kb_deadline_day": 60,
                "kf": (DayWindow(start_day=0, end_day=2), DayWindow(start_day=29, end_day=50))})})
    birth = date(2026, 10, 1)
    mother = [i for i in plan_postpartum(birth, wide) if i.text_key in ("kf", "kb_pasca")]
    assert mother and all(i.window_end <= birth + timedelta(days=42) for i in mother)
    assert next(i for i in mother if i.kind == "kb_pasca").payload["until"] == "2026-11-12"


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
