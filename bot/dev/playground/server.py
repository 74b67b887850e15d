"""The playground's web page and its small JSON API, served by the bot's own process.

Routes (all on 127.0.0.1):

- ``GET /`` the page; ``GET /static/…`` its CSS and JavaScript (no build step);
- ``GET /api/state`` the bot, the clock, the personas (with unread counts and what the
  bot knows of them) and the demo data note;
- ``GET /api/chat/{persona}?after=R&wait=S`` what changed in that chat after revision
  R, waiting up to S seconds (at most 25) for a change: the page's long poll;
- ``POST /api/chat/{persona}/send`` ``{"text"}``; ``…/press`` ``{"message_id", "row",
  "column"}`` (an inline button); ``…/contact`` (the share-contact button);
- ``POST /api/open-link`` ``{"persona", "url"}``: open a ``t.me/<bot>?start=…`` link
  (or its QR code) as that persona, i.e. send ``/start <token>`` from their chat;
- ``POST /api/clock/advance`` ``{"hours"}``: move the clock, running the jobs;
- ``GET /api/files/{file_id}`` a photo or document the bot sent (``?download=1`` to
  save it).

Every request must name this server in its Host header, and writes need a JSON body and
an Origin of this server (a POST without one is refused): another web site open in the
same browser can neither post to the playground nor read it through DNS rebinding.

Each start makes a secret, printed in the one line of the start (``/?kunci=…``):
opening that address sets it as a cookie (``SameSite=Strict``, ``HttpOnly``) and every
other request — the page, its static files, the JSON API — needs the cookie. Another
program or user on the same machine, which can reach 127.0.0.1 too, does not know it.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.dev.emulator.files import image_size
from bot.dev.playground.chats import chat_view
from bot.dev.playground.personas import BY_KEY, PERSONAS
from bot.dev.playground.runtime import MAX_ADVANCE, Playground
from bot.domain.daytime import zone_label
from bot.formatting import long_date

STATIC = Path(__file__).with_name("static")
PLAYGROUND_KEY: web.AppKey[Playground] = web.AppKey("playground", Playground)
SECRET_KEY: web.AppKey[str] = web.AppKey("secret", str)
#: The query parameter of the address printed at start, and the cookie it becomes.
SECRET_PARAMETER = "kunci"
SECRET_COOKIE = "tpk_playground"
MAX_WAIT = 25.0
MAX_TEXT = 4096
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_IMAGE_TYPES = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"))


def create_app(playground: Playground, secret: str | None = None) -> web.Application:
    """The page and its API; ``secret`` is made here unless given (tests pass their own)."""
    app = web.Application(middlewares=[_guard], client_max_size=64 * 1024)
    app[PLAYGROUND_KEY] = playground
    app[SECRET_KEY] = secret or secrets.token_urlsafe(18)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/chat/{persona}", _chat)
    app.router.add_post("/api/chat/{persona}/send", _send)
    app.router.add_post("/api/chat/{persona}/press", _press)
    app.router.add_post("/api/chat/{persona}/contact", _contact)
    app.router.add_post("/api/open-link", _open_link)
    app.router.add_post("/api/clock/advance", _advance)
    app.router.add_get("/api/files/{file_id}", _file)
    return app


# -- guard ------------------------------------------------------------------------------------


def _host_is_local(value: str) -> bool:
    host = re.sub(r":\d+$", "", value.strip().lower())
    return host in _LOCAL_HOSTS


@web.middleware
async def _guard(request: web.Request, handler: Any) -> web.StreamResponse:
    if not _host_is_local(request.host):
        return _error(403, "playground hanya melayani 127.0.0.1")
    secret = request.app[SECRET_KEY]
    offered = request.query.get(SECRET_PARAMETER)
    if request.method == "GET" and request.path == "/" and offered is not None:
        if not secrets.compare_digest(offered, secret):
            return _error(403, "kunci salah — buka alamat lengkap yang dicetak saat playground dimulai")
        # A redirect to "/": the secret leaves the address bar and the history.
        opened = web.Response(status=303, headers={"Location": "/", **_SECURITY_HEADERS})
        opened.set_cookie(SECRET_COOKIE, secret, httponly=True, samesite="Strict", path="/")
        return opened
    if not secrets.compare_digest(request.cookies.get(SECRET_COOKIE, ""), secret):
        return _error(403, "buka alamat lengkap (dengan ?kunci=…) yang dicetak saat playground dimulai")
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is None or not (origin.startswith("http://") and _host_is_local(origin[len("http://"):])):
            return _error(403, "permintaan dari situs lain ditolak")
        if request.content_type != "application/json":
            return _error(415, "kirim JSON")
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = _error(exc.status, exc.reason)
    response.headers.update(_SECURITY_HEADERS)
    return response


def _error(status: int, message: str) -> web.Response:
    response = web.json_response({"ok": False, "error": message}, status=status)
    response.headers.update(_SECURITY_HEADERS)
    return response


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(reason="JSON tidak valid") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(reason="JSON harus berupa objek")
    return body


def _persona(request: web.Request, key: str | None = None) -> Any:
    persona = BY_KEY.get(key if key is not None else request.match_info["persona"])
    if persona is None:
        raise web.HTTPNotFound(reason="persona tidak dikenal")
    return persona


def _pg(request: web.Request) -> Playground:
    return request.app[PLAYGROUND_KEY]


# -- page -------------------------------------------------------------------------------------


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Content-Type": "text/html; charset=utf-8"})


def clock_view(pg: Playground) -> dict[str, Any]:
    zone = pg.settings.wilayah.zone
    local = pg.clock.now().astimezone(zone)
    return {
        "iso": pg.clock.now().isoformat(),
        "date": f"{_DAYS[local.weekday()]}, {long_date(local.date())}",
        "time": f"{local:%H.%M} {zone_label(zone)}",
    }


async def _state(request: web.Request) -> web.Response:
    pg = _pg(request)
    return web.json_response({
        "ok": True,
        "revision": pg.revisions.current,
        "bot": {"username": pg.emu.bot_username, "name": pg.emu.state.bot_user["first_name"]},
        "region": pg.services.regions.path_label(pg.settings.wilayah.root),
        "clock": clock_view(pg),
        "personas": await _personas(pg),
        "seed": pg.seeded.note if pg.seeded else "",
        "max_advance_hours": int(MAX_ADVANCE / timedelta(hours=1)),
    })


async def _personas(pg: Playground) -> list[dict[str, Any]]:
    views = []
    for persona in PERSONAS:
        user = pg.user(persona)
        views.append({
            "key": persona.key, "name": persona.name, "role": persona.role, "icon": persona.icon,
            "user_id": persona.user_id, "phone": "+" + persona.phone,
            "received": user.bot_messages_seen, "status": await pg.membership(persona),
        })
    return views


async def _chat(request: web.Request) -> web.Response:
    pg = _pg(request)
    persona = _persona(request)
    try:
        after = max(0, int(request.query.get("after", "0")))
        wait = min(MAX_WAIT, max(0.0, float(request.query.get("wait", "0"))))
    except ValueError:
        raise web.HTTPBadRequest(reason="after dan wait harus angka") from None
    revision = await pg.revisions.wait_after(after, wait)
    user = pg.user(persona)
    return web.json_response({
        "ok": True,
        "revision": revision,
        "clock": clock_view(pg),
        "personas": await _personas(pg),
        "chat": chat_view(user, after, pg.settings.wilayah.zone, pg.links),
        "commands": pg.emu.menu_commands(persona.user_id, "id"),
    })


async def _send(request: web.Request) -> web.Response:
    pg = _pg(request)
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise web.HTTPBadRequest(reason="teks kosong")
    if len(text) > MAX_TEXT:
        raise web.HTTPBadRequest(reason=f"teks lebih dari {MAX_TEXT} karakter")
    message_id = await pg.user(_persona(request)).send(text)
    return web.json_response({"ok": True, "message_id": message_id})


async def _press(request: web.Request) -> web.Response:
    pg = _pg(request)
    body = await _body(request)
    try:
        message_id, row, column = (int(body[k]) for k in ("message_id", "row", "column"))
    except (KeyError, TypeError, ValueError):
        raise web.HTTPBadRequest(reason="message_id, row dan column harus angka") from None
    try:
        query_id = await pg.user(_persona(request)).press_at(message_id, row, column)
    except LookupError:
        raise web.HTTPConflict(reason="tombol itu sudah tidak ada") from None
    return web.json_response({"ok": True, "callback_query": query_id})


async def _contact(request: web.Request) -> web.Response:
    pg = _pg(request)
    await _body(request)
    message_id = await pg.user(_persona(request)).share_contact()
    return web.json_response({"ok": True, "message_id": message_id})


async def _open_link(request: web.Request) -> web.Response:
    pg = _pg(request)
    body = await _body(request)
    persona = _persona(request, str(body.get("persona", "")))
    match = pg.links.fullmatch(str(body.get("url", "")).strip())
    if match is None:
        raise web.HTTPBadRequest(reason=f"bukan tautan ke @{pg.emu.bot_username}")
    message_id = await pg.user(persona).send(f"/start {match.group(1)}")
    return web.json_response({"ok": True, "message_id": message_id, "persona": persona.key})


async def _advance(request: web.Request) -> web.Response:
    pg = _pg(request)
    body = await _body(request)
    hours = body.get("hours")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= MAX_ADVANCE.days * 24:
        raise web.HTTPBadRequest(reason=f"hours harus antara 0 dan {MAX_ADVANCE.days * 24}")
    report = await pg.advance(timedelta(hours=hours))
    return web.json_response({"ok": True, "clock": clock_view(pg), "report": report.as_json()})


async def _file(request: web.Request) -> web.StreamResponse:
    pg = _pg(request)
    stored = pg.emu.state.files.get(request.match_info["file_id"])
    if stored is None or stored.content is None:
        raise web.HTTPNotFound(reason="file tidak ada")
    headers: dict[str, str] = {}
    content_type = "application/octet-stream"
    if stored.kind == "photo" and image_size(stored.content):
        content_type = next((t for magic, t in _IMAGE_TYPES if stored.content.startswith(magic)), content_type)
    else:
        content_type = stored.mime_type or content_type
    if stored.kind != "photo" or request.query.get("download"):
        name = stored.file_name or f"{stored.kind}-{stored.file_unique_id}"
        if stored.kind == "photo" and "." not in name:
            name += "." + content_type.rsplit("/", 1)[-1]
        headers["Content-Disposition"] = _attachment(name)
    return web.Response(body=stored.content, content_type=content_type, headers=headers)


def _attachment(name: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


# -- running ----------------------------------------------------------------------------------


async def serve(playground: Playground, port: int) -> web.AppRunner:
    """Start the page on 127.0.0.1:port (0: a free port); returns the runner to clean up."""
    runner = web.AppRunner(create_app(playground), access_log=None, handler_cancellation=True,
                           shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def address(runner: web.AppRunner) -> str:
    """The address to open, with this start's secret (see the module doc)."""
    host, port = runner.addresses[0][:2]
    assert runner.app is not None
    return f"http://{host}:{port}/?{SECRET_PARAMETER}={runner.app[SECRET_KEY]}"


__all__ = ["address", "clock_view", "create_app", "serve"]
