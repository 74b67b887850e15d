"""Consent records (who, when, which text version) are kept and shown on request: to the
mother herself (/persetujuan) and to coordinators and admins within their area."""

from __future__ import annotations

from datetime import timedelta

from bot import texts
from bot.commands import commands_for
from bot.domain.roles import Role
from bot.reminders.texts import CONSENT_VERSION
from tests.harness import ADMIN_ID, BotUnderTest, add_member, press_forged
from tests.reminders.helpers import SERANG_KEL, invite, join, open_as_her, quiet_bot, register_mother, tpk

__all__ = ["quiet_bot"]


async def test_a_mother_sees_her_own_consent_history(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    member = await tpk(bot)
    sasaran_id = await register_mother(bot, member.id, "Rina Marlina")
    mother = await join(bot, member, sasaran_id, 5001, "Rina")
    assert "persetujuan" in [c.name for c in commands_for(Role.IBU)]

    await mother.send("/persetujuan")
    shown = (await mother.next_message()).plain_text
    assert "Riwayat persetujuan Bunda" in shown
    assert f"23 November 2026 pukul 09.00 WIB — Setuju menerima pengingat (teks {CONSENT_VERSION})" in shown
    assert "akun Telegram" not in shown

    bot.clock.advance(timedelta(days=2, hours=3))
    await mother.send("/berhenti")
    await mother.next_message()
    await mother.send("/persetujuan")
    history = await mother.next_message()
    lines = [line for line in history.plain_text.splitlines() if line.startswith("•")]
    assert lines == [
        f"• 23 November 2026 pukul 09.00 WIB — Setuju menerima pengingat (teks {CONSENT_VERSION})",
        f"• 25 November 2026 pukul 12.00 WIB — Menghentikan pengingat (/berhenti) (teks {CONSENT_VERSION})",
    ]
    # The text she agreed to, on request.
    await mother.press("📄 Lihat teks persetujuan")
    consent_text = (await mother.next_message()).plain_text
    assert CONSENT_VERSION in consent_text and "Yang disimpan" in consent_text
    assert "Apakah Bunda setuju?" in consent_text


async def test_coordinators_see_consent_records_in_their_area_only(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    member = await tpk(bot)
    agreed = await register_mother(bot, member.id, "Rina Marlina")
    refused = await register_mother(bot, member.id, "Rini Susanti")
    await join(bot, member, agreed, 5001, "Rina")
    token, _ = await invite(bot, member, refused)
    other = bot.user(5002, "Rini")
    await open_as_her(bot, other, token, refused)
    await other.press("Tidak")
    await other.next_message()

    serang = await add_member(bot, 2001, "Koor Serang", "koordinator", "36.73.01")
    await serang.send("/persetujuan Rina Marlina")
    record = (await serang.next_message()).plain_text
    assert "Persetujuan — Rina Marlina — Ibu hamil" in record
    assert f"Setuju menerima pengingat (teks {CONSENT_VERSION}, akun Telegram 5001)" in record

    # Two matches: pick one.
    await serang.send("/persetujuan Rin")
    choice = await serang.next_message()
    assert len(choice.button_labels()) == 2
    await serang.press(next(label for label in choice.button_labels() if label.startswith("Rini Susanti")))
    shown = (await serang.next_edit()).plain_text
    assert f"Tidak setuju (teks {CONSENT_VERSION}, akun Telegram 5002)" in shown

    # Not in the area, not for TPK members, not without a name; the admin sees everything.
    curug = await add_member(bot, 2002, "Koor Curug", "koordinator", "36.73.04")
    await curug.send("/persetujuan Rina")
    assert "Tidak ada sasaran bernama «Rina» di wilayah Anda." in (await curug.next_message()).plain_text
    message = curug.transcript[-1]
    for data in (f"ps:s:{agreed}", "ps:t", "ps:s:x"):
        assert await press_forged(bot.emu, curug, message.message_id, data) == texts.EXPIRED_BUTTON
    member.drain()
    await member.send("/persetujuan Rina")
    assert (await member.next_message()).plain_text == texts.NOT_ALLOWED
    await serang.send("/persetujuan")
    assert "riwayat persetujuannya" in (await serang.next_message()).plain_text
    admin = bot.user(ADMIN_ID, "Admin")
    await admin.send("/persetujuan Rina Marlina")
    assert "akun Telegram 5001" in (await admin.next_message()).plain_text


async def test_a_record_without_any_decision_says_so(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    member = await tpk(bot)
    await register_mother(bot, member.id, "Rina Marlina", SERANG_KEL)
    serang = await add_member(bot, 2001, "Koor Serang", "koordinator", "36.73.01")
    await serang.send("/persetujuan rina")
    assert "Belum ada persetujuan yang tercatat" in (await serang.next_message()).plain_text
