"""The form engine's promises, through the bot: bad input is re-asked, nothing typed is
lost (back, skip, /batal, restart), review edits, one record per "Kirim"."""

from __future__ import annotations

from storage.drafts import Drafts
from tests.e2e.test_lapor import SUKAWANA, new_family
from tests.harness import BotUnderTest, Form, add_member, press_forged


def question_of(text: str) -> str:
    return text.split("\n\n")[1] if "\n\n" in text else text


async def test_a_wrong_value_for_every_field_type_gets_a_message_and_the_same_question(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    cases = [  # (typed, expected in the message) for the question then on screen
        ("tiga", "Tulis angka"),                              # integer
        ("0", "Angkanya harus"),                              # integer out of range
    ]
    for typed, expected in cases:
        reply = await form.type(typed)
        assert expected in reply.plain_text and "Nomor RT/RW?" in reply.plain_text, reply.plain_text
    await form.type("3")
    await form.type("2")
    reply = await form.type("ab")                             # text too short
    assert "Tulis 3–200 karakter" in reply.plain_text and "Alamat rumah" in reply.plain_text
    await form.type("Jl. Melati")
    await form.type("Ahmad")
    reply = await form.type("1234")                           # No. KK (NIK-like field)
    assert "16" in reply.plain_text and "Kartu Keluarga" in reply.plain_text, reply.plain_text
    await form.tap("Lewati ➡️")
    reply = await form.type("sumur")                          # choice must be a button
    assert "pilih salah satu tombol" in reply.plain_text.lower() and "Sumber air minum" in reply.plain_text
    await form.tap("Ledeng / PAM")
    await form.tap("Tidak ada jamban")
    reply = await form.type("mungkin")                        # yes/no
    assert "Jawab ya atau tidak" in reply.plain_text
    await form.type("ya")
    reply = await form.type("31-02-1990")                     # impossible date
    assert "Tanggal lahir istri?" in reply.plain_text and "⚠️" in reply.plain_text
    reply = await form.type("12-03-2020")                     # implausible: a 6-year-old wife
    assert "minimal 10 tahun" in reply.plain_text
    await form.type("12 mar 90")
    await form.type("1")
    await form.tap("Lewati ➡️")
    await form.tap("Ya")
    review = form.last.plain_text
    assert "Laporan keluarga — periksa dulu" in review and "Alamat: Jl. Melati" in review
    await form.tap("✅ Kirim")

    await form.tap("➕ Ibu hamil")
    await form.type("Rina")
    reply = await form.type("9934567890123456")               # NIK with an unknown province
    assert "NIK" in reply.plain_text and "⚠️" in reply.plain_text
    await form.type("3673045203900001")                      # its birth date is taken, not asked
    reply = await form.type("12345")                          # phone
    assert "Nomor HP ibu" in reply.plain_text and "⚠️" in reply.plain_text
    await form.type("+62 812 3456 7890")
    await form.tap("Tahu HPHT (hari pertama haid terakhir)")
    reply = await form.type("1 Januari 2027")                 # HPHT in the future
    assert "tidak boleh di masa depan" in reply.plain_text
    reply = await form.type("1 Januari 2026")                 # a pregnancy over 44 weeks
    assert "lebih dari 44 minggu" in reply.plain_text
    await form.type("1 Agustus 2026")
    await form.tap("Lewati ➡️")  # the wife's 1 child is the family form's; the last birth was not given there
    reply = await form.type("300 cm")                         # decimal out of range
    assert "Angkanya harus" in reply.plain_text and "Tinggi" in reply.plain_text
    reply = await form.type("150 kg")                         # wrong unit
    assert "Satuannya cm" in reply.plain_text
    await form.type("150")
    assert "Berat badan" in form.text
    # Odd input mid-form: a sticker and a location are declined, the question stays.
    await form.user.send_sticker()
    reply = await form.user.next_message()
    assert "mohon ketik jawabannya" in reply.plain_text and "Berat badan" in reply.plain_text
    await form.user.send_location(-6.12, 106.15)
    reply = await form.user.next_message()
    assert "Berat badan" in reply.plain_text
    # Nothing typed so far was lost, and the draft is sealed at rest.
    draft = await Drafts(bot.db, bot.services.cipher).get(3001, "sasaran")
    assert draft is not None and draft.state["answers"]["tinggi"] == 150.0
    assert draft.state["answers"]["hp"] == "+6281234567890"
    raw = await bot.db.fetch_value("SELECT state_json FROM drafts WHERE form = 'sasaran'")
    assert "6281234567890" not in raw and "3673045203900001" not in raw


async def test_back_skip_cancel_resume_and_edit_from_review(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    await form.type("3")
    await form.type("2")
    back = await form.tap_in_place("⬅️ Kembali")
    assert "Nomor RW?" in back.plain_text and "Jawaban sekarang: 2" in back.plain_text
    back = await form.tap_in_place("⬅️ Kembali")
    assert "Nomor RT/RW?" in back.plain_text and "Jawaban sekarang: 3" in back.plain_text
    await form.type("4")
    nxt = await form.type("2")
    assert "Alamat rumah" in nxt.plain_text

    # /batal pauses: typed text no longer goes to the form, /lanjut resumes at the same question.
    await form.user.send("/batal")
    assert "tersimpan sebagai draf" in (await form.user.next_message()).plain_text
    await form.user.send("halo")
    assert "/bantuan" in (await form.user.next_message()).plain_text
    resumed = await form.start("/lanjut")
    assert "sudah terisi 3 jawaban" in resumed.plain_text and "Alamat rumah" in resumed.plain_text
    assert "RT" in resumed.plain_text
    await form.tap("Lewati ➡️")
    await form.type("Ahmad")
    await form.tap("Lewati ➡️")
    await form.tap("Ledeng / PAM")
    await form.tap("Jamban sendiri (leher angsa) dengan tangki septik")
    review = await form.tap("Tidak")
    assert "Alamat: –" in review.plain_text and "RT: 4" in review.plain_text
    assert "tidak ada faktor risiko keluarga" in review.plain_text

    # Edit from review: changing "Ada PUS" asks only the questions that now apply.
    await form.tap("✏️ Ada PUS")
    nxt = await form.tap("Ya")
    assert "Tanggal lahir istri?" in nxt.plain_text
    await form.type("1-1-2008")
    await form.type("0")
    await form.tap("Tidak")
    review = await form.tap("Tidak ber-KB")
    assert "periksa dulu" in review.plain_text and "terlalu muda" in review.plain_text, review.plain_text

    # "Kirim" pressed twice: one family.
    kirim = review.button("✅ Kirim").callback_data
    await form.tap("✅ Kirim")
    assert await press_forged(bot.emu, form.user, review.message_id, kirim) == (
        "Laporan ini sudah terkirim sebelumnya, tidak disimpan dua kali.")
    assert await bot.db.fetch_value("SELECT count(*) FROM keluarga") == 1


async def test_a_restart_mid_form_resumes_at_the_same_question(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await form.tap("➕ Anak 0–23 bulan (baduta)")
    await form.type("Budi")
    await form.tap("Lewati ➡️")
    await form.tap("Laki-laki")
    await bot.restart()
    # The member answers the question still on their screen; nothing was lost.
    reply = await form.type("23-05-2026")
    text = reply.plain_text
    assert "Melanjutkan Data sasaran" in text and "sudah terisi 5 jawaban" in text, text
    assert "Anak ke berapa?" in text
    draft = await Drafts(bot.db, bot.services.cipher).get(3001, "sasaran")
    assert draft is not None and draft.state["answers"]["nama"] == "Budi"
    assert draft.state["answers"]["lahir"] == "2026-05-23"

    # A restart while the review is on screen: its buttons still work.
    await form.type("1")
    await form.tap("Lewati ➡️")
    await form.tap("Lewati ➡️")
    await form.type("64")
    await form.type("6,9")
    await form.tap("Berbaring (panjang badan)")
    await form.tap("Ya")
    await form.tap("Ya")
    review = await form.tap("Selesai ✔️")
    await bot.restart()
    await form.user.press("✅ Kirim")
    saved = await form.user.next_message()
    assert "Budi tersimpan" in saved.plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran") == 1
    assert review.message_id


async def test_old_buttons_and_other_peoples_buttons_are_refused(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await siti.start("/lapor")
    rw_question = await siti.type("3")
    back = rw_question.button("⬅️ Kembali").callback_data
    await siti.type("2")
    # A button of a question already answered, while its draft is open, brings the member back to the
    # question waiting for them (issue 16), not "kedaluwarsa" ...
    answer = await press_forged(bot.emu, siti.user, rw_question.message_id, back) or ""
    assert answer == "Tombol lama — ini pertanyaan yang sedang berjalan."
    current = await siti.user.next_message()
    assert "Tombol lama" in current.plain_text and "Alamat rumah" in current.plain_text, current.plain_text
    # ... and another member's press of it is refused outright.
    other = await add_member(bot, 3002, "Ani", "tpk", SUKAWANA)
    other_chat_message = (await Form(other).start("/bantuan")).message_id
    assert await press_forged(bot.emu, other, other_chat_message, back) == "Tombol ini bukan untuk Anda."
    for forged in ("f:zzzzzzzzzzzz:send", "f:", "f:abc:v:rt:9", "lp:add:999:catin", "kj:new:12345", "kl:o:77",
                   "ud:t:pick:36.73.04.1007", "ag:set:3002:inactive"):
        answer = await press_forged(bot.emu, siti.user, rw_question.message_id, forged) or ""
        assert any(word in answer for word in ("kedaluwarsa", "tidak ada", "tidak tersedia")), (forged, answer)
    # The form itself is untouched by all of that.
    assert "Nama kepala keluarga?" in (await siti.type("Jl. Mawar")).plain_text


async def test_calendar_pick_nik_conflict_and_same_person_are_confirmed(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await form.tap("➕ Anak 0–23 bulan (baduta)")
    await form.type("Budi")
    await form.type("3673040105260003")  # a boy born 1 May 2026 by his NIK
    nxt = await form.tap("Laki-laki")
    assert "Anak ke berapa?" in nxt.plain_text and "Tanggal lahir: 1 Mei 2026 (dari NIK" in nxt.plain_text
    for answer in ("1",):
        await form.type(answer)
    await form.tap("Lewati ➡️")
    await form.tap("Lewati ➡️")
    await form.type("64")
    await form.type("7")
    await form.tap("Berbaring (panjang badan)")
    await form.tap("Ya")
    await form.tap("Ya")
    await form.tap("Selesai ✔️")
    # Corrected in the review on the calendar: back one month, the 23rd (23 April 2026) disagrees with the NIK.
    await form.tap("✏️ Tanggal lahir")
    await form.tap_in_place("📅 Pilih di kalender")
    assert "Mei 2026" in form.last.button_labels()
    await form.tap_in_place("◀️")
    assert "April 2026" in form.last.button_labels()
    notice = await form.tap("23")
    assert "Tanggal lahir di NIK 1 Mei 2026" in notice.plain_text, notice.plain_text
    again = await form.tap_in_place("Ubah jawaban")
    assert "Tanggal lahir?" in again.plain_text
    review = await form.type("1 Mei 2026")
    assert "periksa dulu" in review.plain_text and "Tanggal lahir: 1 Mei 2026" in review.plain_text
    await form.tap("✅ Kirim")

    # The same name and birth date again in this kelurahan: asked, and may be confirmed.
    await form.tap("➕ Tambah sasaran lain")
    await form.tap("➕ Anak 0–23 bulan (baduta)")
    await form.type("budi")
    await form.tap("Lewati ➡️")
    await form.tap("Laki-laki")
    notice = await form.type("01-05-2026")
    assert "Sudah ada sasaran bernama budi dengan tanggal lahir yang sama" in notice.plain_text
    nxt = await form.tap("Ya, sudah benar")
    assert "Anak ke berapa?" in nxt.plain_text


async def test_a_nik_from_before_a_region_split_is_asked_about_not_refused(bot: BotUnderTest) -> None:
    """Merauke was 91.01 until Papua Selatan was formed in 2022 (now 93.01); NIKs issued
    before keep 91.01.xx for life, and the region list only has today's codes."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await form.tap("➕ Ibu hamil")
    await form.type("Maria")
    notice = await form.type("9101 0142 0390 0001")
    assert "(91.01.01) tidak ada di daftar wilayah sekarang" in notice.plain_text, notice.plain_text
    assert "pemekaran" in notice.plain_text and "9101014203900001" not in notice.plain_text
    nxt = await form.tap("Ya, sudah benar")  # the birth date is the NIK's: not asked
    assert "Nomor HP ibu" in nxt.plain_text and "Tanggal lahir: 2 Maret 1990 (dari NIK" in nxt.plain_text, \
        nxt.plain_text


async def test_an_answer_retyped_while_the_bot_was_down_is_not_taken_for_the_next_question(
        bot: BotUnderTest) -> None:
    """Telegram keeps both messages and delivers them after the restart: the first answers
    the question on screen, the second was typed before the next question existed."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    await form.type("3")  # RT
    assert "Nomor RW?" in form.text
    await bot.stop()
    await form.user.send("2")  # RW: no reply, the bot is down ...
    await form.user.send("2")  # ... so she types it again
    await bot.start()
    address = await form.user.next_message()
    assert "Alamat rumah" in address.plain_text, address.plain_text
    again = await form.user.next_message()
    assert "sebelum pertanyaan ini muncul" in again.plain_text and "Alamat rumah" in again.plain_text
    draft = await Drafts(bot.db, bot.services.cipher).get(3001, "keluarga")
    assert draft is not None
    assert (draft.state["answers"].get("rw"), draft.state["answers"].get("alamat")) == (2, None)
    assert "Nama kepala keluarga?" in (await form.type("Jl. Melati")).plain_text


async def test_discarding_and_expiry_of_drafts(bot: BotUnderTest) -> None:
    from datetime import timedelta

    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    await form.type("3")
    # Starting the same form again offers the draft.
    offer = await form.start("/lapor")
    assert "masih punya draf Laporan keluarga" in offer.plain_text and "(2 jawaban)" in offer.plain_text
    fresh = await form.tap("Buang, mulai baru")
    assert "Nomor RT/RW?" in fresh.plain_text and "Jawaban sekarang" not in fresh.plain_text
    await form.type("5")
    # Eight days later the draft has expired: the member is told, and it is gone.
    bot.clock.advance(timedelta(days=8))
    await form.user.send("6")
    notice = await form.user.next_message()
    assert "sudah lebih dari 7 hari" in notice.plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0
    # The periodic sweep does the same for members who never come back.
    await form.start("/lapor")
    bot.clock.advance(timedelta(days=8))
    from conversations.forms.runner import expire_drafts

    application = bot.app

    class _JobContext:  # what PTB's JobQueue hands a job callback
        def __init__(self) -> None:
            self.application = application
            self.bot = application.bot

    await expire_drafts(_JobContext())  # type: ignore[arg-type]
    swept = await form.user.next_message()
    assert "Laporan keluarga" in swept.plain_text and "dihapus" in swept.plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0
