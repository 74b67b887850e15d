"""storage/scope.py's area condition: positional and named forms select exactly the codes
inside the scope (as :func:`bot.domain.regions.contains` says), in real SQLite."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.regions import NATIONAL, contains
from storage.scope import within, within_named

PARTS = st.sampled_from(["36", "73", "04", "1007", "1001", "05", "3"])
CODES = st.lists(PARTS, min_size=1, max_size=4).map(".".join)


@given(scope=CODES, codes=st.lists(CODES, min_size=1, max_size=12))
def test_both_forms_select_the_codes_inside_the_scope(scope: str, codes: list[str]) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (code TEXT, owner INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(c, i % 2) for i, c in enumerate(codes)])
    wanted = sorted(c for c in codes if contains(scope, c))
    positional, params = within("code", scope)
    assert sorted(r[0] for r in db.execute(f"SELECT code FROM t WHERE {positional}", params)) == wanted
    named, values = within_named("code", scope, name="mine")
    assert "?" not in named and set(values) == {"mine_eq", "mine_low", "mine_high"}
    both = db.execute(f"SELECT code FROM t WHERE {named} AND owner = :owner", {**values, "owner": 0})
    assert sorted(r[0] for r in both) == sorted(c for i, c in enumerate(codes) if i % 2 == 0 and contains(scope, c))


VALID_CODES = st.from_regex(r"\A[1-9]\d(\.\d{2}(\.\d{2}(\.[12]\d{3})?)?)?\Z") | st.just(NATIONAL)


@given(codes=st.lists(VALID_CODES, min_size=1, max_size=12), scope=VALID_CODES)
def test_the_nation_holds_every_code_and_a_province_not_the_nation(codes: list[str], scope: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (code TEXT)")
    db.executemany("INSERT INTO t VALUES (?)", [(c,) for c in codes])
    positional, params = within("code", NATIONAL)
    assert sorted(r[0] for r in db.execute(f"SELECT code FROM t WHERE {positional}", params)) == sorted(codes)
    positional, params = within("code", scope)
    inside = sorted(r[0] for r in db.execute(f"SELECT code FROM t WHERE {positional}", params))
    assert inside == sorted(c for c in codes if contains(scope, c))


def test_two_areas_in_one_query_take_two_names() -> None:
    first, a = within_named("x", "36.73", name="a")
    second, b = within_named("y", "36.74", name="b")
    assert not set(a) & set(b) and ":a_eq" in first and ":b_eq" in second
