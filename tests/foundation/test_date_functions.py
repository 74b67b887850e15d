"""PostgreSQL's stand-ins for SQLite's date(), min(a, b) and max(a, b) (migrations 0001 and
0020) give SQLite's answers for every shape the counters use: day offsets, "start of month"
with months and a day back (how the span view turns a birth date into "turns 24 months"),
time strings with 'T' and 'Z', and NULLs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engines import fresh_postgres

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
OFFSETS = st.integers(min_value=-400, max_value=400).map(lambda n: f"{n:+d} days") | st.sampled_from(
    ["+7 hours", "-8 hours", "+30 minutes"])
MONTHS = st.integers(min_value=0, max_value=61)
#: Day and hour offsets in any order; months only as the counters add them: to the 1st of a
#: month ("start of month", "+25 months", "-1 day"), or to a day that every month has. Months
#: added to days 29–31 differ by design (SQLite overflows into the next month, PostgreSQL
#: clamps), and nothing adds them there.
MODIFIERS = st.lists(OFFSETS, max_size=3) | MONTHS.map(lambda n: ["start of month", f"+{n} months", "-1 day"])
STAMPS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)).map(
    lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _months_fit(day: str, modifiers: list[str]) -> bool:
    return not any(m.endswith("months") for m in modifiers) or modifiers[0] == "start of month" \
        or int(day[8:10]) <= 28


@pytest.fixture(scope="module")
def pg() -> Iterator[psycopg.Connection]:
    with fresh_postgres(migrated=True) as url, psycopg.connect(url.conninfo(), autocommit=True) as conn:
        yield conn


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(st.tuples(DAYS.map(str) | STAMPS, MODIFIERS | MONTHS.map(lambda n: [f"+{n} months"])),
                     min_size=1, max_size=20),
       pairs=st.lists(st.tuples(st.none() | DAYS.map(str), st.none() | DAYS.map(str)), min_size=1, max_size=10))
def test_postgresql_dates_and_min_max_are_sqlites(pg: psycopg.Connection, cases: list[tuple[str, list[str]]],
                                                  pairs: list[tuple[str | None, str | None]]) -> None:
    lite = sqlite3.connect(":memory:")
    kept = [(t, m) for t, m in cases if _months_fit(t, m)]
    for text, modifiers in kept:
        marks = "".join(", ?" for _ in modifiers)
        expected = lite.execute(f"SELECT date(?{marks})", (text, *modifiers)).fetchone()[0]
        shown = pg.execute(f"SELECT date(%s{marks.replace('?', '%s')})", (text, *modifiers)).fetchone()[0]
        assert shown == expected, (text, modifiers)
    for a, b in pairs:
        assert pg.execute("SELECT tpk_min(%s::text, %s::text), tpk_max(%s::text, %s::text)",
                          (a, b, a, b)).fetchone() == lite.execute("SELECT min(?, ?), max(?, ?)",
                                                                   (a, b, a, b)).fetchone()
