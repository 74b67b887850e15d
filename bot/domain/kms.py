"""The KMS reading of monthly weighings: N (naik), T (tidak naik), O, B.

Posyandu read a child's growth from the KMS card month by month, not from one
z-score: a child who keeps gaining at least the *kenaikan berat badan minimal* (KBM)
for its age is growing; one who does not twice in a row (**2T**) is referred to the
puskesmas, as is a weight below the −3 SD line. The readings (domain.md, *Weight gain
(KMS)*):

* **B** (baru): the first weighing on record;
* **O**: the child was not weighed in the calendar month before;
* **N** (naik): gained at least the KBM of the age month since last month's weighing;
* **T** (tidak naik): gained less, nothing, or lost weight.

A month counts once: when a child is weighed twice in a month, the later weighing is
that month's. The KBM of "the n-th month" applies to a weighing at n completed months
(the first month also to a weighing before one month); the table's last value holds
from 12 months on. The table is ``ClinicalThresholds.kbm_gram`` (``[klinis]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.age import completed_months
from bot.domain.thresholds import DEFAULT_THRESHOLDS, ClinicalThresholds

#: Weight-for-age below this z-score (the KMS's lowest line) means referral.
SEVERE_WAZ = -3.0


class KmsReading(StrEnum):
    NAIK = "N"
    TIDAK_NAIK = "T"
    TIDAK_DITIMBANG_LALU = "O"
    BARU = "B"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    KmsReading.NAIK: "N (naik)",
    KmsReading.TIDAK_NAIK: "T (tidak naik)",
    KmsReading.TIDAK_DITIMBANG_LALU: "O (bulan lalu tidak ditimbang)",
    KmsReading.BARU: "B (pertama kali ditimbang)",
}


@dataclass(frozen=True)
class Weighing:
    on: date
    weight_kg: float


@dataclass(frozen=True)
class MonthlyReading:
    weighing: Weighing
    reading: KmsReading
    gain_g: int | None
    """Gain since last month's weighing (N and T only)."""
    kbm_g: int | None
    """The minimum gain that applied (N and T only)."""


def kbm_for(birth_date: date, on: date, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> int:
    """Minimum monthly gain in grams for a weighing on ``on``."""
    table = thresholds.kbm_gram
    month = max(1, completed_months(birth_date, on))
    return table[min(month, len(table)) - 1]


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def monthly_weighings(weighings: Sequence[Weighing]) -> list[Weighing]:
    """One weighing per calendar month (the latest of the month), oldest first."""
    by_month: dict[int, Weighing] = {}
    for w in sorted(weighings, key=lambda w: w.on):
        by_month[_month_index(w.on)] = w
    return [by_month[m] for m in sorted(by_month)]


def kms_readings(birth_date: date, weighings: Sequence[Weighing],
                 thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> list[MonthlyReading]:
    """The KMS reading of every monthly weighing, oldest first."""
    out: list[MonthlyReading] = []
    previous: Weighing | None = None
    for w in monthly_weighings(weighings):
        if previous is None:
            out.append(MonthlyReading(w, KmsReading.BARU, None, None))
        elif _month_index(w.on) - _month_index(previous.on) != 1:
            out.append(MonthlyReading(w, KmsReading.TIDAK_DITIMBANG_LALU, None, None))
        else:
            gain = round((w.weight_kg - previous.weight_kg) * 1000)
            kbm = kbm_for(birth_date, w.on, thresholds)
            out.append(MonthlyReading(w, KmsReading.NAIK if gain >= kbm else KmsReading.TIDAK_NAIK, gain, kbm))
        previous = w
    return out


def is_2t(readings: Sequence[MonthlyReading]) -> bool:
    """The two latest monthly readings are both T (tidak naik twice in a row)."""
    return len(readings) >= 2 and all(r.reading is KmsReading.TIDAK_NAIK for r in readings[-2:])


def referral_reasons(*, readings: Sequence[MonthlyReading], waz: float | None, stunted_before: bool | None,
                     stunted_now: bool) -> list[str]:
    """Why a child must be referred to the puskesmas after a measurement (none: no referral):
    2T, a weight-for-age below −3 SD, or becoming stunted (not stunted at the measurement before)."""
    reasons = []
    if is_2t(readings):
        reasons.append("berat badan tidak naik dua bulan berturut-turut (2T)")
    if waz is not None and waz < SEVERE_WAZ:
        reasons.append("berat badan di bawah garis −3 SD")
    if stunted_now and stunted_before is not True:
        reasons.append("kini tergolong pendek (stunting)")
    return reasons
