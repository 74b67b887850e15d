"""Method name -> handler table, filled by the ``@api_method`` decorator.

A handler receives the server state and the decoded, spec-checked parameters and returns
the ``result`` of the envelope (or raises ApiError). Handlers may be plain functions or
coroutines; only getUpdates actually awaits anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.dev.emulator.state import EmulatorState

__all__ = ["HANDLERS", "Handler", "Params", "api_method"]

Params = dict[str, Any]
Handler = Callable[[EmulatorState, Params], Any | Awaitable[Any]]

HANDLERS: dict[str, Handler] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under a Bot API method name (matched case-insensitively)."""

    def register(func: Handler) -> Handler:
        HANDLERS[name.lower()] = func
        return func

    return register
