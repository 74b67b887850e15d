"""Shared fixtures: a FakeClock and the bot running against the Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.harness import START, BotUnderTest, bot_under_test


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotUnderTest]:
    async with bot_under_test(tmp_path, clock) as harness:
        yield harness
