"""The KMS reading of monthly weighings (N / T / O / B), the KBM table and 2T."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.kms import KmsReading, Weighing, is_2t, kbm_for, kms_readings, referral_reasons
from bot.domain.thresholds import ClinicalThresholds

BORN = date(2026, 1, 10)
N, T, B = KmsReading.NAIK, KmsReading.TIDAK_NAIK, KmsReading.BARU
SKIPPED = KmsReading.TIDAK_DITIMBANG_LALU  # "O"


def series(*pairs: tuple[date, float]) -> list[KmsReading]:
    return [r.reading for r in kms_readings(BORN, [Weighing(on, kg) for on, kg in pairs])]


def test_a_child_who_keeps_gaining_reads_b_then_n() -> None:
    assert series((date(2026, 1, 10), 3.2), (date(2026, 2, 10), 4.1), (date(2026, 3, 10), 5.0),
                  (date(2026, 4, 10), 5.8)) == [B, N, N, N]


def test_a_gain_below_the_kbm_reads_t_and_two_in_a_row_is_2t() -> None:
    readings = kms_readings(BORN, [Weighing(date(2026, 7, 12), 7.0), Weighing(date(2026, 8, 12), 7.3),
                                   Weighing(date(2026, 9, 12), 7.4)])
    assert [r.reading for r in readings] == [B, T, T]
    assert [(r.gain_g, r.kbm_g) for r in readings] == [(None, None), (300, 400), (100, 300)]
    assert is_2t(readings) and not is_2t(readings[:2])


def test_a_skipped_month_reads_o_and_breaks_the_2t_chain() -> None:
    readings = kms_readings(BORN, [Weighing(date(2026, 7, 12), 7.0), Weighing(date(2026, 8, 12), 7.0),
                                   Weighing(date(2026, 10, 12), 7.0), Weighing(date(2026, 11, 12), 7.0)])
    assert [r.reading for r in readings] == [B, T, SKIPPED, T]
    assert not is_2t(readings)


def test_weight_lost_reads_t() -> None:
    assert series((date(2027, 2, 1), 10.0), (date(2027, 3, 1), 9.8)) == [B, T]


def test_two_weighings_in_a_month_count_once_the_later_one() -> None:
    readings = kms_readings(BORN, [Weighing(date(2026, 6, 2), 6.0), Weighing(date(2026, 6, 28), 6.2),
                                   Weighing(date(2026, 7, 27), 6.6)])
    assert [(r.weighing.on, r.reading) for r in readings] == [(date(2026, 6, 28), B), (date(2026, 7, 27), N)]


@pytest.mark.parametrize(("on", "grams"), [
    (date(2026, 1, 25), 800),   # before one month: the 1st month's KBM
    (date(2026, 2, 10), 800),   # 1 month
    (date(2026, 3, 9), 800),    # the day before 2 months
    (date(2026, 3, 10), 900),   # 2 months
    (date(2026, 4, 10), 800),
    (date(2026, 5, 10), 600),
    (date(2026, 6, 10), 500),
    (date(2026, 7, 10), 400),   # 6th and 7th month
    (date(2026, 8, 10), 400),
    (date(2026, 9, 10), 300),   # 8th to 11th
    (date(2026, 12, 10), 300),
    (date(2027, 1, 9), 300),
    (date(2027, 1, 10), 200),   # from 12 months
    (date(2028, 6, 10), 200),
])
def test_the_kbm_table_boundaries(on: date, grams: int) -> None:
    assert kbm_for(BORN, on) == grams


def test_exactly_the_kbm_is_n_one_gram_less_is_t() -> None:
    start = Weighing(date(2026, 7, 10), 7.0)
    assert kms_readings(BORN, [start, Weighing(date(2026, 8, 10), 7.4)])[-1].reading is N  # 400 g at 7 months
    assert kms_readings(BORN, [start, Weighing(date(2026, 8, 10), 7.399)])[-1].reading is T


def test_the_kbm_table_is_configurable() -> None:
    strict = ClinicalThresholds(kbm_gram=(1000,) * 12)
    readings = kms_readings(BORN, [Weighing(date(2026, 7, 10), 7.0), Weighing(date(2026, 8, 10), 7.5)], strict)
    assert readings[-1].reading is T and readings[-1].kbm_g == 1000
    with pytest.raises(ValueError):
        ClinicalThresholds(kbm_gram=(800, 900))


def test_referral_reasons() -> None:
    flat = kms_readings(BORN, [Weighing(date(2026, 7, 12), 7.0), Weighing(date(2026, 8, 12), 7.0),
                               Weighing(date(2026, 9, 12), 7.0)])
    assert referral_reasons(readings=flat, waz=-1.0, stunted_before=False, stunted_now=False) == [
        "berat badan tidak naik dua bulan berturut-turut (2T)"]
    assert referral_reasons(readings=[], waz=-3.01, stunted_before=None, stunted_now=False) == [
        "berat badan di bawah garis −3 SD"]
    assert referral_reasons(readings=[], waz=-3.0, stunted_before=True, stunted_now=True) == []
    assert referral_reasons(readings=[], waz=None, stunted_before=False, stunted_now=True) == [
        "kini tergolong pendek (stunting)"]
