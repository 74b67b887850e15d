"""What /rekap shows first and where the rest is: the ten-figure summary and the
"Rincian" pages, one per section.

A coordinator reads /rekap on a phone (issue 16): the summary must fit one screen, so
it holds only the ten figures asked for most, each with its change; every figure of
:func:`bot.rekap.figures.build_figures` is on exactly one Rincian page (a test checks),
so nothing the long message showed is lost, and /ekspor keeps the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rekap.figures import ANAK, KEHAMILAN, KELUARGA, KESEHATAN, RISIKO, SASARAN, Figures, Row

#: The summary's figures, in order, with a shorter label where the full one would
#: wrap on a 390 px screen (the Rincian pages and the workbook keep the full labels).
SUMMARY: tuple[tuple[str, str | None], ...] = (
    ("keluarga", None),
    ("keluarga_berisiko", "Keluarga berisiko stunting"),
    ("ibu_hamil", None),
    ("flag_kek", "Ibu/catin KEK"),
    ("flag_anaemia", "Ibu/catin anemia"),
    ("baduta", None),
    ("anak_pendek", "Anak stunting"),
    ("flag_bblr", "Bayi BBLR"),
    ("kunjungan", None),
    ("pengingat_jawab", "Pengingat dijawab ibu"),
)

REMINDER_KEYS = frozenset({"pengingat_kirim", "pengingat_jawab", "ibu_setuju", "ibu_tertaut"})
ACTIVITY_KEYS = frozenset({"kunjungan", "pendaftaran", "tpk_lapor"})


@dataclass(frozen=True)
class Page:
    """One Rincian page: its token in the callback data, its button and title, and
    which figures it holds."""

    token: str
    label: str
    #: The button's text where the label would wrap on a phone (two buttons a row).
    button: str = ""
    sections: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()
    #: The Kegiatan TPK page also names the kel./desa without a report.
    lists_without_report: bool = False

    @property
    def button_label(self) -> str:
        return self.button or self.label

    def holds(self, row: Row) -> bool:
        return row.key in self.keys or (row.section in self.sections and row.key not in REMINDER_KEYS | ACTIVITY_KEYS)


PAGES: tuple[Page, ...] = (
    Page("kel", "Keluarga & risiko", "Keluarga", sections=frozenset({KELUARGA, RISIKO})),
    Page("sas", "Sasaran", sections=frozenset({SASARAN})),
    Page("anak", "Anak", sections=frozenset({ANAK})),
    Page("hamil", "Kehamilan", sections=frozenset({KESEHATAN, KEHAMILAN})),
    Page("ingat", "Pengingat", keys=REMINDER_KEYS),
    Page("tpk", "Kegiatan TPK", keys=ACTIVITY_KEYS, lists_without_report=True),
)
BY_TOKEN = {page.token: page for page in PAGES}


def summary(figures: Figures) -> list[tuple[Row, str]]:
    """The summary's rows with the label each is shown with."""
    return [(figures[key], short or figures[key].label) for key, short in SUMMARY]


def rows_of(page: Page, rows: list[Row]) -> list[Row]:
    return [row for row in rows if page.holds(row)]
