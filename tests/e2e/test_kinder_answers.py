"""Issue 16, "Kinder answers" and "Fewer actions" in the forms, through the emulator: "tidak tahu"
skips an optional question and names the way out on a required one; typed words take the place
of buttons; dates in words and the «Hari ini» button; approximate numbers; LiLA not measured."""

from __future__ import annotations

from tests.e2e.test_lapor import SUKAWANA, new_family
from tests.e2e.test_records import register_mother
from tests.harness import BotUnderTest, Form, add_member


async def _family_up_to_pus(bot: BotUnderTest, latrine: str) -> Form:
    """A TPK member's family form typed through to the PUS question, with "-" for the optional ones."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    for answer in ("3", "2", "-", "Ahmad Yani", "-"):
        await form.type(answer)
    await form.tap("Ledeng / PAM")
    await form.tap(latrine)
    return form


async def test_dont_know_skips_optional_questions_and_names_the_way_out_on_required_ones(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await form.start("/lapor")
    await form.type("3")
    await form.type("2")
    skipped = await form.type("-")  # the address is optional
    assert "Dilewati karena belum diketahui" in skipped.plain_text and "Nama kepala keluarga?" in skipped.plain_text
    required = await form.type("tidak tahu")
    assert "wajib dijawab" in required.plain_text and "/batal" in required.plain_text
    assert "Nama kepala keluarga?" in required.plain_text
    await form.type("Ahmad Yani")
    bad_kk = await form.type("123")  # an optional question refused: the way out is named
    assert "«Lewati»" in bad_kk.plain_text and "Kartu Keluarga" in bad_kk.plain_text
    assert "Sumber air minum" in (await form.type("tdk tau")).plain_text
    wrong = await form.type("sungai besar")
    assert "tidak ada di pilihan" in wrong.plain_text and "Sumur tak terlindung" in wrong.plain_text
    assert "Jamban" in (await form.type("sumur tak terlindung")).plain_text  # the label typed is the press
    await form.type("Jamban sendiri tanpa tangki septik")
    await form.type("iya")
    await form.type("12-03-1990")
    last_birth = await form.type("2 org")  # "3 org", "2 orang": people count in people
    assert "Tanggal lahir anak terakhir?" in last_birth.plain_text
    await form.type("1 Jan 2022")
    await form.type("tidak")
    review = await form.tap("Suntik")
    assert "Jumlah anak: 2 anak" in review.plain_text and "Alamat: –" in review.plain_text


async def test_a_visit_in_words_with_the_today_button(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")
    menu = await siti.start("/kunjungan")
    question = await siti.tap(menu.button_labels()[0])
    assert "Hari ini" in question.button_labels() and "kemarin" in question.plain_text
    calendar = await siti.tap_in_place("📅 Pilih di kalender")
    assert "[23]" in calendar.button_labels() and "Mg" not in calendar.button_labels()
    typed = await siti.type("kemarin")
    assert "Tanggal kunjungan: 22 November 2026" in typed.plain_text  # the full date shown back
    back = await siti.tap_in_place("⬅️ Kembali")
    assert "Jawaban sekarang: 22 November 2026" in back.plain_text
    after = await siti.tap("Hari ini")
    assert "Tanggal kunjungan: 23 November 2026" in after.plain_text
    await siti.type("masih hamil")  # a choice typed
    await siti.type("± 60 kg")
    lila = await siti.tap("Lewati ➡️")
    assert "Hb" in lila.plain_text
    await siti.type("?")
    await siti.type("sekitar 30 butir")
    await siti.type("tidak ada")  # danger signs typed instead of toggled
    await siti.type("ya")
    review = await siti.tap("Lewati ➡️")
    text = review.plain_text
    assert "Tanggal kunjungan: 23 November 2026" in text and "Berat badan: 60 kg" in text, text
    assert "LiLA: belum diukur" in text and "TTD sejak kunjungan lalu: 30 tablet" in text, text
    assert "Tanda bahaya: tidak ada" in text, text
    await siti.tap("✅ Kirim")
    visit = await bot.db.fetch_one("SELECT visited_on, weight_kg, lila_cm FROM kunjungan ORDER BY id DESC LIMIT 1")
    assert tuple(visit) == ("2026-11-23", 60.0, None)


async def test_the_progress_line_never_grows(bot: BotUnderTest) -> None:
    """Answering "Ya" to the PUS question opens four more questions: the count said so before."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    shown = [await form.start("/lapor")]
    for answer in ("3", "2", "Jl. Melati", "Ahmad Yani"):
        shown.append(await form.type(answer))
    shown.append(await form.tap("Lewati ➡️"))
    shown.append(await form.tap("Sumur tak terlindung"))
    shown.append(await form.tap("Jamban sendiri tanpa tangki septik"))
    for answer in ("ya", "12-03-1990", "2", "1 Jan 2022", "tidak"):
        shown.append(await form.type(answer))
    totals = [int(m.plain_text.split(" · ")[1].split("/")[1].split()[0]) for m in shown]
    numbers = [int(m.plain_text.split(" · ")[1].split("/")[0]) for m in shown]
    assert totals == sorted(totals, reverse=True), totals
    assert numbers == list(range(numbers[0], numbers[0] + len(shown))), numbers
    assert all(n <= t for n, t in zip(numbers, totals, strict=True))


async def test_immunisation_complete_for_age_in_one_tap_and_keep_after_going_back(bot: BotUnderTest) -> None:
    from tests.e2e.test_lapor import _child

    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    text = await _child(form, "➕ Anak 0–23 bulan (baduta)", "23-05-2026", "64", "6,9", "Berbaring (panjang badan)")
    assert "ASI eksklusif" in text
    posyandu = await form.tap("Ya")
    back = await form.tap_in_place("⬅️ Kembali")  # back to the ASI question: its answer is kept in one tap
    assert "Jawaban sekarang: Ya" in back.plain_text and "✅ Tetap" in back.button_labels()
    again = await form.tap("✅ Tetap")
    assert "posyandu" in again.plain_text and again.plain_text.split("\n")[-3:] == posyandu.plain_text.split("\n")[-3:]
    question = await form.tap("Ya")
    assert "✅ Lengkap sesuai usia" in question.button_labels()
    typed = await form.type("BCG, polio")  # typed instead of toggled; then back for the one tap
    assert "Imunisasi: BCG, Polio" in typed.plain_text, typed.plain_text
    question = await form.tap("✏️ Imunisasi")
    review = await form.tap("✅ Lengkap sesuai usia")  # six months old: everything due up to month 4
    assert "Imunisasi: HB-0, BCG, Polio, DPT-HB-Hib, IPV, PCV, Rotavirus" in review.plain_text, review.plain_text
    assert "Campak" not in review.plain_text


async def test_a_pregnant_woman_of_19_is_told_too_young_and_the_family_status_is_explained(bot: BotUnderTest) -> None:
    from tests.e2e.test_lapor import _child

    form = await _family_up_to_pus(bot, "Jamban sendiri (leher angsa) dengan tangki septik")
    await form.tap("Tidak")  # no PUS recorded: the family's own 4 Terlalu cannot see her age
    await form.tap("✅ Kirim")
    await form.tap("➕ Ibu hamil")
    await form.type("Rina")
    await form.tap("Tidak punya NIK")
    await form.type("1 Januari 2007")  # 19 on 23 November 2026
    await form.tap("Lewati ➡️")
    await form.tap("Tahu usia kehamilan (minggu)")
    for answer in ("20", "0", "155", "55", "26", "-", "30"):
        await form.type(answer)
    review = await form.tap("Tidak")
    assert "usia 19 tahun: terlalu muda untuk hamil" in review.plain_text, review.plain_text
    saved = (await form.tap("✅ Kirim")).plain_text
    assert "Usia 19 tahun: terlalu muda untuk hamil" in saved, saved
    assert "belum termasuk keluarga berisiko stunting (KRS) menurut kriteria BKKBN" in saved, saved

    await form.tap("➕ Tambah sasaran lain")
    await _child(form, "➕ Anak 0–23 bulan (baduta)", "23-11-2025", "66", "7,5", "Berbaring (panjang badan)")
    await form.tap("Ya")
    await form.tap("Ya")
    await form.tap("Selesai ✔️")
    saved = (await form.tap("✅ Kirim")).plain_text
    assert "pendek" in saved and "Budi tetap perlu perhatian" in saved, saved


async def test_a_misspelt_kelurahan_gets_the_closest_as_buttons(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 2001, "Rina", "koordinator", "36.73.04"))  # Kec. Curug
    first = await form.start("/lapor")
    assert "kelurahan/desa" in first.plain_text
    near = await form.type("sukawna")
    labels = near.button_labels()
    assert "Maksud Anda" in near.plain_text and labels[0] == "Sukawana (Kec. Curug)", labels
    rt = await form.tap("Sukawana (Kec. Curug)")
    assert "Nomor RT/RW?" in rt.plain_text and "Kelurahan/desa: Sukawana" in rt.plain_text


async def test_the_calendar_title_picks_month_and_year_within_the_questions_range(bot: BotUnderTest) -> None:
    form = await _family_up_to_pus(bot, "Tidak ada jamban")
    await form.tap("Ya")  # the wife's birth date: 10 to 70 years ago
    month = await form.tap_in_place("📅 Pilih di kalender")
    assert "November 2016" in month.button_labels(), month.button_labels()
    years = await form.tap_in_place("November 2016")  # the title opens the month-and-year picker
    labels = years.button_labels()
    assert "2016" in labels and "2017 ▶️" not in labels and "Des" not in labels  # after the latest allowed month
    assert "Nov" in labels and "⏪ 2006" in labels
    years = await form.tap_in_place("⏪ 2006")
    years = await form.tap_in_place("⏪ 1996")
    years = await form.tap_in_place("◀️ 1995")
    grid = await form.tap_in_place("Mar")
    assert "Maret 1995" in grid.button_labels(), grid.button_labels()
    picked = await form.tap("12")
    assert "Tanggal lahir istri: 12 Maret 1995" in picked.plain_text
