"""Operating limits of the reminder engine (not schedule rules: those are ``[pengingat]``).

They bound the work of one tick, so a backlog of any size is worked off in steady,
small steps and neither memory nor a tick's duration grows with it.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import timedelta


def describe(error: BaseException) -> str:
    """Exception type and stack without its message, which may quote personal data."""
    return f"{type(error).__name__}\n{''.join(traceback.format_tb(error.__traceback__))}"


@dataclass(frozen=True)
class DispatchLimits:
    #: How often the one periodic job runs. Telegram allows ~1 message/s per chat; one
    #: message per chat per tick keeps far below that.
    tick: timedelta = timedelta(seconds=15)
    #: First tick after start-up (recovery of rows left in 'sending' happens there).
    first_tick: timedelta = timedelta(seconds=5)
    #: Rows claimed per round, per table. A tick sends rounds while they come back full,
    #: so a backlog goes out at AIORateLimiter's pace (Telegram's 30 messages/s), not
    #: 25 per tick; a round stays small enough for short transactions.
    batch: int = 25
    #: No round is started that would end later than this before the next tick.
    tick_margin: timedelta = timedelta(seconds=0.5)
    #: Candidates read per claim: the batch plus rows skipped for the same chat.
    scan: int = 100
    #: Mothers whose rolling window is extended per tick.
    plan_batch: int = 100
    #: Rolling materialisation window, in local days from today.
    window_days: int = 14
    #: Send attempts before a reminder is marked failed (network errors and 5xx).
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    #: A row in 'sending' longer than this (a crashed dispatch in a live process) is retried.
    lease: timedelta = timedelta(minutes=10)
    #: Follow-ups (no answer, "Belum") and digests handled per tick.
    followup_batch: int = 50
    digest_batch: int = 50
    #: Daily TPK digest: items due within this many days are listed as upcoming.
    digest_lookahead_days: int = 3
    #: Lines in one digest / summary message (Telegram caps a message at 4096 characters).
    digest_max_items: int = 25
    #: Weekly coordinator summary: ISO weekday (1 = Monday) from which it is built.
    summary_weekday: int = 1
    #: Open items older than this drop out of the weekly summary.
    summary_lookback: timedelta = timedelta(days=28)

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt ``attempts + 1``: 30 s, 1 min, 2 min … capped at an hour."""
        return min(self.backoff_base * (2 ** max(attempts - 1, 0)), self.backoff_cap)
