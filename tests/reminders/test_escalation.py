"""Answers to action reminders, and what happens when there is none."""

from __future__ import annotations

from datetime import timedelta

from bot.dev.emulator import BotMessage, SimUser
from storage import reminders as reminders_store
from tests.harness import ADMIN_ID, BotUnderTest, add_member
from tests.reminders.helpers import day, join, local, register_mother, settle, tpk


async def _anc2(bot: BotUnderTest, sasaran: int) -> reminders_store.Reminder:
    return next(r for r in await reminders_store.for_sasaran(bot.db, sasaran) if r.kind == "anc_2")


def _not_yet(messages: list[BotMessage]) -> list[str]:
    """The "mohon dikunjungi" notices (the daily list names the open request too)."""
    return [m.text for m in messages if m.text.startswith("🔔") and "belum periksa kehamilan ke-2" in m.text]


async def test_sudah_periksa_is_stored_and_thanked_and_nobody_is_bothered(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari")
    sari = await join(bot, wati, sasaran, 5001, "Sari")
    await settle(bot)
    reminder = await sari.next_message()
    assert reminder.button_labels() == ["Sudah periksa", "Belum"]
    await sari.press("Sudah periksa")
    assert "Jawaban Bunda sudah tersimpan" in (await sari.next_message()).text
    assert (await sari.next_edit()).buttons == [], "the buttons go away once answered"

    row = await _anc2(bot, sasaran)
    assert (row.state, row.ack, row.followup) == ("acknowledged", "sudah", None)
    bot.clock.advance(timedelta(days=3))
    await settle(bot)
    assert _not_yet(await wati.messages_until_quiet()) == []


async def test_no_answer_within_the_timeout_tells_her_tpk_member(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    sari = await join(bot, wati, sasaran, 5001, "Sari")
    await settle(bot)
    assert "ke-2" in (await sari.next_message()).text
    wati.drain()

    bot.clock.advance(timedelta(hours=47, minutes=59))  # [pengingat.ack] timeout_hours = 48
    await settle(bot)
    assert _not_yet(await wati.messages_until_quiet()) == []
    bot.clock.advance(timedelta(minutes=2))
    await settle(bot)
    told = [m for m in await wati.messages_until_quiet() if "belum periksa kehamilan ke-2" in m.text]
    assert len(told) == 1
    assert told[0].text.startswith("🔔 Ibu S. belum periksa kehamilan ke-2 — mohon dikunjungi")
    assert "Sari Dewi" not in told[0].text, "first-name initial only"
    assert [b.callback_data for row in told[0].buttons for b in row] == [f"kj:new:{sasaran}"]
    assert (await _anc2(bot, sasaran)).followup == "tpk"
    bot.clock.advance(timedelta(days=1))
    await settle(bot)
    assert _not_yet(await wati.messages_until_quiet()) == [], "told once"


async def test_belum_tells_her_tpk_member_at_once(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Rina")
    rina = await join(bot, wati, sasaran, 5001, "Rina")
    await settle(bot)
    await rina.next_message()
    await rina.press("Belum")
    assert "akan menghubungi" in (await rina.next_message()).text
    await settle(bot)
    told = _not_yet(await wati.messages_until_quiet())
    assert len(told) == 1 and "Ibu R." in told[0] and "menjawab «Belum»" in told[0]
    row = await _anc2(bot, sasaran)
    assert (row.ack, row.followup) == ("belum", "tpk")


async def _anc2_left_unanswered(bot: BotUnderTest, wati: SimUser) -> int:
    """Sari registered and linked by ``wati``: her ANC-2 reminder goes out on Monday 23 Nov at
    09:00 (this week's empty summaries are logged), and by Wednesday, with no answer, Bidan
    Wati is told. The coordinators who should hear of it must exist before. Her sasaran id."""
    sasaran = await register_mother(bot, wati.id, "Sari")
    await join(bot, wati, sasaran, 5001, "Sari")
    await settle(bot)
    bot.clock.advance(timedelta(hours=49))
    await settle(bot)
    return sasaran


async def test_still_open_after_the_delay_it_is_in_the_coordinators_weekly_summary(
    quiet_bot: BotUnderTest,
) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    kepala = await add_member(bot, 4001, "Pak Koordinator", "koordinator", "36.73.01")
    outside = await add_member(bot, 4002, "Koordinator Kasemen", "koordinator", "36.73.02")
    admin = bot.user(ADMIN_ID, "Admin")  # admins get the summary of the whole deployment
    sasaran = await _anc2_left_unanswered(bot, wati)
    assert await kepala.messages_until_quiet(quiet=0.2) == []

    bot.clock.set(local(bot, day(7), 6, 59))  # next Monday, before the digest hour
    await settle(bot)
    assert await kepala.messages_until_quiet(quiet=0.2) == []
    bot.clock.set(local(bot, day(7), 7, 0))
    await settle(bot)
    summary = await kepala.next_message()
    assert "Ringkasan mingguan pengingat" in summary.text
    assert "Ibu S. belum periksa kehamilan ke-2 (TPK: Bidan Wati" in summary.text
    assert "Sukawana" in summary.text
    assert await outside.messages_until_quiet(quiet=0.2) == [], "another area's coordinator sees nothing"
    assert "Ibu S. belum periksa kehamilan ke-2" in (await admin.next_message()).text

    # A visit recorded after the TPK member was told closes the item.
    from storage import keluarga as keluarga_store
    from storage.keluarga import Measurement

    async with bot.db.transaction() as tx:
        await keluarga_store.add_kunjungan(tx, sasaran_id=sasaran, reporter_id=wati.id, kind="kunjungan",
                                           measurement=Measurement(visited_on=day(8)), answers={},
                                           now=bot.clock.now())
    bot.clock.set(local(bot, day(14), 7, 0))
    await settle(bot)
    assert await kepala.messages_until_quiet(quiet=0.2) == []


async def test_a_national_coordinator_gets_the_weekly_summary_on_jakartas_time(national_bot: BotUnderTest) -> None:
    """The nation's accounts (region "ID") are in no province's zone: they keep WIB's."""
    bot = national_bot
    wati = await tpk(bot)
    nasional = await add_member(bot, 4001, "Ketua Nasional", "koordinator", "ID")
    bali = await add_member(bot, 4002, "Koordinator Bali", "koordinator", "51")
    admin = bot.user(ADMIN_ID, "Admin")
    await _anc2_left_unanswered(bot, wati)
    bot.clock.set(local(bot, day(7), 6, 59))
    await settle(bot)
    assert await nasional.messages_until_quiet(quiet=0.2) == []
    bot.clock.set(local(bot, day(7), 7, 0))
    await settle(bot)
    summary = await nasional.next_message()
    assert "Ringkasan mingguan pengingat" in summary.text
    assert "Ibu S. belum periksa kehamilan ke-2 (TPK: Bidan Wati" in summary.text
    assert "Ibu S. belum periksa kehamilan ke-2" in (await admin.next_message()).text
    assert not any("Ibu S." in m.text for m in await bali.messages_until_quiet(quiet=0.2))


async def test_a_long_weekly_summary_still_fits_one_message(bot: BotUnderTest) -> None:
    from datetime import date

    from bot.reminders.escalation import Summary, render_summary
    from storage.tugas import LateTask, PostTerm

    name = "Nama Yang Sangat Panjang Sekali " * 3
    late = [LateTask(i, name, "36.73.01.1008", "Kehamilan lewat 44 minggu: perbarui catatannya " * 2,
                     date(2026, 11, 1), "Bidan Wati") for i in range(25)]
    post = [PostTerm(i, name, "36.73.01.1008", date(2026, 1, 1), "Bidan Wati") for i in range(25)]
    text = render_summary(bot.services, Summary([], 0, late, 80, post, 40), "minggu 49, 2026", date(2026, 12, 1))
    assert len(text) <= 4096
    assert text.rstrip().endswith("baris lainnya.")
