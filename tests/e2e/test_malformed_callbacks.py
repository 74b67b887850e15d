"""Malformed callback data through the Bot API double: every forged press gets the one
polite refusal, never the apology of the error handler nor an exception in the log,
and a forged calendar move never reaches the draft (issue 15 point 9)."""

from __future__ import annotations

import logging

import pytest

from bot import callbacks, texts
from tests.e2e.test_lapor import SUKAWANA, new_family
from tests.harness import ADMIN_ID, BotUnderTest, Form, add_member, press_forged

HUGE = "9" * 30
COORDINATOR_ONLY = ("ag", "hp", "ps", "ud")


def _malformed(keluarga_id: int) -> list[str]:
    return [
        "kj:new:²", f"kj:new:{HUGE}", "kj:new:-1", "kj:new:", "kj:new:1:2", "kj:new:01", "kj:new:0",
        "ub:²", f"ub:{'1' * 30}", f"ub:{2**63}", "ubk:-1", "ubk:",
        f"lp:add:{keluarga_id}", f"lp:add:{keluarga_id}:catin:x", f"lp:add:{keluarga_id}:Catin", "lp:more:²",
        f"lp:done:{HUGE}",
        "kl:p:-1", "kl:p:100001", "kl:o:²", "kl:o:",
        "ag:set:²:inactive", "ag:ask:3001:maybe", "ag:p:",
        f"hp:p:{HUGE}", "hp:ok:-1", "hp:x:1", "ps:s:²", "ps:t:1",
        "ibu:ack:²:y", f"ibu:ack:{HUGE}:y", "ibu:ack:1:maybe", "ibu:ttd:maybe", "ibu:inv:-1", "ibu:ya:short",
        "ud:t:pick:²", "ud:k:go:", "ud:k:go:36.73:x",
        "rk:000101:go:36.73.04", "rk:9999912:go:36.73.04", "rk:999912:go:36.73.04", "rk:202611:go:36.73.04:extra",
        "rk:dg:on", "rk::go:36.73",
        "zz:1", ":", "kjx:new:1", "f:", "f::send",
    ]


def _forged_form_presses(key: str, field: str) -> list[str]:
    return [
        f"f:{key}:cal:{field}:000101",  # year 0001: the month before it does not exist
        f"f:{key}:cal:{field}:999912",  # year 9999: neither does the month after
        f"f:{key}:cal:{field}:9999901",  # year 99999
        f"f:{key}:cal:{field}:190001",  # well-formed, but a month this question's calendar never shows
        f"f:{key}:cal:{field}:202613",
        f"f:{key}:cal:{field}:",
        f"f:{key}:v:{field}:²",
        f"f:{key}:v:{field}:{HUGE}",
        f"f:{key}:rg:{field}:99.99",
        f"f:{key}:send:{field}",
        f"f:{key}::",
    ]


async def test_every_malformed_press_gets_the_polite_refusal_and_the_draft_stays_usable(
        bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA)
    form = Form(siti)
    await new_family(bot, form)
    keluarga_id = await bot.db.fetch_value("SELECT max(id) FROM keluarga")
    await form.tap("➕ Anak 0–23 bulan (baduta)")
    await form.type("Budi")
    await form.tap("Lewati ➡️")
    date_question = await form.tap("Laki-laki")
    assert "Tanggal lahir?" in date_question.plain_text
    calendar = await form.tap_in_place("📅 Pilih di kalender")
    back = callbacks.FORM.parse(calendar.button("◀️").callback_data)
    assert isinstance(back, callbacks.FormPress)

    admin = bot.user(ADMIN_ID, "Admin")
    await admin.send("/bantuan")
    anchor = (await admin.next_message()).message_id
    caplog.set_level(logging.INFO)
    wrong = []
    for data in _malformed(keluarga_id):  # the admin may use every command: each press is read
        said = await press_forged(bot.emu, admin, anchor, data)
        if said != callbacks.UNKNOWN:
            wrong.append((data, said))
    for data in [*_malformed(keluarga_id), *_forged_form_presses(back.key, back.field)]:
        # A TPK member's press of a coordinator's button is refused by the role gate first.
        expected = texts.NOT_ALLOWED if data.split(":")[0] in COORDINATOR_ONLY else callbacks.UNKNOWN
        said = await press_forged(bot.emu, siti, calendar.message_id, data)
        if said != expected:
            wrong.append((data, said))
    assert wrong == []

    sent = admin.drain() + siti.drain()
    assert not any(texts.INTERNAL_ERROR in m.plain_text for m in sent)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # Nothing forged reached the draft: the calendar still moves, and the next answer is taken.
    assert "Oktober 2026" in (await form.tap_in_place("◀️")).button_labels()
    assert "Anak ke berapa?" in (await form.type("01-05-2026")).plain_text


async def test_a_well_formed_press_on_someone_elses_record_is_refused_without_an_apology(
        bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await siti.start("/lapor")
    rt = await siti.type("3")
    other_key = callbacks.FORM.parse(rt.button("⬅️ Kembali").callback_data)
    assert isinstance(other_key, callbacks.FormPress)
    ani = await add_member(bot, 3002, "Ani", "tpk", SUKAWANA)
    await ani.send("/bantuan")
    anchor = (await ani.next_message()).message_id
    caplog.set_level(logging.INFO)
    for data, expected in ((callbacks.data(other_key), "Tombol ini bukan untuk Anda."),
                           (callbacks.data(callbacks.ReminderAnswer(1, "y")), texts.NOT_ALLOWED),
                           (callbacks.data(callbacks.VisitNew(2**63 - 1)), callbacks.UNKNOWN)):
        assert await press_forged(bot.emu, ani, anchor, data) == expected, data
    assert not any(texts.INTERNAL_ERROR in m.plain_text for m in ani.drain())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
