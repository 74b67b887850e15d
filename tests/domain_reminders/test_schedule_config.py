"""The ``[pengingat]`` settings: programme defaults, TOML overrides, and typo safety."""

from __future__ import annotations

import tomllib
from datetime import time

import pytest
from pydantic import ValidationError

from bot.domain.schedule_config import ReminderConfig


def test_defaults_follow_the_programme(config: ReminderConfig) -> None:
    assert config.anc.contact_weeks == (8, 14, 20, 30, 34, 36)
    assert [(w.start_day, w.end_day) for w in config.postpartum.kf] == [
        (0, 2),
        (3, 7),
        (8, 28),
        (29, 42),
    ]
    assert [(w.start_day, w.end_day) for w in config.postpartum.kn] == [(0, 2), (3, 7), (8, 28)]
    assert config.postpartum.kb_reminder_day < 42 == config.postpartum.kb_deadline_day
    assert config.pregnancy.p4k_week == 36
    assert config.pregnancy.hpl_days_before == (14, 3)
    assert (config.send_window.start, config.send_window.end) == (time(7), time(19))


def test_default_contact_weeks_fit_both_trimester_conventions() -> None:
    """domain.md: TM II is 13–24 in one source and 13–28 in another."""
    alternative = ReminderConfig.model_validate({"anc": {"trimester_second_end_week": 28}})
    assert alternative.anc.contact_weeks == ReminderConfig().anc.contact_weeks


def test_contacts_that_miss_a_trimester_are_rejected() -> None:
    with pytest.raises(ValidationError, match="trimester 3 has 2"):
        ReminderConfig.model_validate(
            {"anc": {"trimester_second_end_week": 28, "contact_weeks": [8, 14, 20, 26, 32, 36]}}
        )


def test_toml_table_overrides_only_what_it_names() -> None:
    settings = tomllib.loads(
        """
        [send_window]
        start = 06:30:00
        preferred_hour = 7

        [posyandu]
        day_of_month = 10

        [[immunisation.doses]]
        key = "hb0"
        age_days = 0
        vaccines = ["HB-0"]
        """
    )
    config = ReminderConfig.model_validate(settings)
    assert config.send_window.start == time(6, 30)
    assert config.posyandu.day_of_month == 10
    assert [d.key for d in config.immunisation.doses] == ["hb0"]
    assert config.anc == ReminderConfig().anc


@pytest.mark.parametrize(
    "settings",
    [
        {"anc": {"contact_wekes": [8]}},  # typo
        {"ttd": {"hour": 22}},  # outside the daytime window
        {"send_window": {"start": "19:00", "end": "07:00"}},
        {"postpartum": {"kf": [{"start_day": 0, "end_day": 3}, {"start_day": 3, "end_day": 7}]}},
        {"immunisation": {"doses": [{"key": "x", "vaccines": ["BCG"]}]}},  # no age
        {"pregnancy": {"hpl_days_before": [3, 3]}},
    ],
)
def test_bad_settings_fail_at_start_up(settings: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ReminderConfig.model_validate(settings)


def test_config_is_immutable(config: ReminderConfig) -> None:
    with pytest.raises(ValidationError):
        config.anc.remind_days_before = 1  # type: ignore[misc]
