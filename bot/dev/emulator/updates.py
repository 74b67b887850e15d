"""The pending-update queue behind getUpdates, with Telegram's long-poll semantics.

* An update stays pending until a later getUpdates confirms it with ``offset`` greater
  than its ``update_id``; reading it does not remove it. So an answer lost on the wire
  (client timeout, cancelled poll) never loses updates, and a client that mishandles
  ``offset`` sees duplicates, exactly as against Telegram.
* A long poll waits on a future that ``push`` resolves: no busy loop, instant wake-up.
* A new getUpdates terminates a still-waiting older one with 409 Conflict, like Telegram
  (it happens benignly when PTB cancels a poll and immediately issues its cleanup call).
* ``allowed_updates`` persists between calls and filters updates when they are created.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any

from bot.dev.emulator.errors import ApiError

__all__ = ["ALL_UPDATE_TYPES", "DEFAULT_UPDATE_TYPES", "UpdateQueue"]

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What Telegram sends when allowed_updates was never set or set to [].
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

_CONFLICT = "conflict"
_WAKE = "wake"


class UpdateQueue:
    """Pending updates in ``update_id`` order plus the long-polling machinery."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(first_update_id)
        self._waiters: set[asyncio.Future[str]] = set()
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.closed = False
        self.conflicts = 0
        self.filtered = 0  # updates dropped because allowed_updates excluded them

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def waiting(self) -> int:
        """Number of getUpdates calls currently long-polling."""
        return sum(not w.done() for w in self._waiters)

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Create an update; returns its id, or None when allowed_updates filters it."""
        if kind not in self.allowed:
            self.filtered += 1
            return None
        update_id = next(self._ids)
        self._pending.append({"update_id": update_id, kind: payload})
        self._wake(_WAKE)
        return update_id

    def set_allowed(self, allowed: list[str]) -> list[str]:
        """Apply an allowed_updates list; returns the names Telegram would not know."""
        unknown = [name for name in allowed if name not in ALL_UPDATE_TYPES]
        known = frozenset(allowed) & ALL_UPDATE_TYPES
        self.allowed = known or DEFAULT_UPDATE_TYPES
        return unknown

    def confirm(self, offset: int | None) -> None:
        """Forget updates the client confirmed (positive offset) or skipped (negative)."""
        if not offset:
            return
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        else:
            while len(self._pending) > -offset:
                self._pending.popleft()

    def drop_pending(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        """Answer every waiting long poll now (emulator shutting down)."""
        self.closed = True
        self._wake(_WAKE)

    async def get(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        self.confirm(offset)
        self._wake(_CONFLICT)
        if self._pending or timeout <= 0 or self.closed:
            return self._take(limit)
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                reason = await waiter
        except TimeoutError:
            return []
        finally:
            self._waiters.discard(waiter)
        if reason == _CONFLICT:
            self.conflicts += 1
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                record=False,
            )
        return self._take(limit)

    def _take(self, limit: int) -> list[dict[str, Any]]:
        return list(itertools.islice(self._pending, limit))

    def _wake(self, reason: str) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(reason)
