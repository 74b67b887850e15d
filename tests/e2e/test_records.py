"""Records after the form: duplicates, visits with a birth or a loss, and who sees what."""

from __future__ import annotations

from tests.e2e.test_lapor import SUKAWANA, new_family
from tests.harness import BotUnderTest, Form, add_member

KASEMEN_KEL = "36.73.02.1001"


async def register_mother(form: Form, name: str, nik: str) -> None:
    await form.tap("➕ Ibu hamil")
    await form.type(name)
    await form.type(nik)  # its birth date is taken from it, not asked
    await form.tap("Lewati ➡️")
    asked = await form.type("38 minggu")
    if "Berapa jumlah anak" in asked.plain_text:  # not the wife of the family form (whose children are known)
        await form.type("1")
        await form.tap("Lewati ➡️")
    await form.type("155")
    await form.type("60")
    await form.type("25")
    await form.tap("Lewati ➡️")
    await form.type("90")
    await form.tap("Tidak")
    await form.tap("✅ Kirim")


async def test_a_nik_registered_anywhere_shows_the_existing_record(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")

    ani = Form(await add_member(bot, 3002, "Ani", "tpk", SUKAWANA))
    await new_family(bot, ani)
    await ani.tap("➕ Ibu hamil")
    await ani.type("Rina M.")
    notice = await ani.type("3673 0452 0390 0001")
    text = notice.plain_text
    assert "3673************ sudah terdaftar" in text and "Sukawana" in text and "Siti" in text, text
    assert "3673045203900001" not in text
    assert "Ya, sudah benar" not in notice.button_labels()
    # Offered: record a visit to the existing sasaran instead.
    visit = await ani.tap("📝 Catat kunjungan untuk sasaran itu")
    assert "Kunjungan" in visit.plain_text and "Tanggal kunjungan?" in visit.plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran") == 1


async def test_a_birth_recorded_at_a_visit(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")
    mother_id = await bot.db.fetch_value("SELECT id FROM sasaran")

    menu = await siti.start("/kunjungan")
    assert any(label.startswith("Rina — Ibu hamil, 38 minggu") for label in menu.button_labels()), menu.button_labels()
    await siti.tap(menu.button_labels()[0])
    await siti.type("23-11-2026")
    await siti.tap("Sudah melahirkan")
    await siti.type("20 November 2026")
    await siti.tap("Fasilitas kesehatan")
    await siti.tap("Bidan")
    await siti.type("Bayi Ny. Rina")
    await siti.tap("Perempuan")
    await siti.type("3,1 kg")
    review = await siti.type("49")
    assert "Tanggal persalinan: 20 November 2026" in review.plain_text
    done = await siti.tap("✅ Kirim")
    assert "Persalinan Rina tercatat" in done.plain_text and "Bayi Ny. Rina" in done.plain_text

    mother = await bot.db.fetch_one("SELECT category, delivery_date, status FROM sasaran WHERE id = ?", (mother_id,))
    assert tuple(mother) == ("ibu_nifas", "2026-11-20", "aktif")
    baby = await bot.db.fetch_one("SELECT category, sex, birth_date, mother_id, keluarga_id FROM sasaran "
                                  "WHERE id != ?", (mother_id,))
    assert tuple(baby)[:4] == ("baduta", "P", "2026-11-20", mother_id)
    assert await bot.db.fetch_value("SELECT weight_kg FROM kunjungan WHERE sasaran_id = ?", (baby["mother_id"] + 1,)) \
        == 3.1
    audit = [r[0] for r in await bot.db.fetch_all("SELECT action FROM audit_log WHERE entity = 'sasaran'")]
    assert audit.count("update") == 1 and audit.count("create") == 2


async def test_a_pregnancy_loss_closes_the_record_gently(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")
    await siti.start("/kunjungan Rina")
    await siti.tap(siti.last.button_labels()[0])
    await siti.type("23-11-2026")
    ask = await siti.tap("Kehamilan berakhir / keguguran")
    assert "turut berduka" in ask.plain_text.lower()
    await siti.type("21-11-2026")
    done = await siti.tap("✅ Kirim")
    assert "dihentikan" in done.plain_text and "dampingi" in done.plain_text
    row = await bot.db.fetch_one("SELECT status, ended_reason, ended_on FROM sasaran")
    assert tuple(row) == ("selesai", "keguguran", "2026-11-21")
    # A closed pregnancy no longer appears for new visits.
    await siti.user.send("/kunjungan Rina")
    assert "Tidak ada sasaran yang cocok" in (await siti.user.next_message()).plain_text


async def test_coordinators_see_only_their_area(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")
    kasemen_tpk = Form(await add_member(bot, 3101, "Dewi", "tpk", KASEMEN_KEL))
    await kasemen_tpk.start("/lapor")
    for answer in ("1", "1", "Jl. Kasemen", "Bapak Kasemen"):
        await kasemen_tpk.type(answer)
    await kasemen_tpk.tap("Lewati ➡️")
    await kasemen_tpk.tap("Ledeng / PAM")
    await kasemen_tpk.tap("Tidak ada jamban")
    await kasemen_tpk.tap("Tidak")
    await kasemen_tpk.tap("✅ Kirim")

    curug = await add_member(bot, 2001, "Koor Curug", "koordinator", "36.73.04")
    await curug.send("/keluarga")
    listing = await curug.next_message()
    assert "Keluarga di Kec. Curug: 1" in listing.plain_text
    assert any("Ahmad Yani" in label for label in listing.button_labels())
    assert not any("Kasemen" in label for label in listing.button_labels())
    await curug.press(next(label for label in listing.button_labels() if "Ahmad Yani" in label))
    detail = await curug.next_edit()
    assert "Rina" in detail.plain_text and "3673************" in detail.plain_text
    assert "Sumber air minum utama belum layak" in detail.plain_text
    # Forged: the Kasemen family's id from the Curug coordinator.
    from tests.harness import press_forged

    kasemen_id = await bot.db.fetch_value("SELECT id FROM keluarga WHERE region_code = ?", (KASEMEN_KEL,))
    answer = await press_forged(bot.emu, curug, detail.message_id, f"kl:o:{kasemen_id}")
    assert answer == "Keluarga itu tidak ada di wilayah Anda."

    city = await add_member(bot, 2002, "Koor Kota", "koordinator", "36.73")
    await city.send("/keluarga")
    assert "Keluarga di Kota Serang: 2" in (await city.next_message()).plain_text
    await kasemen_tpk.user.send("/keluarga")
    own = await kasemen_tpk.user.next_message()
    assert "yang Anda laporkan" in own.plain_text and len(own.button_labels()) == 1


async def open_family(user, name: str):
    await user.send("/keluarga")
    listing = await user.next_message()
    await user.press(next(label for label in listing.button_labels() if name in label))
    detail = await user.next_edit()
    user.drain_changes()
    return detail


async def test_the_reporter_and_the_coordinator_can_correct_a_record_others_cannot(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")
    siti.user.drain()

    await open_family(siti.user, "Ahmad Yani")
    review = await siti.tap("✏️ Ubah data Rina")
    assert "Perbaikan data sasaran — periksa dulu" in review.plain_text
    assert "HPHT:" in review.plain_text and "3673************" in review.plain_text  # weeks became a date
    await siti.tap("✏️ Nama")
    review = await siti.type("Rina Marlina")
    assert "Nama: Rina Marlina" in review.plain_text
    await siti.tap("✅ Kirim")
    assert "Rina Marlina diperbarui" in siti.text
    row = await bot.db.fetch_one("SELECT name, nik_masked, hpht FROM sasaran")
    assert tuple(row) == ("Rina Marlina", "3673************", "2026-03-02")
    change = (await bot.db.fetch_all("SELECT before_json, after_json FROM audit_log WHERE entity = 'sasaran' "
                                     "AND action = 'update'"))[-1]
    assert '"name": "Rina"' in change[0] and '"name": "Rina Marlina"' in change[1]
    assert "3673045203900001" not in change[0] + change[1]

    # Another TPK member of the same kelurahan sees the family but gets no edit button, and a forged one is refused.
    ani = await add_member(bot, 3002, "Ani", "tpk", SUKAWANA)
    from tests.harness import press_forged

    sasaran_id = await bot.db.fetch_value("SELECT id FROM sasaran")
    ani_message = (await Form(ani).start("/bantuan")).message_id
    answer = await press_forged(bot.emu, ani, ani_message, f"ub:{sasaran_id}")
    assert answer == "Data ini hanya bisa diubah oleh pelapornya atau koordinator."

    # The kecamatan coordinator may correct it.
    curug = await add_member(bot, 2001, "Koor Curug", "koordinator", "36.73.04")
    coordinator_view = await open_family(curug, "Ahmad Yani")
    assert "✏️ Ubah data Rina Marlina" in coordinator_view.button_labels()


async def test_a_family_correction_updates_its_risk(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    assert await bot.db.fetch_value("SELECT berisiko FROM keluarga") == 1
    await open_family(siti.user, "Ahmad Yani")
    review = await siti.tap("✏️ Ubah data keluarga")
    assert "Perbaikan data keluarga — periksa dulu" in review.plain_text
    await siti.tap("✏️ Air minum")
    await siti.tap("Ledeng / PAM")
    await siti.tap("✏️ Jamban")
    await siti.tap("Jamban sendiri (leher angsa) dengan tangki septik")
    await siti.tap("✏️ KB")
    review = await siti.tap("Suntik")
    assert "Air minum: Ledeng / PAM" in review.plain_text
    saved = await siti.tap("✅ Kirim")
    # The wife (36) is still "terlalu tua": the family stays at risk, for that reason only.
    assert "diperbarui" in saved.plain_text and "terlalu tua" in saved.plain_text
    risks = {r[0] for r in await bot.db.fetch_all("SELECT code FROM keluarga_risk")}
    assert risks == {"terlalu_tua"}
    change = (await bot.db.fetch_all("SELECT before_json, after_json FROM audit_log WHERE entity = 'keluarga' "
                                     "AND action = 'update'"))[-1]
    assert '"water_source": "sumur_tak_terlindung"' in change[0] and '"water_source": "ledeng"' in change[1]
