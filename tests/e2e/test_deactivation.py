"""Deactivation contains (issue 15 §4): the links a deactivated person made stop working,
their open forms close, a claim re-checks its maker, and a deactivated member joins again
only through a link made for them, after saying yes to it."""

from __future__ import annotations

from bot.dev.emulator import SimUser
from tests.e2e.test_invitations import invite, join, link_in
from tests.harness import ADMIN_ID, BotUnderTest, Form, add_member


async def deactivate(manager: SimUser, name: str) -> None:
    await manager.send("/anggota")
    await manager.next_message()
    await manager.press(f"Nonaktifkan {name}")
    await manager.next_edit()
    await manager.press("Ya")
    assert "nonaktif" in (await manager.next_edit()).plain_text


async def status_of(bot: BotUnderTest, user_id: int) -> str | None:
    return await bot.db.fetch_value("SELECT status FROM users WHERE id = ?", (user_id,))


async def test_a_deactivated_member_cannot_come_back_through_any_valid_link(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    siti = await add_member(bot, 3001, "Siti", "tpk", "36.73.04.1007", "bidan")
    await deactivate(admin, "Siti")
    token = await invite(admin, "Anggota TPK", ["Curug"], "Sukawana")
    await siti.send(f"/start {token}")
    answer = (await siti.next_message()).plain_text
    assert "pernah dinonaktifkan" in answer and "khusus untuk Anda" in answer, answer
    assert await status_of(bot, 3001) == "inactive"
    # A coordinator's link too: the storage claim itself refuses, whatever the dialogue did.
    koor = await invite(admin, "Koordinator", ["Curug"], "✅ Pilih Kec. Curug")
    await siti.send(f"/start {koor}")
    assert "pernah dinonaktifkan" in (await siti.next_message()).plain_text
    assert await status_of(bot, 3001) == "inactive"
    # The links are still there for the people they were meant for.
    assert "Apakah nama Anda" in (await join_intro(bot.user(3002, "Ani"), token))


async def join_intro(person: SimUser, token: str) -> str:
    await person.send(f"/start {token}")
    return (await person.next_message()).plain_text


async def test_links_of_a_deactivated_coordinator_are_revoked_and_their_forms_closed(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73.04")
    token = await invite(rina, "Anggota TPK", [], "Sukawana")
    used = await invite(rina, "Anggota TPK", [], "Sukawana")
    await join(bot.user(3005, "Wati"), used, position="Bidan")
    assert "telah bergabung" in (await rina.next_message()).plain_text
    form = Form(rina)
    assert "kelurahan/desa mana" in (await form.start("/lapor")).plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts WHERE user_id = 2001") == 1

    await deactivate(admin, "Rina")
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts WHERE user_id = 2001") == 0
    revoked = await bot.db.fetch_all("SELECT used_by, revoked_at IS NOT NULL FROM invitations WHERE created_by = 2001 "
                                     "ORDER BY id")
    assert [tuple(r) for r in revoked] == [(None, 1), (3005, 0)]  # the used one stays as it was
    siti = bot.user(3001, "Siti")
    await siti.send(f"/start {token}")
    assert "sudah tidak berlaku" in (await siti.next_message()).plain_text
    assert await status_of(bot, 3001) is None
    # Her open form is gone: typing an answer finds nothing to continue.
    await rina.send("/lanjut")
    assert "dinonaktifkan" in (await rina.next_message()).plain_text
    assert await status_of(bot, 3005) == "active"  # who already joined stays


async def finish_as_bidan(person: SimUser) -> None:
    """From "Apakah nama Anda …?" on: the name as it is, no phone number, a bidan."""
    await person.press("Ya, benar")
    await person.next_edit()
    await person.next_message()
    await person.send("Lewati")
    await person.next_message()
    await person.next_message()
    await person.press("Bidan")
    await person.next_edit()


async def test_a_claim_rechecks_that_the_maker_still_has_authority(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73.04")
    token = await invite(rina, "Anggota TPK", [], "Sukawana")
    siti = bot.user(3001, "Siti")
    await siti.send(f"/start {token}")
    assert "Apakah nama Anda" in (await siti.next_message()).plain_text
    # Meanwhile Rina is moved to Kasemen: Sukawana (Curug) is no longer hers to staff.
    await bot.db.write("UPDATE users SET region_code = '36.73.02' WHERE id = 2001")
    await finish_as_bidan(siti)
    assert "sudah tidak berlaku" in (await siti.next_message()).plain_text
    assert await status_of(bot, 3001) is None


async def test_a_deactivated_member_rejoins_through_a_link_made_for_them_after_saying_yes(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    siti = await add_member(bot, 3001, "Siti", "tpk", "36.73.04.1007", "bidan")
    await deactivate(admin, "Siti")
    await admin.send("/anggota")
    await admin.next_message()
    await admin.press("🔗 Tautan bergabung kembali: Siti")
    token = link_in((await admin.next_message()).plain_text)

    stranger = bot.user(3009, "Orang Lain")
    await stranger.send(f"/start {token}")
    assert "dibuat untuk orang lain" in (await stranger.next_message()).plain_text

    await siti.send(f"/start {token}")
    question = await siti.next_message()
    assert "Akun Anda pernah dinonaktifkan" in question.plain_text and "Lanjutkan?" in question.plain_text
    await siti.press("Tidak")
    await siti.next_edit()
    assert "tidak dilanjutkan" in (await siti.next_message()).plain_text
    assert await status_of(bot, 3001) == "inactive"

    await siti.send(f"/start {token}")
    await siti.next_message()
    await siti.press("Ya, lanjutkan")
    await siti.next_edit()
    assert "Apakah nama Anda" in (await siti.next_message()).plain_text
    await finish_as_bidan(siti)
    assert "Selamat bergabung" in (await siti.next_message()).plain_text
    assert await status_of(bot, 3001) == "active"
