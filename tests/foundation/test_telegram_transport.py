"""The Bot API transport (bot/transport/http.py) and the retry wrapper around it
(bot/transport/retry.py): the wire format, each of the four time-outs, TLS verification,
shutdown, and which failures count as "never sent". Servers are local: an aiohttp app,
or raw sockets that misbehave on purpose."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.dev.emulator import BotApiEmulator
from bot.transport import http as telegram_http
from bot.transport import retry as telegram_retry
from bot.transport.http import AiohttpRequest
from bot.transport.retry import RetryingRequest


async def _server(handler: Callable[[web.Request], Any]) -> AsyncIterator[str]:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/{tail:.*}", handler)
    # A stalling handler is still waiting when the test ends: do not wait aiohttp's default
    # minute for it to finish.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def echo_server() -> AsyncIterator[str]:
    """Answers with what it received: headers, url-encoded or multipart fields (files as
    name, type, size and SHA-256)."""

    async def handler(request: web.Request) -> web.Response:
        fields: dict[str, Any] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, aiohttp.BodyPartReader)
                data = await part.read()
                if part.filename is None:
                    fields[part.name or ""] = data.decode()
                else:
                    fields[part.name or ""] = {"filename": part.filename, "type": part.headers["Content-Type"],
                                               "size": len(data), "sha": hashlib.sha256(data).hexdigest()}
        else:
            fields = dict(await request.post())
        return web.json_response({"type": request.content_type, "chunked": "Transfer-Encoding" in request.headers,
                                  "agent": request.headers.get("User-Agent"), "fields": fields})

    async for base in _server(handler):
        yield base


@pytest.fixture
async def stalling_server() -> AsyncIterator[str]:
    """Reads the request, then answers nothing for a minute (or until the test ends)."""

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(60)
        return web.Response()

    async for base in _server(handler):
        yield base


async def _post(request: BaseRequest, url: str, params: dict[str, Any] | None = None,
                **timeouts: Any) -> tuple[int, bytes]:
    from telegram.request._requestparameter import RequestParameter

    data = RequestData([RequestParameter.from_input(k, v) for k, v in (params or {}).items()])
    return await request.do_request(url, "POST", data, **timeouts)


async def test_parameters_go_url_encoded_as_with_ptbs_default(echo_server: str) -> None:
    async with AiohttpRequest() as request:
        code, payload = await _post(request, f"{echo_server}/botT/sendMessage",
                                    {"chat_id": 5, "text": "Halo & selamat 👋", "reply_markup": {"a": [1]}})
    answer = json.loads(payload)
    assert code == 200
    assert answer["type"] == "application/x-www-form-urlencoded"
    assert answer["agent"] == BaseRequest.USER_AGENT
    assert answer["fields"] == {"chat_id": "5", "text": "Halo & selamat 👋", "reply_markup": '{"a": [1]}'}


@pytest.mark.parametrize("size", [100, telegram_http.CHUNK * 40 + 7], ids=["small", "chunked-upload"])
async def test_files_go_multipart_whole_and_not_chunk_encoded(echo_server: str, size: int) -> None:
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    document = InputFile(content, filename='rekap "Oktober" – Curug.xlsx')
    async with AiohttpRequest() as request:
        code, payload = await _post(request, f"{echo_server}/botT/sendDocument",
                                    {"chat_id": 5, "caption": "Rekap", "document": document})
    answer = json.loads(payload)
    assert code == 200
    assert answer["type"] == "multipart/form-data" and not answer["chunked"]
    assert answer["fields"]["chat_id"] == "5" and answer["fields"]["caption"] == "Rekap"
    uploaded = next(v for v in answer["fields"].values() if isinstance(v, dict))
    assert uploaded["size"] == len(content) and uploaded["sha"] == hashlib.sha256(content).hexdigest()
    assert uploaded["filename"] == "rekap %22Oktober%22 – Curug.xlsx"


async def test_a_bot_on_the_transport_talks_to_the_emulator(tmp_path: Path) -> None:
    async with BotApiEmulator(token="123:ABC") as emu:
        user = emu.user(42, "Sari")
        bot = Bot("123:ABC", base_url=emu.base_url, base_file_url=emu.base_file_url, request=AiohttpRequest(),
                  get_updates_request=AiohttpRequest(connection_pool_size=1))
        async with bot:
            message = await bot.send_message(42, "Halo")
            sent = await bot.send_document(42, b"%PDF-1" + b"0" * 100_000, filename="laporan.pdf")
            assert sent.document is not None
            downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()  # a GET
            await user.send("hai")
            updates = await bot.get_updates(timeout=1)
        assert message.text == "Halo"
        assert [u.message.text for u in updates if u.message] == ["hai"]
        assert sent.document.file_name == "laporan.pdf" and sent.document.file_size == 100_006
        assert bytes(downloaded) == b"%PDF-1" + b"0" * 100_000
    emu.assert_no_errors()


async def test_read_timeout_raises_timed_out_with_an_unknown_outcome(stalling_server: str) -> None:
    async with AiohttpRequest(read_timeout=0.3) as request:
        began = time.monotonic()
        with pytest.raises(TimedOut) as caught:
            await _post(request, f"{stalling_server}/botT/sendMessage", {"chat_id": 1, "text": "x"})
        assert time.monotonic() - began < 3
        assert not isinstance(caught.value.__cause__, telegram_retry._NOT_SENT)
        # A per-call read time-out (getUpdates passes its long-poll one) wins over the default.
        began = time.monotonic()
        with pytest.raises(TimedOut):
            await _post(request, f"{stalling_server}/botT/getUpdates", {"timeout": 1}, read_timeout=1.2)
        assert 1.1 < time.monotonic() - began < 4


async def test_pool_timeout_when_every_connection_is_busy_counts_as_never_sent(stalling_server: str) -> None:
    async with AiohttpRequest(connection_pool_size=1, read_timeout=30, pool_timeout=0.2,
                              connect_timeout=0.2) as request:
        busy = asyncio.create_task(_post(request, f"{stalling_server}/botT/sendMessage", {"text": "1"}))
        await asyncio.sleep(0.2)
        began = time.monotonic()
        with pytest.raises(TimedOut) as caught:
            await _post(request, f"{stalling_server}/botT/sendMessage", {"text": "2"})
        assert time.monotonic() - began < 3
        assert isinstance(caught.value.__cause__, telegram_retry._NOT_SENT)
        assert "/botT/" in str(caught.value.__cause__) and "/botT/" not in caught.value.message, "token masked"
        busy.cancel()
        with pytest.raises(asyncio.CancelledError):
            await busy


async def test_connection_refused_counts_as_never_sent() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as caught:
            await _post(request, f"http://127.0.0.1:{port}/botT/sendMessage", {"text": "x"})
    assert isinstance(caught.value.__cause__, telegram_retry._NOT_SENT)


async def test_connect_timeout_when_the_server_never_accepts() -> None:
    """A listening socket with a full backlog: the kernel drops further SYNs, so connecting
    hangs until the connect time-out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):  # fill the accept queue (its size is backlog + 1 on Linux)
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        await asyncio.sleep(0.1)
        async with AiohttpRequest(connect_timeout=0.3, pool_timeout=0.1) as request:
            began = time.monotonic()
            with pytest.raises(TimedOut) as caught:
                await _post(request, f"http://127.0.0.1:{port}/botT/sendMessage", {"text": "x"})
            assert time.monotonic() - began < 3
        assert isinstance(caught.value.__cause__, telegram_retry._NOT_SENT)
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_write_timeout_when_the_server_stops_reading_an_upload() -> None:
    """The server accepts the connection and never reads: the upload fills the socket
    buffers and stalls, and the write time-out (not the read one) ends it."""
    connections: list[asyncio.Transport] = []

    class Deaf(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            transport.pause_reading()
            connections.append(transport)

    server = await asyncio.get_running_loop().create_server(Deaf, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        big = InputFile(b"\0" * (64 * 1024 * 1024), filename="besar.bin")
        async with AiohttpRequest(read_timeout=60, write_timeout=60, media_write_timeout=0.5) as request:
            began = time.monotonic()
            with pytest.raises(TimedOut):
                await _post(request, f"http://127.0.0.1:{port}/botT/sendDocument", {"document": big})
            assert time.monotonic() - began < 10
    finally:
        for transport in connections:
            transport.close()
        server.close()
        await server.wait_closed()


async def test_tls_certificates_are_verified(tmp_path: Path) -> None:
    """An HTTPS server with a self-signed certificate is refused before anything is sent."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    app = web.Application()
    # A stalling handler is still waiting when the test ends: do not wait aiohttp's default
    # minute for it to finish.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        async with AiohttpRequest() as request:
            with pytest.raises(NetworkError) as caught:
                await _post(request, f"https://localhost:{runner.addresses[0][1]}/botT/getMe")
        assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorCertificateError)
        assert isinstance(caught.value.__cause__, telegram_retry._NOT_SENT)
    finally:
        await runner.cleanup()


async def test_shutdown_closes_the_pool_and_initialize_reopens_it(echo_server: str) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await _post(request, f"{echo_server}/botT/getMe")
    await request.initialize()
    session = request._session
    assert session is not None
    await _post(request, f"{echo_server}/botT/getMe")
    await request.shutdown()
    assert session.closed
    with pytest.raises(RuntimeError):
        await _post(request, f"{echo_server}/botT/getMe")
    await request.shutdown()  # twice is fine, as PTB may do
    await request.initialize()
    assert (await _post(request, f"{echo_server}/botT/getMe"))[0] == 200
    await request.shutdown()


# -- the retry wrapper around any transport -----------------------------------------------------


class Scripted(BaseRequest):
    """A transport that plays back outcomes: (status, body) or an exception to raise."""

    def __init__(self, *outcomes: tuple[int, bytes] | BaseException) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.initialized = self.shut = False

    @property
    def read_timeout(self) -> float | None:
        return 7.0

    async def initialize(self) -> None:
        self.initialized = True

    async def shutdown(self) -> None:
        self.shut = True

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         **timeouts: Any) -> tuple[int, bytes]:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def _failure(kind: type[NetworkError], cause: BaseException) -> NetworkError:
    error = kind("failed")
    error.__cause__ = cause
    return error


UNKNOWN = _failure(TimedOut, aiohttp.SocketTimeoutError("read"))
UNSENT = _failure(TimedOut, aiohttp.ConnectionTimeoutError("no free connection"))
NOT_MODIFIED = (400, b'{"ok":false,"error_code":400,"description":"Bad Request: message is not modified"}')


async def _call(request: BaseRequest, method: str = "editMessageText") -> tuple[int, bytes]:
    return await request.do_request(f"https://api.telegram.org/botT/{method}", "POST")


async def test_retry_wrapper_delegates_lifecycle_and_read_timeout() -> None:
    inner = Scripted()
    async with RetryingRequest(inner, backoff=0) as request:
        assert request.read_timeout == 7.0 and inner.initialized
    assert inner.shut


async def test_retry_after_5xx_and_network_errors_up_to_the_attempts() -> None:
    inner = Scripted((502, b"{}"), UNSENT, (200, b'{"ok":true,"result":1}'))
    assert await _call(RetryingRequest(inner, attempts=3, backoff=0)) == (200, b'{"ok":true,"result":1}')
    inner = Scripted((502, b"{}"), (503, b"{}"), (504, b"{}"))
    assert await _call(RetryingRequest(inner, attempts=3, backoff=0)) == (504, b"{}")
    inner = Scripted(UNKNOWN, UNKNOWN, UNKNOWN)
    with pytest.raises(TimedOut):
        await _call(RetryingRequest(inner, attempts=3, backoff=0))
    assert inner.calls == 3
    inner = Scripted((400, b"{}"), (200, b"{}"))
    assert await _call(RetryingRequest(inner, attempts=3, backoff=0)) == (400, b"{}")  # 4xx is final


async def test_already_done_after_an_unknown_outcome_is_success_but_not_after_an_unsent_one() -> None:
    inner = Scripted(UNKNOWN, NOT_MODIFIED)
    assert await _call(RetryingRequest(inner, backoff=0)) == telegram_retry._DONE
    inner = Scripted(UNSENT, NOT_MODIFIED)
    assert await _call(RetryingRequest(inner, backoff=0)) == NOT_MODIFIED
    inner = Scripted(NOT_MODIFIED)
    assert await _call(RetryingRequest(inner, backoff=0)) == NOT_MODIFIED


async def test_get_updates_is_never_retried() -> None:
    inner = Scripted(UNKNOWN, (200, b"{}"))
    with pytest.raises(TimedOut):
        await _call(RetryingRequest(inner, backoff=0), "getUpdates")
    assert inner.calls == 1


async def test_the_application_uses_the_transport_for_calls_and_for_the_long_poll(bot: Any) -> None:
    """API calls go through the retry wrapper around the aiohttp transport; getUpdates has
    its own transport with one connection and no retrying (the Updater repeats it)."""
    get_updates, calls = bot.app.bot._request
    assert isinstance(calls, RetryingRequest) and isinstance(calls._inner, AiohttpRequest)
    assert isinstance(get_updates, AiohttpRequest) and get_updates._pool_size == 1
    assert calls.read_timeout == get_updates.read_timeout == telegram_retry.READ_TIMEOUT


# -- a total time-out and a size cap on answers (issue 15, point 10) ------------------------------


async def _streaming(request: web.Request, chunks: int, pause: float, *,
                     announce: int | None = None) -> web.StreamResponse:
    await request.read()
    response = web.StreamResponse(headers={"Content-Length": str(announce)} if announce else None)
    await response.prepare(request)
    for _ in range(chunks):
        await response.write(b"x" * 512)
        await asyncio.sleep(pause)
    await response.write_eof()
    return response


async def test_an_answer_that_trickles_ends_at_the_total_time_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte now and then restarts the read time-out; the total one still ends it."""
    monkeypatch.setattr(telegram_http, "TOTAL_TIMEOUT", 1.0)
    async def trickle(request: web.Request) -> web.StreamResponse:
        return await _streaming(request, chunks=1000, pause=0.1)

    async for base in _server(trickle):
        async with AiohttpRequest(read_timeout=0.5) as request:
            started = time.monotonic()
            with pytest.raises(TimedOut):
                async with asyncio.timeout(10):
                    await _post(request, f"{base}/botT/getMe")
            assert time.monotonic() - started < 3


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
async def test_an_answer_larger_than_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch, announced: bool) -> None:
    monkeypatch.setattr(telegram_http, "MAX_ANSWER_BYTES", 4096)
    size = 512 * 20
    async def large(request: web.Request) -> web.StreamResponse:
        return await _streaming(request, chunks=20, pause=0, announce=size if announced else None)

    async for base in _server(large):
        async with AiohttpRequest() as request:
            with pytest.raises(NetworkError, match="refused"):
                await _post(request, f"{base}/botT/getUpdates")
            monkeypatch.setattr(telegram_http, "MAX_ANSWER_BYTES", size)
            code, payload = await _post(request, f"{base}/botT/getUpdates")  # at the cap: read whole
            assert code == 200 and len(payload) == size
