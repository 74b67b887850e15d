"""The monthly digest: on the 1st at the configured hour every coordinator who has not
switched it off gets last month's /rekap for their scope, once."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dev.seed import seed_demo
from bot.rekap.keyboard import DIGEST_OFF_LABEL, DIGEST_ON_LABEL
from bot.rekap.monthly_digest import send_monthly_digests
from bot.rekap.periods import Period
from storage import rekap as store
from tests.harness import START, BotUnderTest, add_member
from tests.rekap.conftest import CURUG, KASEMEN, ROOT, Brute, add_reminders_and_mothers
from tests.rekap.test_e2e_rekap import assert_matches_brute

WIB = ZoneInfo("Asia/Jakarta")


async def test_the_digest_goes_out_on_the_first_once_and_not_to_those_who_switched_it_off(
        bot: BotUnderTest) -> None:
    services = bot.services
    await seed_demo(services.db, services.cipher, root=ROOT, sasaran=500, seed=3, now=START)
    await add_reminders_and_mothers(services, random.Random(9), count=20)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    budi = await add_member(bot, 2002, "Budi", "koordinator", ROOT)
    tono = await add_member(bot, 2003, "Tono", "koordinator", KASEMEN)
    siti = await add_member(bot, 3001, "Siti", "tpk", "36.73.04.1007", position="bidan")
    send = lambda: send_monthly_digests(services, bot.app.bot)  # noqa: E731

    assert await send() == 0  # 23 November: not the 1st
    bot.clock.set(datetime(2026, 12, 1, 6, 59, tzinfo=WIB))
    assert await send() == 0  # the 1st, but before 07.00
    bot.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=WIB))
    tono.block(notify=False)
    assert await send() == 2
    assert await send() == 0  # idempotent: a second tick sends nothing
    assert await store.digest_status(services.db, 2003, "2026-11") == "failed"  # blocked: not retried

    digest = await rina.next_message()
    assert "Rekap bulanan" in digest.plain_text and "Kota Serang › Curug" in digest.plain_text
    assert "Periode: November 2026" in digest.plain_text and "Keadaan per 30 November 2026" in digest.plain_text
    assert DIGEST_OFF_LABEL in digest.button_labels()
    await assert_matches_brute(rina, digest, await Brute.of(services), CURUG, Period.month(2026, 11))
    assert "Periode: November 2026" in (await budi.next_message()).plain_text
    assert not siti.transcript  # TPK members get no digest

    # Drilling down inside the digest keeps its switch; Rina switches it off.
    await rina.press("🗺️ Per kel./desa")
    assert DIGEST_OFF_LABEL in (await rina.next_edit()).button_labels()
    await rina.press("Sukawana")
    inside = await rina.next_edit()
    assert "Sukawana" in inside.plain_text and DIGEST_OFF_LABEL in inside.button_labels()
    await rina.press(DIGEST_OFF_LABEL)
    switched = await rina.next_edit()
    assert DIGEST_ON_LABEL in switched.button_labels() and DIGEST_OFF_LABEL not in switched.button_labels()
    assert rina.last_callback_answer and "tidak dikirim lagi" in (rina.last_callback_answer.text or "")

    bot.clock.set(datetime(2027, 1, 1, 9, 30, tzinfo=WIB))
    tono.unblock(notify=False)
    assert await send() == 2  # Budi and Tono, not Rina
    assert "Periode: Desember 2026" in (await budi.next_message()).plain_text
    assert "Kasemen" in (await tono.next_message()).plain_text
    assert await rina.messages_until_quiet(quiet=0.3) == []

    # Switched back on: February's digest reaches her again.
    await rina.press(DIGEST_ON_LABEL)
    assert DIGEST_OFF_LABEL in (await rina.next_edit()).button_labels()
    bot.clock.set(datetime(2027, 2, 1, 7, 5, tzinfo=WIB))
    assert await send() == 3
    assert "Periode: Januari 2027" in (await rina.next_message()).plain_text


async def test_the_hour_and_the_switch_come_from_the_settings(tmp_path, clock) -> None:
    from tests.harness import bot_under_test

    async with bot_under_test(tmp_path, clock, rekap={"digest_hour": 9}) as bot:
        await add_member(bot, 2001, "Rina", "koordinator", CURUG)
        bot.clock.set(datetime(2026, 12, 1, 8, 59, tzinfo=WIB))
        assert await send_monthly_digests(bot.services, bot.app.bot) == 0
        bot.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=WIB))
        assert await send_monthly_digests(bot.services, bot.app.bot) == 1
    clock.set(datetime(2027, 1, 1, 9, 0, tzinfo=WIB))
    async with bot_under_test(tmp_path / "off", clock, rekap={"digest_enabled": False}) as bot:
        await add_member(bot, 2001, "Rina", "koordinator", CURUG)
        assert await send_monthly_digests(bot.services, bot.app.bot) == 0
