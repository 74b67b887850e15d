"""Personal data only ever goes to private chats (issue 15 §3): in a group the bot answers
every command that shows by-name data or files, and every button, with one line; forms
never run there, and the refusal is counted."""

from __future__ import annotations

from bot import texts
from bot.dev.emulator import SimUser
from tests.harness import BotUnderTest, Form, add_member, press_forged
from tests.reminders.helpers import SERANG_KEL, register_mother

GROUP = -100200300


async def in_group(bot: BotUnderTest, member: SimUser, command: str) -> str:
    group = bot.emu.group(GROUP, member, title="TPPS Kota Serang")
    await group.send(command)
    answer = await group.next_message()
    assert await group.messages_until_quiet(quiet=0.3) == []
    return answer.plain_text


def private_line() -> str:
    return texts.PRIVATE_CHAT_ONLY


async def test_keluarga_ekspor_and_lapor_in_a_group_get_one_line_and_nothing_personal(bot: BotUnderTest) -> None:
    wati = await add_member(bot, 3001, "Bidan Wati", "tpk", SERANG_KEL, "bidan")
    await register_mother(bot, 3001, "Rina Marlina")
    group = bot.emu.group(GROUP, wati, title="TPPS Kota Serang")
    for command in ("/keluarga", "/ekspor", f"/lapor@{bot.emu.bot_username}", "/kunjungan Rina", "/tugas", "/rekap"):
        await group.send(command)
        answer = await group.next_message()
        assert answer.plain_text == private_line(), (command, answer.plain_text)
        assert not answer.buttons and answer.document is None
    assert await group.messages_until_quiet(quiet=0.3) == []
    posted = " ".join(m.plain_text for m in group.transcript)
    assert "Rina" not in posted and "Suami" not in posted
    # No form was opened by /lapor in the group: typing there answers nothing, and no draft exists.
    await group.send("3")
    assert await group.messages_until_quiet(quiet=0.3) == []
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0
    # Whatever follows a "/" is not kept: an unknown command is counted as "?".
    await group.send("/3673045203900001")
    assert (await group.next_message()).plain_text == private_line()
    assert await bot.db.fetch_value("SELECT what FROM refusals ORDER BY id DESC LIMIT 1") == "?"
    # /bantuan is harmless and still answered there.
    await group.send("/bantuan")
    assert "Perintah yang bisa Anda pakai" in (await group.next_message()).plain_text
    # Counted, with ids only.
    rows = await bot.db.fetch_all("SELECT user_id, kind, what, target FROM refusals ORDER BY id")
    assert [tuple(r) for r in rows][:3] == [(3001, "chat", command, str(GROUP))
                                            for command in ("keluarga", "ekspor", "lapor")]
    # The same member in a private chat still gets everything.
    await wati.send("/keluarga")
    assert "Suami Rina Marlina" in " ".join((await wati.next_message()).button_labels())


async def test_a_family_card_button_in_a_group_is_refused_and_nothing_is_edited(bot: BotUnderTest) -> None:
    wati = await add_member(bot, 3001, "Bidan Wati", "tpk", SERANG_KEL, "bidan")
    await register_mother(bot, 3001, "Rina Marlina")
    keluarga_id = await bot.db.fetch_value("SELECT id FROM keluarga")
    group = bot.emu.group(GROUP, wati)
    await group.send("/bantuan")
    menu = await group.next_message()
    answer = await press_forged(bot.emu, group, menu.message_id, f"kl:o:{keluarga_id}")
    assert answer == private_line()
    assert group.drain_edits() == [] and await group.messages_until_quiet(quiet=0.3) == []
    assert "Rina" not in " ".join(m.plain_text for m in group.transcript)
    assert await bot.db.fetch_value("SELECT count(*) FROM refusals WHERE kind = 'chat' AND what = 'kl'") == 1
    assert await press_forged(bot.emu, group, menu.message_id, "3673045203900001") == private_line()
    assert await bot.db.fetch_value("SELECT what FROM refusals ORDER BY id DESC LIMIT 1") == "?"


async def test_a_form_open_in_private_does_not_take_answers_typed_in_a_group(bot: BotUnderTest) -> None:
    wati = await add_member(bot, 3001, "Bidan Wati", "tpk", SERANG_KEL, "bidan")
    form = Form(wati)
    first = await form.start("/lapor")
    assert "Nomor RT/RW?" in first.plain_text
    group = bot.emu.group(GROUP, wati)
    await group.send("7")
    assert await group.messages_until_quiet(quiet=0.3) == []
    assert await wati.messages_until_quiet(quiet=0.3) == []
    # The private form still waits for the RT, which was not taken from the group.
    again = await form.type("3")
    assert "Nomor RW?" in again.plain_text
