"""Records that follow people through time (issue 14, sections 3 and 4, /keluarga ages):
a birth keeps the family's story, BBLR is flagged and counted, every weighing is kept and
read as the KMS does, a 2T child is referred, and ages move on the card — with a moved clock."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
from PIL import Image

from bot import texts
from bot.reminders import dispatch_due
from tests.e2e.test_lapor import SUKAWANA, new_family
from tests.e2e.test_records import open_family, register_mother
from tests.harness import BotUnderTest, Form, add_member, press_forged
from tests.rekap.screens import every_figure

PNG = b"\x89PNG"


def at(year: int, month: int, day: int) -> datetime:
    """09:00 in Serang (WIB) on that day."""
    return datetime(year, month, day, 2, 0, tzinfo=UTC)


async def pus_family(form: Form) -> None:
    """Decent water and latrine; a pregnant wife of 30 with one child born 1 January 2025:
    the family is berisiko only because the last birth was less than 24 months ago."""
    await form.start("/lapor")
    for answer in ("3", "2", "Jl. Kenanga 7", "Ahmad Yani"):
        await form.type(answer)
    await form.tap("Lewati ➡️")
    await form.tap("Ledeng / PAM")
    await form.tap("Jamban sendiri (leher angsa) dengan tangki septik")
    await form.tap("Ya")
    await form.type("12-03-1996")
    await form.type("1 anak")
    await form.type("1 Jan 2025")
    review = await form.tap("Ya")
    assert "jarak terlalu dekat" in review.plain_text, review.plain_text
    await form.tap("✅ Kirim")


async def record_birth(form: Form, weight: str = "2400 gr", length: str = "47"):
    """Rina gives birth on 20 November 2026; returns the review and the confirmation."""
    menu = await form.start("/kunjungan")
    await form.tap(next(label for label in menu.button_labels() if label.startswith("Rina")))
    await form.type("23-11-2026")
    await form.tap("Sudah melahirkan")
    await form.type("20 November 2026")
    await form.tap("Fasilitas kesehatan")
    await form.tap("Bidan")
    await form.type("Bayi Ny. Rina")
    await form.tap("Perempuan")
    await form.type(weight)
    review = await form.type(length)
    done = await form.tap("✅ Kirim")
    return review, done


async def visit_child(form: Form, name: str, day: str, weight: str, length: str):
    """A posyandu visit to a baduta: weight, length lying down; returns the review."""
    menu = await form.start("/kunjungan")
    await form.tap(next(label for label in menu.button_labels() if label.startswith(name)))
    await form.type(day)
    await form.type(weight)
    await form.type(length)
    screen = await form.tap("Berbaring (panjang badan)")
    while "periksa dulu" not in screen.plain_text:
        if "Selesai ✔️" in screen.button_labels():
            screen = await form.tap("Selesai ✔️")
        else:
            screen = await form.tap("Ya")
    return screen


async def test_a_family_stays_berisiko_after_a_birth(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await pus_family(siti)
    await register_mother(siti, "Rina", "3673045203900001")
    await record_birth(siti, weight="2,4 kg")

    # Three months later, a visit to the baby reassesses the family: the birth in November is
    # the last birth now (the one of January 2025 is 26 months ago), so the family stays berisiko.
    bot.clock.set(at(2027, 2, 20))
    await visit_child(siti, "Bayi Ny. Rina", "20-02-2027", "4,9", "55")
    await siti.tap("✅ Kirim")
    card = (await open_family(siti.user, "Ahmad Yani")).plain_text
    assert "Berisiko stunting" in card and "Belum tergolong" not in card, card
    assert "Kelahiran terakhir 3 bulan lalu: jarak terlalu dekat" in card, card
    assert "Berat lahir 2.400 g, di bawah 2.500 g: BBLR" in card, card
    assert "Panjang lahir 47 cm, di bawah 48 cm" in card, card


async def test_bblr_and_short_birth_length_are_flagged_and_counted(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await register_mother(siti, "Rina", "3673045203900001")
    review, done = await record_birth(siti, weight="2.450 gram", length="47,5")
    text = review.plain_text
    assert "Berat lahir: 2.450 gram" in text, text  # as the KIA book writes it
    assert "BBLR" in text and "Panjang lahir 47,5 cm, di bawah 48 cm" in text, text
    assert "BBLR → pastikan kunjungan neonatal" in text and "Lahir pendek → " in text, text
    assert "BBLR" in done.plain_text and "Tindak lanjut" in done.plain_text, done.plain_text
    assert "📈 Grafik pertumbuhan bayi" in done.button_labels()

    await siti.user.send("/rekap")
    shown = await siti.user.next_message()
    figures = await every_figure(siti.user, shown)
    assert figures.get("BBLR") == 1 and figures.get("PB lahir < 48 cm") == 1, shown.plain_text
    await siti.user.press("📥 Excel")
    document = await siti.user.next_message(timeout=30)
    book = openpyxl.load_workbook(io.BytesIO(document.document or b""))
    rows = list(book["Sasaran"].iter_rows(values_only=True))
    health = rows[0].index("Tanda kesehatan")
    assert any(row[health] and "BBLR" in row[health] and "PB lahir < 48 cm" in row[health] for row in rows[1:])

    # A month on, the child is still one born with BBLR: the flag stays with it.
    bot.clock.set(at(2026, 12, 28))
    await siti.user.send("/rekap")
    later = await every_figure(siti.user, await siti.user.next_message())
    assert later.get("BBLR") == 1 and later.get("PB lahir < 48 cm") == 1
    card = (await open_family(siti.user, "Ahmad Yani")).plain_text
    assert "Berat lahir 2.450 g, di bawah 2.500 g: BBLR" in card, card


async def test_every_weighing_is_kept_read_as_kms_and_a_2t_child_is_referred(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await siti.tap("➕ Anak 0–23 bulan (baduta)")
    await siti.type("Budi")
    await siti.tap("Lewati ➡️")
    await siti.tap("Laki-laki")
    await siti.type("23-05-2026")
    await siti.type("1")
    await siti.type("3200")
    await siti.type("49")
    await siti.type("65")
    await siti.type("7,0")
    await siti.tap("Berbaring (panjang badan)")
    await siti.tap("Ya")
    await siti.tap("Ya")
    review = await siti.tap("Selesai ✔️")
    assert "Berat lahir: 3.200 gram" in review.plain_text and "Saat lahir: normal" in review.plain_text
    await siti.tap("✅ Kirim")

    bot.clock.set(at(2026, 12, 22))
    review = await visit_child(siti, "Budi", "22-12-2026", "7,1", "66")
    assert "KMS: T (tidak naik): 100 g sejak bulan lalu, minimal 400 g" in review.plain_text, review.plain_text
    await siti.tap("✅ Kirim")
    assert await bot.db.fetch_value("SELECT count(*) FROM notices WHERE kind = 'rujuk'") == 0

    bot.clock.set(at(2027, 1, 22))
    review = await visit_child(siti, "Budi", "22-01-2027", "7,15", "67")
    assert "— 2T" in review.plain_text and "2T → rujuk ke puskesmas" in review.plain_text, review.plain_text
    done = await siti.tap("✅ Kirim")
    assert "📈 Grafik pertumbuhan" in done.button_labels()
    await dispatch_due(bot.services, bot.app.bot, bot.app)
    referral = await siti.user.next_message()
    assert "Anak B. perlu dirujuk ke puskesmas" in referral.plain_text and "(2T)" in referral.plain_text
    assert "Budi" not in referral.plain_text and referral.button_labels()

    await siti.user.send("/rekap")
    figures = await every_figure(siti.user, await siti.user.next_message())
    assert figures.get("Anak 2T (BB tidak naik 2 bulan)") == 1

    await open_family(siti.user, "Ahmad Yani")
    await siti.user.press("📋 Riwayat ukur Budi")
    history = (await siti.user.next_edit()).plain_text
    assert "Riwayat pertumbuhan Budi — 3 pengukuran" in history, history
    entries = history.split("\n\n")[1:]
    assert [e.split("\n")[0] for e in entries] == ["22 Januari 2027 · umur 7 bulan", "22 Desember 2026 · umur 6 bulan",
                                                   "23 November 2026 · umur 6 bulan"], entries
    assert "BB 7,15 kg · PB 67 cm (berbaring)" in entries[0] and "PB/U " in entries[0] and "BB/PB " in entries[0]
    assert "KMS T (tidak naik): 50 g, minimal 400 g" in entries[0]
    assert "KMS B (pertama kali ditimbang)" in entries[2]

    await siti.user.press("📈 Grafik pertumbuhan")  # from the history screen
    chart = await siti.user.next_message(timeout=20)
    assert chart.photo is not None and chart.photo.startswith(PNG)
    assert Image.open(io.BytesIO(chart.photo)).size == (600, 1000)
    assert "3 pengukuran" in chart.plain_text

    # Button data is never trusted: another area's member, bad ids and non-ASCII digits are refused.
    budi = await bot.db.fetch_value("SELECT id FROM sasaran WHERE name = 'Budi'")
    other = await add_member(bot, 3101, "Dewi", "tpk", "36.73.02.1001")
    message = (await Form(other).start("/bantuan")).message_id
    for data in (f"gr:{budi}", f"rw:{budi}:0", "gr:abc", f"rw:{budi}:1000", "gr:\u0663", f"gr:{budi}:0"):
        assert await press_forged(bot.emu, other, message, data) == texts.EXPIRED_BUTTON, data


async def test_ages_move_on_the_card(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, siti)
    await siti.tap("➕ Anak 0–23 bulan (baduta)")
    await siti.type("Budi")
    await siti.tap("Lewati ➡️")
    await siti.tap("Laki-laki")
    await siti.type("15-12-2024")
    for answer in ("2", "3,0", "48", "80", "10,5"):
        await siti.type(answer)
    await siti.tap("Berbaring (panjang badan)")
    await siti.tap("Ya")
    await siti.tap("Ya")
    await siti.tap("Selesai ✔️")
    await siti.tap("✅ Kirim")
    await siti.tap("➕ Tambah sasaran lain")
    await siti.tap("➕ Ibu nifas (0–42 hari)")
    await siti.type("Rina")
    await siti.tap("Tidak punya NIK")
    await siti.type("12/3/96")
    await siti.tap("Lewati ➡️")
    await siti.type("2")
    await siti.type("10 November 2026")
    await siti.tap("Fasilitas kesehatan")
    await siti.tap("Bidan")
    await siti.tap("Selesai ✔️")
    await siti.tap("Ya")
    await siti.tap("IUD / spiral")
    await siti.tap("✅ Kirim")
    card = (await open_family(siti.user, "Ahmad Yani")).plain_text
    assert "Budi — Anak 0–23 bulan, 1 tahun 11 bulan" in card and "Rina — Ibu nifas" in card, card

    bot.clock.set(at(2026, 12, 23))  # Budi is 24 months, Rina 43 days after the birth: nothing typed
    card = (await open_family(siti.user, "Ahmad Yani")).plain_text
    assert "Budi — Anak 24–59 bulan, 2 tahun" in card, card
    assert "Rina — PUS" in card and "KB: IUD / spiral." in card, card


def test_a_long_history_is_paged_newest_first() -> None:
    from datetime import date

    from bot.domain.thresholds import ClinicalThresholds
    from handlers.growth import HISTORY_PAGE, history_text
    from storage.keluarga import Kunjungan, Measurement, Sasaran

    child = Sasaran(id=7, keluarga_id=1, region_code=SUKAWANA, category="baduta", name="Budi", nik_masked=None,
                    sex="L", birth_date=date(2026, 1, 10), hpht=None, hpl=None, delivery_date=None, mother_id=None,
                    status="aktif", ended_reason=None, ended_on=None, answers={}, reporter_id=1, created_at="")
    visits = [Kunjungan(id=i, sasaran_id=7, visited_on=date(2026, 1 + i, 10), kind="kunjungan", outcome=None,
                        measurement=Measurement(visited_on=date(2026, 1 + i, 10), weight_kg=3.3 + 0.6 * i,
                                                height_cm=50.0 + 2 * i, measured_lying=True),
                        answers={}, reporter_id=1) for i in range(HISTORY_PAGE + 2)]
    first, pages = history_text(child, visits, 0, klinis=ClinicalThresholds())
    second, _ = history_text(child, visits, 1, klinis=ClinicalThresholds())
    assert pages == 2 and "8 pengukuran (halaman 1/2)" in first and "(halaman 2/2)" in second
    assert first.count("\n\n") == HISTORY_PAGE and second.count("\n\n") == 2
    assert "10 Agustus 2026" in first and "10 Januari 2026" not in first and "10 Januari 2026" in second
    assert "KMS B (pertama kali ditimbang)" in second and "KMS N (naik): 600 g" in first
    assert history_text(child, visits, 50, klinis=ClinicalThresholds())[0] == second  # an old page button
