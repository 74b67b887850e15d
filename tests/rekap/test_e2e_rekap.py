"""/rekap and /ekspor as coordinators and TPK members use them, through the real
Application and the Bot API emulator: periods, drill-down, refusals, chart, workbook."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from PIL import Image

from bot.dev.emulator import BotMessage, SimUser
from bot.dev.seed import seed_demo
from bot.formatting import number
from bot.rekap.figures import CATEGORY_LABELS
from bot.rekap.periods import Period, last_month, last_three_months, this_month, this_year, year
from bot.rekap.service import today
from tests.harness import ADMIN_ID, START, BotUnderTest, add_member, press_forged
from tests.rekap.conftest import CURUG, ROOT, Brute, add_reminders_and_mothers
from tests.rekap.screens import figures_in, full_text

PNG = b"\x89PNG\r\n\x1a\n"
XLSX = b"PK\x03\x04"
SUKAWANA = "36.73.04.1007"
async def seed(bot: BotUnderTest) -> None:
    services = bot.services
    await seed_demo(services.db, services.cipher, root=ROOT, sasaran=700, seed=11, now=START)
    import random

    await add_reminders_and_mothers(services, random.Random(5), count=40)


async def assert_matches_brute(user: SimUser, message: BotMessage, recount: Brute, area: str,
                               period: Period) -> None:
    """Every figure of the summary and of its Rincian pages equals the brute-force recount."""
    text = await full_text(user, message)
    shown = figures_in(text)
    expected = recount(area, period)
    checks = {
        "Keluarga terdaftar": "keluarga", "Berisiko stunting": "keluarga_berisiko", "Keluarga baru": "keluarga_baru",
        "Ibu hamil": "ibu_hamil", "TM I": "hamil_tm1", "TM II": "hamil_tm2", "TM III": "hamil_tm3",
        CATEGORY_LABELS["baduta"]: "baduta", CATEGORY_LABELS["balita"]: "balita", "Catin": "catin",
        "Air minum tidak layak": "risk_water", "Jamban tidak layak": "risk_latrine",
        "Terlalu muda": "risk_terlalu_muda", "Terlalu tua": "risk_terlalu_tua", "Terlalu dekat": "risk_terlalu_dekat",
        "Terlalu banyak": "risk_terlalu_banyak", "Anemia": "flag_anaemia", "KEK (LiLA < 23,5 cm)": "flag_kek",
        "Anak diukur": "anak_ukur", "Stunting (pendek + sangat pendek)": "anak_pendek",
        "Wasting (gizi kurang + buruk)": "anak_kurus", "Berat badan kurang": "anak_bbkurang",
        "HPL jatuh di periode ini": "hpl", "Kelahiran tercatat": "lahir", "Kunjungan tercatat": "kunjungan",
        "Pengingat terkirim": "pengingat_kirim", "Dijawab ibu": "pengingat_jawab",
        "Ibu setuju bergabung": "ibu_setuju", "Ibu masih tertaut": "ibu_tertaut",
        "Anggota TPK melapor": "tpk_lapor",
    }
    for label, key in checks.items():
        assert shown.get(label) == expected.get(key, 0), (period, label, shown.get(label), expected.get(key, 0))
    assert f"dari {number(expected['tpk_members'])}" in text  # type: ignore[arg-type]
    # The summary's shorter labels show the same numbers.
    for label, key in (("Keluarga berisiko stunting", "keluarga_berisiko"), ("Anak stunting", "anak_pendek"),
                       ("Pengingat dijawab ibu", "pengingat_jawab"), ("Bayi BBLR", "flag_bblr")):
        assert shown.get(label) == expected.get(key, 0), (period, label)


async def rekap(user: SimUser, command: str = "/rekap") -> BotMessage:
    await user.send(command)
    return await user.next_message()


async def test_rekap_for_each_period_choice_equals_a_recount(bot: BotUnderTest) -> None:
    await seed(bot)
    admin = bot.user(ADMIN_ID, "Admin")
    day = today(bot.services)
    recount = await Brute.of(bot.services)

    shown = await rekap(admin)
    assert "Rekap Kota Serang" in shown.plain_text and "Periode: November 2026" in shown.plain_text
    assert "Data s.d. 23 November 2026" in shown.plain_text
    assert {"Bulan lalu", "📅 Periode lain", "🗺️ Per kecamatan"} <= set(shown.button_labels())
    assert len(shown.html) < 1200  # ten figures, not the whole list
    await assert_matches_brute(admin, shown, recount, ROOT, this_month(day))

    for label, period, title in (("Bulan lalu", last_month(day), "Oktober 2026"),
                                 ("3 bulan terakhir", last_three_months(day), "September – November 2026"),
                                 ("Tahun ini", this_year(day), "Januari – November 2026")):
        if label != "Bulan lalu":  # one tap from the summary; the others behind "Periode lain"
            await admin.press("📅 Periode lain")
            picker = await admin.next_edit()
            assert picker.message_id == shown.message_id and "Bulan ini" in picker.button_labels()
        await admin.press(label)
        edited = await admin.next_edit()
        assert f"Periode: {title}" in edited.plain_text, edited.plain_text
        assert edited.message_id == shown.message_id
        await assert_matches_brute(admin, edited, recount, ROOT, period)
    await admin.press("📅 Periode lain")
    assert "✓ Tahun ini" in (await admin.next_edit()).button_labels()

    for command, title, period in (("/rekap 2026-10", "Oktober 2026", Period.month(2026, 10)),
                                   ("/rekap Oktober 2026", "Oktober 2026", Period.month(2026, 10)),
                                   ("/rekap 2025", "Tahun 2025", year(2025, day)),
                                   ("/rekap 36.73.04 juni 2026", "Juni 2026", Period.month(2026, 6))):
        reply = await rekap(admin, command)
        assert f"Periode: {title}" in reply.plain_text, (command, reply.plain_text)
        area = CURUG if CURUG in command else ROOT
        await assert_matches_brute(admin, reply, recount, area, period)
    assert "Keadaan per 31 Oktober 2026" in (await rekap(admin, "/rekap 2026-10")).plain_text

    for command, says in (("/rekap kemarin dulu", "tidak dikenali"), ("/rekap 2027-01", "belum dimulai"),
                          ("/rekap 2026-13", "Bulan 13 tidak ada")):
        reply = await rekap(admin, command)
        assert (says in reply.plain_text and "Contoh" in reply.plain_text) or says in reply.plain_text
        assert not reply.buttons


async def test_drill_down_and_back_up_never_above_the_scope(bot: BotUnderTest) -> None:
    await seed(bot)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    recount = await Brute.of(bot.services)
    day = today(bot.services)

    shown = await rekap(rina)
    assert "Rekap Kota Serang › Curug" in shown.plain_text
    assert not any("Kembali" in label for label in shown.button_labels())
    await assert_matches_brute(rina, shown, recount, CURUG, this_month(day))

    await rina.press("🗺️ Per kel./desa")  # the sub-areas, in place of the summary's buttons
    labels = (await rina.next_edit()).button_labels()
    assert "Sukawana" in labels and not any("Kembali" in label for label in labels)
    assert not any(name in labels for name in ("Kasemen", "Serang", "Walantaka"))
    await rina.press("Sukawana")
    down = await rina.next_edit()
    assert "Curug › Sukawana" in down.plain_text
    assert "⬆️ Kembali ke Kec. Curug" in down.button_labels()
    await assert_matches_brute(rina, down, recount, SUKAWANA, this_month(day))

    await rina.press("Bulan lalu")  # the period changes, the area stays
    lower = await rina.next_edit()
    assert "Curug › Sukawana" in lower.plain_text and "Oktober 2026" in lower.plain_text
    await assert_matches_brute(rina, lower, recount, SUKAWANA, last_month(day))

    await rina.press("⬆️ Kembali ke Kec. Curug")
    up = await rina.next_edit()
    assert "Rekap Kota Serang › Curug" in up.plain_text and "Oktober 2026" in up.plain_text
    assert not any("Kembali" in label for label in up.button_labels())


async def test_forged_buttons_and_arguments_cannot_widen_the_scope(bot: BotUnderTest) -> None:
    await seed(bot)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    shown = await rekap(rina)
    before = len(rina.transcript)
    for forged in ("rk:202611:go:36.73", "rk:202611:go:36.73.06", "rk:202611:go:36.73.06.1001",
                   "rk:202611:g:36.73", "rk:202611:x:36.73.01", "rk:202611:go:99.99", "rk:202611:go:36",
                   "rk:209912:go:36.73.04", "rk:202611-202701:go:36.73.04", "rk:abc:go:36.73.04", "rk:202611:zz:x",
                   "rk:202611:go:36.73.04:extra", "rk:dg:maybe:-", "rk:dg:off"):
        answer = await press_forged(bot.emu, rina, shown.message_id, forged) or ""
        assert any(word in answer for word in ("di luar wewenang", "kedaluwarsa", "belum dimulai")), (forged, answer)
    assert len(rina.transcript) == before
    assert rina.transcript[-1].plain_text == shown.plain_text  # never edited into another area

    for command in ("/rekap 36.73", "/rekap 36.73.06", "/rekap Kasemen", "/rekap 36.73.06.1001 2026-10",
                    "/ekspor 36.73", "/ekspor Walantaka", "/rekap grafik 36.73.01"):
        reply = await rekap(rina, command)
        assert "di luar wewenang" in reply.plain_text, (command, reply.plain_text)
        assert reply.document is None and reply.photo is None

    stranger = bot.user(9999, "Tamu")
    assert "tidak tersedia" in (await rekap(stranger)).plain_text
    answer = await press_forged(bot.emu, stranger, shown.message_id, "rk:202611:go:36.73.04")
    assert answer and "tidak tersedia" in answer


async def test_chart_is_a_png_for_the_area_and_period(bot: BotUnderTest) -> None:
    await seed(bot)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    await rekap(rina)
    await rina.press("📈 Grafik")
    photo = await rina.next_message(timeout=20)
    assert photo.photo is not None and photo.photo.startswith(PNG)
    image = Image.open(io.BytesIO(photo.photo))
    image.verify()
    assert image.format == "PNG" and image.size[1] > image.size[0] >= 540  # portrait, for a phone
    # Curug has 10 kelurahan: the 8 with the most cases are drawn, the caption names the rest.
    assert len(bot.services.regions.children(CURUG)) == 10
    assert "Grafik memuat 8 wilayah dengan kasus terbanyak; 2 wilayah lain ada di 📥 Excel." in photo.plain_text
    assert "Curug" in photo.plain_text and "November 2026" in photo.plain_text

    await rina.send("/rekap grafik bulan lalu")
    again = await rina.next_message(timeout=20)
    assert again.photo is not None and again.photo.startswith(PNG) and "Oktober 2026" in again.plain_text


def sheet_rows(book: openpyxl.Workbook, name: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


async def test_workbook_opens_and_its_summary_equals_the_message(bot: BotUnderTest) -> None:
    await seed(bot)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    shown = await rekap(rina, "/rekap 3 bulan terakhir")
    await rina.press("📥 Excel")
    document = await rina.next_message(timeout=30)
    assert document.document is not None and document.document.startswith(XLSX)
    assert document.filename == "rekap-kec-curug-2026-09_2026-11.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(document.document))
    assert book.sheetnames == ["Ringkasan", "Per kel-desa", "Sasaran"]

    everything = await full_text(rina, shown)
    in_message = figures_in(everything)
    summary = sheet_rows(book, "Ringkasan")
    header = summary.index(("Bagian", "Indikator", "Nilai", "Persen", "Periode sebelumnya", "Persen sebelumnya",
                            "Perubahan", "Setahun sebelumnya", "Perubahan setahun"))
    rows = summary[header + 1:]
    rows = rows[: rows.index((None,) * 9)] if (None,) * 9 in rows else rows
    assert len(rows) >= 30
    for _section, label, value, share, *_ in rows:
        expected = None if value == "–" else value
        assert in_message.get(str(label)) == expected, (label, value, in_message.get(str(label)))
        if isinstance(share, float):
            formatted = f"{share * 100:.1f}".replace(".", ",") + "%"
            line = next(line for line in everything.split("\n") if f"{label}: " in line)
            assert formatted in line, (label, formatted, line)

    breakdown = sheet_rows(book, "Per kel-desa")
    codes = [row[0] for row in breakdown[1:]]
    assert codes and all(str(code).startswith(CURUG + ".") for code in codes)
    assert len(codes) == len(bot.services.regions.children(CURUG))

    sasaran = sheet_rows(book, "Sasaran")
    columns = sasaran[0]
    assert "NIK (disamarkan)" in columns and not any("telepon" in str(c).lower() or "nama" in str(c).lower()
                                                     for c in columns)
    body = [row for row in sasaran[1:] if row[0] is not None]
    curug = bot.services.regions.get(CURUG)
    assert curug is not None and all(row[2] == curug.name for row in body)
    count = await bot.db.fetch_value("SELECT count(*) FROM sasaran WHERE region_code LIKE '36.73.04.%' AND "
                                     "erased_at IS NULL")
    assert len(body) == count
    niks = [row[columns.index("NIK (disamarkan)")] for row in body if row[columns.index("NIK (disamarkan)")]]
    assert niks and all(re.fullmatch(r"\d{4}\*{12}", str(n)) for n in niks)
    names = {r[0] for r in await bot.db.fetch_all("SELECT name FROM sasaran WHERE region_code LIKE '36.73.04.%'")}
    flat = " ".join(str(cell) for row in sasaran for cell in row if cell is not None)
    assert not any(name in flat for name in names)

    await rina.send("/ekspor 2026")
    yearly = await rina.next_message(timeout=30)
    assert yearly.filename == "rekap-kec-curug-2026-01_2026-11.xlsx"


async def test_a_tpk_member_sees_only_their_own_kelurahan(bot: BotUnderTest) -> None:
    await seed(bot)
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, position="bidan")
    recount = await Brute.of(bot.services)
    shown = await rekap(siti)
    assert "Curug › Sukawana" in shown.plain_text
    await assert_matches_brute(siti, shown, recount, SUKAWANA, this_month(today(bot.services)))
    assert not any("Kembali" in label for label in shown.button_labels())
    for command in ("/rekap 36.73.04", "/rekap Curug", "/ekspor 36.73"):
        assert "di luar wewenang" in (await rekap(siti, command)).plain_text
    await siti.press("📈 Grafik")
    own = await siti.next_message(timeout=20)
    assert own.photo is not None and own.photo.startswith(PNG) and "Sukawana" in own.plain_text
    await siti.press("📥 Excel")
    document = await siti.next_message(timeout=30)
    book = openpyxl.load_workbook(io.BytesIO(document.document or b""))
    assert book.sheetnames == ["Ringkasan", "Sasaran"]


@pytest.mark.parametrize("command", ["/rekap", "/ekspor"])
async def test_commands_are_listed_for_members_only(bot: BotUnderTest, command: str) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    await rina.send("/bantuan")
    assert command in (await rina.next_message()).plain_text
    stranger = bot.user(9999, "Tamu")
    await stranger.send(command)
    assert "tidak tersedia" in (await stranger.next_message()).plain_text
