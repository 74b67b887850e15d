"""/impor through the Bot API emulator: a template file of 5,000 rows with planted
mistakes, a foreign file mapped with buttons, a second import, differences and undo."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl

from bot.impor.template import FILENAME
from storage import impor as impor_store
from tests.harness import ADMIN_ID, BotUnderTest, add_member
from tests.impor.files import (
    CURUG_DESA,
    KASEMEN_DESA,
    SUKAWANA,
    TODAY,
    Family,
    Member,
    Weighing,
    adult_born,
    child_born,
    csv_file,
    kk,
    nik,
    template_file,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_LINE = re.compile(r"• ([^:]+): ([\d.]+)")


def preview_counts(text: str) -> dict[str, int]:
    return {label: int(value.replace(".", "")) for label, value in COUNT_LINE.findall(text)}


async def table_counts(bot: BotUnderTest) -> tuple[int, int, int]:
    return (await bot.db.fetch_value("SELECT count(*) FROM keluarga"),
            await bot.db.fetch_value("SELECT count(*) FROM sasaran"),
            await bot.db.fetch_value("SELECT count(*) FROM kunjungan"))


def big_file() -> tuple[bytes, dict[str, int]]:
    """5,000 rows over the three sheets, with every kind of problem planted; returns the
    file and the counts a preview must show, counted here from the plan itself."""
    families: list[Family] = []
    members: list[Member] = []
    weighings: list[Weighing] = []
    expected = {"create": 0, "duplicate": 0, "out_of_scope": 0, "error": 0}
    for i in range(2000):
        region = SUKAWANA if i % 2 else CURUG_DESA
        family = Family(region, f"Kepala {i}", kk("36.73.04", i + 1), rt=i % 9 + 1)
        if i % 250 == 7:  # another kecamatan: the coordinator of Curug may not write there
            family.region, family.no_kk = KASEMEN_DESA, kk("36.73.02", i + 1)
            expected["out_of_scope"] += 1
        elif i % 250 == 11:  # unknown desa code inside the city
            family.region = "36.73.04.1999"
            expected["error"] += 1
        elif i % 250 == 13:  # a water source outside the choice list
            family.water = "air ajaib"
            expected["error"] += 1
        else:
            expected["create"] += 1
        families.append(family)
    usable = [f for f in families if f.region in (SUKAWANA, CURUG_DESA) and f.water != "air ajaib"]
    for i in range(2500):
        family = usable[i % len(usable)]
        child = i % 2 == 0
        born = child_born(i) if child else adult_born(i)
        female = not child or i % 4 == 1
        number = nik("36.73.04", born, female, i + 1)
        member = Member(family.no_kk, family.head, family.region, "Anak 0–23 bulan (baduta)" if child and
                        (TODAY - born).days < 700 else "Anak 24–59 bulan (balita)" if child else "Ibu hamil",
                        f"Sasaran {i}", number, born, sex=("P" if female else "L") if child else None)
        if not child:
            member.extra = {"HPHT": TODAY - timedelta(days=70 + i % 100)}
        if i % 500 == 3:  # a NIK with a wrong length
            member.nik = number[:-1]
            expected["error"] += 1
        elif i % 500 == 5:  # a birth date in the future
            member.born = TODAY + timedelta(days=30)
            member.nik = None
            expected["error"] += 1
        elif i % 500 == 9:  # the same person twice in the file
            members.append(member)
            expected["create"] += 1
            expected["duplicate"] += 1
        else:
            expected["create"] += 1
        members.append(member)
    children = [m for m in members if m.category.startswith("Anak") and m.nik and len(m.nik) == 16
                and m.born <= TODAY]
    while len(families) + len(members) + len(weighings) < 5000:
        child = children[len(weighings) % len(children)]
        on = TODAY - timedelta(days=3 + len(weighings) // len(children))
        weighings.append(Weighing(child.region, child.nik, child.name, child.born, on, 8.5, 72.0))
        expected["create"] += 1
    return template_file(families, members, weighings), expected


async def test_template_command_sends_the_shipped_template(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    await rina.send("/impor templat")
    reply = await rina.next_message(timeout=10)
    assert reply.filename == FILENAME
    book = openpyxl.load_workbook(io.BytesIO(reply.document or b""))
    assert book.sheetnames[:4] == ["keluarga", "sasaran", "pengukuran", "keterangan"]


async def test_five_thousand_rows_preview_write_and_again(bot: BotUnderTest) -> None:
    joko = await add_member(bot, 2002, "Joko", "koordinator", "36.73.04")
    data, expected = big_file()
    await joko.send("/impor")
    await joko.next_message()
    await joko.send_document(data, filename="verval_krs_2026.xlsx", mime_type=XLSX_MIME)
    preview = await joko.next_message(timeout=120)
    counts = preview_counts(preview.plain_text)
    assert counts["akan dibuat"] == expected["create"], preview.plain_text
    assert counts["duplikat di dalam file"] == expected["duplicate"]
    assert counts["di luar wilayah Anda (tidak ditulis)"] == expected["out_of_scope"]
    assert counts["galat (tidak ditulis)"] == expected["error"]
    assert counts["sama, tidak berubah"] == 0
    assert "Baris dibaca: 5.000" in preview.plain_text
    assert await table_counts(bot) == (0, 0, 0)  # the preview writes nothing
    await joko.press("✅ Lanjutkan")
    done = await joko.next_message(timeout=300)
    assert "selesai" in done.plain_text, done.plain_text
    families, members, visits = await table_counts(bot)
    assert families == 2000 - 8 * 3
    assert await bot.db.fetch_value("SELECT count(*) FROM keluarga WHERE region_code LIKE '36.73.02%'") == 0
    assert members == 2500 - 5 * 2  # 2,505 rows (5 planted twice) less 10 errors and the 5 second copies
    assert visits == 5000 - 2000 - 2505  # one per weighing row
    assert await bot.db.fetch_value("SELECT count(DISTINCT impor_id) FROM sasaran") == 1
    # The same file again: every row is found, nothing changes.
    bot.clock.advance(timedelta(hours=1))
    await joko.send_document(data, filename="verval_krs_2026.xlsx", mime_type=XLSX_MIME)
    again = await joko.next_message(timeout=120)
    counts = preview_counts(again.plain_text)
    assert counts["akan dibuat"] == 0 and counts["akan diperbarui (kolom «pakai data file»)"] == 0, again.plain_text
    assert counts["sama, tidak berubah"] == 5000 - expected["duplicate"] - expected["out_of_scope"] \
        - expected["error"]
    await joko.press("✅ Lanjutkan")
    await joko.next_message(timeout=300)
    assert await table_counts(bot) == (families, members, visits)


async def test_foreign_headers_are_asked_with_buttons_and_remembered(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    headers = ["No", "NAMA SUAMI", "NO_KK", "Kelurahan/Desa", "Kecamatan", "Alamat", "RT", "RW", "Air Minum",
               "Fasilitas BAB", "Status Verval"]
    rows = [[i + 1, f"Bapak {i}", kk("36.73.04", 500 + i), "Sukawana", "Curug", f"Kp. Baru {i}", 3, 4,
             "Ledeng / PAM", "Tidak ada jamban", "valid"] for i in range(30)]
    data = csv_file(headers, rows)
    await rina.send_document(data, filename="pk23_sukawana.csv", mime_type="text/csv")
    question = await rina.next_message(timeout=30)
    assert "«No»" in question.plain_text
    rina.drain_changes()
    await rina.press("🚫 Abaikan kolom ini")
    question = await rina.next_edit(timeout=30)
    assert "«NAMA SUAMI»" in question.plain_text
    await rina.press("Nama Kepala Keluarga")
    question = await rina.next_edit(timeout=30)
    assert "«Status Verval»" in question.plain_text
    await rina.press("🚫 Abaikan kolom ini")
    preview = await rina.next_edit(timeout=30)
    assert preview_counts(preview.plain_text)["akan dibuat"] == 30, preview.plain_text
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=60)
    heads = [r[0] for r in await bot.db.fetch_all("SELECT head_name FROM keluarga ORDER BY id")]
    assert heads == [f"Bapak {i}" for i in range(30)]
    # The same header row again: no question, straight to the preview (all unchanged).
    await rina.send_document(data, filename="pk23_sukawana_lagi.csv", mime_type="text/csv")
    preview = await rina.next_message(timeout=30)
    assert preview_counts(preview.plain_text)["sama, tidak berubah"] == 30, preview.plain_text


async def test_differences_are_listed_and_only_chosen_columns_overwritten(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    families = [Family(SUKAWANA, f"Kepala {i}", kk("36.73.04", i + 1)) for i in range(5)]
    await rina.send_document(template_file(families), filename="a.xlsx", mime_type=XLSX_MIME)
    await rina.next_message(timeout=30)
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=30)
    bot.clock.advance(timedelta(hours=1))
    families[1].address, families[3].rt, families[3].water = "Jl. Kenanga 9", 7, "Ledeng / PAM"
    await rina.send_document(template_file(families), filename="b.xlsx", mime_type=XLSX_MIME)
    preview = await rina.next_message(timeout=30)
    assert preview_counts(preview.plain_text)["berbeda dengan data bot, tidak ditimpa"] == 2
    await rina.press("📥 Rincian & perbedaan (Excel)")
    workbook = await rina.next_message(timeout=30)
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.document or b""))["perbedaan"]
    listed = sorted((r[1], r[4], r[5], r[6]) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert listed == [(3, "Alamat", "Jl. Melati 5", "Jl. Kenanga 9"), (5, "RT", "1", "7"),
                      (5, "Sumber Air Minum", "sumur_bor", "ledeng")]
    rina.drain_changes()
    await rina.press("☐ Pakai data file: Alamat (1)")
    preview = await rina.next_edit(timeout=30)
    assert preview_counts(preview.plain_text)["akan diperbarui (kolom «pakai data file»)"] == 1, preview.describe()
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=30)
    rows = await bot.db.fetch_all("SELECT head_name, address, rt, water_source FROM keluarga ORDER BY id")
    assert [tuple(r) for r in rows][1] == ("Kepala 1", "Jl. Kenanga 9", "1", "sumur_bor")
    assert [tuple(r) for r in rows][3] == ("Kepala 3", "Jl. Melati 5", "1", "sumur_bor")


async def test_undo_of_an_untouched_import_removes_it_and_a_touched_one_stays(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    families = [Family(SUKAWANA, f"Kepala {i}", kk("36.73.04", i + 1)) for i in range(4)]
    members = [Member(f.no_kk, f.head, f.region, "Ibu hamil", f"Ibu {i}", nik("36.73.04", adult_born(i), True, i + 1),
                      adult_born(i), extra={"HPHT": TODAY - timedelta(days=80)}) for i, f in enumerate(families)]
    await rina.send_document(template_file(families, members), filename="a.xlsx", mime_type=XLSX_MIME)
    await rina.next_message(timeout=30)
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=30)
    assert await table_counts(bot) == (4, 4, 0)
    bot.clock.advance(timedelta(hours=1))
    await rina.press("↩️ Batalkan impor ini")
    undone = await rina.next_message(timeout=30)
    assert "dibatalkan" in undone.plain_text and "4 keluarga" in undone.plain_text
    assert await table_counts(bot) == (0, 0, 0)
    # Imported again, then a visit is recorded on one of its sasaran: undo is refused.
    await rina.send_document(template_file(families, members), filename="a.xlsx", mime_type=XLSX_MIME)
    await rina.next_message(timeout=30)
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=30)
    imports = await impor_store.list_imports(bot.db, "36.73")
    bot.clock.advance(timedelta(hours=1))
    async with bot.db.transaction() as tx:
        sasaran_id = (await tx.fetch_one("SELECT id FROM sasaran WHERE impor_id = ? LIMIT 1", (imports[0].id,)))[0]
        from storage.keluarga import Measurement, add_kunjungan

        await add_kunjungan(tx, sasaran_id=sasaran_id, reporter_id=ADMIN_ID, kind="kunjungan",
                            measurement=Measurement(visited_on=TODAY), answers={}, now=bot.clock.now())
    await rina.press("↩️ Batalkan impor ini")
    refused = await rina.next_message(timeout=30)
    assert "tidak dibatalkan" in refused.plain_text
    assert await table_counts(bot) == (4, 4, 1)


async def test_a_coordinator_gives_an_imports_families_in_a_desa_to_one_member(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    dewi = await add_member(bot, 3002, "Dewi", "tpk", SUKAWANA, "kader_pkk")
    families = [Family(SUKAWANA, f"Kepala {i}", kk("36.73.04", i + 1)) for i in range(4)]
    families.append(Family(CURUG_DESA, "Kepala Curug", kk("36.73.04", 99)))
    await rina.send_document(template_file(families), filename="a.xlsx", mime_type=XLSX_MIME)
    await rina.next_message(timeout=30)
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=30)
    await rina.press("👤 Tugaskan keluarga Kel. Sukawana ke satu anggota")
    question = await rina.next_message(timeout=30)
    assert question.button_labels() == ["Dewi", "Siti"]
    rina.drain_changes()
    await rina.press("Siti")
    done = await rina.next_edit(timeout=30)
    assert "4 keluarga" in done.plain_text and "Siti" in done.plain_text
    await siti.send("/daftar")
    assert "Keluarga dampingan Anda</b>: 4" in (await siti.next_message(timeout=15)).html
    await dewi.send("/daftar")
    assert "Belum ada keluarga" in (await dewi.next_message(timeout=15)).plain_text


async def test_impor_daftar_lists_the_areas_imports_with_undo(bot: BotUnderTest) -> None:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    joko = await add_member(bot, 2002, "Joko", "koordinator", "36.73.02")
    await rina.send_document(template_file([Family(SUKAWANA, "Kepala A", kk("36.73.04", 1))]), filename="a.xlsx",
                             mime_type=XLSX_MIME)
    await rina.next_message(timeout=30)
    await rina.press("✅ Lanjutkan")
    await rina.next_message(timeout=30)
    await rina.send("/impor daftar")
    listing = await rina.next_message(timeout=15)
    assert "#1 a.xlsx — selesai, 1 baris: 1 dibuat" in listing.plain_text
    assert listing.button_labels() == ["↩️ Batalkan impor #1"]
    await joko.send("/impor daftar")  # another kecamatan: not his import
    assert "Belum ada impor" in (await joko.next_message(timeout=15)).plain_text
