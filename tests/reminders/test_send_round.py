"""The send round both outbox tables share: what each table drops, and what each counts."""

from __future__ import annotations

from bot.domain.roles import Status
from bot.reminders.dispatcher import Dispatcher
from bot.reminders.limits import DispatchLimits
from storage import notices as notices_store
from storage import users
from tests.harness import ADMIN_ID, BotUnderTest
from tests.reminders.helpers import tpk


async def _notice(bot: BotUnderTest, recipient_id: int, key: str) -> None:
    async with bot.db.transaction() as tx:
        await notices_store.queue(tx, recipient_id=recipient_id, kind="test", dedupe_key=key,
                                  text="Ada kabar untuk Anda.", now=bot.clock.now())


async def _states(bot: BotUnderTest, table: str) -> list[str]:
    return [row[0] for row in await bot.db.fetch_all(f"SELECT state FROM {table} ORDER BY id")]


async def test_a_notice_to_a_deactivated_member_is_cancelled_not_expired_nor_counted(
    quiet_bot: BotUnderTest,
) -> None:
    bot = quiet_bot
    await tpk(bot, 3001, "Bidan Wati")
    dewi = await tpk(bot, 3002, "Kader Dewi")
    await users.set_status(bot.db, actor_id=ADMIN_ID, user_id=3001, status=Status.INACTIVE, now=bot.clock.now())
    await _notice(bot, 3001, "a")
    await _notice(bot, 3002, "b")
    report = await Dispatcher(bot.services).tick(bot.app.bot)
    assert await _states(bot, "notices") == ["cancelled", "sent"]
    assert (await dewi.next_message()).text == "Ada kabar untuk Anda."
    assert (report.notices_sent, report.sent, report.expired, report.deferred) == (1, 0, 0, 0)


async def test_notices_go_out_in_rounds_while_full_one_per_member_per_tick(quiet_bot: BotUnderTest) -> None:
    """No reminder is due, so only the notices' round decides: rounds of 2 go on while they
    come back full; a member's second notice waits for the next tick."""
    bot = quiet_bot
    for user_id in range(3001, 3006):
        await tpk(bot, user_id, f"Kader {user_id}")
        await _notice(bot, user_id, f"first {user_id}")
    await _notice(bot, 3001, "second 3001")
    dispatcher = Dispatcher(bot.services, DispatchLimits(batch=2))
    report = await dispatcher.tick(bot.app.bot)
    assert (report.notices_sent, report.rounds, report.sent) == (5, 3, 0)  # 2 + 2 + 1: the third was not full
    assert await _states(bot, "notices") == ["sent"] * 5 + ["scheduled"]
    report = await dispatcher.tick(bot.app.bot)
    assert (report.notices_sent, report.rounds) == (1, 1)
    assert await _states(bot, "notices") == ["sent"] * 6
