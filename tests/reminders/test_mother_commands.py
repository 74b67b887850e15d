"""What a mother can see and change: /jadwal, the iron-tablet switch, only her own data."""

from __future__ import annotations

from bot.dev.emulator import BotMessage, SimUser
from storage import ibu as ibu_store
from storage import reminders as reminders_store
from tests.harness import BotUnderTest, press_forged
from tests.reminders.helpers import join, register_mother, settle, tpk


async def edit_of(user: SimUser, message_id: int) -> BotMessage:
    """The next edit of one message (earlier edits of other messages are skipped)."""
    while True:
        edited = await user.next_edit()
        if edited.message_id == message_id:
            return edited


async def test_jadwal_shows_her_next_items_and_the_tablet_switch(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari")
    sari = await join(bot, wati, sasaran, 5001, "Sari")
    await sari.send("/jadwal")
    schedule = await sari.next_message()
    lines = schedule.text.splitlines()
    assert lines[0] == "📅 Jadwal pengingat Bunda Sari"
    # The contact's own date (week 20: 27 November), not the reminder's (3 days before).
    assert "• 27 November 2026 — Periksa kehamilan ke-3" in lines
    assert "Pengingat tablet tambah darah: ditanyakan seminggu sekali (aktif)." in lines
    # ANC-2 was due in October; its reminder goes out this morning: still coming.
    assert "• Secepatnya — Periksa kehamilan ke-2 (jadwalnya 16 Oktober 2026)" in lines
    await settle(bot)
    sari.drain()
    await sari.send("/jadwal")
    schedule = await sari.next_message()
    lines = schedule.text.splitlines()
    assert not any("ke-2" in line for line in lines), "once sent it is no longer coming"
    assert "• 27 November 2026 — Periksa kehamilan ke-3" in lines

    await sari.press("Matikan pengingat tablet tambah darah")
    edited = await edit_of(sari, schedule.message_id)
    assert edited.button_labels() == ["Nyalakan pengingat tablet tambah darah"]
    scheduled = await reminders_store.for_sasaran(bot.db, sasaran, states=["scheduled"])
    assert scheduled and not {"ttd", "ttd_minggu"} & {r.kind for r in scheduled}
    assert "Pengingat tablet tambah darah: mati." in edited.text
    await sari.press("Nyalakan pengingat tablet tambah darah")
    await edit_of(sari, schedule.message_id)
    scheduled = await reminders_store.for_sasaran(bot.db, sasaran, states=["scheduled"])
    assert "ttd_minggu" in {r.kind for r in scheduled} and "ttd" not in {r.kind for r in scheduled}
    # Her choice: the daily reminder instead (recorded like the switch itself).
    await sari.press("Ganti ke pengingat setiap hari")
    edited = await edit_of(sari, schedule.message_id)
    assert "Pengingat tablet tambah darah: setiap hari (aktif)." in edited.text
    scheduled = await reminders_store.for_sasaran(bot.db, sasaran, states=["scheduled"])
    assert "ttd" in {r.kind for r in scheduled} and "ttd_minggu" not in {r.kind for r in scheduled}
    decisions = [d for d, *_ in await ibu_store.consent_history(bot.db, sasaran)]
    assert decisions == ["setuju", "ttd_mati", "ttd_nyala", "ttd_harian"]


async def test_a_mother_sees_and_answers_only_her_own(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sari_id = await register_mother(bot, wati.id, "Sari")
    rina_id = await register_mother(bot, wati.id, "Rina")
    sari = await join(bot, wati, sari_id, 5001, "Sari")
    rina = await join(bot, wati, rina_id, 5002, "Rina")
    await settle(bot)
    sari_msg = await sari.next_message()
    await rina.next_message()
    rina_anc2 = next(r for r in await reminders_store.for_sasaran(bot.db, rina_id) if r.kind == "anc_2")

    # A forged button press on Rina's reminder from Sari's chat changes nothing.
    await press_forged(bot.emu, sari, sari_msg.message_id, f"ibu:ack:{rina_anc2.id}:y")
    assert (await reminders_store.get(bot.db, rina_anc2.id)).ack is None  # type: ignore[union-attr]
    # Members' commands are not hers.
    sari.drain()
    await sari.send("/tugas")
    assert "tidak tersedia untuk Anda" in (await sari.next_message()).text
    await sari.send("/jadwal")
    assert "Bunda Sari" in (await sari.next_message()).text


async def test_the_invitation_button_on_a_registered_mother(bot: BotUnderTest) -> None:
    """The lead's flows show "📲 Buat undangan pengingat untuk ibu" (``ibu:inv:<id>``); a
    mother already receiving reminders is not invited twice."""
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari")
    await join(bot, wati, sasaran, 5001, "Sari")
    wati.drain()
    await wati.send("/bantuan")
    menu = await wati.next_message()
    await press_forged(bot.emu, wati, menu.message_id, f"ibu:inv:{sasaran}")
    assert "sudah bergabung" in (await wati.next_message()).text
