"""The HTTP transport between python-telegram-bot and the Bot API, on aiohttp.

PTB's default transport (``HTTPXRequest``) is correct but heavy: profiling the bot under
load (bench/bench_conversation.py) put about 55 % of the main thread inside httpx,
httpcore and anyio — building ``httpx.Request`` objects, cookie and auth hooks, two
socket writes per request, an anyio cancel scope per read. The bot's CPU goes almost
entirely to talking to Telegram, so a cheaper transport is directly more members
served per core. aiohttp is already a dependency (the emulator and the playground use
it) and its client is mostly C (``_http_parser``, ``_http_writer``).

:class:`AiohttpRequest` implements :class:`telegram.request.BaseRequest` with the
same wire format as PTB's default (``application/x-www-form-urlencoded``, or
``multipart/form-data`` when files are uploaded) and the same four time-outs:

* **connect**: opening a new connection (TCP and TLS), aiohttp's ``sock_connect``;
* **pool**: waiting for a free connection when all ``connection_pool_size`` are busy.
  aiohttp has one budget for "get a connection" (waiting plus connecting), so it gets
  ``pool + connect``; a connection that is free is taken at once either way;
* **write**: sending the request. A body up to :data:`CHUNK` bytes is handed to the
  socket in one non-blocking write (aiohttp waits for the socket to drain only past
  64 KiB), so it can never wait; a larger one (an uploaded chart or workbook) is fed
  in chunks, and a chunk that the socket does not accept within the write time-out
  ends the request with ``TimedOut``;
* **read**: waiting for the answer, counted from the end of the upload — aiohttp's
  ``sock_read``, which restarts whenever bytes arrive, as httpx's read time-out does.

Because the read time-out restarts with every byte, a server (or something in between)
that trickles an answer could hold a request for ever, and one that sends an endless
answer could fill the memory. So every request also has a **total** time-out
(:data:`TOTAL_TIMEOUT`, above the 30 s long poll) and an answer is read only up to
:data:`MAX_ANSWER_BYTES` (above the Bot API's 20 MB download limit); past either the
request ends with ``TimedOut`` / ``NetworkError``.

Failures become PTB's ``TimedOut`` / ``NetworkError`` with the aiohttp exception as
``__cause__``; :mod:`bot.transport.retry` reads the cause to tell "never sent" from
"outcome unknown". TLS is verified against certifi's CA bundle (what httpx used), no
proxy is read from the environment, and :meth:`AiohttpRequest.shutdown` closes every
pooled connection.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import IO

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["CHUNK", "NOT_SENT", "REFUSALS", "AiohttpRequest", "close_all", "watch_refusals"]

#: Bodies larger than this are fed to the socket in chunks of this size under the write
#: time-out; smaller ones go out in one write that cannot wait (see module doc).
CHUNK = 32 * 1024
#: Longest any one request may take, start to end, whatever the other time-outs say.
TOTAL_TIMEOUT = 120.0
#: Largest answer read from the Bot API (files it serves are at most 20 MB).
MAX_ANSWER_BYTES = 32 * 1024 * 1024
#: aiohttp errors raised before any byte of the request was written: no connection could
#: be made (refused, DNS, TLS handshake, proxy) or none became free in time.
NOT_SENT: tuple[type[BaseException], ...] = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)

#: Answers after which this process must stop: the token is wrong or was revoked (401),
#: or another process polls getUpdates with it (409).
REFUSALS = frozenset({401, 409})
#: An empty getUpdates answer, given locally once Telegram refused us (see :func:`watch_refusals`).
_NO_UPDATES = (200, b'{"ok":true,"result":[]}')

_FORM = "application/x-www-form-urlencoded"
_IN_URL_TOKEN = re.compile(r"/bot[^/\s]+/")


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` on one pooled ``aiohttp.ClientSession`` (see module doc).

    The defaults are PTB's (5 s read, write and connect, 1 s pool, 20 s for uploads). Make
    one object for API calls and another, with a pool of one, for ``getUpdates``: PTB
    keeps the long poll on its own request object so it never waits behind a send.
    """

    __slots__ = ("_connect", "_media_write", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(
        self,
        *,
        connection_pool_size: int = 128,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = max(1, connection_pool_size)
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0, ssl=_tls_context())
            # No cookies (the Bot API sets none), no proxy from the environment, no
            # automatic Content-Type guessing: the headers are exactly the ones set below.
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  trust_env=False, headers={"User-Agent": self.USER_AGENT})
            _sessions.add(self._session)

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

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
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        body, content_type = _encode(request_data)
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write if request_data is not None and request_data.contains_files else self._write
        else:
            write = write_timeout
        timeout = aiohttp.ClientTimeout(
            total=TOTAL_TIMEOUT,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        headers = {"Content-Type": content_type} if content_type else None
        polling = url.endswith("/getUpdates")
        if polling and _watch.refused is not None:
            await asyncio.sleep(_REFUSED_POLL_PAUSE)
            return _NO_UPDATES
        try:
            if body is None or len(body) <= CHUNK or write is None:
                async with session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                    answer = response.status, await _read_capped(response)
            else:
                answer = await self._upload(session, method, url, body, headers or {}, timeout, write)
        except TimeoutError as error:  # aiohttp's time-outs are TimeoutError subclasses
            raise TimedOut(_describe(error)) from error
        except aiohttp.ClientError as error:
            raise NetworkError(_describe(error)) from error
        if answer[0] in REFUSALS and (polling or answer[0] == 401) and _watch.refused_now(answer[0]):
            return _NO_UPDATES if polling else answer
        return answer

    @staticmethod
    async def _upload(session: aiohttp.ClientSession, method: str, url: str, body: bytes, headers: dict[str, str],
                      timeout: aiohttp.ClientTimeout, write: float) -> tuple[int, bytes]:
        """A large body in chunks, each accepted by the socket within ``write`` seconds.

        The guard's deadline is pushed forward each time aiohttp asks for the next chunk
        (it asks only once the previous one was accepted) and lifted after the last, so
        from then on only the read time-out applies."""
        loop = asyncio.get_running_loop()
        guard = asyncio.timeout(None)

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), CHUNK):
                guard.reschedule(loop.time() + write)
                yield body[start:start + CHUNK]
            guard.reschedule(None)

        # An explicit length keeps the body un-chunked, as a bytes body would be.
        headers = {**headers, "Content-Length": str(len(body))}
        try:
            async with guard, session.request(method, url, data=chunks(), headers=headers,
                                              timeout=timeout) as response:
                return response.status, await _read_capped(response)
        except TimeoutError as error:
            if guard.expired():
                raise TimedOut(f"Write timeout: the upload stalled for {write} s") from error
            raise


class _RefusalWatch:
    """Who to tell when Telegram refuses this process (see :func:`watch_refusals`)."""

    def __init__(self) -> None:
        self.listener: Callable[[int], None] | None = None
        self.refused: int | None = None

    def refused_now(self, status: int) -> bool:
        """Record a refusal; True when someone watches (the answer is then replaced)."""
        if self.listener is None:
            return False
        if self.refused is None:
            self.refused = status
            self.listener(status)
        return True


_watch = _RefusalWatch()
#: Pause of a getUpdates answered locally after a refusal, so PTB's loop does not spin.
_REFUSED_POLL_PAUSE = 0.2
_sessions: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


@contextmanager
def watch_refusals(listener: Callable[[int], None]) -> Iterator[None]:
    """Tell ``listener`` (once) when Telegram answers 401 to any call or 409 to getUpdates.

    python-telegram-bot's polling loop gives up on a 401 without ending anything (the
    process stayed up, half dead) and retries a 409 forever, logging a traceback each
    time. While watched, the first such answer goes to ``listener`` (the CLI stops the
    bot and prints one line) and from then on getUpdates is answered here with no
    updates, so the loop neither retries against Telegram nor logs while the bot stops."""
    _watch.listener, _watch.refused = listener, None
    try:
        yield
    finally:
        _watch.listener, _watch.refused = None, None


async def close_all() -> None:
    """Close every session still open, e.g. after a start-up that failed before
    python-telegram-bot took ownership of its transports (a 401 from getMe)."""
    for session in list(_sessions):
        if not session.closed:
            await session.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Certificate-verifying TLS against certifi's CA bundle; loading it takes ~20 ms, so
    once per process, shared by every transport."""
    return ssl.create_default_context(cafile=certifi.where())


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The answer's body, refused past :data:`MAX_ANSWER_BYTES` (announced or sent)."""
    limit = MAX_ANSWER_BYTES
    if response.content_length is not None and response.content_length > limit:
        raise NetworkError(f"answer of {response.content_length} bytes refused (limit {limit})")
    parts: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            raise NetworkError(f"answer longer than {limit} bytes refused")
        parts.append(chunk)
    return b"".join(parts)


def _describe(error: BaseException) -> str:
    """The error for PTB's message, without the token some aiohttp errors quote in the URL."""
    return f"aiohttp.{type(error).__name__}: " + _IN_URL_TOKEN.sub("/bot<token>/", str(error))


def _encode(request_data: RequestData | None) -> tuple[bytes | None, str | None]:
    """The body and its Content-Type: url-encoded parameters, or multipart with files."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.url_encoded_parameters().encode(), _FORM
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in request_data.json_parameters.items():
        parts.append(_part_head(boundary, name) + b"\r\n" + value.encode() + b"\r\n")
    for name, (filename, content, mime) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else _read_all(content)
        head = _part_head(boundary, name, filename) + f"Content-Type: {mime}\r\n".encode()
        parts.append(head + b"\r\n" + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _part_head(boundary: str, name: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{_quote(name)}"'
    if filename is not None:
        disposition += f'; filename="{_quote(filename)}"'
    return f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()


def _quote(value: str) -> str:
    """A header parameter value, escaped as browsers (and httpx) do for form data."""
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _read_all(handle: IO[bytes]) -> bytes:
    return handle.read()
