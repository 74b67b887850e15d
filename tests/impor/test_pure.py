"""Pure parts of the import: the committed template, header recognition and row
parsing (property tests), the same rules as the forms."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.regions import RegionTree
from bot.domain.roles import Caller, Role
from bot.impor import headers
from bot.impor.columns import BY_KEY, COLUMNS
from bot.impor.rows import RowParser, cell_text
from bot.impor.template import TEMPLATE_PATH, template_bytes
from bot.services import Services
from conversations.forms.fields import Invalid
from conversations.forms.model import FormContext
from storage.regions import read_csv
from tests.impor.files import SUKAWANA, TODAY, nik

CSV = Path(__file__).resolve().parents[2] / "data" / "wilayah" / "wilayah.csv"
TREE = RegionTree.build("36.73", read_csv(CSV))
SERVICES = Services(settings=None, clock=None, db=None, regions=TREE, cipher=None,  # type: ignore[arg-type]
                    kecamatan_codes=frozenset(r.code for r in read_csv(CSV) if r.code.count(".") == 2))
CTX = FormContext(services=SERVICES, caller=Caller(user_id=1, role=Role.ADMIN, scope="36.73"), today=TODAY)


def _cells(book: openpyxl.Workbook) -> dict[str, Any]:
    return {sheet.title: ([list(r) for r in sheet.iter_rows(values_only=True)],
                          sorted((str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation))
            for sheet in book.worksheets}


def test_committed_template_equals_the_generated_one() -> None:
    """``python -m bot.impor.template`` rewrites data/templat_impor.xlsx when this fails."""
    shipped = openpyxl.load_workbook(TEMPLATE_PATH)
    made = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert _cells(shipped) == _cells(made)


def test_template_documents_every_column_and_offers_the_form_choices() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    documented = {(r[0], r[1]) for r in book["keterangan"].iter_rows(min_row=2, values_only=True)}
    for kind in ("keluarga", "sasaran", "pengukuran"):
        for header in next(book[kind].iter_rows(max_row=1, values_only=True)):
            assert (kind, header) in documented
    choices = {c[0].value: [x.value for x in c[1:] if x.value] for c in book["pilihan"].iter_cols()}
    assert choices["Sumber Air Minum"] == [o.label for o in BY_KEY["air"].field.choices]  # type: ignore[attr-defined]
    rules = {str(v.sqref).split(":")[0] for v in book["keluarga"].data_validations.dataValidation}
    letters = {openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(
        next(book["keluarga"].iter_rows(max_row=1, values_only=True))) if c in ("Sumber Air Minum", "Jamban")}
    assert {f"{letter}2" for letter in letters} <= rules


# -- headers -----------------------------------------------------------------------------

NAMES = [(name, c.key) for c in COLUMNS for name in (c.header, *c.aliases)]
SEPARATORS = st.sampled_from([" ", "  ", "_", ".", ". ", "-", "/", " / ", "\t"])


@st.composite
def spelled(draw: st.DrawFn) -> tuple[str, str]:
    """A known header name written another way: case, separators, stray marks around it."""
    name, _ = draw(st.sampled_from(NAMES))
    words = headers.normalise(name).split()
    out = ""
    for i, word in enumerate(words):
        word = "".join(ch.upper() if draw(st.booleans()) else ch for ch in word)
        out += (draw(SEPARATORS) if i else "") + word
    return draw(st.sampled_from(["", " ", "*"])) + out + draw(st.sampled_from(["", " ", ":", " *"])), name


@given(spelled())
def test_any_spelling_of_a_known_header_is_recognised(case: tuple[str, str]) -> None:
    text, name = case
    assert headers.recognise(text) is not None
    assert headers.recognise(text) == headers.recognise(name)


def test_every_template_header_names_its_own_column() -> None:
    assert all(headers.recognise(c.header) == c.key for c in COLUMNS)


@given(st.text(max_size=40))
def test_normalise_is_stable(text: str) -> None:
    once = headers.normalise(text)
    assert headers.normalise(once) == once


@pytest.mark.parametrize("header, key", [("No. KK", "no_kk"), ("NIK", "nik"), ("Nama Kepala Keluarga", "kepala"),
                                         ("Tgl. Lahir", "lahir"), ("Desa/Kelurahan", "desa"), ("KODE_WILAYAH",
                                         "kode_wilayah"), ("Jml Anak", "anak"), ("Nama Istri", "nama_istri"),
                                         ("Sumber Air Minum", "air"), ("Jamban", "jamban"), ("RT", "rt"),
                                         ("Kecamatan", "kecamatan"), ("Alamat", "alamat"), ("BB (kg)", "berat")])
def test_common_names(header: str, key: str) -> None:
    assert headers.recognise(header) == key


# -- rows ------------------------------------------------------------------------------

FAMILY = ["kode_wilayah", "rt", "rw", "kepala", "air", "jamban"]


def parse(keys: list[str], values: list[Any]) -> Any:
    parser = RowParser(CTX, tuple(BY_KEY[k].header for k in keys), dict(enumerate(keys)), "36.73.04")
    return parser.parse(2, tuple(values))


@given(rt=st.integers(1, 999), rw=st.integers(1, 999), choice=st.sampled_from(BY_KEY["air"].choices),
       latrine=st.sampled_from(BY_KEY["jamban"].choices), upper=st.booleans(), as_float=st.booleans())
def test_valid_family_rows_give_the_form_answers(rt: int, rw: int, choice: Any, latrine: Any, upper: bool,
                                                 as_float: bool) -> None:
    label = choice.label.upper() if upper else choice.label
    row = parse(FAMILY, [SUKAWANA, float(rt) if as_float else rt, str(rw), "  Ahmad   Yani ", label, latrine.value])
    assert row.ok, row.problems
    assert row.family == {"wilayah": SUKAWANA, "rt": rt, "rw": rw, "kepala": "Ahmad Yani", "air": choice.value,
                          "jamban": latrine.value}


CELL = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**17, 10**17), st.floats(allow_nan=True),
                 st.dates(min_value=date(1800, 1, 1)), st.datetimes(min_value=datetime(1800, 1, 1)), st.booleans())


@settings(max_examples=300)
@given(st.lists(CELL, min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_no_cell_crashes_the_parser(values: list[Any]) -> None:
    """Whatever a spreadsheet holds, a row gets answers or Indonesian reasons, never an exception."""
    row = parse([c.key for c in COLUMNS], values)
    for problem in row.problems:
        assert problem.reason and problem.column


@given(st.text(min_size=1, max_size=20))
def test_choice_cells_take_only_the_form_options(text: str) -> None:
    row = parse([*FAMILY], [SUKAWANA, 1, 1, "Ahmad", text, "tidak_ada"])
    field = BY_KEY["air"].field
    if row.ok:
        assert row.family["air"] in {o.value for o in field.choices}  # type: ignore[attr-defined]
    else:
        assert [p.column for p in row.problems] == ["Sumber Air Minum"]


def test_the_same_reasons_as_the_form() -> None:
    """A wrong NIK, a date in the future, an unknown desa, a value outside a choice list."""
    keys = ["kode_wilayah", "no_kk", "kepala", "kategori", "nama", "nik", "lahir"]
    born = date(1995, 4, 12)
    good = parse(keys, [SUKAWANA, None, "Ahmad", "Ibu hamil", "Siti", nik("36.73.04", born, True, 1), born])
    assert good.ok and good.member["nik"] == nik("36.73.04", born, True, 1)
    bad_nik = parse(keys, [SUKAWANA, None, "Ahmad", "Ibu hamil", "Siti", "12345", born])
    nik_field = BY_KEY["nik"].field
    with pytest.raises(Invalid) as form_error:
        nik_field.parse("12345", {}, CTX)
    assert [p.reason for p in bad_nik.problems] == [form_error.value.message]
    future = parse(keys, [SUKAWANA, None, "Ahmad", "Ibu hamil", "Siti", None, date(2027, 1, 1)])
    assert [p.column for p in future.problems] == ["Tanggal Lahir"]
    unknown = parse(keys, ["36.73.04.1999", None, "Ahmad", "Ibu hamil", "Siti", None, born])
    assert "tidak ada dalam daftar" in unknown.problems[0].reason
    outside = parse(keys, ["36.73.02.1001", None, "Ahmad", "Ibu hamil", "Siti", None, born])
    assert outside.out_of_scope and not outside.problems
    by_name = parse(["desa", "kecamatan", "kepala"], ["sukawana", "CURUG", "Ahmad"])
    assert by_name.region_code == SUKAWANA
    choice = parse(keys, [SUKAWANA, None, "Ahmad", "ibu menyusui", "Siti", None, born])
    assert [p.column for p in choice.problems] == ["Kategori"]


def test_cells_typed_as_numbers_and_dates_read_like_typing() -> None:
    assert cell_text(3673041204950001.0) == "3673041204950001"
    assert cell_text(datetime(2024, 3, 12, 0, 0)) == "12-03-2024"
    assert cell_text(11.5) == "11.5"
    assert cell_text("  a   b ") == "a b"
