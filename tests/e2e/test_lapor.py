"""Reporting a family and its sasaran through the bot, as a TPK member does."""

from __future__ import annotations

from storage.crypto import SASARAN_PHONE
from tests.harness import BotUnderTest, Form, add_member

SUKAWANA = "36.73.04.1007"


async def start_family(bot: BotUnderTest, form: Form) -> None:
    """The family questions up to the review screen, for a TPK member in Sukawana."""
    first = await form.start("/lapor")
    assert "Nomor RT/RW?" in first.plain_text  # the kelurahan is the member's own: not asked
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
    asked = await form.type("3673045203900001")
    assert "Tanggal lahir: 12 Maret 1990 (dari NIK" in asked.plain_text and "Nomor HP" in asked.plain_text
    await form.tap("Lewati ➡️")
    await form.tap("Tahu HPHT (hari pertama haid terakhir)")
    height = await form.type("1/8/26")  # the family form's wife: 2 children, the last born 1 January 2022
    assert "Jumlah anak: 2 anak (menurut data keluarga" in height.plain_text, height.plain_text
    assert "Lahir anak sebelumnya: 1 Januari 2022" in height.plain_text and "Tinggi" in height.plain_text
    await form.type("150")
    await form.type("52,5 kg")
    await form.type("22,5")
    await form.type("10,5")
    await form.type("30")
    review = await form.tap("Ya")
    text = review.plain_text
    assert "HPL 8 Mei 2027" in text and "16 minggu 2 hari (trimester 2)" in text, text
    assert "KEK" in text and "anemia" in text
    assert "3673************" in text and "3673045203900001" not in text
    saved = await form.tap("✅ Kirim")
    assert "Rina Marlina tersimpan sebagai Ibu hamil" in saved.plain_text
    assert "Perlu perhatian" in saved.plain_text

    row = await bot.db.fetch_one("SELECT category, hpht, hpl, sex, nik_masked, nik_enc FROM sasaran")
    assert tuple(row)[:5] == ("ibu_hamil", "2026-08-01", "2027-05-08", "P", "3673************")
    assert "3673045203900001" not in row["nik_enc"]
    flags = {r[0] for r in await bot.db.fetch_all("SELECT code FROM sasaran_flag")}
    assert {"kek", "anaemia"} <= flags
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0


async def new_family(bot: BotUnderTest, form: Form) -> None:
    await start_family(bot, form)
    await form.tap("✅ Kirim")


async def test_a_catin(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await form.tap("➕ Calon pengantin (catin)")
    await form.type("Dewi Lestari")
    await form.type("3673046505000002")
    wedding = await form.tap("Perempuan")  # born 25 May 2000, by the NIK
    assert "Tanggal rencana menikah?" in wedding.plain_text and "Tanggal lahir: 25 Mei 2000" in wedding.plain_text
    await form.type("1 Februari 2027")
    await form.type("158 cm")
    await form.type("41")
    await form.type("21,5")
    await form.tap("Lewati ➡️")
    review = await form.tap("Tidak merokok")
    assert "kurus" in review.plain_text.lower() and "KEK" in review.plain_text, review.plain_text
    saved = await form.tap("✅ Kirim")
    assert "Dewi Lestari tersimpan sebagai Calon pengantin" in saved.plain_text
    assert await bot.db.fetch_value("SELECT answers_json FROM sasaran WHERE category = 'catin'") is not None


async def ibu_nifas_up_to_the_delivery(form: Form, phone: str) -> None:
    """An ibu nifas without NIK, with her phone, up to the place of delivery."""
    await form.tap("➕ Ibu nifas (0–42 hari)")
    await form.type("Rina")
    await form.tap("Tidak punya NIK")
    await form.type("12/3/90")
    await form.type(phone)  # the family form's wife: her children are known


async def test_an_ibu_nifas(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await ibu_nifas_up_to_the_delivery(form, "0812-3456-7890")
    await form.type("10 November 2026")
    await form.tap("Fasilitas kesehatan")
    await form.tap("Bidan")
    await form.tap_in_place("▫️ Perdarahan")
    await form.tap("Selesai ✔️")
    await form.tap("Ya")
    review = await form.tap("IUD / spiral")
    assert "Komplikasi: Perdarahan" in review.plain_text and "Metode KB: IUD / spiral" in review.plain_text
    # Masked like a NIK: the operator prefix only, none of her own digits (issue 15).
    assert "Nomor HP: +62812********" in review.plain_text and "890" not in review.plain_text
    await form.tap("✅ Kirim")
    row = await bot.db.fetch_one("SELECT id, category, delivery_date, phone, phone_enc, nik_masked FROM sasaran")
    assert tuple(row)[1:4] == ("ibu_nifas", "2026-11-10", None) and row["nik_masked"] is None
    assert bot.services.cipher.decrypt(row["phone_enc"], SASARAN_PHONE, row["id"]) == "+6281234567890"


async def _child(form: Form, category: str, born: str, height: str, weight: str, position: str) -> str:
    await form.tap(category)
    await form.type("Budi")
    await form.tap("Lewati ➡️")
    await form.tap("Laki-laki")
    await form.type(born)
    await form.type("2")
    await form.type("3,0")
    await form.type("48")
    await form.type(height)
    await form.type(weight)
    return (await form.tap(position)).plain_text


async def test_a_baduta_who_is_stunted(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    text = await _child(form, "➕ Anak 0–23 bulan (baduta)", "23-11-2025", "68", "7,5", "Berbaring (panjang badan)")
    assert "ASI eksklusif" in text
    await form.tap("Ya")
    await form.tap("Ya")
    await form.tap_in_place("▫️ BCG")
    review = await form.tap("Selesai ✔️")
    assert "PB/U pendek" in review.plain_text or "PB/U sangat pendek" in review.plain_text, review.plain_text
    assert "TB/U" not in review.plain_text and "BB/TB" not in review.plain_text
    assert "PB/U = panjang badan menurut umur" in review.plain_text  # explained once
    await form.tap("✅ Kirim")
    stunted = await bot.db.fetch_value("SELECT stunted FROM kunjungan JOIN sasaran s ON s.id = sasaran_id "
                                       "WHERE s.category = 'baduta'")
    assert stunted == 1
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran_flag WHERE code = 'stunted_child'") == 1


async def test_a_balita_measured_standing(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    text = await _child(form, "➕ Anak 24–59 bulan (balita)", "1 Mei 2023", "96", "14,2 kg", "Berdiri (tinggi badan)")
    assert "posyandu" in text
    review = await form.tap("Tidak")
    assert "TB/U normal" in review.plain_text, review.plain_text
    saved = await form.tap("✅ Kirim")
    assert "Budi tersimpan sebagai Anak 24–59 bulan" in saved.plain_text


async def test_a_child_too_old_for_baduta_is_asked_again(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await form.tap("➕ Anak 0–23 bulan (baduta)")
    await form.type("Budi")
    await form.tap("Lewati ➡️")
    await form.tap("Laki-laki")
    wrong = await form.type("1 Mei 2023")
    assert "pilih balita" in wrong.plain_text and "Tanggal lahir?" in wrong.plain_text
