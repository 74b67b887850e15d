"""Birth weight as the KIA book writes it: "2800", "2800 gr", "2.800 gram", "2,8 kg"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.parsers import ParseError, format_decimal, parse_birth_weight

GRAMS = st.integers(min_value=500, max_value=6000)


@pytest.mark.parametrize("typed", ["2800", "2800 gr", "2.800 gram", "2,8 kg", "2,8", "2.8 kg", "2800g", "2.800",
                                   "2,800 gram", " 2800 Gram ", "2,80 kg"])
def test_the_same_weight_in_every_common_spelling(typed: str) -> None:
    assert parse_birth_weight(typed) == 2.8


@given(GRAMS, st.sampled_from(["", " g", " gr", " gram", "gram", " grams"]))
def test_grams_with_or_without_the_unit(grams: int, unit: str) -> None:
    assert parse_birth_weight(f"{grams}{unit}") == grams / 1000


@given(GRAMS, st.sampled_from([".", ","]))
def test_grams_with_a_thousands_mark(grams: int, mark: str) -> None:
    if grams < 1000:
        return
    assert parse_birth_weight(f"{grams // 1000}{mark}{grams % 1000:03d} gram") == grams / 1000


@given(GRAMS.map(lambda g: g - g % 10))
def test_kilograms_with_a_decimal_comma(grams: int) -> None:
    kg = format_decimal(grams / 1000, 2)
    assert parse_birth_weight(f"{kg} kg") == pytest.approx(grams / 1000)
    assert parse_birth_weight(kg) == pytest.approx(grams / 1000)  # a number of 100 or less is kg


@given(st.one_of(st.integers(min_value=0, max_value=499), st.integers(min_value=6001, max_value=10**6)))
def test_out_of_range_is_asked_again_in_grams(grams: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_birth_weight(f"{grams} gram")
    assert caught.value.message == "Berat lahir harus antara 500 dan 6.000 gram. Mohon periksa lagi."


@pytest.mark.parametrize(("typed", "code"), [("2,8 gram", "range"), ("2,8 cm", "unit"), ("berat", "number"),
                                             ("", "number"), ("28000", "range")])
def test_what_cannot_be_a_birth_weight(typed: str, code: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_birth_weight(typed)
    assert caught.value.code == code and caught.value.message


@given(st.text(max_size=30))
def test_any_text_gives_a_weight_or_a_message(text: str) -> None:
    try:
        value = parse_birth_weight(text)
    except ParseError as error:
        assert error.message
    else:
        assert 0.5 <= value <= 6.0
