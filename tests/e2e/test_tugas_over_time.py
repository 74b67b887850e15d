"""Nothing is silently dropped (issue 14): the TPK member's visit list over weeks of moved clock.

A late visit stays on the list until it is made or closed with a reason and reaches the
coordinator after ``[kunjungan] escalate_after_days``; "mohon dikunjungi" requests are on
/tugas; a post-term pregnancy produces its tasks at 42 and past 44 weeks; a catin past the
wedding gets a task; numbers and buttons agree; /jadwal names the check-up's own date.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import callbacks, reminders
from bot.dev.emulator import BotMessage, SimUser
from bot.domain.roles import Status
from bot.reminders.planning import visit_markup
from storage import audit
from storage import keluarga as keluarga_store
from storage import notices as notices_store
from storage import users as users_store
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from tests.harness import ADMIN_ID, BotUnderTest, add_member, press_forged
from tests.reminders.helpers import SERANG_KEL, day, join, local, quiet_bot, register_mother, settle, tpk

__all__ = ["quiet_bot"]  # the reminder tests' fixture: no daily tablet, no weekly message


async def _visit(bot: BotUnderTest, sasaran: int, tpk_id: int, on: date, kind: str = "kunjungan") -> None:
    async with bot.db.transaction() as tx:
        await keluarga_store.add_kunjungan(tx, sasaran_id=sasaran, reporter_id=tpk_id, kind=kind,
                                           measurement=Measurement(visited_on=on), answers={}, now=bot.clock.now())


async def _digest_on(bot: BotUnderTest, member: SimUser, on: date) -> BotMessage | None:
    """Move to 07:00 (the digest hour) of ``on``, run the job, and return that day's list."""
    member.drain()
    bot.clock.set(local(bot, on, 7, 0))
    await settle(bot)
    lists = [m for m in await member.messages_until_quiet(quiet=0.2) if m.text.startswith("📋")]
    assert len(lists) <= 1
    return lists[0] if lists else None


async def _summary(member: SimUser) -> str | None:
    found = [m.text for m in await member.messages_until_quiet(quiet=0.2) if "Ringkasan mingguan" in m.text]
    return found[-1] if found else None


async def _tugas(member: SimUser) -> BotMessage:
    member.drain()
    await member.send("/tugas")
    return await member.next_message()


async def test_an_overdue_visit_stays_listed_is_escalated_after_7_days_and_closes_with_a_reason(
    bot: BotUnderTest,
) -> None:
    wati = await tpk(bot)
    kepala = await add_member(bot, 4001, "Pak Koordinator", "koordinator", "36.73.01")
    outside = await add_member(bot, 4002, "Koordinator Kasemen", "koordinator", "36.73.02")
    bot.user(ADMIN_ID, "Admin")
    budi = await register_mother(bot, wati.id, "Budi Santoso", category="baduta", hpht=None,
                                 birth_date=date(2025, 6, 1))
    await _visit(bot, budi, wati.id, date(2026, 10, 25), kind="pendaftaran")  # next monthly visit: 24 November

    first = await _digest_on(bot, wati, day(1))
    assert first is not None and "1. Budi Santoso (baduta) — Kunjungan rutin bulanan, hari ini" in first.text

    # Monday 30 November: 6 days late, still only on her list.
    assert "terlambat 6 hari" in (await _digest_on(bot, wati, day(7))).text  # type: ignore[union-attr]
    assert await _summary(kepala) is None

    # Monday 7 December: 13 days late (its 14-day window ended yesterday): on her list and
    # named in the weekly summary of the area's coordinator, not of another area.
    on_list = await _digest_on(bot, wati, day(14))
    assert on_list is not None and "Budi Santoso (baduta) — Kunjungan rutin bulanan, terlambat 13 hari" in on_list.text
    summary = await _summary(kepala)
    assert summary is not None, "the coordinator hears of it"
    assert "kunjungan terlambat 7 hari atau lebih" in summary
    assert "• Budi Santoso — Kunjungan rutin bulanan, terlambat 13 hari (TPK: Bidan Wati)" in summary
    assert "Sukawana" in summary
    assert await _summary(outside) is None, "another area's coordinator sees nothing"

    # 10 December, 16 days late: never dropped.
    later = await _digest_on(bot, wati, day(17))
    assert later is not None and "terlambat 16 hari" in later.text
    listed = await _tugas(wati)
    assert "1. Budi Santoso (baduta) — Kunjungan rutin bulanan, terlambat 16 hari" in listed.text

    # The family moved away: closed with a reason, audited, gone from the list and the summary.
    await wati.press("1. Tutup…")
    picker = await wati.next_message()
    assert "Tutup tugas untuk Budi Santoso?" in picker.text
    assert picker.button_labels() == ["Pindah", "Meninggal", "Tidak ditemukan", "Menolak dikunjungi",
                                      "Batal, tetap di daftar"]
    await wati.press("Pindah")
    done = await wati.next_edit()
    assert done.text.startswith("✅ Tugas untuk Budi Santoso ditutup: pindah.")
    entries = [e for e in await audit.history(bot.db, "sasaran", budi) if e.action == "tugas_tutup"]
    assert entries and {e.after["alasan"] for e in entries if e.after} == {"pindah"}
    assert {e.actor_id for e in entries} == {wati.id}
    assert "Tidak ada kunjungan" in (await _tugas(wati)).text
    assert await _digest_on(bot, wati, day(21)) is None
    await _digest_on(bot, wati, day(35))  # a month on: moved away means no more visits at all
    assert "Tidak ada kunjungan" in (await _tugas(wati)).text
    assert await _summary(kepala) is None


async def test_a_visit_closes_a_late_task_and_takes_it_out_of_the_summary(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    kepala = await add_member(bot, 4001, "Pak Koordinator", "koordinator", "36.73.01")
    bot.user(ADMIN_ID, "Admin")
    nia = await register_mother(bot, wati.id, "Nia", category="ibu_nifas", hpht=None, delivery_date=date(2026, 11, 20))
    late = await _digest_on(bot, wati, day(14))  # KF2 (days 3–7) was due by 27 November
    assert late is not None and "Kunjungan nifas KF2, terlambat 10 hari" in late.text
    assert "Nia — Kunjungan nifas KF2, terlambat 10 hari" in (await _summary(kepala) or "")
    await _visit(bot, nia, wati.id, day(15))
    bot.clock.set(local(bot, day(16), 7, 0))
    assert "KF2" not in (await _tugas(wati)).text
    assert await _digest_on(bot, wati, day(21)) is None, "KF3 settled by the same visit; KF4 opens on the 19th"
    assert await _summary(kepala) is None, "next Monday: nothing late any more"


async def test_tugas_lists_a_mohon_dikunjungi_request_until_the_visit(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Yuni")
    await _visit(bot, sasaran, wati.id, day(0), kind="pendaftaran")  # nothing else is due
    yuni = await join(bot, wati, sasaran, 5001, "Yuni")
    await settle(bot)
    await yuni.next_message()  # "… periksa kehamilan ke-2"
    bot.clock.advance(timedelta(hours=2))
    await yuni.press("Belum")
    await settle(bot)
    notices = [m.text for m in await wati.messages_until_quiet() if m.text.startswith("🔔")]
    assert notices and notices[0].startswith("🔔 Ibu Y. belum periksa kehamilan ke-2 — mohon dikunjungi")

    listed = await _tugas(wati)
    assert "Tidak ada kunjungan" not in listed.text
    assert "1. Yuni (ibu hamil) — Ibu Y. belum periksa kehamilan ke-2 — mohon dikunjungi, hari ini" in listed.text
    assert [[b.callback_data for b in row] for row in listed.buttons] == [[f"kj:new:{sasaran}", f"tg:t:{sasaran}"]]

    bot.clock.advance(timedelta(days=2))
    assert "terlambat 2 hari" in (await _tugas(wati)).text, "still there two days later"
    await _visit(bot, sasaran, wati.id, day(2))
    assert "Tidak ada kunjungan" in (await _tugas(wati)).text, "the visit settles it"


async def test_sudah_after_the_tpk_was_told_settles_the_request(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Yuni")
    await _visit(bot, sasaran, wati.id, day(0), kind="pendaftaran")
    yuni = await join(bot, wati, sasaran, 5001, "Yuni")
    await settle(bot)
    anc2 = await yuni.next_message()
    bot.clock.advance(timedelta(hours=49))  # no answer: her TPK member is told
    await settle(bot)
    assert "mohon dikunjungi" in (await _tugas(wati)).text
    yuni.drain()
    await yuni.press_at(anc2.message_id, 0, 0)  # "Sudah periksa", on the ANC-2 reminder
    assert "tersimpan" in (await yuni.next_message()).text
    assert "Tidak ada kunjungan" in (await _tugas(wati)).text


async def test_a_post_term_pregnancy_gets_its_tasks_at_42_and_past_44_weeks(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    kepala = await add_member(bot, 4001, "Pak Koordinator", "koordinator", "36.73.01")
    bot.user(ADMIN_ID, "Admin")
    week_42 = day(3)  # Thursday 26 November 2026
    hpht = week_42 - timedelta(weeks=42)
    yuni = await register_mother(bot, wati.id, "Yuni Lestari", hpht=hpht)
    await _visit(bot, yuni, wati.id, day(0), kind="pendaftaran")

    early = await _digest_on(bot, wati, day(2))
    assert early is not None and "rujuk dan kunjungi, mulai besok" in early.text, "41 weeks 6 days: not late yet"
    refer = await _digest_on(bot, wati, week_42)
    assert refer is not None
    assert ("1. Yuni Lestari (ibu hamil) — Kehamilan 42 minggu, belum ada catatan persalinan: rujuk dan kunjungi, "
            "hari ini") in refer.text
    summary = await _summary_on_monday(bot, kepala, day(7))
    assert "1 kehamilan 42 minggu atau lebih tanpa catatan persalinan" in summary
    assert "• Yuni Lestari — 42 minggu, perlu dirujuk dan dikunjungi (TPK: Bidan Wati)" in summary

    # Visited (still no birth recorded): the referral task is done; the record is not.
    await _visit(bot, yuni, wati.id, day(8))
    assert await _digest_on(bot, wati, day(9)) is None
    past_44 = week_42 + timedelta(weeks=2, days=1)  # 44 weeks and a day: 11 December
    stale = await _digest_on(bot, wati, past_44)
    assert stale is not None
    assert ("Kehamilan lewat 44 minggu: perbarui catatannya (persalinan, keguguran, atau HPHT), hari ini"
            in stale.text)
    await _visit(bot, yuni, wati.id, past_44)
    later = await _digest_on(bot, wati, past_44 + timedelta(days=2))
    assert later is not None and "lewat 44 minggu" in later.text and "terlambat 2 hari" in later.text, \
        "a visit does not update the record: still listed"
    summary = await _summary_on_monday(bot, kepala, day(21))
    assert "• Yuni Lestari — 44 minggu, perbarui catatannya (TPK: Bidan Wati)" in summary


async def _summary_on_monday(bot: BotUnderTest, coordinator: SimUser, monday: date) -> str:
    coordinator.drain()
    bot.clock.set(local(bot, monday, 7, 0))
    await settle(bot)
    summary = await _summary(coordinator)
    assert summary is not None
    return summary


async def test_every_numbered_item_has_its_buttons_and_nothing_is_late_before_the_contact(
    bot: BotUnderTest,
) -> None:
    wati = await tpk(bot)
    # ANC contact 3 (week 20) on 26 November: the visit around it is open from the 19th.
    sari = await register_mother(bot, wati.id, "Sari", hpht=date(2026, 11, 26) - timedelta(weeks=20))
    budi = await register_mother(bot, wati.id, "Budi", category="baduta", hpht=None, birth_date=date(2025, 6, 1))
    listed = await _tugas(wati)
    numbered = [line for line in listed.text.splitlines() if line[:1].isdigit()]
    assert len(numbered) == len(listed.buttons) == 2, listed.text
    for number, (line, row) in enumerate(zip(numbered, listed.buttons, strict=True), start=1):
        assert line.startswith(f"{number}. ")
        assert [b.label.split(".")[0] for b in row] == [str(number), str(number)]
    sari_line = next(line for line in numbered if "Sari" in line)
    assert "Kunjungan rutin bulanan, hari ini" in sari_line
    assert "Dampingi periksa kehamilan ke-3, 3 hari lagi" in sari_line, "not «terlambat» before the contact"
    assert {row[0].callback_data for row in listed.buttons} == {f"kj:new:{sari}", f"kj:new:{budi}"}


async def test_a_catin_past_the_wedding_date_gets_a_task_to_record_the_marriage(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    bot.user(ADMIN_ID, "Admin")  # a week late, it is in the admin's Monday summary
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name="Bapak Rudi",
                                                 water_source="ledeng", latrine="septik"),
            reporter_id=wati.id, draft_key=None, now=now)
        rina = await keluarga_store.add_sasaran(
            tx, bot.services.cipher, family,
            NewSasaran(category="catin", name="Rina", sex="P", birth_date=date(2001, 3, 4),
                       answers={"nikah": "2026-12-05"}),
            reporter_id=wati.id, now=now)
    await _visit(bot, rina, wati.id, day(0), kind="pendaftaran")

    wedding_day = await _digest_on(bot, wati, day(12))
    assert wedding_day is not None and "catat pernikahannya (dan kehamilan bila ada), mulai besok" in wedding_day.text
    after = await _digest_on(bot, wati, day(13))
    assert after is not None
    assert ("1. Rina (catin) — Tanggal menikah sudah lewat: catat pernikahannya (dan kehamilan bila ada), hari ini"
            in after.text)
    later = await _digest_on(bot, wati, day(20))
    assert later is not None and "terlambat 7 hari" in later.text, "never dropped"
    await wati.press("1. Tutup…")
    picker = await wati.next_message()
    assert "Sudah menikah" in picker.button_labels()
    await wati.press("Sudah menikah")
    assert "ditutup: sudah menikah" in (await wati.next_edit()).text
    assert "Tidak ada kunjungan" in (await _tugas(wati)).text


async def test_jadwal_names_the_check_up_date_and_what_lies_beyond_the_window(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    # ANC contact 2 (week 14) on Thursday 31 December 2026; its reminder goes on the 28th.
    sasaran = await register_mother(bot, wati.id, "Sari", hpht=date(2026, 12, 31) - timedelta(weeks=14))
    sari = await join(bot, wati, sasaran, 5001, "Sari")
    await settle(bot)
    sari.drain()
    await sari.send("/jadwal")
    lines = (await sari.next_message()).text.splitlines()
    assert "• 31 Desember 2026 — Periksa kehamilan ke-2" in lines, lines
    assert not any("28 Desember" in line for line in lines), "not the day the reminder goes out"
    assert "• 11 Februari 2027 — Periksa kehamilan ke-3" in lines, "beyond the 14-day window, and 8 weeks"


async def test_jadwal_an_hour_before_a_reminder_that_is_still_to_go_out(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    # Week 21: contact 3 (week 20) was a week ago, its reminder not sent yet; contact 4 in 9 weeks.
    sasaran = await register_mother(bot, wati.id, "Rina", hpht=day(0) - timedelta(weeks=21))
    bot.clock.set(local(bot, day(0), 6, 0))
    rina = await join(bot, wati, sasaran, 5001, "Rina")
    await rina.send("/jadwal")
    text = (await rina.next_message()).text
    assert "Belum ada pengingat" not in text
    lines = text.splitlines()
    assert "• Secepatnya — Periksa kehamilan ke-3 (jadwalnya 16 November 2026)" in lines, lines
    assert "• 25 Januari 2027 — Periksa kehamilan ke-4" in lines


async def test_a_new_kind_of_request_shows_up_without_more_code(bot: BotUnderTest) -> None:
    """Another part of the bot (say a KMS reading that needs a referral) raises a task the
    documented way: a notice to the TPK member with the one visit button."""
    wati = await tpk(bot)
    bot.user(ADMIN_ID, "Admin")
    kepala = await add_member(bot, 4001, "Pak Koordinator", "koordinator", "36.73.01")
    budi = await register_mother(bot, wati.id, "Budi", category="baduta", hpht=None, birth_date=date(2025, 6, 1))
    await _visit(bot, budi, wati.id, day(0), kind="pendaftaran")
    bot.clock.advance(timedelta(hours=1))
    async with bot.db.transaction() as tx:
        await notices_store.queue(tx, recipient_id=wati.id, kind="rujuk", dedupe_key=f"rujuk:{budi}:1",
                                  text="🏥 <b>Anak B.</b> perlu dirujuk ke puskesmas: 2T. Mohon rujuk dan catat "
                                       "kunjungannya.", markup=visit_markup(budi), now=bot.clock.now())
    listed = await _tugas(wati)
    # The notice's first line is the item (without its emoji and bold).
    assert ("1. Budi (baduta) — Anak B. perlu dirujuk ke puskesmas: 2T. Mohon rujuk dan catat kunjungannya, hari ini"
            in listed.text), listed.text
    # Not acted on for a week: named in the coordinator's Monday summary.
    later = await _digest_on(bot, wati, day(7))
    assert later is not None and "catat kunjungannya, terlambat 7 hari" in later.text
    assert "• Budi — Anak B. perlu dirujuk ke puskesmas: 2T. Mohon rujuk dan catat kunjungannya, terlambat 7 hari " \
           "(TPK: Bidan Wati)" in (await _summary(kepala) or "")


async def test_a_member_who_left_does_not_take_late_work_out_of_the_summary(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    bot.user(ADMIN_ID, "Admin")
    kepala = await add_member(bot, 4001, "Pak Koordinator", "koordinator", "36.73.01")
    budi = await register_mother(bot, wati.id, "Budi", category="baduta", hpht=None, birth_date=date(2025, 6, 1))
    await _visit(bot, budi, wati.id, date(2026, 10, 25), kind="pendaftaran")
    await _digest_on(bot, wati, day(8))  # Tuesday 1 December: 7 days late, on her list
    await users_store.set_status(bot.db, actor_id=ADMIN_ID, user_id=wati.id, status=Status.INACTIVE,
                                 now=bot.clock.now())
    summary = await _summary_on_monday(bot, kepala, day(14))
    assert "• Budi — Kunjungan rutin bulanan, terlambat 13 hari (TPK: Bidan Wati)" in summary


async def test_forged_task_buttons_change_nothing(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    ani = await tpk(bot, 3002, "Kader Ani")
    budi = await register_mother(bot, wati.id, "Budi", category="baduta", hpht=None, birth_date=date(2025, 6, 1))
    listed = await _tugas(ani)  # Ani has nothing: a message to press forged buttons on
    for data in ("tg:t:²", f"tg:t:0{budi}", "tg:t:99999999999999999999", "tg:r:1:x", f"tg:r:{budi}", "tg:x:1",
                 f"tg:t:{budi}:p", "tg:", "tg:t:-1"):
        assert await press_forged(bot.emu, ani, listed.message_id, data) == callbacks.UNKNOWN, data
    # Wati's record through Ani's chat: not hers, nothing closed.
    assert await press_forged(bot.emu, ani, listed.message_id, f"tg:t:{budi}") == \
        "Tidak ada tugas terbuka untuk orang ini."
    assert await press_forged(bot.emu, ani, listed.message_id, f"tg:r:{budi}:m") == \
        "Tugas ini sudah tidak ada di daftar."
    assert await bot.db.fetch_value("SELECT count(*) FROM tugas WHERE closed_reason = 'meninggal'") == 0
    assert "Budi" in (await _tugas(wati)).text


async def test_the_visit_asked_for_after_a_pregnancy_loss_is_on_the_list(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Rina")
    await _visit(bot, sasaran, wati.id, day(0), kind="pendaftaran")
    await join(bot, wati, sasaran, 5001, "Rina")
    await settle(bot)
    bot.clock.advance(timedelta(hours=1))
    async with bot.db.transaction() as tx:  # as /kunjungan records a loss
        await keluarga_store.update_sasaran(tx, sasaran, actor_id=wati.id, now=bot.clock.now(), status="selesai",
                                            ended_reason="keguguran", ended_on=day(0))
    await reminders.cancel_for_loss(bot.services, sasaran)
    listed = await _tugas(wati)
    assert listed.text.count("1. Rina — Semua pengingat kehamilan dan bayi untuk Ibu R. sudah dihentikan.") == 1
    assert "Mohon kunjungi ibu untuk memberi dukungan dan memastikan ia diperiksa bidan, hari ini" in listed.text
    assert "ibu hamil" not in listed.text
    bot.clock.advance(timedelta(days=1))
    await _visit(bot, sasaran, wati.id, day(1))
    assert "Tidak ada kunjungan" in (await _tugas(wati)).text
