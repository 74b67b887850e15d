"""Politely slowing down one person who sends too much, without slowing anyone else.

A token bucket per user, checked before anything touches the database: within the
allowance every update passes; beyond it updates are dropped, and the sender is told
once per quiet period to slow down. Operational, not domain time: it uses a
monotonic clock, injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

SLOW_DOWN = "Pesan Anda terlalu cepat. Mohon tunggu sebentar, lalu kirim lagi pelan-pelan ya. 🙏"


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned_at: float = float("-inf")


@dataclass
class Throttle:
    burst: int = 15  # updates allowed at once
    per_second: float = 3.0  # sustained rate
    warn_every: float = 30.0  # seconds between "slow down" notices
    now: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def allow(self, user_id: int) -> tuple[bool, bool]:
        """(let it through, send the slow-down notice now)."""
        moment = self.now()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(tokens=self.burst, updated=moment)
        bucket.tokens = min(self.burst, bucket.tokens + (moment - bucket.updated) * self.per_second)
        bucket.updated = moment
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if len(self._buckets) > 10_000:
                self._forget_idle(moment)
            return True, False
        warn = moment - bucket.warned_at >= self.warn_every
        if warn:
            bucket.warned_at = moment
        return False, warn

    def _forget_idle(self, moment: float) -> None:
        refilled = {uid: b.tokens + (moment - b.updated) * self.per_second for uid, b in self._buckets.items()}
        full = [uid for uid, tokens in refilled.items() if tokens >= self.burst]
        for uid in full:
            del self._buckets[uid]

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        allowed, warn = self.allow(user.id)
        if allowed:
            return
        if warn and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, SLOW_DOWN)
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop
