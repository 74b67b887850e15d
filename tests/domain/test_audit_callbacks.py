"""The audit's callback data: what the builders make the parsers read back, and nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.audit import callbacks as cb

ids = st.integers(min_value=0, max_value=2**53 - 1)


@given(st.sampled_from(sorted(cb.ACTIONS)), st.data())
def test_every_built_button_parses_back(action: str, data: st.DataObject) -> None:
    args = tuple(data.draw(ids) for _ in range(cb.ACTIONS[action]))
    text = cb.audit(action, *args)
    assert len(text.encode()) <= 64  # Telegram's limit for callback data
    assert cb.parse_audit(text) == cb.AuditButton(action, args)
    assert cb.parse_kka_form(cb.kka_form(args[0] if args else 1)) == (args[0] if args else 1)
    assert cb.parse_review_form(cb.review_form(7)) == 7


@given(st.text(max_size=80))
def test_anything_else_is_refused_without_raising(text: str) -> None:
    parsed = cb.parse_audit(text)
    if parsed is not None:
        assert cb.audit(parsed.action, *parsed.args) == text  # only canonical data gets through
    for parse in (cb.parse_kka_form, cb.parse_review_form):
        value = parse(text)
        assert value is None or text.split(":", 1)[1] == str(value)


def test_non_ascii_digits_signs_and_huge_ids_are_refused() -> None:
    for text in ("au:case:01", "ak:007", "au:case:١٢", "au:case:-1", "au:case:+1", "au:case: 1",
                 "au:case:" + "9" * 17, "au:case:9007199254740992", "au:case", "au:case:1:2", "ak:١", "ap:", "ak:1:2",
                 "ap:" + "9" * 17):
        assert cb.parse_audit(text) is None and cb.parse_kka_form(text) is None and cb.parse_review_form(text) is None
