"""Helpers to run a real python-telegram-bot Application against BotApiEmulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from telegram.ext import Application, ApplicationBuilder

from bot.dev.emulator import BotApiEmulator

TOKEN = "123456:TEST"
BOT_USERNAME = "tpk_test_bot"


def build_application(
    emu: BotApiEmulator, *, read_timeout: float = 2.0, **options: Any
) -> Application:  # type: ignore[type-arg]
    """A real PTB Application whose HTTP goes to the emulator.

    ``options`` are ApplicationBuilder method names with their argument, e.g.
    ``rate_limiter=AIORateLimiter()``.
    """
    builder = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .read_timeout(read_timeout)
        .get_updates_read_timeout(read_timeout)
    )
    for name, value in options.items():
        builder = getattr(builder, name)(value)
    return builder.build()


@asynccontextmanager
async def polling(app: Application, *, timeout: int = 1) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Initialise, start and poll; stop everything on exit (also on test failure)."""
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=timeout)  # type: ignore[union-attr]
        try:
            yield app
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()


async def raw_call(
    session: aiohttp.ClientSession,
    emu: BotApiEmulator,
    method: str,
    *,
    form: dict[str, str] | None = None,
    **params: Any,
) -> tuple[int, dict[str, Any]]:
    """POST a Bot API call with a JSON body (or a form body) and return (status, body)."""
    url = f"{emu.base_url}{emu.token}/{method}"
    if form is not None:
        async with session.post(url, data=form) as response:
            return response.status, await response.json()
    async with session.post(url, json=params) as response:
        return response.status, await response.json()
