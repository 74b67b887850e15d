"""What an import keeps on disk instead of in memory (storage/scratch.py) answers as the
Python structures it replaced did: a set of ints per kind, a list of texts; and the matcher
built on it reports the same in-file duplicates and planned records, wherever the chunks
of a file begin and end."""

from __future__ import annotations

import asyncio
import io
import itertools
from typing import Any

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.impor import xlsx_stream
from bot.impor.match import RULE_FILE, Matcher, family_digest, person_digests, record_key
from bot.impor.rows import ParsedRow, Problem
from storage.crypto import IdentityCipher, decode_key, new_key
from storage.scratch import DigestSets, TextTable

_KEY = st.integers(-2**63, 2**63 - 1)
_KIND = st.integers(0, 3)
CIPHER = IdentityCipher(decode_key(new_key()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _KIND, st.lists(st.one_of(_KEY, st.integers(-3, 3)), max_size=20)),
                max_size=25))
def test_digest_sets_answer_as_python_sets(operations: list[tuple[bool, int, list[int]]]) -> None:
    store, reference = DigestSets(), {}
    try:
        for add, kind, keys in operations:
            if add:
                store.add(kind, keys)
                reference.setdefault(kind, set()).update(keys)
            else:
                assert store.known(kind, keys) == set(keys) & reference.get(kind, set())
        for kind in range(4):
            everything = [k for _, _, keys in operations for k in keys]
            assert store.known(kind, everything) == set(everything) & reference.get(kind, set())
    finally:
        store.close()


def test_digest_sets_ask_about_more_keys_than_one_statement_binds() -> None:
    store = DigestSets()
    try:
        store.add(1, range(0, 3000, 2))
        assert store.known(1, range(3000)) == set(range(0, 3000, 2))
        assert store.known(2, range(3000)) == set()
    finally:
        store.close()


_TEXTS = st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXTS, max_size=4), st.lists(st.integers(-5, 200), max_size=30))
def test_a_text_table_returns_each_text_by_index_as_the_list_did(parts: list[list[str]],
                                                                indexes: list[int]) -> None:
    table, reference = TextTable(), []
    try:
        for part in parts:
            table.extend(part)
            reference.extend(part)
        assert len(table) == len(reference)
        assert [table[i] for i in range(len(reference))] == reference
        assert table.many(range(len(reference))) == dict(enumerate(reference))
        for index in indexes:
            if 0 <= index < len(reference):
                assert table[index] == reference[index]
                assert table.many([index, index]) == {index: reference[index]}
            else:  # the list wrapped a negative index round; nothing names one in a real file
                with pytest.raises(IndexError):
                    table[index]
                with pytest.raises(IndexError):
                    table.many([0, index] if reference else [index])
    finally:
        table.close()


def test_a_text_table_holds_more_texts_than_one_statement_binds() -> None:
    table = TextTable()
    try:
        texts = [f"Ibu {i}" for i in range(2600)]
        table.extend(iter(texts))
        assert table.many(range(0, 2600, 3)) == {i: texts[i] for i in range(0, 2600, 3)}
    finally:
        table.close()


# -- the streaming reader looks its shared strings up a batch of rows at a time ------------


def test_shared_strings_are_right_across_batches_of_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_stream, "ROWS_AT_ONCE", 3)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("sasaran")
    expected: list[tuple[object, ...]] = []
    for r in range(11):
        if r in (4, 5, 6):  # rows left out of the XML (a batch of them), as wide as the rows before
            expected.append(("",) * 3)
            continue
        row = [f"Nama {r}", "Ibu hamil", float(r)] + ([f"NIK {r}"] if r >= 7 else [])  # then wider
        sheet.write_row(r, 0, row)
        expected.append(tuple(row))
    book.close()
    streamed = xlsx_stream.Workbook(io.BytesIO(out.getvalue()))
    try:
        assert list(streamed.rows("sasaran")) == expected
    finally:
        streamed.close()


# -- the matcher: in-file duplicates and planned records across chunks ---------------------


class _NoRecords:
    """A database with nothing stored: every lookup of a chunk finds nothing."""

    async def fetch_all(self, *args: Any) -> list[Any]:
        return []


def _row(number: int, kind: str, key: int, trouble: str) -> ParsedRow:
    row = ParsedRow(number)
    if kind == "family":
        row.family = {"no_kk": f"3673{key:012d}"}
    elif kind == "member":
        row.family = {"no_kk": f"3673{key % 3:012d}"}
        row.member = {"nama": f"Ibu {key}", "lahir": "2001-02-03", "nik": f"3673{key:012d}"}
    else:  # a measurement naming a sasaran by NIK, or by name and birth date
        row.measure = {"nik": f"3673{key:012d}"} if key % 2 else {"nama": f"Ibu {key}", "lahir": "2001-02-03"}
    if trouble == "problem":
        row.problems.append(Problem("NIK", "salah"))
    row.out_of_scope = trouble == "outside"
    return row


def _reference(rows: list[ParsedRow]) -> list[tuple[str, bool]]:
    """What the matcher answered with Python sets, row by row."""
    seen: set[int] = set()
    families: set[int] = set()
    members: set[int] = set()
    out = []
    for row in rows:
        if not row.ok:
            out.append(("skipped", False))
            continue
        key = record_key(row)
        if key in seen:
            out.append(("duplicate", False))
            continue
        seen.add(key)
        planned = False
        if row.family is not None:
            planned = family_digest(row) in families
            families.add(family_digest(row))
        if row.member is not None:
            members.update(person_digests(CIPHER.lookup_hash(row.member["nik"]), row.member, row.region_code))
        elif row.measure is not None:
            nik = row.measure.get("nik")
            planned = bool(members & set(person_digests(CIPHER.lookup_hash(nik) if nik else None, row.measure,
                                                        row.region_code)))
        out.append(("new", planned))
    return out


async def _matched(rows: list[ParsedRow], cuts: list[int]) -> list[tuple[str, bool]]:
    matcher, db, out = Matcher(CIPHER), _NoRecords(), []
    bounds = sorted({0, len(rows), *(c % (len(rows) + 1) for c in cuts)})
    try:
        for start, end in itertools.pairwise(bounds):
            chunk = rows[start:end]
            found = await matcher.lookups(db, chunk)
            for row in chunk:
                if not row.ok:
                    out.append(("skipped", False))
                    continue
                if matcher.seen_before(row):
                    out.append(("duplicate", False))
                    continue
                planned = False
                if row.family is not None:
                    planned = matcher.family(row, found)[1] == RULE_FILE
                    matcher.plan_family(row)
                if row.member is not None:
                    matcher.plan_member(row)
                elif row.measure is not None:
                    planned = matcher.measured_person(row, found)[3]
                out.append(("new", planned))
    finally:
        matcher.close()
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["family", "member", "measure"]), st.integers(0, 6),
                          st.sampled_from(["", "", "", "problem", "outside"])), max_size=40),
       st.lists(st.integers(0, 40), max_size=5))
def test_the_matcher_answers_as_with_python_sets_wherever_the_chunks_end(
        plan: list[tuple[str, int, str]], cuts: list[int]) -> None:
    rows = [_row(n, kind, key, trouble) for n, (kind, key, trouble) in enumerate(plan, start=2)]
    assert asyncio.run(_matched(rows, cuts)) == _reference(rows)


async def test_a_key_the_chunk_did_not_announce_is_still_found() -> None:
    matcher = Matcher(CIPHER)
    try:
        row = _row(2, "family", 1, "")
        await matcher.lookups(_NoRecords(), [row])
        assert not matcher.seen_before(row)
        await matcher.lookups(_NoRecords(), [])  # the next chunk: the first one's digests go to disk
        assert matcher.seen_before(row)
    finally:
        matcher.close()
