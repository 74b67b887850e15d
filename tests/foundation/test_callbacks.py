"""Callback data: every button family round-trips, fits Telegram's 64 bytes, reads
junk as None without raising, and no module outside ``bot/callbacks.py`` spells a prefix."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import callbacks as cb
from conversations.forms import calendar

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "handlers", "conversations", "storage")
FAMILIES = [(prefix, family) for prefix in cb.PREFIXES.values() for family in prefix.families]


def _strategy(part: Any) -> st.SearchStrategy[Any]:
    if isinstance(part, cb.Int):
        return st.integers(part.low, part.high)
    return st.from_regex(re.compile(part.pattern, re.ASCII), fullmatch=True)


def _values(family: cb.Family) -> st.SearchStrategy[Any]:
    typed = [_strategy(p) for p in family.parts if not isinstance(p, str)]
    return st.tuples(*typed).map(lambda values: family.shape(*values))


@pytest.mark.parametrize(("prefix", "family"), FAMILIES,
                         ids=[f"{p.name}-{f.shape.__name__}-{i}" for i, (p, f) in enumerate(FAMILIES)])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_family_round_trips_within_64_bytes(prefix: cb.Prefix, family: cb.Family, data: st.DataObject) -> None:
    value = data.draw(_values(family))
    built = cb.data(value)
    assert len(built.encode("utf-8")) <= cb.MAX_BYTES, built
    assert re.match(prefix.pattern, built)
    assert prefix.parse(built) == value
    # No other prefix claims it: exactly one handler reads every button.
    assert [p.name for p in cb.PREFIXES.values() if re.match(p.pattern, built)] == [prefix.name]


JUNK_PIECES = ["", "²", "٣", "-1", "0", "1", "9" * 30, str(2**63), str(2**63 - 1), "00010", "000101", "999912",
               "99999912", "20261", "202613", "202600", "x", "new", "p", "ok", "go", "pick", "cal", "v", "dg", "on",
               "-", "36.73", "abc", "0123456789ab", "a" * 65, " 1", "1 ", "1e3", "١٢", "𝟙"]


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=80),
    st.tuples(st.sampled_from(sorted(cb.PREFIXES)), st.lists(st.sampled_from(JUNK_PIECES), max_size=5))
    .map(lambda t: ":".join([t[0], *t[1]])),
))
def test_junk_is_read_as_none_or_a_valid_press_never_an_exception(data: str) -> None:
    for prefix in cb.PREFIXES.values():
        press = prefix.parse(data)
        if press is not None:
            assert cb.data(press) == data  # whatever is accepted is exactly what the bot builds


@pytest.mark.parametrize("text", ["²", "٣", "𝟙", "-1", "0", " 1", "1 ", "+1", "1_000", str(2**63), "9" * 30])
def test_ids_are_plain_ascii_digits_within_sqlite_range(text: str) -> None:
    assert cb.ID.parse(text) is None
    assert cb.KUNJUNGAN.parse(f"kj:new:{text}") is None


def test_bounds_of_months_and_pages() -> None:
    assert cb.ID.parse(str(2**63 - 1)) == 2**63 - 1
    assert cb.PAGE.parse("100001") is None
    assert [cb.MONTH.parse(m) for m in ("190001", "220012", "189912", "220101", "000101", "999912", "202613")] == [
        "190001", "220012", None, None, None, None, None]
    assert cb.FORM.parse("f:0123456789ab:cal:tanggal_lahir:000101") is None
    assert cb.FORM.parse("f:0123456789ab:cal:tanggal_lahir:202601") == cb.FormPress(
        "0123456789ab", "cal", "tanggal_lahir", "202601")


def test_a_calendar_month_stored_before_the_parser_existed_shows_the_default_month() -> None:
    """Drafts forged before this fix may hold ``nav = "000101"``: they render again."""
    today = date(2026, 11, 23)
    for stored in ("000101", "999912", "²²²²01", "202613", None):
        assert calendar.parse_month(stored, today) == date(2026, 11, 1)
    assert calendar.parse_month("202510", today) == date(2025, 10, 1)


def test_the_builder_refuses_what_no_family_carries() -> None:
    for value in (cb.VisitNew(0), cb.VisitNew(2**63), cb.FormPress("0123456789ab", "noop", "extra"),
                  cb.MotherConsent("mungkin", "A" * 32), cb.ReportAdd(1, "Ibu:Hamil")):
        with pytest.raises(ValueError):
            cb.data(value)


# -- nobody else spells a prefix -----------------------------------------------------------


def spelled_prefixes(root: Path) -> list[str]:
    """``file:line: text`` for every string constant (f-string pieces included) outside
    ``bot/callbacks.py`` that spells a registered prefix followed by ``:``, and every
    module constant whose value is a bare prefix."""
    names = "|".join(re.escape(name) for name in sorted(cb.PREFIXES, key=len, reverse=True))
    spelled = re.compile(rf"(?<![\w.-])(?:{names}):")
    found = []
    for folder in PRODUCT:
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative == "bot/callbacks.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and spelled.search(node.value):
                    found.append(f"{relative}:{node.lineno}: {node.value[:60]!r}")
            for node in tree.body:  # a module constant ``PREFIX = "kl"``: the head of f"{PREFIX}:o:{id}"
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant | ast.Tuple):
                    values = [v.value for v in ast.walk(node.value) if isinstance(v, ast.Constant)]
                    if any(v in cb.PREFIXES for v in values):
                        found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_outside_bot_callbacks_spells_a_prefix() -> None:
    assert spelled_prefixes(ROOT) == []


def test_every_button_handler_takes_its_pattern_from_bot_callbacks() -> None:
    """A CallbackQueryHandler without a pattern is the catch-all for stale buttons; every
    other one uses ``<PREFIX>.pattern``."""
    wrong = []
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == "CallbackQueryHandler"):
                    continue
                pattern = next((k.value for k in node.keywords if k.arg == "pattern"), None)
                if pattern is None and len(node.args) < 2:
                    continue
                if not (isinstance(pattern, ast.Attribute) and pattern.attr == "pattern"
                        and isinstance(pattern.value, ast.Attribute)
                        and getattr(pattern.value.value, "id", None) == "cb"):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert wrong == []
