"""/ekspor eppgbm, verval and csv: the layouts open in openpyxl and csv, and their rows
equal the records."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import openpyxl

from bot.exports.layouts import VALUES, load
from storage.keluarga import Measurement, add_kunjungan
from tests.harness import BotUnderTest, add_member
from tests.impor.files import (
    SUKAWANA,
    TODAY,
    Family,
    Member,
    Weighing,
    child_born,
    kk,
    nik,
    template_file,
)
from tests.impor.test_daftar import import_records


def records(n: int) -> bytes:
    families = [Family(SUKAWANA, f"Kepala {i}", kk("36.73.04", i + 1),
                       water="Air sungai / danau / kolam" if i % 3 == 0 else "Ledeng / PAM") for i in range(n)]
    members, weighings = [], []
    for i, f in enumerate(families):
        born = child_born(i)
        number = nik("36.73.04", born, i % 2 == 0, i + 1)
        members.append(Member(f.no_kk, f.head, f.region, "Anak 0–23 bulan (baduta)" if (TODAY - born).days < 700
                              else "Anak 24–59 bulan (balita)", f"Anak {i}", number, born, sex="P" if i % 2 == 0
                              else "L"))
        weighings.append(Weighing(f.region, number, f"Anak {i}", born, TODAY - timedelta(days=2), 7.0 + i % 5,
                                  65.0 + i % 20))
    return template_file(families, members, weighings)


def test_every_layout_names_only_known_values_and_says_it_is_unconfirmed() -> None:
    known = load()
    assert set(known) == {"eppgbm", "verval"}
    for layout in known.values():
        assert layout.columns and all(value in VALUES for _, value in layout.columns)
        assert layout.confirmed is False  # no official layout is public; the README says so


async def test_eppgbm_rows_equal_the_measurements(bot: BotUnderTest) -> None:
    await import_records(bot, records(12))
    joko = await add_member(bot, 2002, "Joko", "koordinator", "36.73.04")
    await joko.send("/ekspor eppgbm")
    document = await joko.next_message(timeout=30)
    assert document.filename == f"ekspor-eppgbm-{TODAY.isoformat()}.xlsx"
    rows = list(openpyxl.load_workbook(io.BytesIO(document.document or b""))["pengukuran_anak"]
                .iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("NIK Anak", "Nama Anak", "Jenis Kelamin")
    stored = await bot.db.fetch_all(
        "SELECT s.nik_masked, s.name, v.visited_on, v.weight_kg, v.height_cm, v.haz FROM kunjungan v "
        "JOIN sasaran s ON s.id = v.sasaran_id ORDER BY v.visited_on, v.id")
    stored = [(*s[:5], None if s[5] is None else round(s[5], 2)) for s in stored]
    index = {h: i for i, h in enumerate(header)}
    got = [(r[index["NIK Anak"]], r[index["Nama Anak"]], r[index["Tanggal Pengukuran"]], r[index["Berat (kg)"]],
            r[index["Tinggi/Panjang (cm)"]], r[index["ZS TB/U"]]) for r in body]
    assert got == stored and len(got) == 12
    assert all(re.fullmatch(r"3673\*{12}", r[0]) for r in got)
    assert all(r[index["TB/U"]] for r in body)


async def test_verval_rows_and_the_csv_of_every_sheet(bot: BotUnderTest) -> None:
    await import_records(bot, records(9))
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    visited = await bot.db.fetch_value("SELECT id FROM sasaran WHERE name = 'Anak 4'")
    bot.clock.advance(timedelta(hours=1))
    async with bot.db.transaction() as tx:
        await add_kunjungan(tx, sasaran_id=visited, reporter_id=3001, kind="kunjungan",
                            measurement=Measurement(visited_on=TODAY), answers={}, now=bot.clock.now())
    await siti.send("/ekspor verval")
    document = await siti.next_message(timeout=30)
    rows = list(openpyxl.load_workbook(io.BytesIO(document.document or b""))["verval_krs"].iter_rows(values_only=True))
    index = {h: i for i, h in enumerate(rows[0])}
    stored = await bot.db.fetch_all("SELECT head_name, no_kk_masked, berisiko FROM keluarga ORDER BY id")
    assert [(r[index["Nama Kepala Keluarga"]], r[index["No. KK"]],
             r[index["Status KRS"]] == "Berisiko stunting") for r in rows[1:]] == \
        [(s[0], s[1], bool(s[2])) for s in stored]
    verified = [r for r in rows[1:] if r[index["Hasil Verifikasi"]] == "terverifikasi"]
    assert [(r[index["Nama Kepala Keluarga"]], r[index["Verifikator"]], r[index["Tanggal Verifikasi"]])
            for r in verified] == [("Kepala 4", "Siti", TODAY.isoformat())]
    assert all(bool(r[index["Faktor Risiko"]]) == (r[index["Status KRS"]] == "Berisiko stunting") for r in rows[1:])
    await siti.send("/ekspor csv")
    archive = zipfile.ZipFile(io.BytesIO((await siti.next_message(timeout=30)).document or b""))
    assert sorted(archive.namelist()) == ["pengukuran_anak.csv", "verval_krs.csv"]
    text = archive.read("verval_krs.csv").decode("utf-8-sig")
    assert [list(r) for r in csv.reader(io.StringIO(text))] == [["" if v is None else str(v) for v in r]
                                                                 for r in rows]
    assert await bot.db.fetch_value("SELECT count(*) FROM audit_log WHERE action = 'ekspor_nama'") == 2
