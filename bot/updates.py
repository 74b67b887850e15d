"""Processing updates concurrently across people, in order for each person.

PTB's default handles one update at a time, so one member's slow step (a database
write, a chart) holds up everyone. Its ``concurrent_updates=True`` runs everything in
parallel, which would let two quick answers from the same member race each other
through a form. This processor does both right: updates of different users run
concurrently, updates of one user run strictly in arrival order.

The order of the two waits matters. PTB's ``process_update`` takes its semaphore
*before* calling :meth:`PerUserUpdateProcessor.do_process_update`; had the 64 slots
been that semaphore, a member who sent 150 quick messages during a slow /ekspor held
all 64 of them with updates that only waited for their own turn, and everyone else's
/bantuan waited 19 s behind them. So PTB's semaphore is made unbounded and the real
limit is a semaphore of our own, taken only once an update's turn has come: a queued
update costs a waiting task, never a slot. One person's queue is bounded too
(:data:`MAX_BACKLOG`): beyond it updates are dropped, as the throttle would drop them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

#: Updates running at once (handlers holding a slot), across everyone.
MAX_RUNNING = 64
#: Updates of one person waiting behind the one running; more are dropped. A person
#: cannot type this many before the bot answers one unless they flood it.
MAX_BACKLOG = 100


def _sender(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_RUNNING, max_backlog: int = MAX_BACKLOG) -> None:
        # PTB's own semaphore is taken before an update waits for its person's turn: unbounded,
        # so that waiting never holds a slot (module doc); ``_slots`` is the real limit.
        super().__init__(sys.maxsize)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._max_backlog = max_backlog
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._dropping: set[int] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _sender(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        if self._waiting.get(key, 0) > self._max_backlog:
            if key not in self._dropping:  # once per flood, not once per update
                self._dropping.add(key)
                log.warning("user %s has %d updates queued: further updates dropped", key, self._waiting[key])
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else queued for this user: forget the lock
                del self._waiting[key]
                del self._locks[key]
                self._dropping.discard(key)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
