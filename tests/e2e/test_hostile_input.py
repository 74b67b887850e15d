"""Odd and hostile input: floods, huge and strange text, junk arguments, media mid-form."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from storage import catalogue
from storage.url import StorageURL
from tests.e2e.test_lapor import SUKAWANA
from tests.harness import BotUnderTest, Form, add_member, bot_under_test


async def test_a_flooding_user_is_slowed_politely_and_others_are_served(tmp_path: Path, clock: FakeClock,
                                                                        storage_url: StorageURL) -> None:
    async with bot_under_test(tmp_path, clock, access={"flood_burst": 10, "flood_per_second": 2},
                              storage={"url": storage_url.as_setting()}) as bot:
        flooder = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA)
        other = await add_member(bot, 3002, "Ani", "tpk", SUKAWANA)
        for _ in range(100):
            await flooder.send("/bantuan")
        await other.send("/bantuan")
        served = await other.next_message()
        assert "Perintah yang bisa Anda pakai" in served.plain_text
        received = await flooder.messages_until_quiet(quiet=0.5, timeout=20)
        notices = [m for m in received if "terlalu cepat" in m.plain_text]
        answers = [m for m in received if "Perintah yang bisa Anda pakai" in m.plain_text]
        assert len(notices) == 1
        assert 10 <= len(answers) < 30  # the burst, plus what the rate refilled meanwhile
        assert bot.emu.pending_update_count == 0


WEIRD = [
    "x" * 4096,
    "Siti 👩‍🍼🤰🏽 Aminah",
    "Si\u200bti\u200d Ami\u2060nah",
    "\u202eharuniM itiS",
    "<b>Siti</b> & <script>alert(1)</script>",
    "Robert'); DROP TABLE sasaran;--",
    "&amp; &lt; < > \" '",
    "\x00Siti",
    "\u200b\u200d\u2060",
]
REFUSED_NAMES = {"Siti 👩‍🍼🤰🏽 Aminah": "tanpa emoji", "\u202eharuniM itiS": "karakter tersembunyi",
                 "\x00Siti": "karakter kontrol", "\u200b\u200d\u2060": "karakter tersembunyi"}
STORED_AS = {"Si\u200bti\u200d Ami\u2060nah": "Siti Aminah"}  # zero-width characters dropped


async def test_strange_names_are_stored_and_shown_back_safely(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    await form.type("3")
    await form.type("2")
    await form.tap("Lewati ➡️")
    for text in WEIRD:
        reply = await form.type(text)
        if len(text) > 80:
            assert "Tulis 2–80 karakter" in reply.plain_text
            continue
        if text in REFUSED_NAMES:  # issue 16: names refuse emoji and direction overrides, and ask again
            assert REFUSED_NAMES[text] in reply.plain_text and "Nama kepala keluarga?" in reply.plain_text
            continue
        assert "Nomor Kartu Keluarga" in reply.plain_text, reply.plain_text
        back = await form.tap_in_place("⬅️ Kembali")
        assert f"Jawaban sekarang: {STORED_AS.get(text, ' '.join(text.split()))}" in back.plain_text
    assert "sasaran" in await catalogue.table_names(bot.db)
    # The emulator rejects any message whose HTML Telegram would refuse; none was.
    bot.emu.assert_no_errors()


async def test_junk_arguments_and_media_never_break_a_form(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    for command in ("/kunjungan '; DROP TABLE sasaran;--", "/kunjungan <b>x</b>", "/keluarga ¯\\_(ツ)_/¯",
                    "/bantuan " + "z" * 3000, "/rekap 2026-99", "/start", "/tidakada"):
        await form.user.send(command)
        replies = await form.user.messages_until_quiet(quiet=0.3)
        assert replies, command
    for send in (form.user.send_sticker, form.user.send_photo, form.user.send_voice,
                 lambda: form.user.send_location(-6.1, 106.1)):
        await send()
        reply = await form.user.next_message()
        assert "mohon ketik jawabannya" in reply.plain_text and "Nomor RT/RW?" in reply.plain_text
    assert "Nomor RW?" in (await form.type("3")).plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran") == 0
