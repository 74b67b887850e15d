"""Issue 16: a typed label or its obvious word is taken as the press, during joining too."""

from __future__ import annotations

from bot.domain.roles import TeamPosition
from conversations.join import typed_position
from tests.e2e.test_invitations import invite
from tests.harness import ADMIN_ID, BotUnderTest


async def test_joining_by_typing_ya_a_phone_number_and_bidan(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    token = await invite(admin, "Anggota TPK", ["Serang"], "Cipare")
    ani = bot.user(3201, "Ani", "Lestari")
    await ani.send(f"/start {token}")
    assert "Apakah nama Anda" in (await ani.next_message()).plain_text

    await ani.send("entah")  # neither yes nor no: the question again, with the way out
    again = await ani.next_message()
    assert "Apakah nama Anda" in again.plain_text and "«ya»" in again.plain_text
    assert "Halo" not in again.plain_text

    await ani.send("ya")
    phone_question = await ani.next_message()
    assert phone_question.reply_keyboard_labels()
    await ani.send("0812-3456-7890")  # typed, not the contact button
    assert "Terima kasih" in (await ani.next_message()).plain_text
    assert "posisi" in (await ani.next_message()).plain_text

    await ani.send("dokter")
    again = await ani.next_message()
    assert "Apa posisi Anda" in again.plain_text and "«Bidan»" in again.plain_text
    await ani.send("bidan")
    assert "Bidan" in (await ani.next_message()).plain_text
    welcome = (await ani.next_message()).plain_text
    assert "Selamat bergabung" in welcome
    member = await bot.db.fetch_one("SELECT team_position, phone_enc FROM users WHERE id = 3201")
    assert member["team_position"] == "bidan"
    assert bot.services.cipher is not None and member["phone_enc"] is not None


def test_typed_positions() -> None:
    assert typed_position("Bidan") is TeamPosition.BIDAN
    assert typed_position(" kader pkk ") is TeamPosition.KADER_PKK
    assert typed_position("KB") is TeamPosition.KADER_KB
    assert typed_position("kader") is None
    assert typed_position("") is None
