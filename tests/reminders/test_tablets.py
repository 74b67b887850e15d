"""Iron tablets (TTD) end to end, over weeks of moved clock (issue 16, "Mothers").

The weekly check-in is the default: one message a week on Sunday at 18:00 where she
lives, «Sudah minum 7» / «Kurang dari 7» (then 0–6 by buttons). Her answers count toward
the 90 tablets, shown to her and on her TPK member's /keluarga card; fewer than 7 sends
her TPK member a visit request, at most once a week. The daily reminder is her choice in
/jadwal: varied texts with «💊 Sudah minum». Every button is idempotent, and an old
week's button still answers that week.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.dev.emulator import BotMessage, SimUser
from storage import notices as notices_store
from storage.url import StorageURL
from tests.harness import ADMIN_ID, BotUnderTest, bot_under_test, press_forged
from tests.reminders.helpers import DENPASAR_KEL, _without_job, join, local, register_mother, settle, tpk

#: Only the tablet reminders and the ANC ones: no weekly pregnancy message in the way.
NO_WEEKLY: dict[str, Any] = {"pengingat": {"weekly": {"first_week": 42, "last_week": 42}}}
CHECK_IN = "bagaimana tablet tambah darah Bunda minggu ini"
SUNDAY = date(2026, 11, 29)  # the first Sunday after START (Monday 23 November 2026)


@pytest.fixture
async def ttd_bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    async with bot_under_test(tmp_path, clock, **NO_WEEKLY, storage={"url": storage_url.as_setting()}) as harness:
        _without_job(harness)
        yield harness


async def at(bot: BotUnderTest, day: date, hour: int, minute: int = 0, zone: str = "Asia/Jakarta") -> None:
    """Move the clock to a local time and run the job until it has sent everything due."""
    bot.clock.set(local(bot, day, hour, minute, zone))
    await settle(bot)


def tablet_messages(user: SimUser) -> list[BotMessage]:
    return [m for m in user.drain() if "tablet tambah darah" in m.text]


async def tap(bot: BotUnderTest, user: SimUser, message: BotMessage, label: str) -> str | None:
    """Press a button of one particular message (an old one too); the bot's answer text."""
    data = message.button(label).callback_data
    assert data is not None
    return await press_forged(bot.emu, user, message.message_id, data)


async def joined(bot: BotUnderTest, region: str | None = None) -> tuple[SimUser, SimUser, int]:
    extra = {"region": region} if region else {}
    wati = await tpk(bot, **extra)
    bot.user(ADMIN_ID, "Admin")  # the admin's chat, for the coordinators' weekly summary
    sasaran = await register_mother(bot, wati.id, "Sari", **extra)
    sari = await join(bot, wati, sasaran, 5001, "Sari")
    await settle(bot)
    sari.drain()
    wati.drain()
    return wati, sari, sasaran


async def tablet_rows(bot: BotUnderTest, sasaran: int) -> list[tuple[str, int, int]]:
    rows = await bot.db.fetch_all("SELECT span_start, span_days, tablets FROM ttd_laporan WHERE sasaran_id = ? "
                                  "ORDER BY span_start", (sasaran,))
    return [(r[0], r[1], r[2]) for r in rows]


async def test_a_weekly_check_in_counts_toward_ninety_and_fewer_tells_her_tpk_member(ttd_bot: BotUnderTest) -> None:
    bot = ttd_bot
    wati, sari, sasaran = await joined(bot)

    # Every evening of the first week: nothing about tablets until Sunday 18:00 WIB.
    for offset in range(6):
        await at(bot, SUNDAY - timedelta(days=6 - offset), 18, 30)
        assert tablet_messages(sari) == [], f"no daily tablet text by default (day {offset})"
    await at(bot, SUNDAY, 17, 59)
    assert tablet_messages(sari) == []
    await at(bot, SUNDAY, 18, 0)
    [week1] = tablet_messages(sari)
    assert CHECK_IN in week1.text and "(23–29 November)" in week1.text, week1.text
    assert week1.button_labels() == ["Sudah minum 7", "Kurang dari 7"]
    await at(bot, SUNDAY, 18, 45)
    assert tablet_messages(sari) == [], "once a week, not again the same evening"

    await sari.press("Sudah minum 7")
    thanks = await sari.next_message()
    assert thanks.text == ("Terima kasih, Bunda! 7 tablet untuk 23–29 November tercatat. Sudah 7 dari 90 tablet. "
                           "Terus ya, Bunda!")
    # The same button again (a double tap, a stale copy): nothing is counted twice.
    again = await tap(bot, sari, week1, "Sudah minum 7")
    assert again is not None and "sudah tersimpan" in again and "Sudah 7 dari 90 tablet" in again
    assert await tablet_rows(bot, sasaran) == [("2026-11-23", 7, 7)]
    await settle(bot)
    assert not await notices_store.for_recipient(bot.db, wati.id, kind="ttd_kurang")

    # Week 2: fewer than seven — how many, by buttons; her TPK member is asked to visit.
    await at(bot, SUNDAY + timedelta(days=7), 18, 0)
    [week2] = tablet_messages(sari)
    assert "(30 November – 6 Desember)" in week2.text, week2.text
    await sari.press("Kurang dari 7")
    question = await sari.next_message()
    assert question.text.startswith("Berapa tablet yang Bunda minum minggu ini (30 November – 6 Desember)?")
    assert question.button_labels() == ["0", "1", "2", "3", "4", "5", "6"]
    assert await tablet_rows(bot, sasaran) == [("2026-11-23", 7, 7)], "nothing stored before she picks"
    await sari.press("3")
    thanks = await sari.next_message()
    assert "3 tablet untuk 30 November – 6 Desember tercatat. Sudah 10 dari 90 tablet." in thanks.text, thanks.text
    await settle(bot)
    [notice] = [m for m in wati.drain() if m.text.startswith("💊")]
    assert notice.text.startswith("💊 Ibu S. baru minum 3 dari 7 tablet tambah darah minggu ini — mohon dikunjungi.")
    assert "Sari" not in notice.text, "initials only"
    assert notice.button_labels() == ["Catat kunjungan"]
    assert await tap(bot, sari, question, "5") is not None  # a second number on the same question
    assert await tablet_rows(bot, sasaran) == [("2026-11-23", 7, 7), ("2026-11-30", 7, 3)]

    # Week 3 goes unanswered; in week 4 she answers week 3's old message, then week 4's,
    # both fewer than seven on the same evening: each counts for its own week, and her TPK
    # member hears about it once this week.
    await at(bot, SUNDAY + timedelta(days=14), 18, 0)
    [week3] = tablet_messages(sari)
    await at(bot, SUNDAY + timedelta(days=21), 18, 0)
    [week4] = tablet_messages(sari)
    assert "(14–20 Desember)" in week4.text
    await tap(bot, sari, week3, "Kurang dari 7")
    old_question = await sari.next_message()
    assert "(7–13 Desember)" in old_question.text
    await tap(bot, sari, old_question, "2")
    assert "Sudah 12 dari 90 tablet." in (await sari.next_message()).text
    await tap(bot, sari, week4, "Kurang dari 7")
    await tap(bot, sari, await sari.next_message(), "5")
    assert "Sudah 17 dari 90 tablet." in (await sari.next_message()).text
    assert await tablet_rows(bot, sasaran) == [("2026-11-23", 7, 7), ("2026-11-30", 7, 3), ("2026-12-07", 7, 2),
                                               ("2026-12-14", 7, 5)]
    await settle(bot)
    fewer = await notices_store.for_recipient(bot.db, wati.id, kind="ttd_kurang")
    assert len(fewer) == 2, [n.dedupe_key for n in fewer]  # week 2's, and one for this week

    # Her TPK member sees the count on her card in /keluarga; Sari sees it in /jadwal.
    wati.drain()
    await wati.send("/keluarga")
    listing = await wati.next_message()
    await wati.press(next(label for label in listing.button_labels() if "Suami Sari" in label))
    card = await wati.next_edit()
    assert "💊 TTD (jawaban ibu di TPK Bot): 17 dari 90 tablet; minggu 14–20 Desember: 5 dari 7." in card.text
    sari.drain()
    await sari.send("/jadwal")
    schedule = (await sari.next_message()).text
    assert "Pengingat tablet tambah darah: ditanyakan seminggu sekali (aktif)." in schedule
    assert "Tablet tambah darah: Sudah 17 dari 90 tablet. Terus ya, Bunda!" in schedule


async def test_daily_when_she_chooses_it_varied_with_a_button_that_counts_once(ttd_bot: BotUnderTest) -> None:
    bot = ttd_bot
    wati, sari, sasaran = await joined(bot)
    await sari.send("/jadwal")
    schedule = await sari.next_message()
    assert schedule.button_labels() == ["Ganti ke pengingat setiap hari", "Matikan pengingat tablet tambah darah"]
    sari.drain_edits()
    await sari.press("Ganti ke pengingat setiap hari")
    edited = await sari.next_edit()
    assert "Pengingat tablet tambah darah: setiap hari (aktif)." in edited.text
    assert edited.button_labels() == ["Ganti ke tanya seminggu sekali", "Matikan pengingat tablet tambah darah"]

    texts = []
    for offset in range(7):  # Monday to Sunday, 18:00 WIB
        await at(bot, date(2026, 11, 23) + timedelta(days=offset), 18, 0)
        [daily] = tablet_messages(sari)
        assert CHECK_IN not in daily.text, "no weekly check-in while she has the daily reminder"
        assert daily.button_labels() == ["💊 Sudah minum"]
        texts.append(daily.text)
        if offset < 3:
            await sari.press("💊 Sudah minum")
            thanks = await sari.next_message()
            assert thanks.text.startswith(f"Terima kasih, Bunda! 1 tablet hari ini tercatat. Sudah {offset + 1} dari "
                                          "90 tablet."), thanks.text
        if offset == 0:
            first = daily
    assert all(a != b for a, b in pairwise(texts)), "no two days in a row read the same"
    assert len(set(texts)) >= 4
    # Monday's button pressed again on Sunday: still one tablet for Monday.
    again = await tap(bot, sari, first, "💊 Sudah minum")
    assert again is not None and "sudah tersimpan" in again
    assert await tablet_rows(bot, sasaran) == [("2026-11-23", 1, 1), ("2026-11-24", 1, 1), ("2026-11-25", 1, 1)]
    assert not await notices_store.for_recipient(bot.db, wati.id, kind="ttd_kurang")

    # Back to the weekly check-in on Sunday evening: this week's check-in comes at once, and
    # her answer is not added to the daily presses of the same days.
    sari.drain()
    await sari.send("/jadwal")
    await sari.next_message()
    sari.drain_edits()
    await sari.press("Ganti ke tanya seminggu sekali")
    assert "ditanyakan seminggu sekali (aktif)" in (await sari.next_edit()).text
    await at(bot, SUNDAY, 18, 5)
    [week] = tablet_messages(sari)
    assert CHECK_IN in week.text and "(23–29 November)" in week.text
    await sari.press("Sudah minum 7")
    assert "Sudah 7 dari 90 tablet." in (await sari.next_message()).text  # not 3 daily + 7
    for offset in range(1, 7):
        await at(bot, SUNDAY + timedelta(days=offset), 18, 0)
        assert tablet_messages(sari) == [], "no daily text after switching back"
    await at(bot, SUNDAY + timedelta(days=7), 18, 0)
    [week] = tablet_messages(sari)
    assert CHECK_IN in week.text


async def test_a_forged_or_foreign_tablet_press_counts_nothing(ttd_bot: BotUnderTest) -> None:
    bot = ttd_bot
    wati = await tpk(bot)
    sari_id = await register_mother(bot, wati.id, "Sari")
    rina_id = await register_mother(bot, wati.id, "Rina")
    sari = await join(bot, wati, sari_id, 5001, "Sari")
    rina = await join(bot, wati, rina_id, 5002, "Rina")
    await at(bot, SUNDAY, 18, 0)
    [sari_week] = tablet_messages(sari)
    [rina_week] = tablet_messages(rina)
    rina_data = rina_week.button("Sudah minum 7").callback_data
    assert rina_data is not None
    await press_forged(bot.emu, sari, sari_week.message_id, rina_data)  # Rina's button from Sari's chat
    rid = rina_data.split(":")[2]
    await press_forged(bot.emu, sari, sari_week.message_id, f"ibu:tb:{rid}:8")  # no such number
    wati_message = wati._chat.bot_messages()[-1].message_id  # a member pressing her button: not hers to answer
    await press_forged(bot.emu, wati, wati_message, sari_week.button("Sudah minum 7").callback_data or "")
    assert await tablet_rows(bot, sari_id) == [] and await tablet_rows(bot, rina_id) == []
    # Her own week with any number 0–7 is hers to answer (the "Kurang dari 7" picker's).
    sari_rid = (sari_week.button("Sudah minum 7").callback_data or "").split(":")[2]
    await press_forged(bot.emu, sari, sari_week.message_id, f"ibu:tb:{sari_rid}:1")
    assert await tablet_rows(bot, sari_id) == [("2026-11-23", 7, 1)]


async def test_the_check_in_arrives_at_18_where_she_lives(tmp_path: Path, clock: FakeClock,
                                                          storage_url: StorageURL) -> None:
    """Bali is WITA (UTC+8): 18:00 there is 17:00 in Serang."""
    sections: dict[str, Any] = {**NO_WEEKLY, "wilayah": {"root": "51.71"}, "storage": {"url": storage_url.as_setting()}}
    async with bot_under_test(tmp_path, clock, **sections) as bot:
        _without_job(bot)
        _, sari, _ = await joined(bot, DENPASAR_KEL)
        await at(bot, SUNDAY, 17, 59, zone="Asia/Makassar")
        assert tablet_messages(sari) == []
        await at(bot, SUNDAY, 18, 0, zone="Asia/Makassar")
        [week] = tablet_messages(sari)
        assert CHECK_IN in week.text
