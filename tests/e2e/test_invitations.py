"""The invitation chain as people use it: admin → koordinator → TPK, and every refusal."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.dev.emulator import SimUser
from storage.crypto import USER_PHONE
from tests.harness import ADMIN_ID, BOT_USERNAME, BotUnderTest, press_forged

LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match[1]


async def invite(inviter: SimUser, role_label: str | None, path: list[str], pick: str) -> str:
    """Walk /undang: choose the role (when offered), drill down ``path``, press ``pick``."""
    await inviter.send("/undang")
    await inviter.next_message()
    if role_label is not None:
        await inviter.press(role_label)
        await inviter.next_edit()
    for name in path:
        await inviter.press(name)
        await inviter.next_edit()
    await inviter.press(pick)
    done = await inviter.next_edit()
    assert "Undangan" in done.plain_text
    return link_in(done.plain_text)


async def join(person: SimUser, token: str, *, position: str | None = None, share_phone: bool = True) -> str:
    await person.send(f"/start {token}")
    intro = await person.next_message()
    assert "Apakah nama Anda" in intro.plain_text, intro.plain_text
    await person.press("Ya, benar")
    await person.next_edit()  # the buttons leave the answered question
    phone_question = await person.next_message()
    assert phone_question.reply_keyboard_labels()
    if share_phone:
        await person.share_contact(phone_number="6281234567890")
    else:
        await person.send("Lewati")
    if position is not None:
        await person.next_message()  # "Terima kasih." removes the reply keyboard
        await person.next_message()  # position question
        await person.press(position)
        await person.next_edit()
    welcome = await person.next_message()
    return welcome.plain_text


async def test_admin_invites_a_koordinator_who_invites_a_tpk_member(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    await admin.send("/start")
    assert "Admin" in (await admin.next_message()).plain_text

    token = await invite(admin, "Koordinator", ["Curug"], "✅ Pilih Kec. Curug")
    rina = bot.user(2001, "Rina", "Wati")
    welcome = await join(rina, token)
    assert "Koordinator" in welcome and "Kota Serang › Curug" in welcome
    told = await admin.next_message()
    assert "Rina Wati telah bergabung sebagai Koordinator" in told.plain_text

    # The kecamatan coordinator can invite TPK inside Curug only; the picker starts there.
    token = await invite(rina, "Anggota TPK", [], "Sukawana")
    siti = bot.user(3001, "Siti")
    welcome = await join(siti, token, position="Bidan")
    assert "Anggota TPK" in welcome and "Kota Serang › Curug › Sukawana" in welcome
    assert "Siti telah bergabung" in (await rina.next_message()).plain_text

    await siti.send("/start")
    greeting = (await siti.next_message()).plain_text
    assert "Anggota TPK (Bidan)" in greeting and "Sukawana" in greeting

    # /anggota for the admin lists both, grouped by area.
    await admin.send("/anggota")
    listing = (await admin.next_message()).plain_text
    assert listing.index("Rina Wati") < listing.index("Siti")
    assert "Kec. Curug" in listing and "Sukawana (Kec. Curug)" in listing

    # Every step is audited; the phone is stored normalised but never in the audit log.
    member = await bot.db.fetch_one("SELECT phone, role, region_code, team_position, phone_enc FROM users "
                                    "WHERE id = 3001")
    assert tuple(member)[:4] == (None, "tpk", "36.73.04.1007", "bidan")
    assert bot.services.cipher.decrypt(member["phone_enc"], USER_PHONE, 3001) == "+6281234567890"
    audit_text = " ".join(r[0] or "" for r in await bot.db.fetch_all("SELECT after_json FROM audit_log"))
    assert "6281234567890" not in audit_text


async def test_a_link_works_once_and_not_after_expiry(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    token = await invite(admin, "Anggota TPK", ["Serang"], "Cipare")
    await join(bot.user(3101, "Ani"), token, position="Kader KB", share_phone=False)
    await admin.next_message()

    second = bot.user(3102, "Budi")
    await second.send(f"/start {token}")
    assert "sudah dipakai" in (await second.next_message()).plain_text

    token = await invite(admin, "Anggota TPK", ["Serang"], "Cipare")
    bot.clock.advance(timedelta(days=7, minutes=1))
    await second.send(f"/start {token}")
    assert "kedaluwarsa" in (await second.next_message()).plain_text

    for forged in ("abc", "A" * 40, "../../etc", "x" * 70):
        await second.send(f"/start {forged}")
        assert "tidak dikenal" in (await second.next_message()).plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM users WHERE id = 3102") == 0


async def test_refusals_for_tpk_and_coordinators_outside_their_scope(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    token = await invite(admin, "Koordinator", ["Curug"], "✅ Pilih Kec. Curug")
    rina = bot.user(2001, "Rina")
    await join(rina, token)
    await admin.next_message()
    token = await invite(rina, "Anggota TPK", [], "Sukawana")
    siti = bot.user(3001, "Siti")
    await join(siti, token, position="Kader PKK")
    await rina.next_message()  # told that Siti joined

    # A TPK member cannot invite.
    await siti.send("/undang")
    assert "tidak tersedia untuk Anda" in (await siti.next_message()).plain_text

    # The kecamatan coordinator's picker never offers the city or another kecamatan ...
    await rina.send("/undang")
    await rina.next_message()
    await rina.press("Koordinator")
    picker = await rina.next_edit()
    labels = picker.button_labels()
    assert "✅ Pilih Kec. Curug" not in labels and not any("Kota Serang" in label for label in labels)
    assert not any("Kasemen" in label for label in labels)

    # ... and forged callback data for areas above or beside the scope is refused.
    for forged in ("ud:k:pick:36.73", "ud:k:pick:36.73.04", "ud:t:pick:36.73.01.1008", "ud:k:go:36.73.02",
                   "ud:x:pick:36.73.04.1007", "ud:t:pick:99.99"):
        answer = await press_forged(bot.emu, rina, picker.message_id, forged) or ""
        assert "di luar wewenang" in answer or "kedaluwarsa" in answer, (forged, answer)
    assert await bot.db.fetch_value("SELECT count(*) FROM invitations WHERE created_by = 2001") == 1

    # An unknown person gets the explanation, not the commands.
    stranger = bot.user(9999, "Tamu")
    await stranger.send("/start")
    assert "tautan undangan" in (await stranger.next_message()).plain_text
    await stranger.send("/anggota")
    assert "tidak tersedia" in (await stranger.next_message()).plain_text


async def test_deactivation_and_restart_keep_roles(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    token = await invite(admin, "Anggota TPK", ["Curug"], "Sukawana")
    siti = bot.user(3001, "Siti")
    await join(siti, token, position="Bidan")
    await admin.next_message()

    await bot.restart()
    await siti.send("/start")
    assert "Anggota TPK (Bidan)" in (await siti.next_message()).plain_text

    await admin.send("/anggota")
    await admin.next_message()
    await admin.press("Nonaktifkan Siti")
    assert "Yakin menonaktifkan" in (await admin.next_edit()).plain_text
    await admin.press("Ya")
    assert "nonaktif" in (await admin.next_edit()).plain_text
    await siti.send("/bantuan")
    help_text = (await siti.next_message()).plain_text
    assert "/anggota" not in help_text and "/undang" not in help_text
    await siti.send("/start")
    assert "dinonaktifkan" in (await siti.next_message()).plain_text
