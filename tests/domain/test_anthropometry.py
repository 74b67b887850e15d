"""Adult measurements: IMT, KEK, anaemia and short stature."""

from __future__ import annotations

import pytest

from bot.domain.anthropometry import (
    ImtCategory,
    anaemia_cutoff_catin,
    anaemia_cutoff_hamil,
    format_decimal,
    imt,
    imt_category,
    is_anaemic,
    is_kek,
    is_short_mother,
)
from bot.domain.thresholds import ClinicalThresholds


def test_imt_is_kg_per_square_metre_to_one_decimal() -> None:
    assert imt(50, 160) == 19.5
    with pytest.raises(ValueError):
        imt(0, 160)


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (16.9, ImtCategory.KURUS_BERAT),
        (17.0, ImtCategory.KURUS_RINGAN),
        (18.4, ImtCategory.KURUS_RINGAN),
        (18.5, ImtCategory.NORMAL),
        (25.0, ImtCategory.NORMAL),
        (25.04, ImtCategory.NORMAL),
        (25.1, ImtCategory.GEMUK_RINGAN),
        (27.0, ImtCategory.GEMUK_RINGAN),
        (27.1, ImtCategory.GEMUK_BERAT),
    ],
)
def test_kemenkes_imt_bands(value: float, category: ImtCategory) -> None:
    assert imt_category(value) is category


def test_imt_labels() -> None:
    assert ImtCategory.KURUS_RINGAN.label == "kurus ringan"
    assert ImtCategory.KURUS_BERAT.is_kurus and not ImtCategory.NORMAL.is_kurus


def test_kek_and_short_mother_cut_offs() -> None:
    assert is_kek(23.4) and not is_kek(23.5)
    assert is_short_mother(144.9) and not is_short_mother(145.0)


def test_anaemia_cut_offs_by_group_and_trimester() -> None:
    assert is_anaemic(10.9, anaemia_cutoff_hamil(1))
    assert not is_anaemic(11.0, anaemia_cutoff_hamil(1))
    office = ClinicalThresholds(hb_hamil_trimester2_below_g_dl=10.5, hb_catin_below_g_dl=11.5)
    assert not is_anaemic(10.6, anaemia_cutoff_hamil(2, office))
    assert is_anaemic(10.6, anaemia_cutoff_hamil(3, office))
    assert is_anaemic(11.2, anaemia_cutoff_catin(office))
    assert not is_anaemic(11.2, anaemia_cutoff_catin())


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(11.5, 1, "11,5"), (9.0, 1, "9"), (1234.5, 1, "1.234,5"), (-2.35, 2, "-2,35"), (7.26, 0, "7")],
)
def test_indonesian_decimal_format(value: float, decimals: int, text: str) -> None:
    assert format_decimal(value, decimals) == text
