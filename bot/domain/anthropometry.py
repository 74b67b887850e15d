"""Adult measurements: IMT, LiLA, Hb and height against the configured cut-offs.

Each function answers one yes/no or category question from one measurement, so the
risk rules in ``risk`` read as a list of sentences and the form can show the member
the result as soon as the value is typed. The Indonesian number format lives here
too because every reason sentence quotes a measurement ("LiLA 22,5 cm").
"""

from __future__ import annotations

from enum import StrEnum

from babel.numbers import format_decimal as _babel_format_decimal

from bot.domain.thresholds import DEFAULT_THRESHOLDS, ClinicalThresholds, ImtBands


class ImtCategory(StrEnum):
    """Kemenkes adult IMT categories; values are stable storage codes."""

    KURUS_BERAT = "kurus_berat"
    KURUS_RINGAN = "kurus_ringan"
    NORMAL = "normal"
    GEMUK_RINGAN = "gemuk_ringan"
    GEMUK_BERAT = "gemuk_berat"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_kurus(self) -> bool:
        return self in (ImtCategory.KURUS_BERAT, ImtCategory.KURUS_RINGAN)


def imt(weight_kg: float, height_cm: float) -> float:
    """IMT (kg/m²) rounded to one decimal, as the Kemenkes table is written."""
    if weight_kg <= 0 or height_cm <= 0:
        raise ValueError("weight and height must be positive")
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


def imt_category(imt_value: float, bands: ImtBands = DEFAULT_THRESHOLDS.imt) -> ImtCategory:
    """Category of an IMT value; the value is rounded to one decimal first so that
    25.04 (shown as "25,0") is normal, matching what the member sees."""
    value = round(imt_value, 1)
    if value < bands.kurus_berat_below:
        return ImtCategory.KURUS_BERAT
    if value < bands.normal_from:
        return ImtCategory.KURUS_RINGAN
    if value <= bands.normal_to:
        return ImtCategory.NORMAL
    if value <= bands.gemuk_ringan_to:
        return ImtCategory.GEMUK_RINGAN
    return ImtCategory.GEMUK_BERAT


def is_kek(lila_cm: float, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> bool:
    """Kurang energi kronis: mid-upper-arm circumference below the cut-off."""
    return lila_cm < thresholds.lila_kek_below_cm


def is_short_mother(
    height_cm: float, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS
) -> bool:
    """Height below 145 cm (default): a narrow pelvis is more likely at delivery."""
    return height_cm < thresholds.tinggi_ibu_below_cm


def anaemia_cutoff_hamil(
    trimester: int | None, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS
) -> float:
    """Hb cut-off for a pregnant woman in ``trimester`` (None when not known)."""
    return thresholds.hb_hamil_cutoff(trimester)


def anaemia_cutoff_catin(thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> float:
    """Hb cut-off for a bride-to-be."""
    return thresholds.hb_catin_below_g_dl


def is_anaemic(hb_g_dl: float, cutoff_g_dl: float) -> bool:
    return hb_g_dl < cutoff_g_dl


def format_decimal(value: float, max_decimals: int = 1) -> str:
    """A number the Indonesian way: 11.5 → "11,5", 9.0 → "9", 1234.5 → "1.234,5"."""
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals > 0 else "")
    return _babel_format_decimal(value, format=pattern, locale="id")
