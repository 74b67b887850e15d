"""Who opened a mother's link: her initial and birth date against her record."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.identity import confirms, initial_of

BORN = date(1990, 3, 12)


def test_initials_ignore_case_accents_and_leading_marks() -> None:
    assert initial_of("Sari Dewi") == "s"
    assert initial_of("  'élia") == "e"
    assert initial_of("Ñoman") == "n"
    assert initial_of("123") is None and initial_of("") is None


def test_both_must_match() -> None:
    assert confirms("S", BORN, "Sari Dewi", BORN)
    assert confirms("sari", BORN, "Sari Dewi", BORN)
    assert not confirms("D", BORN, "Sari Dewi", BORN)
    assert not confirms("S", date(1990, 12, 3), "Sari Dewi", BORN)
    assert not confirms("S", BORN, "", BORN)


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20), st.dates(), st.dates())
def test_confirms_exactly_when_initial_and_date_agree(typed: str, name: str, typed_born: date, born: date) -> None:
    expected = initial_of(name) is not None and initial_of(typed) == initial_of(name) and typed_born == born
    assert confirms(typed, typed_born, name, born) is expected
