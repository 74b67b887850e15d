"""Telegram-like flood control: 429 Too Many Requests with retry_after.

Telegram does not publish exact limits; the documented guidance is about one message per
second per chat and about 30 messages per second overall. Bots that broadcast reminders
must pace themselves (PTB's AIORateLimiter or their own), and this is how tests prove it.

Windows slide over the last ``window`` seconds of *accepted* calls (rejected calls do not
consume capacity). ``retry_after`` is the whole number of seconds until the oldest call in
the full window expires, at least 1, as Telegram never answers ``retry_after: 0``.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable

__all__ = ["SEND_METHODS", "FloodControl"]

SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendaudio",
        "sendvideo",
        "sendanimation",
        "sendvoice",
        "sendvideonote",
        "sendsticker",
        "sendlocation",
        "sendvenue",
        "sendcontact",
        "sendpoll",
        "senddice",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)


class FloodControl:
    """``emu.flood``: off until configured."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.rejected: Counter[int | None] = Counter()  # 429s per chat id
        self._per_chat: int | None = None
        self._global: int | None = None
        self._window = 1.0
        self._methods: frozenset[str] = SEND_METHODS
        self._chat_windows: defaultdict[int | None, deque[float]] = defaultdict(deque)
        self._global_window: deque[float] = deque()

    def configure(
        self,
        *,
        per_chat_per_second: int | None = 1,
        global_per_second: int | None = 30,
        methods: Iterable[str] | None = None,
        window: float = 1.0,
    ) -> None:
        """Limit calls of ``methods`` (default: the send* family) per ``window`` seconds."""
        self._per_chat = per_chat_per_second
        self._global = global_per_second
        self._window = window
        self._methods = SEND_METHODS if methods is None else frozenset(m.lower() for m in methods)
        self._chat_windows.clear()
        self._global_window.clear()

    def clear(self) -> None:
        """Switch flood control off. ``rejected`` is kept for later assertions."""
        self._per_chat = None
        self._global = None

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def active(self) -> bool:
        return self._per_chat is not None or self._global is not None

    def check(self, method: str, chat_id: int | None) -> int | None:
        """Admit the call (None) or return the retry_after seconds for a 429."""
        if not self.active or method.lower() not in self._methods:
            return None
        now = self._monotonic()
        chat_window = self._chat_windows[chat_id]
        for window in (self._global_window, chat_window):
            while window and window[0] <= now - self._window:
                window.popleft()
        for window, limit in ((self._global_window, self._global), (chat_window, self._per_chat)):
            if limit is not None and len(window) >= limit:
                self.rejected[chat_id] += 1
                return max(1, math.ceil(window[-limit] + self._window - now))
        self._global_window.append(now)
        chat_window.append(now)
        return None
