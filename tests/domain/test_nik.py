"""A TPK member types a NIK; the bot checks it and asks about anything that disagrees."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.nik import (
    KkInfo,
    NikInfo,
    Rejected,
    mask_nik,
    nik_conflicts,
    parse_kk,
    parse_nik,
)

ON = date(2025, 6, 1)
KNOWN = {"36", "32", "36.73.01", "36.73.02", "32.01.01"}


def exists(code: str) -> bool:
    return code in KNOWN


def nik(text: str, on: date = ON) -> NikInfo | Rejected:
    return parse_nik(text, on=on, region_listed=exists)


def test_a_man_born_in_1995() -> None:
    info = nik("3673011203950001")
    assert info == NikInfo(
        nik="3673011203950001",
        kecamatan_code="36.73.01",
        sex="L",
        birth_date=date(1995, 3, 12),
        serial="0001",
    )
    assert (info.province_code, info.kabupaten_code) == ("36", "36.73")


def test_a_woman_has_forty_added_to_her_birth_day() -> None:
    info = nik("3673015203950002")
    assert isinstance(info, NikInfo)
    assert (info.sex, info.birth_date) == ("P", date(1995, 3, 12))


@pytest.mark.parametrize(
    "typed", ["3673 0152 0395 0002", "3673.0152.0395.0002", " 3673015203950002 "]
)
def test_spaces_and_dots_are_accepted(typed: str) -> None:
    info = nik(typed)
    assert isinstance(info, NikInfo) and info.nik == "3673015203950002"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("3673-0152-0395-0002", "format"),
        ("36730152039500O2", "format"),
        ("367301520395000", "length"),
        ("36730152039500021", "length"),
        ("", "format"),
        ("9973015203950002", "region"),  # no province 99
        ("3673005203950002", "region"),
        ("3673013203950002", "birth_date"),  # day 32
        ("3673017203950002", "birth_date"),  # day 72 (= 32 + 40)
        ("3673010003950002", "birth_date"),  # day 00
        ("3673011213950002", "birth_date"),  # month 13
        ("3673013102950002", "birth_date"),  # 31 February
        ("3673011203950000", "serial"),
    ],
)
def test_rejections_say_why_in_indonesian(typed: str, code: str) -> None:
    result = nik(typed)
    assert isinstance(result, Rejected)
    assert result.code == code
    assert "NIK" in result.reason


def test_length_reason_counts_the_digits() -> None:
    result = nik("367301520395000")
    assert isinstance(result, Rejected) and "15 angka" in result.reason


@pytest.mark.parametrize(
    ("digits", "on", "expected"),
    [
        ("120324", date(2025, 6, 1), date(2024, 3, 12)),  # a baby, not 101 years old
        ("120325", date(2025, 6, 1), date(2025, 3, 12)),  # this year, already passed
        ("120725", date(2025, 6, 1), date(1925, 7, 12)),  # 2025-07 is in the future
        ("120726", date(2025, 6, 1), date(1926, 7, 12)),
        ("290200", date(2025, 6, 1), date(2000, 2, 29)),
    ],
)
def test_century_is_the_latest_not_in_the_future(digits: str, on: date, expected: date) -> None:
    info = nik(f"367301{digits}0001", on)
    assert isinstance(info, NikInfo) and info.birth_date == expected


def test_29_february_only_in_a_leap_year_within_the_last_hundred_years() -> None:
    assert isinstance(nik("3673012902010001"), Rejected)  # neither 2001 nor 1901 is leap
    assert isinstance(nik("3673012902000001", date(2101, 3, 1)), Rejected)  # 2000: 101 years


def test_region_predicate_gets_the_province_and_the_dotted_kecamatan_code() -> None:
    seen: list[str] = []
    parse_nik("3201011203950001", on=ON, region_listed=lambda c: seen.append(c) or True)
    assert seen == ["32", "32.01.01"]


def test_mask_shows_only_province_and_kabupaten_and_the_length() -> None:
    assert mask_nik("3673012345670001") == "3673************"
    assert mask_nik("3673 0123 4567 0001") == "3673************"
    assert mask_nik("12345") == "*****"
    assert nik("3673011203950001").masked == "3673************"  # type: ignore[union-attr]


@given(st.text(alphabet="0123456789 .", max_size=30))
def test_mask_never_shows_a_digit_past_the_kabupaten(text: str) -> None:
    """Digits 5-16 (kecamatan, birth date, serial) never appear: the serial is what
    nothing else stored gives away."""
    masked = mask_nik(text)
    assert not any(ch.isdigit() for ch in masked[4:])
    assert sum(ch.isdigit() for ch in masked) <= 4


def test_conflicts_with_what_was_typed_are_listed_in_indonesian() -> None:
    info = nik("3673015203950002")
    assert isinstance(info, NikInfo)
    assert nik_conflicts(info, birth_date=date(1995, 3, 12), sex="P") == []
    assert nik_conflicts(info) == []
    conflicts = nik_conflicts(info, birth_date=date(1995, 3, 13), sex="L")
    assert conflicts == [
        "Tanggal lahir di NIK 12 Maret 1995, tetapi yang diisi 13 Maret 1995.",
        "NIK ini milik perempuan, tetapi jenis kelamin yang diisi laki-laki.",
    ]


def test_kk_number_needs_sixteen_digits_and_a_known_province() -> None:
    assert parse_kk("3673 0112 3456 0009", region_listed=exists) == KkInfo(
        number="3673011234560009", kecamatan_code="36.73.01"
    )
    too_short = parse_kk("36730112345600", region_listed=exists)
    assert isinstance(too_short, Rejected) and "Nomor KK" in too_short.reason
    unknown = parse_kk("9999011234560009", region_listed=exists)
    assert isinstance(unknown, Rejected) and unknown.code == "region"
    old = parse_kk("3699011234560009", region_listed=exists)
    assert old == KkInfo(number="3699011234560009", kecamatan_code="36.99.01", listed=False)
    assert KkInfo("3673011234560009", "36.73.01").masked == "3673************"


@given(st.text(max_size=40))
def test_any_text_gives_info_or_a_reason(text: str) -> None:
    result = nik(text)
    assert isinstance(result, NikInfo | Rejected)
    if isinstance(result, Rejected):
        assert result.reason


def test_a_nik_from_a_kecamatan_no_longer_listed_is_accepted_and_marked() -> None:
    """Issued before a split (pemekaran): the NIK keeps its old code for life."""
    info = nik("3699011203950001")
    assert isinstance(info, NikInfo) and info.listed is False and info.kecamatan_code == "36.99.01"
    assert nik("3673011203950001").listed is True  # type: ignore[union-attr]


@pytest.mark.parametrize("number", ["9973011203950001", "0073011203950001", "3600011203950001", "3673001203950001"])
def test_an_unknown_province_or_a_zero_block_is_refused(number: str) -> None:
    rejected = nik(number)
    assert isinstance(rejected, Rejected) and rejected.code == "region"


@given(subscriber=st.text(alphabet="0123456789", min_size=6, max_size=9),
       operator=st.sampled_from(["812", "857", "896"]))
def test_a_phone_shows_only_the_operator_prefix(subscriber: str, operator: str) -> None:
    from bot.domain.nik import mask_phone
    from conversations.parsers import parse_phone

    number = parse_phone(f"0{operator}{subscriber}")
    masked = mask_phone(number)
    assert masked == f"+62{operator}" + "*" * (len(number) - 6)
    assert not any(ch.isdigit() for ch in masked[6:])


@pytest.mark.parametrize("odd", ["", "12345", "+1 555 0100", "+62812"])
def test_anything_else_shows_no_digit(odd: str) -> None:
    from bot.domain.nik import mask_phone

    assert not any(ch.isdigit() for ch in mask_phone(odd))
