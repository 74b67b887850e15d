"""A TPK member weighs and measures a child; the bot tells the status in Permenkes terms."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.growth import (
    HeightStatus,
    NutritionStatus,
    Position,
    WeightForAgeStatus,
    assess_growth,
    assess_growth_on,
    corrected_length,
    height_status,
    nutrition_status,
    weight_for_age_status,
)


def test_newborn_at_the_who_median_is_normal_on_every_indicator() -> None:
    # WHO boys at birth: median length 49.9 cm, weight 3.3 kg.
    result = assess_growth("L", 0, 3.3, 49.9, Position.LYING)
    assert result.haz == pytest.approx(0.0, abs=0.02)
    assert result.waz == pytest.approx(0.0, abs=0.15)
    assert result.height_status is HeightStatus.NORMAL
    assert result.weight_for_age_status is WeightForAgeStatus.NORMAL
    assert result.nutrition_status is NutritionStatus.GIZI_BAIK
    assert not (result.stunted or result.wasted or result.underweight)
    assert result.plausible


def test_stunted_girl_of_two_years() -> None:
    # 2 years (731 days), girl, 79 cm standing: WHO median ~86.4 cm, -2SD ~80.0.
    result = assess_growth("P", 731, 10.0, 79.0, Position.STANDING)
    assert result.stunted
    assert result.height_status is HeightStatus.PENDEK
    assert result.height_status.label == "pendek"


def test_standing_height_under_two_years_becomes_a_length() -> None:
    assert corrected_length(500, 75.0, Position.STANDING) == pytest.approx(75.7)
    assert corrected_length(500, 75.0, Position.LYING) == 75.0
    standing = assess_growth("L", 500, 9.5, 75.0, Position.STANDING)
    lying = assess_growth("L", 500, 9.5, 75.7, Position.LYING)
    assert standing == lying
    assert standing.length_height_cm == pytest.approx(75.7)


def test_lying_length_from_two_years_becomes_a_height() -> None:
    assert corrected_length(731, 88.0, Position.LYING) == pytest.approx(87.3)
    assert corrected_length(731, 88.0, Position.STANDING) == 88.0
    assert assess_growth("P", 900, 12.0, 88.0, Position.LYING) == assess_growth(
        "P", 900, 12.0, 87.3, Position.STANDING
    )


def test_unknown_position_is_taken_as_the_right_one_for_the_age() -> None:
    assert corrected_length(100, 60.0, None) == 60.0
    assert corrected_length(1000, 90.0, None) == 90.0


def test_day_730_uses_weight_for_length_and_day_731_weight_for_height() -> None:
    # 50 cm is only in the weight-for-length table (45-110), not weight-for-height (65-120).
    assert assess_growth("L", 730, 3.5, 50.0, Position.LYING).whz is not None
    assert assess_growth("L", 731, 3.5, 50.0, Position.STANDING).whz is None


def test_converted_length_picks_the_table_range() -> None:
    # 64.5 cm standing at 2.5 years: a height below the 65 cm start of the WFH table.
    assert assess_growth("L", 913, 7.0, 64.5, Position.STANDING).whz is None
    # 110.5 cm lying under 2 years is beyond the WFL table even after +0 correction.
    assert assess_growth("L", 700, 18.0, 110.5, Position.LYING).whz is None
    # 109.5 cm standing under 2 years → 110.2 cm length: beyond WFL, and not borrowed
    # from the WFH table.
    assert assess_growth("L", 700, 18.0, 109.5, Position.STANDING).whz is None


def test_lengths_between_table_rows_are_interpolated() -> None:
    low = assess_growth("P", 300, 8.0, 70.0, Position.LYING).whz
    mid = assess_growth("P", 300, 8.0, 70.05, Position.LYING).whz
    high = assess_growth("P", 300, 8.0, 70.1, Position.LYING).whz
    assert low is not None and mid is not None and high is not None
    assert min(low, high) <= mid <= max(low, high)


def test_weight_z_beyond_three_uses_who_restricted_tails() -> None:
    # Very heavy for length: the SD23 rule keeps z moderate; plain LMS would be larger.
    result = assess_growth("L", 400, 16.0, 75.0, Position.LYING)
    assert result.whz is not None and result.whz > 3
    assert result.nutrition_status is NutritionStatus.OBESITAS


def test_implausible_values_ask_for_a_recheck() -> None:
    result = assess_growth("L", 365, 9.0, 50.0, Position.LYING)  # 50 cm at 1 year
    assert "haz" in result.implausible
    assert not result.plausible
    assert any("ukur ulang" in message for message in result.recheck_messages)


def test_missing_or_out_of_range_inputs_give_none_not_errors() -> None:
    only_weight = assess_growth("P", 200, 7.0, None)
    assert only_weight.haz is None and only_weight.whz is None
    assert only_weight.waz is not None
    too_old = assess_growth("P", 1827, 18.0, 110.0, Position.STANDING)
    assert (too_old.haz, too_old.waz, too_old.whz) == (None, None, None)
    assert too_old.height_status is None and not too_old.stunted
    oedema = assess_growth("L", 400, 9.0, 75.0, Position.LYING, oedema=True)
    assert oedema.waz is None and oedema.whz is None and oedema.haz is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sex": "X"}, "sex"),
        ({"age_days": -1}, "negative"),
        ({"weight_kg": 0.0}, "weight"),
        ({"length_cm": -3.0}, "length"),
    ],
)
def test_nonsense_inputs_are_programming_errors(kwargs: dict, message: str) -> None:
    args = {"sex": "L", "age_days": 10, "weight_kg": 3.5, "length_cm": 50.0} | kwargs
    with pytest.raises(ValueError, match=message):
        assess_growth(**args)


def test_assess_growth_on_counts_days_from_birth() -> None:
    assert assess_growth_on(
        "L", date(2024, 1, 1), date(2024, 12, 31), 9.0, 75.0, Position.LYING
    ) == assess_growth("L", 365, 9.0, 75.0, Position.LYING)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, HeightStatus.SANGAT_PENDEK),
        (-3.0, HeightStatus.PENDEK),
        (-2.01, HeightStatus.PENDEK),
        (-2.0, HeightStatus.NORMAL),
        (3.0, HeightStatus.NORMAL),
        (3.01, HeightStatus.TINGGI),
    ],
)
def test_height_for_age_bands(z: float, expected: HeightStatus) -> None:
    assert height_status(z) is expected


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, NutritionStatus.GIZI_BURUK),
        (-3.0, NutritionStatus.GIZI_KURANG),
        (-2.0, NutritionStatus.GIZI_BAIK),
        (1.0, NutritionStatus.GIZI_BAIK),
        (1.01, NutritionStatus.BERISIKO_GIZI_LEBIH),
        (2.0, NutritionStatus.BERISIKO_GIZI_LEBIH),
        (2.01, NutritionStatus.GIZI_LEBIH),
        (3.0, NutritionStatus.GIZI_LEBIH),
        (3.01, NutritionStatus.OBESITAS),
    ],
)
def test_weight_for_length_bands(z: float, expected: NutritionStatus) -> None:
    assert nutrition_status(z) is expected


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, WeightForAgeStatus.SANGAT_KURANG),
        (-3.0, WeightForAgeStatus.KURANG),
        (-2.0, WeightForAgeStatus.NORMAL),
        (1.0, WeightForAgeStatus.NORMAL),
        (1.01, WeightForAgeStatus.RISIKO_LEBIH),
    ],
)
def test_weight_for_age_bands(z: float, expected: WeightForAgeStatus) -> None:
    assert weight_for_age_status(z) is expected


def test_status_labels_are_indonesian() -> None:
    assert HeightStatus.SANGAT_PENDEK.label == "sangat pendek"
    assert NutritionStatus.BERISIKO_GIZI_LEBIH.label == "berisiko gizi lebih"
    assert WeightForAgeStatus.SANGAT_KURANG.label == "berat badan sangat kurang"
    assert WeightForAgeStatus.RISIKO_LEBIH.label == "risiko berat badan lebih"
