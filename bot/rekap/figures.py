"""The /rekap figures: one list of rows that the message, the chart and the workbook
all read, so the three can never disagree.

A :class:`Row` is one figure for the area and period, with the value of the period it
is compared with. Stocks (families, members, risk factors) are "registered by the end
of the period, as recorded now"; flows (new families, visits, births, measurements)
are "in the period". Ibu hamil are those pregnant on the reference day by their HPHT
(the period's last day, or today while it runs), split by trimester with
:mod:`bot.domain.pregnancy`; every category is counted by its state on that day
(storage/migrations/0011_rekap_periods.sql).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.domain.pregnancy import MAX_GESTATION_WEEKS, TrimesterBoundaries, gestational_age
from bot.rekap.periods import Period
from storage.rekap import AreaCounts
from storage.rekap_closed import Closed, Closing
from storage.rekap_reminders import Available, ReminderCounts

KELUARGA = "Keluarga"
SASARAN = "Sasaran"
RISIKO = "Faktor risiko keluarga"
KESEHATAN = "Kesehatan ibu & catin"
ANAK = "Pengukuran anak"
KEHAMILAN = "Kehamilan & persalinan"
KUNJUNGAN = "Kunjungan & pengingat"
AKTIVITAS = "Aktivitas TPK"

RISK_LABELS = {
    "water": "Air minum tidak layak",
    "latrine": "Jamban tidak layak",
    "terlalu_muda": "Terlalu muda",
    "terlalu_tua": "Terlalu tua",
    "terlalu_dekat": "Terlalu dekat",
    "terlalu_banyak": "Terlalu banyak",
    "no_modern_kb": "Belum KB modern",
}
FLAG_LABELS = {"kek": "KEK (LiLA < 23,5 cm)", "anaemia": "Anemia"}
#: Children's flags counted as their own figures (stock of active children with the flag).
CHILD_FLAG_LABELS = {"bblr": "BBLR", "short_birth_length": "PB lahir < 48 cm",
                     "kms_2t": "Anak 2T (BB tidak naik 2 bulan)"}
#: Every stored risk and flag code, for the workbook's Sasaran sheet.
ALL_RISK_LABELS = {
    **RISK_LABELS,
    "kek": "KEK",
    "anaemia": "Anemia",
    "short_mother": "Tinggi ibu < 145 cm",
    "low_imt": "IMT kurang",
    "stunted_child": "Stunting",
    "wasted_child": "Wasting",
    "underweight_child": "BB kurang",
    "bblr": "BBLR",
    "short_birth_length": "PB lahir < 48 cm",
    "kms_2t": "2T",
}
CATEGORY_LABELS = {
    "catin": "Catin",
    "ibu_hamil": "Ibu hamil",
    "ibu_nifas": "Ibu nifas",
    "baduta": "Baduta (0–23 bln)",
    "balita": "Balita (24–59 bln)",
}
TRIMESTERS = (("tm1", "TM I"), ("tm2", "TM II"), ("tm3", "TM III"))


@dataclass(frozen=True)
class Row:
    """One figure. ``value`` None means "not available" (shown as "–")."""

    key: str
    section: str
    label: str
    value: int | None
    previous: int | None
    #: When set, a percentage value/whole is shown beside the value.
    whole: int | None = None
    whole_previous: int | None = None
    #: Shown as part of the line above it (trimesters, the 4 Terlalu).
    inline: bool = False
    #: Compared with the previous period.
    compare: bool = True

    @property
    def share(self) -> float | None:
        return None if self.value is None or not self.whole else self.value / self.whole

    @property
    def share_previous(self) -> float | None:
        return None if self.previous is None or not self.whole_previous else self.previous / self.whole_previous


@dataclass(frozen=True)
class Figures:
    """All rows of one area, keyed for lookups."""

    rows: tuple[Row, ...]

    def __getitem__(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def value(self, key: str) -> int:
        return self[key].value or 0


@dataclass(frozen=True)
class SubArea:
    code: str
    name: str
    figures: Figures
    reported: bool


@dataclass(frozen=True)
class Breakdown:
    """The figures of every area of one level inside the shown area."""

    title: str  # "Per kecamatan"
    level: int
    areas: tuple[SubArea, ...]


@dataclass(frozen=True)
class Rekap:
    """Everything shown for one area and period."""

    area: str
    area_label: str  # "Kota Serang › Curug"
    area_name: str  # "Kec. Curug"
    period: Period
    previous: Period
    reference_day: date
    figures: Figures
    breakdowns: tuple[Breakdown, ...] = ()
    #: Desa/kelurahan inside the area without any report in the period (names).
    without_report: tuple[str, ...] = ()
    desa_total: int = 0
    #: Set when the period is closed: the figures are the closed ones.
    closed: Closing | None = None
    closed_on: date | None = None  # the local day it was (last) closed
    #: What was learned after the close: (row, live value minus closed value), non-zero only.
    revision: tuple[tuple[Row, int], ...] = ()

    @property
    def sub_areas(self) -> tuple[SubArea, ...]:
        """The direct sub-areas (kecamatan of a kota, ...), when a breakdown was asked for."""
        return self.breakdowns[0].areas if self.breakdowns else ()


# -- pregnancy spans ------------------------------------------------------------------


#: Any day: only the distance from HPHT matters.
HPHT_ORIGIN = date(2000, 1, 1)


def trimester_days(boundaries: TrimesterBoundaries) -> tuple[int, int]:
    """The first day since HPHT of trimester II and of trimester III, from the domain's
    rule on completed weeks; migration 0011's pregnancy spans start there."""
    def first_day_of(trimester: int) -> int:
        return next(d for d in range(MAX_GESTATION_WEEKS * 7)
                    if boundaries.trimester(gestational_age(HPHT_ORIGIN, HPHT_ORIGIN + timedelta(days=d)).weeks)
                    >= trimester)

    return first_day_of(2), first_day_of(3)


# -- rows from counts ------------------------------------------------------------------


def _pair(cur: dict[str, int], prev: dict[str, int], key: str) -> tuple[int, int]:
    return int(cur.get(key, 0)), int(prev.get(key, 0))


def build_figures(counts: AreaCounts, reminders: ReminderCounts | None, have: Available) -> Figures:
    """Turn the raw counts of one area into the ordered rows."""
    c = counts
    rows: list[Row] = []

    def add(key: str, section: str, label: str, pair: tuple[int | None, int | None], **extra: object) -> None:
        rows.append(Row(key, section, label, pair[0], pair[1], **extra))  # type: ignore[arg-type]

    families = _pair(c.stock, c.stock_prev, "keluarga")
    add("keluarga", KELUARGA, "Keluarga terdaftar", families)
    add("keluarga_berisiko", KELUARGA, "Berisiko stunting", _pair(c.stock, c.stock_prev, "keluarga_berisiko"),
        whole=families[0], whole_previous=families[1])
    add("keluarga_baru", KELUARGA, "Keluarga baru", _pair(c.flow, c.flow_prev, "keluarga"))

    add("catin", SASARAN, CATEGORY_LABELS["catin"], _pair(c.stock, c.stock_prev, "sasaran:catin"))
    tm = {name: _pair(c.pregnant, c.pregnant_prev, name) for name, _ in TRIMESTERS}
    unknown = _pair(c.stock, c.stock_prev, "hamil_tanpa_hpht")
    hamil = (sum(v[0] for v in tm.values()) + unknown[0], sum(v[1] for v in tm.values()) + unknown[1])
    add("ibu_hamil", SASARAN, CATEGORY_LABELS["ibu_hamil"], hamil)
    for name, label in TRIMESTERS:
        add(f"hamil_{name}", SASARAN, label, tm[name], inline=True, compare=False)
    add("hamil_tanpa_hpht", SASARAN, "tanpa HPHT", unknown, inline=True, compare=False)
    for category in ("ibu_nifas", "baduta", "balita"):
        add(category, SASARAN, CATEGORY_LABELS[category], _pair(c.stock, c.stock_prev, f"sasaran:{category}"))
    add("hamil_lewat", SASARAN, "Ibu hamil lewat 44 minggu (perlu diperbarui)",
        _pair(c.pregnant, c.pregnant_prev, "lewat"), compare=False)

    for code, label in RISK_LABELS.items():
        add(f"risk_{code}", RISIKO, label, _pair(c.stock, c.stock_prev, f"risk:{code}"),
            inline=code.startswith("terlalu_") and code != "terlalu_muda")
    for code, label in FLAG_LABELS.items():
        add(f"flag_{code}", KESEHATAN, label, _pair(c.stock, c.stock_prev, f"flag:{code}"))

    measured = _pair(c.children, c.children_prev, "anak_ukur")
    assessed = _pair(c.children, c.children_prev, "anak_tbu")
    add("anak_ukur", ANAK, "Anak diukur", measured)
    add("anak_pendek", ANAK, "Stunting (pendek + sangat pendek)", _pair(c.children, c.children_prev, "anak_pendek"),
        whole=assessed[0], whole_previous=assessed[1])
    add("anak_kurus", ANAK, "Wasting (gizi kurang + buruk)", _pair(c.children, c.children_prev, "anak_kurus"),
        whole=measured[0], whole_previous=measured[1])
    add("anak_bbkurang", ANAK, "Berat badan kurang", _pair(c.children, c.children_prev, "anak_bbkurang"),
        whole=measured[0], whole_previous=measured[1])
    for code, label in CHILD_FLAG_LABELS.items():
        add(f"flag_{code}", ANAK, label, _pair(c.stock, c.stock_prev, f"flag:{code}"))

    add("hpl", KEHAMILAN, "HPL jatuh di periode ini", _pair(c.flow, c.flow_prev, "hpl"))
    add("lahir", KEHAMILAN, "Kelahiran tercatat", _pair(c.flow, c.flow_prev, "outcome:lahir"))
    add("keguguran", KEHAMILAN, "Keguguran / kehamilan berakhir", _pair(c.flow, c.flow_prev, "outcome:keguguran"))

    add("kunjungan", KUNJUNGAN, "Kunjungan tercatat", _pair(c.flow, c.flow_prev, "kunjungan:kunjungan"))
    add("pendaftaran", KUNJUNGAN, "Pendaftaran sasaran", _pair(c.flow, c.flow_prev, "kunjungan:pendaftaran"))
    r_cur = reminders.cur if reminders else {}
    r_prev = reminders.prev if reminders else {}

    def known(flag: bool, key: str) -> tuple[int | None, int | None]:
        return _pair(r_cur, r_prev, key) if flag else (None, None)


    sent = _pair(c.flow, c.flow_prev, "pengingat_kirim") if have.reminders else (None, None)
    need = _pair(c.flow, c.flow_prev, "pengingat_perlu") if have.reminders else (None, None)
    answered = _pair(c.flow, c.flow_prev, "pengingat_jawab") if have.reminders else (None, None)
    add("pengingat_kirim", KUNJUNGAN, "Pengingat terkirim", sent)
    add("pengingat_jawab", KUNJUNGAN, "Dijawab ibu", answered, whole=need[0], whole_previous=need[1])
    add("ibu_setuju", KUNJUNGAN, "Ibu setuju bergabung", known(have.consent, "consented"))
    add("ibu_tertaut", KUNJUNGAN, "Ibu masih tertaut", known(have.mothers, "linked"))

    add("tpk_lapor", AKTIVITAS, "Anggota TPK melapor", (c.reporters, c.reporters_prev),
        whole=c.members, whole_previous=c.members_prev)
    return Figures(tuple(rows))


def summary_rows(figures: Figures, *, hide: Callable[[Row], bool] | None = None) -> list[Row]:
    """The rows shown in the message and the Ringkasan sheet: everything except the
    data-quality hint when it is zero."""
    return [r for r in figures.rows if not (r.key == "hamil_lewat" and not r.value) and not (hide and hide(r))]


# -- closed periods --------------------------------------------------------------------


def closed_rows(figures: Figures) -> list[tuple[str, int | None, int | None]]:
    """What is kept of a period's figures when it is closed: each row's value and whole."""
    return [(row.key, row.value, row.whole) for row in figures.rows]


def as_closed(live: Figures, closed: Mapping[str, Closed], previous: Mapping[str, Closed] | None) -> Figures:
    """``live`` with the closed values of the period and, when the compared period is
    closed too, its closed values as "previous". A row added after the close (no
    closed value) keeps its live value."""
    rows = []
    for row in live.rows:
        value, whole = closed.get(row.key, (row.value, row.whole))
        before = previous.get(row.key) if previous is not None else None
        rows.append(replace(row, value=value, whole=whole,
                            previous=before[0] if before else row.previous,
                            whole_previous=before[1] if before else row.whole_previous))
    return Figures(tuple(rows))


def revision(live: Figures, shown: Figures) -> tuple[tuple[Row, int], ...]:
    """The figures that differ between the live recount and the closed ones (the
    trimester split and other uncompared detail rows left out)."""
    out = []
    for now, then in zip(live.rows, shown.rows, strict=True):
        if now.compare and now.value is not None and then.value is not None and now.value != then.value:
            out.append((then, now.value - then.value))
    return tuple(out)
