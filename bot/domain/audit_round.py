"""An audit round's stages, its semester, and each case's follow-up trend.

The stages follow the SOP in domain.md: seleksi → KKA → kajian pakar → diseminasi I →
pemantauan → diseminasi II → selesai. A round only moves forward, one stage at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.audit_criteria import Point


class Stage(StrEnum):
    SELEKSI = "seleksi"
    KKA = "kka"
    KAJIAN = "kajian"
    DISEMINASI_1 = "diseminasi_1"
    PEMANTAUAN = "pemantauan"
    DISEMINASI_2 = "diseminasi_2"
    SELESAI = "selesai"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    def next(self) -> Stage | None:
        stages = list(Stage)
        index = stages.index(self)
        return stages[index + 1] if index + 1 < len(stages) else None


_STAGE_LABELS = {
    Stage.SELEKSI: "Seleksi kasus", Stage.KKA: "Kertas Kerja Audit (KKA)", Stage.KAJIAN: "Kajian tim pakar",
    Stage.DISEMINASI_1: "Diseminasi I", Stage.PEMANTAUAN: "Pemantauan tindak lanjut",
    Stage.DISEMINASI_2: "Diseminasi II", Stage.SELESAI: "Selesai",
}


@dataclass(frozen=True)
class Semester:
    year: int
    half: int  # 1: January–June, 2: July–December

    @classmethod
    def of(cls, day: date) -> Semester:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def first(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return f"AKS Semester {'I' if self.half == 1 else 'II'} {self.year}"


class Trend(StrEnum):
    MEMBAIK = "membaik"
    TETAP = "tetap"
    MEMBURUK = "memburuk"


def _problems(point: Point, *, lila_cutoff: float, hb_cutoff: float) -> int:
    """How many growth or health flags a measurement shows."""
    return sum((
        bool(point.stunted),
        point.lila_cm is not None and point.lila_cm < lila_cutoff,
        point.hb is not None and point.hb < hb_cutoff,
    ))


def trend(baseline: Point, since: list[Point], *, haz_margin: float = 0.1, lila_cutoff: float = 23.5,
          hb_cutoff: float = 11.0) -> Trend | None:
    """The case's trend from its baseline to the latest measurement since (None: nothing measured).

    Fewer flags (stunting, KEK, anaemia) is membaik, more is memburuk; with the same flags a
    child's HAZ moving by at least ``haz_margin`` decides, otherwise tetap."""
    later = sorted((p for p in since if p.on > baseline.on), key=lambda p: p.on)
    if not later:
        return None
    latest = later[-1]
    before = _problems(baseline, lila_cutoff=lila_cutoff, hb_cutoff=hb_cutoff)
    after = _problems(latest, lila_cutoff=lila_cutoff, hb_cutoff=hb_cutoff)
    if after != before:
        return Trend.MEMBAIK if after < before else Trend.MEMBURUK
    if baseline.haz is not None and latest.haz is not None:
        change = latest.haz - baseline.haz
        if change >= haz_margin:
            return Trend.MEMBAIK
        if change <= -haz_margin:
            return Trend.MEMBURUK
    return Trend.TETAP
