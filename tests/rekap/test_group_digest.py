"""The monthly anonymous digest for a TPPS group (issue 15 §3, optional part): a coordinator
types /grup in the group; on the 1st the group gets last month's figures of their area, with
no name and no button, once; /grup mati stops it, and so does deactivating the coordinator."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.rekap.group_digest import send_group_digests
from tests.harness import BotUnderTest, add_member
from tests.rekap.conftest import CURUG
from tests.reminders.helpers import register_mother

WIB = ZoneInfo("Asia/Jakarta")
GROUP = -4200


async def test_a_coordinator_enables_the_anonymous_digest_for_a_group(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    siti = await add_member(bot, 3001, "Siti", "tpk", "36.73.04.1007", position="bidan")
    await register_mother(bot, 3001, "Sari Marlina", region="36.73.04.1007")
    group = bot.emu.group(GROUP, rina, title="TPPS Curug")
    await group.send("/grup")
    assert "akan menerima rekap bulanan Kec. Curug" in (await group.next_message()).plain_text
    member_group = bot.emu.group(GROUP - 1, siti)
    await member_group.send("/grup")
    assert "tidak tersedia" in (await member_group.next_message()).plain_text
    await rina.send("/grup")
    assert "Ketik /grup di grup TPPS" in (await rina.next_message()).plain_text

    assert await send_group_digests(bot.services, bot.app.bot) == 0  # 23 November: not the 1st
    bot.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=WIB))
    assert await send_group_digests(bot.services, bot.app.bot) == 1
    digest = await group.next_message()
    assert "Rekap bulanan (tanpa nama)" in digest.plain_text and "Curug" in digest.plain_text
    assert not digest.buttons
    assert "Sari" not in digest.plain_text and "Siti" not in digest.plain_text and "Rina" not in digest.plain_text
    assert await send_group_digests(bot.services, bot.app.bot) == 0  # once a month

    await group.send("/grup mati")
    assert "dihentikan" in (await group.next_message()).plain_text
    bot.clock.set(datetime(2027, 1, 1, 7, 0, tzinfo=WIB))
    assert await send_group_digests(bot.services, bot.app.bot) == 0


async def test_a_deactivated_coordinators_group_gets_nothing(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    group = bot.emu.group(GROUP, rina)
    await group.send("/grup")
    await group.next_message()
    await bot.db.write("UPDATE users SET status = 'inactive' WHERE id = 2001")
    bot.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=WIB))
    assert await send_group_digests(bot.services, bot.app.bot) == 0
