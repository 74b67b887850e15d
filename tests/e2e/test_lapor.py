"""Reporting a family and its sasaran through the bot, as a TPK member does."""

from __future__ import annotations

from tests.harness import BotUnderTest, Form, add_member

SUKAWANA = "36.73.04.1007"


async def start_family(bot: BotUnderTest, form: Form) -> None:
    """The family questions up to the review screen, for a TPK member in Sukawana."""
    first = await form.start("/lapor")
    assert "Nomor RT?" in first.plain_text  # the kelurahan is the member's own: not asked
    await form.type("3")
    await form.type("2")
    await form.type("Jl. Melati No. 5")
    await form.type("Ahmad Yani")
    await form.tap("Lewati ➡️")
    await form.tap("Sumur tak terlindung")
    await form.tap("Jamban sendiri tanpa tangki septik")
    await form.tap("Ya")
    await form.type("12-03-1990")
    await form.type("2 anak")
    await form.type("1 Jan 2022")
    await form.tap("Tidak")
    review = await form.tap("Suntik")
    assert "periksa dulu" in review.plain_text, review.plain_text


async def test_a_family_with_a_pregnant_mother(bot: BotUnderTest) -> None:
    tpk = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    form = Form(tpk)
    await start_family(bot, form)
    assert "Sumber air minum utama belum layak" in form.text
    done = await form.tap("✅ Kirim")
    assert "Keluarga Ahmad Yani tersimpan" in done.plain_text and "berisiko stunting" in done.plain_text

    await form.tap("➕ Ibu hamil")
    assert "Nama lengkap" in form.text
    await form.type("Rina Marlina")
    await form.type("3673045203900001")
    await form.type("12 Maret 1990")
    await form.tap("Lewati ➡️")
    await form.tap("Tahu HPHT (hari pertama haid terakhir)")
    await form.type("1/8/26")
    await form.type("2")
    await form.tap("Lewati ➡️")
    await form.type("150")
    await form.type("52,5 kg")
    await form.type("22,5")
    await form.type("10,5")
    await form.type("30")
    review = await form.tap("Ya")
    text = review.plain_text
    assert "HPL 8 Mei 2027" in text and "16 minggu 2 hari (trimester 2)" in text, text
    assert "KEK" in text and "anemia" in text
    assert "3673********0001" in text and "3673045203900001" not in text
    saved = await form.tap("✅ Kirim")
    assert "Rina Marlina tersimpan sebagai Ibu hamil" in saved.plain_text
    assert "Perlu perhatian" in saved.plain_text

    row = await bot.db.fetch_one("SELECT category, hpht, hpl, sex, nik_masked, nik_enc FROM sasaran")
    assert tuple(row)[:5] == ("ibu_hamil", "2026-08-01", "2027-05-08", "P", "3673********0001")
    assert "3673045203900001" not in row["nik_enc"]
    flags = {r[0] for r in await bot.db.fetch_all("SELECT code FROM sasaran_flag")}
    assert {"kek", "anaemia"} <= flags
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0
    import os
    if os.environ.get("SHOW_CHAT"):
        print(tpk.describe())
