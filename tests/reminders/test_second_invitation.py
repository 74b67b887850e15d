"""A mother who already joined can take a new invitation (a later pregnancy); a TPK
member who taps a mother's link does not use it up."""

from __future__ import annotations

from tests.harness import BotUnderTest
from tests.reminders.helpers import invite, join, open_as_her, register_mother, tpk


async def test_a_joined_mother_takes_a_new_invitation_and_a_member_cannot(bot: BotUnderTest) -> None:
    member = await tpk(bot)
    first = await register_mother(bot, member.id, "Rina")
    mother = await join(bot, member, first, 4001, "Rina")
    member.drain()
    second = await register_mother(bot, member.id, "Rina")
    token, _ = await invite(bot, member, second)

    await member.send(f"/start {token}")
    assert "sudah terdaftar" in (await member.next_message()).plain_text

    screen = await open_as_her(bot, mother, token, second)
    assert "Apakah Bunda setuju?" in screen.text
