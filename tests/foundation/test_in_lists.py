"""storage.in_lists: every value once, in order, each chunk with as many placeholders as values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.in_lists import in_lists


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=7))
def test_the_chunks_give_back_every_value_in_order(values: list[int], size: int) -> None:
    chunks = list(in_lists(values, size))
    assert [v for _, chunk in chunks for v in chunk] == values
    assert all(0 < len(chunk) <= size and marks.split(",") == ["?"] * len(chunk) for marks, chunk in chunks)
