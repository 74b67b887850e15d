"""The update processor: each person's updates in order, different people at once, and a
person's queue never holding the slots everyone else needs (issue 15, point 5)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor

_WHEN = datetime(2026, 11, 23, tzinfo=UTC)


def _update(update_id: int, user_id: int) -> Update:
    sender = User(user_id, "Anggota", is_bot=False)
    message = Message(update_id, _WHEN, Chat(user_id, Chat.PRIVATE), from_user=sender, text="halo")
    return Update(update_id, message=message)


async def test_one_persons_updates_run_in_arrival_order_one_at_a_time() -> None:
    processor = PerUserUpdateProcessor()
    order: list[int] = []
    running = 0

    async def handle(number: int) -> None:
        nonlocal running
        running += 1
        assert running == 1, "two updates of one person ran at once"
        await asyncio.sleep(0.01 if number % 2 else 0)  # the odd ones are slower
        order.append(number)
        running -= 1

    await asyncio.gather(*(processor.process_update(_update(n, 7), handle(n)) for n in range(20)))
    assert order == list(range(20))


async def test_two_people_run_at_the_same_time() -> None:
    processor = PerUserUpdateProcessor()
    both_inside = asyncio.Barrier(2)

    async def handle() -> None:
        await asyncio.wait_for(both_inside.wait(), 2)  # only returns if the other one is inside too

    await asyncio.gather(processor.process_update(_update(1, 7), handle()),
                         processor.process_update(_update(2, 8), handle()))


async def test_a_long_queue_of_one_person_does_not_take_the_slots_of_another() -> None:
    """The member whose /ekspor runs sends 150 quick messages: they wait for their own turn,
    and another member's /bantuan still runs at once (on the old processor the 150 held all
    64 slots while waiting, and /bantuan waited for the export)."""
    processor = PerUserUpdateProcessor(max_concurrent_updates=4)
    export_may_end = asyncio.Event()
    other_ran = asyncio.Event()

    async def slow_export() -> None:
        await export_may_end.wait()

    async def quick() -> None:
        pass

    async def bantuan() -> None:
        other_ran.set()

    tasks = [asyncio.create_task(processor.process_update(_update(1, 7), slow_export()))]
    tasks += [asyncio.create_task(processor.process_update(_update(n, 7), quick())) for n in range(2, 152)]
    await asyncio.sleep(0.05)
    tasks.append(asyncio.create_task(processor.process_update(_update(500, 8), bantuan())))
    await asyncio.wait_for(other_ran.wait(), 1)
    export_may_end.set()
    await asyncio.gather(*tasks)


async def test_a_flood_beyond_the_backlog_is_dropped_not_queued() -> None:
    processor = PerUserUpdateProcessor(max_backlog=10)
    gate = asyncio.Event()
    ran: list[int] = []

    async def handle(number: int) -> None:
        await gate.wait()
        ran.append(number)

    tasks = [asyncio.create_task(processor.process_update(_update(n, 7), handle(n))) for n in range(30)]
    await asyncio.sleep(0.05)
    gate.set()
    await asyncio.gather(*tasks)
    assert ran == list(range(11))  # the running one and ten waiting behind it
