"""BotApiEmulator: the Telegram Bot API over real HTTP on 127.0.0.1.

Request pipeline for ``/bot<token>/<method>`` (one function, in order):

1. token and method name (unknown method: 404 ``Not Found``, recorded);
2. body decoding (JSON, url-encoded or multipart) and spec check of every parameter;
3. fault injection (``emu.faults``), then flood control (``emu.flood``);
4. the handler (``methods/``), whose result is checked against the spec's return type;
5. the ``{"ok": ...}`` envelope.

Anything that is a bug in the bot (spec violation, misuse) is appended to ``errors`` and
tests assert it stays empty; runtime conditions a correct bot must handle (403 blocked,
"message is not modified", 429) are answered like Telegram but not recorded.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.dev.emulator.errors import ApiError, bad_request
from bot.dev.emulator.faults import Fault, FaultInjector
from bot.dev.emulator.flood import FloodControl
from bot.dev.emulator.methods import HANDLERS
from bot.dev.emulator.spec import SPEC_PATH, BotApiSpec, MethodSpec, Problem, Upload
from bot.dev.emulator.state import Chat, EmulatorState
from bot.dev.emulator.stats import Stats
from bot.dev.emulator.users import SimUser

__all__ = ["BotApiEmulator"]

_log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_STATUS_DROPPED = 0  # stats status for calls answered with a closed connection
_STATUS_CLIENT_GONE = 499  # nginx's "client closed request"


#: Parameters python-telegram-bot fills in from ``Defaults`` for every method that goes
#: through its message path, including edits that have no text. Telegram ignores them.


class BotApiEmulator:
    """A fake Telegram for one bot. See the package docstring for the full API."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "tpk_test_bot",
        clock: Clock | None = None,
        *,
        bot_first_name: str = "TPK Bot",
        spec_path: Path | str = SPEC_PATH,
        self_check: bool = True,
        check_requests: bool = True,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.clock: Clock = clock or SystemClock()
        self.spec = BotApiSpec.load(spec_path)
        self.self_check = self_check
        #: Type-check every parameter against the spec. Benchmarks switch it off so the
        #: double, not the bot under measurement, is never the bottleneck.
        self.check_requests = check_requests
        self.errors: list[str] = []
        self.stats = Stats()
        self.faults = FaultInjector()
        self.flood = FloodControl()
        prefix = token.split(":", 1)[0]
        self.state = EmulatorState(
            bot_user_full={
                "id": int(prefix) if prefix.isdigit() else 123456,
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            },
            clock=self.clock,
            stats=self.stats,
            errors=self.errors,
        )
        self.users: dict[int, SimUser] = {}
        self.groups: dict[int, SimUser] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:port (a free port when 0)."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        # handler_cancellation: a client that gives up (PTB cancelling its long poll on
        # shutdown, a timed-out request) cancels the handler instead of leaving it waiting.
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._stopping.clear()
        self.state.updates.closed = False

    async def stop(self) -> None:
        """Answer pending long polls, end stalled faults, close every connection."""
        if self._runner is None:
            return
        self._stopping.set()
        self.state.updates.close()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("emulator not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- test controls --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        *,
        phone_number: str | None = None,
        language_code: str | None = "id",
        has_started: bool = True,
        sim_class: type[SimUser] = SimUser,
    ) -> SimUser:
        """The simulated user with this id (created on first call; private chat id == id).

        ``has_started=False`` models someone who never opened the bot: Telegram refuses
        to let the bot write first (403) until the user sends something. ``sim_class``
        lets the playground use a SimUser subclass that also watches the chat.
        """
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        profile: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            profile["last_name"] = last_name
        if username:
            profile["username"] = username
        if language_code:
            profile["language_code"] = language_code
        chat = Chat(id=user_id, user=profile, started=has_started)
        self.state.chats[user_id] = chat
        sim = sim_class(self.state, chat, phone_number)
        self.users[user_id] = sim
        return sim

    def group(self, chat_id: int, member: SimUser, title: str = "Grup TPPS", *, kind: str = "group") -> SimUser:
        """``member`` writing in a group chat with the bot (a negative ``chat_id``): what they
        send comes from them in that group, and they watch what the bot posts there."""
        if chat_id >= 0 or kind not in ("group", "supergroup"):
            raise ValueError("a group chat has a negative id and kind 'group' or 'supergroup'")
        existing = self.groups.get(chat_id)
        if existing is not None:
            return existing
        chat = Chat(id=chat_id, user=member.api_user, kind=kind, title=title)
        self.state.chats[chat_id] = chat
        sim = SimUser(self.state, chat)
        self.groups[chat_id] = sim
        return sim

    def menu_commands(self, chat_id: int, language_code: str = "") -> list[dict[str, Any]]:
        """The command menu a client shows in this private chat: the chat's own list,
        else the list for all private chats, else the default one (Telegram's order)."""
        for scope in ({"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}, {"type": "default"}):
            key = json.dumps(scope, sort_keys=True)
            for language in dict.fromkeys((language_code, "")):
                commands = self.state.commands.get((key, language))
                if commands is not None:
                    return list(commands)
        return []

    @property
    def unanswered_callback_queries(self) -> list[str]:
        """Ids of button presses the bot never answered (the user sees a spinner)."""
        return [q.id for q in self.state.callbacks.values() if not q.answered]

    @property
    def pending_update_count(self) -> int:
        return self.state.updates.pending_count

    def assert_no_errors(self) -> None:
        """Raise AssertionError listing every recorded spec violation."""
        if self.errors:
            listing = "\n".join(f"  - {e}" for e in self.errors)
            raise AssertionError(f"{len(self.errors)} Bot API misuse(s):\n{listing}")

    # -- HTTP handlers --------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        name = request.match_info["method"]
        chat_id: int | None = None
        status = 200
        try:
            spec = self._authorise(request.match_info["token"], name)
            name = spec.name
            params = await self._read_params(request, spec)
            if isinstance(params.get("chat_id"), int):
                chat_id = params["chat_id"]
            fault = self.faults.decide(name)
            if fault is not None and not fault.after_processing:
                response, status = await self._inject(request, fault)
                return response
            retry_after = self.flood.check(name, chat_id)
            if retry_after is not None:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    retry_after=retry_after,
                    record=False,
                )
            result = await self._call(spec, params)
            if fault is not None:
                response, status = await self._inject(request, fault)
                return response
            return web.json_response({"ok": True, "result": result})
        except ApiError as err:
            status = err.code
            if err.record:
                self._record(name, err.description, err.detail)
            return web.json_response(err.envelope(), status=err.code)
        except asyncio.CancelledError:
            status = _STATUS_CLIENT_GONE  # the client hung up (timeout, cancelled poll)
            raise
        finally:
            self.stats.record_call(name, chat_id, status, started)

    def _authorise(self, token: str, name: str) -> MethodSpec:
        if token != self.token:
            self._record(name, "wrong bot token", repr(token))
            raise ApiError(401, "Unauthorized", record=False)
        spec = self.spec.method(name)
        if spec is None:
            raise ApiError(404, "Not Found", detail=f"no Bot API method {name!r}")
        return spec

    async def _call(self, spec: MethodSpec, params: dict[str, Any]) -> Any:
        handler = HANDLERS.get(spec.name.lower())
        if handler is None:
            raise bad_request("method not supported by the emulator")
        result = handler(self.state, params)
        if inspect.isawaitable(result):
            result = await result
        if self.self_check:
            for problem in self.spec.check(spec.returns, result, f"{spec.name} result"):
                self._record(spec.name, f"emulator bug: result violates the spec: {problem.message}")
        return result

    async def _read_params(self, request: web.Request, spec: MethodSpec) -> dict[str, Any]:
        """Decode the body the way Telegram does, then check it against the method spec."""
        form_values: dict[str, str | Upload] = dict(request.query)
        json_values: dict[str, Any] = {}
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON body must be an object")
                json_values = {k: v for k, v in body.items() if v is not None}
            elif ctype in _FORM_TYPES:
                form_values.update(await _read_form(request))
            elif await request.read():
                raise bad_request(f"unsupported Content-Type {ctype!r}")

        params: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, raw in [*form_values.items(), *json_values.items()]:
            field = spec.fields.get(name)
            if field is None:
                if not (isinstance(raw, Upload) and _attached(name, form_values, json_values)):
                    # Telegram ignores it, but a parameter the method does not define is a bug in the
                    # bot (e.g. a library default it never meant to send): refused like a missing one.
                    problems.append(Problem(f'unknown parameter "{name}"', True))
                continue
            if name in json_values:
                value = self.spec.coerce_json_value(field, raw)
            else:
                value, error = self.spec.decode_form_value(field, raw)
                if error:
                    problems.append(Problem(error, True))
                    continue
            if self.check_requests:
                problems += self.spec.check(field.types, value, name)
            params[name] = value
        for field in spec.fields.values():
            if field.required and field.name not in params:
                what = "message text" if field.name == "text" else field.name
                problems.append(Problem(f"{what} is empty", True))
        for problem in problems:
            if not problem.fatal:
                self._record(spec.name, problem.message)
        fatal = [p.message for p in problems if p.fatal]
        if fatal:
            raise bad_request(fatal[0], detail="; ".join(fatal[1:]) or None)
        return params

    async def _inject(self, request: web.Request, fault: Fault) -> tuple[web.StreamResponse, int]:
        """Answer with the fault; returns (response, status for stats)."""
        if fault.kind == "502":
            body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            return web.json_response(body, status=502), 502
        if fault.kind == "429":
            err = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
            return web.json_response(err.envelope(), status=429), 429
        if fault.kind == "timeout":
            # Hold the request past the client's read timeout (or until stop()).
            try:
                async with asyncio.timeout(fault.stall_seconds):
                    await self._stopping.wait()
            except TimeoutError:
                pass
        # "drop" (and the end of a stall): close the connection without an answer. The
        # response returned below cannot be written; aiohttp treats that as the client
        # having gone away.
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204), _STATUS_DROPPED

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            self._record("file download", "wrong bot token", request.path)
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        stored = self.state.files.by_path(request.match_info["path"])
        if stored is None or stored.content is None:
            self._record("file download", "no such file", request.match_info["path"])
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_unknown_path(self, request: web.Request) -> web.StreamResponse:
        self._record("HTTP", f"request to unknown path {request.method} {request.path}")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    def _record(self, method: str, description: str, detail: str | None = None) -> None:
        entry = f"{method}: {description}" + (f" ({detail})" if detail else "")
        # The detail can quote a message text or a button label (names, NIKs): it stays in
        # ``errors`` (the test's own failure message), never in the log.
        _log.warning("Bot API emulator: %s: %s", method, description)
        self.errors.append(entry)


async def _read_form(request: web.Request) -> dict[str, str | Upload]:
    values: dict[str, str | Upload] = {}
    post = await request.post()
    for name, value in post.items():
        if isinstance(value, web.FileField):
            values[name] = Upload(value.filename, value.content_type, value.file.read())
        else:
            values[name] = str(value)
    return values


def _attached(part: str, *sources: Mapping[str, Any]) -> bool:
    """Whether some parameter refers to this multipart part as attach://<part>."""
    needle = f"attach://{part}"
    return any(needle in (v if isinstance(v, str) else json.dumps(v)) for s in sources for v in s.values())
