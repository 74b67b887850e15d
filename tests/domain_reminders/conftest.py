from __future__ import annotations

import pytest

from bot.domain.schedule_config import ReminderConfig


@pytest.fixture
def config() -> ReminderConfig:
    """The shipped defaults: what a deployment gets without a ``[pengingat]`` table."""
    return ReminderConfig()
