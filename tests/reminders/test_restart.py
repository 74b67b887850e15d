"""The bot stops in the middle of a dispatch and starts again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage import outbox
from storage import reminders as reminders_store
from tests.harness import BotUnderTest
from tests.reminders.helpers import join, register_mother, restart, settle, tick, tpk


async def test_killed_mid_dispatch_nothing_lost_only_the_message_in_flight_repeats(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    # Two mothers got their reminder before the crash ...
    early = []
    for n, name in enumerate(("Ani", "Bela")):
        sasaran = await register_mother(bot, wati.id, name)
        early.append(await join(bot, wati, sasaran, 5001 + n, name))
    await settle(bot)
    for mother in early:
        assert "ke-2" in (await mother.next_message()).text
    # ... three more joined after it, and theirs are due in the tick that is cut short.
    late, late_ids = [], []
    for n, name in enumerate(("Citra", "Dewi", "Eka")):
        sasaran = await register_mother(bot, wati.id, name)
        late_ids.append(sasaran)
        late.append(await join(bot, wati, sasaran, 5101 + n, name))

    # Telegram delivers Citra's message, then the answer never comes back: the process
    # is killed while that request is in flight (the tick task is cancelled, nothing of
    # the dispatcher's own clean-up runs).
    bot.emu.faults.configure(error_rate=0.0, deliver_before_fault=True, stall_seconds=30)
    bot.emu.faults.fail_next("timeout", methods=["sendMessage"])
    dispatch = asyncio.create_task(tick(bot))
    assert "ke-2" in (await late[0].next_message()).text
    dispatch.cancel()
    await asyncio.gather(dispatch, return_exceptions=True)
    in_flight = await bot.db.fetch_value("SELECT count(*) FROM reminders WHERE state = 'sending'")
    assert in_flight == 3, "Citra's (in flight) and the two claimed but not yet attempted"

    await restart(bot)
    bot.clock.advance(timedelta(seconds=20))
    reports = await settle(bot)
    assert reports[0].recovered == 3

    for mother in early:
        assert await mother.messages_until_quiet(quiet=0.2) == [], "what was sent is not sent again"
    repeat = await late[0].messages_until_quiet(quiet=0.2)
    assert [m.text for m in repeat] == [m.text for m in repeat if "ke-2" in m.text] and len(repeat) == 1, (
        "the one message in flight goes out once more"
    )
    for mother in late[1:]:
        got = await mother.messages_until_quiet(quiet=0.2)
        assert len(got) == 1 and "ke-2" in got[0].text, "nothing lost"
    for sasaran in late_ids:
        anc2 = next(r for r in await reminders_store.for_sasaran(bot.db, sasaran) if r.kind == "anc_2")
        assert anc2.state == "sent"
        assert [o for o, _ in await outbox.attempts_of(bot.db, "reminders", anc2.id)] == ["recovered", "sent"]
    assert await bot.db.fetch_value("SELECT count(*) FROM reminders WHERE state = 'sending'") == 0


async def test_what_fell_due_while_the_bot_was_down_is_sent_if_still_in_its_window(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari")
    sari = await join(bot, wati, sasaran, 5001, "Sari")
    await settle(bot)
    assert "ke-2" in (await sari.next_message()).text
    await bot.stop()
    bot.clock.advance(timedelta(days=2, hours=2))  # down from Monday 09:00 to Wednesday 11:00
    await bot.start()
    await settle(bot)
    got = await sari.messages_until_quiet(quiet=0.2)
    assert [m.text for m in got if "ke-3" in m.text] and len(got) == 1, "ANC-3 (due Tuesday, open for weeks)"
