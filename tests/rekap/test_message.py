"""The /rekap message: Indonesian formatting, "–" for unknown figures, the list of
areas without a report, and clean splitting under Telegram's 4,096 characters."""

from __future__ import annotations

from collections import Counter
from datetime import date

from bot.rekap import message
from bot.rekap.figures import Rekap, build_figures, summary_rows
from bot.rekap.pages import PAGES, SUMMARY
from bot.rekap.periods import Period
from storage.rekap import AreaCounts
from storage.rekap_reminders import Available, ReminderCounts
from tests.rekap.screens import figures_in


def sample(*, known: bool = True, without: tuple[str, ...] = (), desa_total: int = 67) -> Rekap:
    counts = AreaCounts(
        stock=Counter({"keluarga": 6803, "keluarga_berisiko": 1877, "sasaran:baduta": 1234, "risk:water": 800,
                       "flag:kek": 12}),
        stock_prev=Counter({"keluarga": 6700, "keluarga_berisiko": 1870, "sasaran:baduta": 1200}),
        flow=Counter({"keluarga": 103, "pengingat_kirim": 50, "pengingat_perlu": 40, "pengingat_jawab": 30}),
        flow_prev=Counter({"keluarga": 110}),
        children=Counter({"anak_ukur": 1000, "anak_tbu": 1000, "anak_pendek": 276}),
        children_prev=Counter({"anak_ukur": 900, "anak_tbu": 900, "anak_pendek": 252}),
        pregnant=Counter({"tm1": 10, "tm2": 20, "tm3": 30, "lewat": 2}),
        members=201, reporters=150, members_prev=200, reporters_prev=160,
    )
    have = Available(known, known, known)
    reminders = ReminderCounts(Counter({"linked": 5, "consented": 7}), Counter({"linked": 4, "consented": 6}))
    figures = build_figures(counts, reminders if known else None, have)
    return Rekap(area="36.73", area_label="Kota Serang", area_name="Kota Serang", period=Period.month(2026, 10),
                 previous=Period.month(2026, 9), reference_day=date(2026, 10, 31), figures=figures,
                 without_report=without, desa_total=desa_total)


def test_figures_are_written_the_indonesian_way() -> None:
    text = message.render(sample())
    assert "Periode: <b>Oktober 2026</b> (dibanding September 2026)" in text
    assert "Keadaan per 31 Oktober 2026" in text
    assert "Keluarga terdaftar: 6.803 (+103)" in text
    assert "Berisiko stunting: 1.877 (27,6%; −0,3 poin)" in text
    assert "Stunting (pendek + sangat pendek): 276 (27,6%; −0,4 poin)" in text
    assert "Ibu hamil: 60 (+60)\n   TM I: 10 · TM II: 20 · TM III: 30 · tanpa HPHT: 0" in text
    assert "Ibu hamil lewat 44 minggu (perlu diperbarui): 2" in text
    assert "Dijawab ibu: 30 (75,0%)" in text
    assert "Anggota TPK melapor: 150 dari 201 (74,6%; −5,4 poin)" in text
    assert "Kel./desa tanpa laporan: 0 dari 67" in text
    assert len(text) < message.MESSAGE_LIMIT


def test_figures_that_cannot_be_computed_show_a_dash() -> None:
    text = message.render(sample(known=False))
    assert "Pengingat terkirim: –" in text and "Ibu setuju bergabung: –" in text
    rows = {r.key: r for r in summary_rows(sample(known=False).figures)}
    assert rows["pengingat_kirim"].value is None


def test_areas_without_a_report_are_named_up_to_a_limit() -> None:
    names = tuple(f"Kelurahan {i}" for i in range(40))
    text = message.render(sample(without=names))
    assert "Kel./desa tanpa laporan: 40 dari 67" in text
    assert "Kelurahan 0, Kelurahan 1" in text and "Kelurahan 39" not in text
    assert "… dan 16 lainnya (lihat /ekspor)" in text
    single = message.render(sample(without=("Sukawana",), desa_total=1))
    assert "Belum ada laporan pada periode ini." in single


def test_long_messages_are_split_at_section_breaks() -> None:
    sections = [f"<b>Bagian {i}</b>\n" + "\n".join(f"Baris {i}.{j}: {j * 1000}" for j in range(150))
                for i in range(4)]
    text = "\n\n".join(sections)
    parts = message.split(text)
    assert len(parts) > 1 and all(len(p) <= message.MESSAGE_LIMIT for p in parts)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)
    assert "\n".join(parts).replace("\n\n", "\n") == text.replace("\n\n", "\n")
    assert message.split("pendek") == ["pendek"]


def test_the_summary_and_the_rincian_pages_hold_every_figure_of_the_whole_text() -> None:
    rekap = sample(without=tuple(f"Kelurahan {i}" for i in range(40)))
    rows = summary_rows(rekap.figures)
    for row in rows:
        assert sum(page.holds(row) for page in PAGES) == 1, row.key
    whole = figures_in(message.render(rekap))
    pages = [message.render_page(rekap, page) for page in PAGES]
    assert all(len(text) < message.MESSAGE_LIMIT for text in pages)
    assert figures_in("\n".join(pages)) == whole  # the same labels and numbers, nothing lost
    assert "… dan 16 lainnya (lihat /ekspor)" in pages[-1]

    summary = message.render_summary(rekap)
    assert len(figures_in(summary)) == len(SUMMARY) == 10
    assert "Keluarga berisiko stunting: 1.877 (27,6%; −0,3 poin)" in summary
    assert "Anak stunting: 276 (27,6%; −0,4 poin)" in summary
    assert "Keluarga terdaftar: 6.803 (+103)" in summary and "Baduta (0–23 bln): 1.234 (+34)" in summary
    assert "Kelurahan 0" not in summary and len(summary) < 700
