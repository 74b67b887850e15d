"""Periods as coordinators name them, and the Indonesian formatting of the figures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.regions import Region, RegionTree
from bot.formatting import long_date, number, percent, points, signed
from bot.rekap.periods import (
    ROMAN,
    Period,
    PeriodError,
    last_month,
    last_three_months,
    parse_period,
    this_month,
    this_year,
)
from bot.rekap.request import AmbiguousArea, RequestError, command_arguments, parse_request

TODAY = date(2026, 11, 23)


def test_the_four_buttons() -> None:
    assert this_month(TODAY) == Period(date(2026, 11, 1), date(2026, 11, 1))
    assert last_month(TODAY) == Period.month(2026, 10)
    assert last_month(date(2027, 1, 5)) == Period.month(2026, 12)
    assert last_three_months(TODAY) == Period(date(2026, 9, 1), date(2026, 11, 1))
    assert this_year(TODAY) == Period(date(2026, 1, 1), date(2026, 11, 1))


@pytest.mark.parametrize(("text", "expected"), [
    ("", Period.month(2026, 11)),
    ("bulan ini", Period.month(2026, 11)),
    ("Bulan Lalu", Period.month(2026, 10)),
    ("3 bulan terakhir", Period(date(2026, 9, 1), date(2026, 11, 1))),
    ("tahun ini", Period(date(2026, 1, 1), date(2026, 11, 1))),
    ("tahun lalu", Period(date(2025, 1, 1), date(2025, 12, 1))),
    ("2026-10", Period.month(2026, 10)),
    ("2026/3", Period.month(2026, 3)),
    ("10-2026", Period.month(2026, 10)),
    ("Oktober 2026", Period.month(2026, 10)),
    ("okt 2026", Period.month(2026, 10)),
    ("Agustus 25", Period.month(2025, 8)),
    ("oktober", Period.month(2026, 10)),
    ("desember", Period.month(2025, 12)),  # the latest December that has started
    ("2025", Period(date(2025, 1, 1), date(2025, 12, 1))),
    ("2026", Period(date(2026, 1, 1), date(2026, 11, 1))),  # the running year: up to now
])
def test_typed_periods(text: str, expected: Period) -> None:
    assert parse_period(text, TODAY) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("kemarin dulu", "tidak dikenali"),
    ("2026-13", "Bulan 13 tidak ada"),
    ("2027-01", "belum dimulai"),
    ("Desember 2026", "belum dimulai"),
    ("2027", "belum dimulai"),
    ("1999", "terlalu lama"),
    ("0000", "terlalu lama"),
])
def test_bad_periods_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        parse_period(text, TODAY)


def test_labels_tokens_and_comparisons() -> None:
    october = Period.month(2026, 10)
    assert october.label() == "Oktober 2026"
    assert october.previous().label() == "September 2026"
    assert october.end == date(2026, 10, 31)
    assert Period.month(2024, 2).end == date(2024, 2, 29)
    assert october.reference_day(TODAY) == date(2026, 10, 31)
    assert this_month(TODAY).reference_day(TODAY) == TODAY
    ytd = this_year(TODAY)
    assert ytd.label() == "Januari – November 2026"
    assert ytd.previous() == Period(date(2025, 1, 1), date(2025, 11, 1))
    assert Period(date(2025, 1, 1), date(2025, 12, 1)).label() == "Tahun 2025"
    across = Period(date(2025, 12, 1), date(2026, 2, 1))
    assert across.label() == "Desember 2025 – Februari 2026"
    assert across.previous() == Period(date(2025, 9, 1), date(2025, 11, 1))
    for period in (october, ytd, across):
        assert Period.from_token(period.token()) == period
    assert october.slug() == "2026-10" and across.slug() == "2025-12_2026-02"
    for forged in ("", "2026", "202613", "202601-202701", "abcdef", "202610-202601"):
        with pytest.raises(ValueError):
            Period.from_token(forged)


def test_indonesian_numbers_and_dates() -> None:
    assert number(1234) == "1.234"
    assert percent(276, 1000) == "27,6%"
    assert percent(1, 0) == "–"
    assert long_date(date(2026, 11, 23)) == "23 November 2026"
    assert signed(1234) == "+1.234" and signed(-3) == "−3" and signed(0) == "±0"
    assert points(0.012) == "+1,2 poin" and points(-0.004) == "−0,4 poin" and points(0.0001) == "±0 poin"


TREE = RegionTree.build("36.73", [
    Region("36.73", "Kota Serang"), Region("36.73.04", "Curug"), Region("36.73.06", "Kasemen"),
    Region("36.73.04.1007", "Sukawana"), Region("36.73.06.1001", "Kasemen"), Region("36.73.04.1001", "Curug"),
])


def test_request_arguments_within_scope() -> None:
    assert command_arguments("/rekap@tpk_bot  Oktober 2026 ") == "Oktober 2026"
    request = parse_request("grafik bulan lalu", TREE, "36.73", TODAY)
    assert (request.area, request.period, request.chart) == ("36.73", Period.month(2026, 10), True)
    assert parse_request("36.73.04 2026-10", TREE, "36.73", TODAY).area == "36.73.04"
    assert parse_request("Sukawana", TREE, "36.73.04", TODAY).area == "36.73.04.1007"
    assert parse_request("Sukawana oktober", TREE, "36.73", TODAY).period == Period.month(2026, 10)
    # "Kasemen" names a kecamatan and a kelurahan: offer both, with the period typed.
    with pytest.raises(AmbiguousArea, match="Ada 2 wilayah bernama Kasemen") as ambiguous:
        parse_request("Kasemen oktober", TREE, "36.73", TODAY)
    assert ambiguous.value.codes == ["36.73.06", "36.73.06.1001"]
    assert ambiguous.value.period == Period.month(2026, 10) and not ambiguous.value.chart
    assert [label for _, label in ambiguous.value.choices(TREE)] == ["Kec. Kasemen — Kota Serang",
                                                                     "Kel. Kasemen — Kec. Kasemen"]
    assert "kodenya" not in str(ambiguous.value)
    # Only areas inside the scope are offered: inside Kec. Curug, "Curug" is the kelurahan and the kecamatan.
    with pytest.raises(AmbiguousArea) as inside:
        parse_request("grafik Curug", TREE, "36.73.04", TODAY)
    assert inside.value.codes == ["36.73.04", "36.73.04.1001"] and inside.value.chart


@pytest.mark.parametrize("text", ["36.73", "36.73.06", "36.73.06.1001", "Kasemen", "99.99", "36.73.06 2026"])
def test_requests_above_or_beside_the_scope_are_refused(text: str) -> None:
    with pytest.raises(RequestError, match="di luar wewenang"):
        parse_request(text, TREE, "36.73.04", TODAY)


def test_unknown_words_and_codes() -> None:
    with pytest.raises(RequestError, match="tidak dikenali"):
        parse_request("kemarin dulu", TREE, "36.73", TODAY)
    with pytest.raises(RequestError, match="belum dimulai"):
        parse_request("2027-05", TREE, "36.73", TODAY)
    with pytest.raises(RequestError, match="tidak dikenal"):
        parse_request("36.73.04.9999", TREE, "36.73", TODAY)


# -- triwulan and semester (issue 14) ----------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("semester 2 2026", Period.semester(2026, 2)),
    ("smt 1", Period.semester(2026, 1)),
    ("Semester II 2025", Period(date(2025, 7, 1), date(2025, 12, 1))),
    ("triwulan 3", Period(date(2026, 7, 1), date(2026, 9, 1))),
    ("tw3 2026", Period.quarter(2026, 3)),
    ("TW 4", Period.quarter(2026, 4)),  # running: shown up to today
    ("triwulan ini", Period.quarter(2026, 4)),
    ("semester ini", Period.semester(2026, 2)),
    ("tw1 25", Period.quarter(2025, 1)),
])
def test_typed_triwulan_and_semester(text: str, expected: Period) -> None:
    assert parse_period(text, TODAY) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("semester 3", "Semester 1"),
    ("tw5 2026", "tidak dikenali"),
    ("smt 1 2027", "belum dimulai"),
])
def test_bad_triwulan_and_semester(text: str, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        parse_period(text, TODAY)


def test_each_period_is_compared_with_the_one_before_of_the_same_length() -> None:
    assert Period.month(2027, 1).previous() == Period.month(2026, 12)  # not January a year before
    assert Period.month(2027, 2).previous() == Period.month(2027, 1)
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.semester(2026, 2).previous() == Period.semester(2026, 1)
    assert Period.semester(2026, 1).previous() == Period.semester(2025, 2)
    assert Period.semester(2026, 2).year_earlier() == Period.semester(2025, 2)
    assert Period.semester(2026, 2).label() == "Semester II 2026"
    assert Period.quarter(2026, 3).label() == "Triwulan III 2026"
    assert Period.semester(2026, 2).reference_day(TODAY) == TODAY
    assert Period.semester(2025, 2).reference_day(TODAY) == date(2025, 12, 31)


_SPELLINGS = {4: ("triwulan", "tw", "kuartal", "q"), 2: ("semester", "smt", "sem")}


@given(year_value=st.integers(2000, 2026), parts=st.sampled_from((2, 4)), data=st.data())
def test_typed_calendar_periods_round_trip(year_value: int, parts: int, data: st.DataObject) -> None:
    """Any spelling of a triwulan or semester that has started, and its own label,
    read back as the same period."""
    number = data.draw(st.integers(1, parts))
    period = Period.quarter(year_value, number) if parts == 4 else Period.semester(year_value, number)
    if period.first > TODAY:
        return
    word = data.draw(st.sampled_from(_SPELLINGS[parts]))
    numeral = data.draw(st.sampled_from((str(number), ROMAN[number], ROMAN[number].lower())))
    space = data.draw(st.sampled_from(("", " ", "  ")))
    year_text = data.draw(st.sampled_from((str(year_value), f"{year_value % 100:02d}")))
    typed = f"{word}{space}{numeral} {year_text}"
    typed = data.draw(st.sampled_from((typed, typed.upper(), typed.title())))
    assert parse_period(typed, TODAY) == period, typed
    assert parse_period(period.label(), TODAY) == period
    assert Period.from_token(period.token()) == period
