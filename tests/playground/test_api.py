"""The playground's JSON API, driven as the page drives it (no browser needed)."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestClient

from bot.dev.playground.personas import BY_KEY
from bot.dev.playground.runtime import Playground
from bot.dev.playground.server import SECRET_COOKIE, SECRET_PARAMETER
from bot.domain.roles import Caller, Role, TeamPosition
from bot.reminders.invite import create as create_mother_invitation
from storage import users as users_store
from storage.crypto import USER_PHONE
from tests.playground.helpers import SECRET, SUKAWANA, ChatApi, add_tpk_and_mother, open_link, start_link


async def invite(inviter: ChatApi, role: str, path: list[str], pick: str) -> str:
    """Walk /undang in ``inviter``'s chat; returns the invitation link."""
    await inviter.send("/undang")
    await inviter.until_text("Siapa yang ingin Anda undang?")
    await inviter.press(role)
    for name in path:
        await inviter.press(name)
    await inviter.press(pick)
    return start_link(await inviter.until(lambda m: m["from"] == "bot" and bool(m["start_links"])))


async def join(client: TestClient, persona: str, link: str, position: str | None = None) -> ChatApi:
    """Open ``link`` as ``persona`` and answer the joining questions."""
    await open_link(client, persona, link)
    chat = ChatApi(client, persona)
    await chat.until_text("Apakah nama Anda")
    await chat.press("Ya, benar")
    await chat.until(lambda m: chat.reply_keyboard is not None)
    assert chat.reply_keyboard is not None and any(b["contact"] for row in chat.reply_keyboard for b in row)
    await chat.share_contact()
    if position is not None:
        await chat.press(position)
    await chat.until_text("Selamat bergabung")
    return chat


async def test_state_names_the_bot_the_clock_and_six_personas(client: TestClient) -> None:
    state = await (await client.get("/api/state")).json()
    assert state["bot"]["username"] == "tpk_playground_bot"
    assert state["region"] == "Kota Serang"
    assert state["clock"] == {"iso": "2026-11-23T02:00:00+00:00", "date": "Senin, 23 November 2026",
                              "time": "09.00 WIB"}
    keys = [p["key"] for p in state["personas"]]
    assert keys == ["admin", "koordinator-kota", "koordinator-kecamatan", "tpk", "ibu", "pakar"]
    status = {p["key"]: p["status"] for p in state["personas"]}
    assert status["admin"] == "Admin · Kota Serang", "the admin persona is an admin from the start"
    assert status["tpk"] == "belum terdaftar", "everyone else joins through an invitation"


async def test_an_invitation_chain_across_personas(client: TestClient, playground: Playground) -> None:
    admin = ChatApi(client, "admin")
    link = await invite(admin, "Koordinator", [], "✅ Pilih Kota Serang")
    assert link.startswith("https://t.me/tpk_playground_bot?start=")
    await join(client, "koordinator-kota", link)
    await admin.until_text("Rina Wati telah bergabung sebagai Koordinator")

    kota = ChatApi(client, "koordinator-kota")
    link = await invite(kota, "Koordinator", ["Curug"], "✅ Pilih Kec. Curug")
    await join(client, "koordinator-kecamatan", link)

    kecamatan = ChatApi(client, "koordinator-kecamatan")
    link = await invite(kecamatan, "Anggota TPK", [], "Sukawana")
    tpk = await join(client, "tpk", link, position="Bidan")
    assert "Anggota TPK" in tpk.bot_texts()[-1]
    menu = [c["command"] for c in (await tpk.refresh())["commands"]]
    assert "lapor" in menu and "undang" not in menu, "the chat's command menu is the one set for her role"

    state = await (await client.get("/api/state")).json()
    status = {p["key"]: p["status"] for p in state["personas"]}
    assert status["koordinator-kota"] == "Koordinator · Kota Serang"
    assert status["koordinator-kecamatan"] == "Koordinator · Kec. Curug"
    assert status["tpk"] == "Anggota TPK (Bidan) · Kel. Sukawana"
    member = await users_store.get(playground.services.db, BY_KEY["tpk"].user_id)
    assert member is not None
    sealed = await playground.services.db.fetch_value("SELECT phone_enc FROM users WHERE id = ?", (member.id,))
    assert playground.services.cipher.decrypt(sealed, USER_PHONE, member.id) == "+6281400000004"
    # The link was single-use: the mother persona cannot reuse it.
    await open_link(client, "ibu", link)
    assert "sudah dipakai" in (await ChatApi(client, "ibu").until_text("Tautan")).get("text", "")


async def test_moving_the_clock_delivers_the_mothers_reminders(client: TestClient, playground: Playground) -> None:
    sasaran = await add_tpk_and_mother(playground)
    tpk = BY_KEY["tpk"]
    caller = Caller(tpk.user_id, Role.TPK, SUKAWANA, tpk.name, TeamPosition.BIDAN)
    invitation = await create_mother_invitation(playground.services, caller, sasaran)
    await open_link(client, "ibu", invitation.link)
    ibu = ChatApi(client, "ibu")
    await ibu.until_text("pastikan dulu bahwa ini Bunda")
    await ibu.send("S 12-03-1990")  # who she is: her initial and birth date
    await ibu.until_text("Yang akan Bunda terima")
    await ibu.press("Setuju")
    await ibu.until_text("Terima kasih, Bunda Sari")
    before = len(ibu.messages)

    response = await client.post("/api/clock/advance", json={"hours": 24})
    assert response.status == 200
    moved = await response.json()
    assert moved["clock"]["date"] == "Selasa, 24 November 2026" and moved["clock"]["time"] == "09.00 WIB"
    report = moved["report"]
    assert report["steps"] == 24 and report["reminders"] >= 1 and report["notices"] >= 1, report
    assert report["jobs"]["pengingat"] == 24
    assert report["jobs"].get("expire_drafts") == 24 and report["jobs"].get("rekap-digest") == 24, report["jobs"]

    reminder = await ibu.until_text("periksa kehamilan ke-2")
    assert len(ibu.messages) > before
    assert [b["label"] for row in reminder["buttons"] for b in row] == ["Sudah periksa", "Belum"]
    await ibu.press("Sudah periksa")
    # The TPK member was told she agreed (a notice, sent by the same dispatcher).
    await ChatApi(client, "tpk").until_text("setuju menerima pengingat")
    state = await (await client.get("/api/state")).json()
    assert {p["key"]: p["received"] for p in state["personas"]}["ibu"] >= 2


async def test_photos_are_served_as_images_and_documents_as_downloads(client: TestClient,
                                                                      playground: Playground) -> None:
    sasaran = await add_tpk_and_mother(playground)
    tpk = ChatApi(client, "tpk")
    await tpk.send("/keluarga")
    await tpk.press("Ahmad", partial=True)  # open the family, then invite its mother
    await tpk.press("📲 Undang Sari Dewi ke pengingat")
    qr = await tpk.until(lambda m: "photo" in m)
    assert qr["start_links"], "the QR code's caption carries the link it encodes"
    photo = await client.get(f"/api/files/{qr['photo']['file_id']}")
    assert photo.status == 200 and photo.content_type == "image/png"
    assert "Content-Disposition" not in photo.headers
    assert (await photo.read()).startswith(b"\x89PNG")
    saved = await client.get(f"/api/files/{qr['photo']['file_id']}", params={"download": "1"})
    assert saved.headers["Content-Disposition"].startswith("attachment;")
    assert sasaran

    admin = ChatApi(client, "admin")
    await admin.send("/ekspor")
    document = await admin.until(lambda m: "document" in m, timeout=15)
    assert document["document"]["name"].endswith(".xlsx")
    download = await client.get(f"/api/files/{document['document']['file_id']}")
    assert download.status == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert (await download.read()).startswith(b"PK"), "an xlsx is a zip file"
    assert (await client.get("/api/files/no-such-file")).status == 404


async def test_text_comes_as_text_and_entities_never_as_markup(client: TestClient) -> None:
    tpk = ChatApi(client, "tpk")
    await tpk.send('<img src=x onerror="alert(1)"> & <b>tebal</b>')
    await tpk.refresh()
    mine = next(m for m in tpk.messages.values() if m["from"] == "user")
    assert mine["text"] == '<img src=x onerror="alert(1)"> & <b>tebal</b>' and mine["entities"] == []
    admin = ChatApi(client, "admin")
    await admin.send("/start")
    greeting = await admin.until_text("Halo")
    bold = {"type": "bold", "offset": greeting["text"].index("Kota Serang"), "length": len("Kota Serang")}
    assert bold in greeting["entities"], "the bot's <b> arrives as an entity over plain text"
    assert "<b>" not in greeting["text"]


async def test_what_the_api_refuses(client: TestClient) -> None:
    assert (await client.post("/api/chat/admin/send", data="text=hi",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})).status == 415
    foreign = await client.post("/api/chat/admin/send", json={"text": "hi"}, headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    rebound = await client.get("/api/state", headers={"Host": "evil.example:8080"})
    assert rebound.status == 403
    assert (await client.post("/api/chat/nobody/send", json={"text": "hi"})).status == 404
    assert (await client.post("/api/chat/admin/send", json={"text": "  "})).status == 400
    assert (await client.post("/api/chat/admin/press", json={"message_id": 99, "row": 0, "column": 0})).status == 409
    assert (await client.post("/api/open-link", json={"persona": "ibu", "url": "https://t.me/other_bot?start=abc"}
                              )).status == 400
    for hours in (0, -1, 24 * 32, "24", True):
        assert (await client.post("/api/clock/advance", json={"hours": hours})).status == 400, hours
    page = await client.get("/")
    assert page.status == 200 and "Playground TPK Bot" in await page.text()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert (await client.get("/static/app.js")).status == 200
    assert (await client.get("/static/../config.py")).status in (403, 404)


async def test_without_this_starts_secret_nothing_is_served(client: TestClient) -> None:
    """Another program on the same machine reaches 127.0.0.1 too: it gets nothing without the
    secret of the address printed at start, and a POST without Origin is refused."""
    stranger = {"Cookie": f"{SECRET_COOKIE}=guessed"}
    for path in ("/", "/static/app.js", "/api/state", "/api/chat/admin?after=0&wait=0"):
        assert (await client.get(path, headers=stranger)).status == 403, path
    assert (await client.post("/api/chat/admin/send", json={"text": "hi"}, headers=stranger)).status == 403
    assert (await client.get(f"/?{SECRET_PARAMETER}=guessed", headers=stranger)).status == 403
    opened = await client.get(f"/?{SECRET_PARAMETER}={SECRET}", headers=stranger, allow_redirects=False)
    assert opened.status == 303 and opened.headers["Location"] == "/"
    cookie = opened.cookies[SECRET_COOKIE]
    assert cookie.value == SECRET and cookie["httponly"] and cookie["samesite"] == "Strict"
    async with aiohttp.ClientSession(headers={"Cookie": f"{SECRET_COOKIE}={SECRET}"}) as plain:  # no Origin
        async with plain.post(client.make_url("/api/chat/admin/send"), json={"text": "hi"}) as no_origin:
            assert no_origin.status == 403
        async with plain.get(client.make_url("/api/state")) as reading:
            assert reading.status == 200  # the secret alone lets a GET through


async def test_the_long_poll_wakes_when_the_bot_answers(client: TestClient) -> None:
    admin = ChatApi(client, "admin")
    first = await admin.refresh()
    assert first["chat"]["messages"] == []
    await admin.send("/bantuan")
    woke = await admin.refresh(wait=5)
    assert woke["revision"] > first["revision"]
    await admin.until_text("Perintah yang bisa Anda pakai")


async def test_the_pakar_persona_joins_an_audit_round(client: TestClient) -> None:
    """The audit walk of the README: the admin opens a round and invites the pakar persona."""
    admin = ChatApi(client, "admin")
    await admin.send("/audit")
    await admin.press("➕ Buka AKS Semester II 2026")
    await admin.until_text("Putaran dibuka")
    await admin.press("➡️ Lanjut: Kertas Kerja Audit (KKA)")
    await admin.until_text("Tahap: Kertas Kerja Audit")
    await admin.press("👥 Undang tim pakar")
    await admin.press("Dokter spesialis anak")
    link = start_link(await admin.until(lambda m: m["from"] == "bot" and bool(m["start_links"])))
    pakar = await join(client, "pakar", link)
    assert "Tim pakar" in pakar.bot_texts()[-1]
    await pakar.send("/audit")
    await pakar.until_text("AKS Semester II 2026 — Kota Serang")
    menu = [c["command"] for c in (await pakar.refresh())["commands"]]
    assert "audit" in menu and "lapor" not in menu and "rekap" not in menu
