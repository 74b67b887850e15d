"""``[telegram] poll_interval``: after each getUpdates answer the bot pauses before
asking again, so updates that arrive meanwhile come in one answer instead of one each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.clock import FakeClock
from bot.settings import Settings
from tests.harness import bot_under_test


async def _polls_for_four_messages(tmp_path: Path, clock: FakeClock, interval: float) -> int:
    """getUpdates calls while a member sends four messages 50 ms apart and gets four replies."""
    async with bot_under_test(tmp_path, clock, telegram={"poll_interval": interval}) as bot:
        user = bot.user(5000, "Sari")  # not a member: every message gets the greeting back
        await user.send("halo")
        await user.next_message()
        await asyncio.sleep(0.1)  # the bot is long-polling again
        before = bot.emu.stats.calls["getUpdates"]
        for text in ("satu", "dua", "tiga", "empat"):
            await user.send(text)
            await asyncio.sleep(0.05)
        for _ in range(4):
            await user.next_message()
        return bot.emu.stats.calls["getUpdates"] - before


@pytest.mark.parametrize(("interval", "most"), [(0.4, 2), (0.0, None)])
async def test_updates_arriving_during_the_pause_come_in_one_answer(
        tmp_path: Path, clock: FakeClock, interval: float, most: int | None) -> None:
    polls = await _polls_for_four_messages(tmp_path, clock, interval)
    if most is not None:
        # The first message ends the waiting poll; the other three arrive in the pause
        # and come in the next answer.
        assert polls <= most
    else:
        assert polls >= 4  # without a pause, each message is its own answer


def test_the_pause_is_bounded() -> None:
    assert Settings().telegram.poll_interval == 0.005
    for wrong in (-0.1, 1.5):
        with pytest.raises(ValidationError):
            Settings(telegram={"poll_interval": wrong})
