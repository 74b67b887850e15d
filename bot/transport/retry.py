"""Retrying the Bot API calls a single network hiccup would otherwise fail.

python-telegram-bot retries nothing by itself: ``AIORateLimiter(max_retries=3)`` retries a
429 (``RetryAfter``) only, and a 502, a time-out or a dropped connection surfaces in the
handler as ``NetworkError``/``TimedOut``. In the middle of a form that means the answer is
saved but the next question never reaches the member; they get the apology at best.

:class:`RetryingRequest` wraps the transport the Application uses (``build_application``
installs it with :func:`request`; the transport itself is :mod:`bot.transport.http`). It
repeats a call a few times with a short pause when:

* the request certainly never reached Telegram (connection refused, connect or pool
  time-out), for every method;
* Telegram answered 500/502/503/504 (its gateway did not act), for every method;
* the outcome is unknown (read time-out, connection dropped after the request was
  written), for every method except ``getUpdates`` (its loop is the Updater's). The
  first attempt may have been carried out: a repeated ``sendMessage`` can show the same
  message twice (harmless for a question, and the reminder dispatcher would resend it
  anyway), and a repeated edit, callback answer or deletion is refused by Telegram as
  already done ("message is not modified", "query is too old", "message to delete not
  found") — which, after an unknown outcome, *means* it was done, so that refusal is
  turned into success.

429 is left to AIORateLimiter (it knows ``retry_after``); 4xx answers are never retried.
After the last attempt the original error is raised, so the handlers' error path (the
apology) still runs when Telegram is really down.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.transport import http as telegram_http

log = logging.getLogger(__name__)

#: Attempts per call, including the first.
ATTEMPTS = 3
#: Pause before the second attempt; doubled before each further one.
BACKOFF_SECONDS = 0.5
#: The read time-out of one attempt (python-telegram-bot's default). Tests lower it so an
#: emulated stall costs a second, not five.
READ_TIMEOUT = 5.0
#: Statuses meaning "Telegram's gateway did not act": safe to repeat.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: Refusals that, after an attempt with an unknown outcome, mean the attempt succeeded.
ALREADY_DONE = (
    b"message is not modified",
    b"query is too old",
    b"message to delete not found",
)
_DONE = (200, b'{"ok":true,"result":true}')
#: Transport errors raised before anything was written to Telegram: aiohttp's (the
#: transport in use) and httpx's (PTB's default, should a caller wrap that instead).
_NOT_SENT = (*telegram_http.NOT_SENT, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _api_method(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def _certainly_unsent(error: BaseException) -> bool:
    return isinstance(error.__cause__, _NOT_SENT)


class RetryingRequest(BaseRequest):
    """Any ``BaseRequest`` that repeats a call after a 5xx or a network error (see module doc).

    A wrapper rather than a subclass so the retry rules are written once, whatever carries
    the bytes; initialising and shutting down go straight to the wrapped transport."""

    __slots__ = ("_attempts", "_backoff", "_inner")

    def __init__(self, inner: BaseRequest, *, attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS) -> None:
        self._inner = inner
        self._attempts = max(1, attempts)
        self._backoff = backoff

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts: dict[str, Any] = {"read_timeout": read_timeout, "write_timeout": write_timeout,
                                    "connect_timeout": connect_timeout, "pool_timeout": pool_timeout}
        api_method = _api_method(url)
        if api_method.lower() == "getupdates":
            return await self._inner.do_request(url, method, request_data, **timeouts)
        uncertain = False  # an earlier attempt may have been carried out
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                code, payload = await self._inner.do_request(url, method, request_data, **timeouts)
            except (TimedOut, NetworkError) as error:
                if last:
                    raise
                uncertain = uncertain or not _certainly_unsent(error)
                log.warning("Bot API %s: %s (attempt %d of %d), trying again", api_method,
                            type(error.__cause__ or error).__name__, attempt, self._attempts)
            else:
                if uncertain and code == 400 and any(marker in payload for marker in ALREADY_DONE):
                    log.info("Bot API %s: the attempt that timed out had been carried out", api_method)
                    return _DONE
                if code not in RETRY_STATUSES or last:
                    return code, payload
                log.warning("Bot API %s: HTTP %d (attempt %d of %d), trying again", api_method, code, attempt,
                            self._attempts)
            await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover


#: Connections for API calls: up to 64 updates run at once (bot/updates.py) and a button
#: press sends two calls together, so 128 keeps a call from ever waiting for a connection
#: under load the outgoing limiter lets through.
POOL_SIZE = 128


def request() -> RetryingRequest:
    """The transport for ``ApplicationBuilder().request(...)`` (API calls, not getUpdates)."""
    return RetryingRequest(telegram_http.AiohttpRequest(connection_pool_size=POOL_SIZE, read_timeout=READ_TIMEOUT),
                           attempts=ATTEMPTS, backoff=BACKOFF_SECONDS)


def get_updates_request() -> telegram_http.AiohttpRequest:
    """The transport for ``ApplicationBuilder().get_updates_request(...)``: one connection
    (one long poll at a time) and no retrying (the Updater's loop repeats it)."""
    return telegram_http.AiohttpRequest(connection_pool_size=1, read_timeout=READ_TIMEOUT)
