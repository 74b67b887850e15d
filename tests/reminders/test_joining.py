"""A mother joins through her TPK member's invitation and agrees, or refuses."""

from __future__ import annotations

from datetime import timedelta

from bot.dev.emulator import SimUser
from bot.reminders.invite import qr_png
from bot.reminders.texts import CONSENT_VERSION
from storage import ibu as ibu_store
from storage import reminders as reminders_store
from storage import users as users_store
from tests.harness import BotUnderTest, press_forged
from tests.reminders.helpers import SERANG_KEL, invite, open_as_her, register_mother, tick, tpk


async def test_invitation_is_a_single_use_link_and_its_qr_code(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    token, photo = await invite(bot, wati, sasaran)
    link = f"https://t.me/{bot.emu.bot_username}?start={token}"
    assert photo.photo == qr_png(link), "the QR code encodes exactly the deep link"
    assert "Sari Dewi" in photo.text and "satu kali pakai" in photo.text
    invitation = await bot.db.fetch_one("SELECT role, sasaran_id, region_code FROM invitations "
                                        "WHERE sasaran_id = ?", (sasaran,))
    assert tuple(invitation) == ("ibu", sasaran, SERANG_KEL)


async def test_she_agrees_becomes_a_mother_and_her_tpk_member_is_told(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    token, _ = await invite(bot, wati, sasaran)

    sari = bot.user(5001, "Sari")
    screen = await open_as_her(bot, sari, token, sasaran)
    for promise in ("Yang akan Bunda terima", "Yang disimpan", "Anggota TPK", "/berhenti", "07.00–19.00"):
        assert promise in screen.text, promise
    assert screen.button_labels() == ["Setuju", "Tidak"]
    # Nothing is stored before she answers.
    assert await users_store.get(bot.db, sari.id) is None

    await sari.press("Setuju")
    welcome = await sari.next_message()
    assert "Terima kasih, Bunda Sari" in welcome.text and "/jadwal" in welcome.text
    # A second tap (a slow phone) is harmless.
    assert await press_forged(bot.emu, sari, screen.message_id, f"ibu:ya:{token}") == (
        "Jawaban Bunda sudah tersimpan sebelumnya.")

    member = await users_store.get(bot.db, sari.id)
    assert member is not None and member.role.value == "ibu" and member.region_code == SERANG_KEL
    link = await ibu_store.link_for_user(bot.db, sari.id)
    assert link is not None and link.sasaran_id == sasaran and link.active
    history = await ibu_store.consent_history(bot.db, sasaran)
    assert [(h[0], h[1], h[3]) for h in history] == [("setuju", CONSENT_VERSION, sari.id)]
    assert history[0][2] == "2026-11-23T02:00:00Z"
    # Her reminders for the next two weeks exist as rows, nothing is sent yet.
    rows = await reminders_store.for_sasaran(bot.db, sasaran)
    assert {"anc_2", "anc_3"} <= {r.kind for r in rows} and all(r.state == "scheduled" for r in rows)

    await tick(bot)
    told = [m.text for m in await wati.messages_until_quiet()]
    assert any("Ibu S. setuju menerima pengingat" in t for t in told), told
    first = await sari.next_message()
    assert "periksa kehamilan ke-2" in first.text and first.button_labels() == ["Sudah periksa", "Belum"]
    # Her command list is the mother's.
    assert "/jadwal" in (await _bantuan(sari))

    # The link is used up: opening it again does nothing.
    other = bot.user(5002, "Lain")
    await other.send(f"/start {token}")
    assert "sudah dipakai" in (await other.next_message()).text


async def _bantuan(user: SimUser) -> str:
    await user.send("/bantuan")
    return (await user.next_message()).text


async def test_she_refuses_nothing_is_sent_and_her_tpk_member_is_told(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Rina")
    token, _ = await invite(bot, wati, sasaran)
    rina = bot.user(5003, "Rina")
    await open_as_her(bot, rina, token, sasaran)
    await rina.press("Tidak")
    assert "Tidak ada pesan yang akan dikirim" in (await rina.next_message()).text

    assert await users_store.get(bot.db, rina.id) is None, "a refusal creates no account"
    history = await ibu_store.consent_history(bot.db, sasaran)
    assert [(h[0], h[1], h[3]) for h in history] == [("tidak", CONSENT_VERSION, rina.id)]
    assert await reminders_store.for_sasaran(bot.db, sasaran) == []

    await tick(bot)
    told = [m.text for m in await wati.messages_until_quiet()]
    assert any("Ibu R. memilih tidak menerima pengingat" in t for t in told), told
    bot.clock.advance(timedelta(days=3))
    await tick(bot)
    assert await rina.messages_until_quiet() == []


async def test_only_a_member_with_the_record_in_scope_can_invite(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    other = await tpk(bot, 3002, "Kader Lain", "36.73.02.1001")
    sasaran = await register_mother(bot, wati.id, "Sari")
    await other.send("/bantuan")
    menu = await other.next_message()
    await press_forged(bot.emu, other, menu.message_id, f"ibu:inv:{sasaran}")
    assert "tidak ditemukan di wilayah Anda" in (await other.next_message()).text
    assert await bot.db.fetch_value("SELECT count(*) FROM invitations WHERE role = 'ibu'") == 0
