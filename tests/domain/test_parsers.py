"""Indonesian answers as TPK members type them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.nik import NikInfo
from conversations.parsers import (
    MONTH_NAMES,
    ParseError,
    format_decimal,
    parse_date,
    parse_decimal,
    parse_int,
    parse_kk_number,
    parse_nik_number,
    parse_phone,
    parse_yes_no,
)

ON = date(2025, 6, 1)


def error_of(parse: Callable[[], object]) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse()
    assert caught.value.message
    return caught.value


# ----------------------------------------------------------------------- decimals


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("11,5", "g/dL", 11.5),
        ("11.5", "g/dL", 11.5),
        (" 85 cm", "cm", 85.0),
        ("85cm", "cm", 85.0),
        ("9,2 kg", "kg", 9.2),
        ("9,2kg", "kg", 9.2),
        ("9,2 Kg.", "kg", 9.2),
        ("10,5 gr/dl", "g/dL", 10.5),
        ("10,5 g/dL", "g/dL", 10.5),
        ("10,5 g%", "g/dL", 10.5),
        ("235 mm", "mm", 235.0),
        ("23", None, 23.0),
    ],
)
def test_decimals_with_comma_dot_and_unit(typed: str, unit: str | None, value: float) -> None:
    assert parse_decimal(typed, unit=unit) == value


def test_a_number_is_asked_for_with_an_example() -> None:
    assert error_of(lambda: parse_decimal("sebelas")).message == "Tulis angka, misalnya 11,5."
    assert error_of(lambda: parse_decimal("", unit="cm", example="85")).message == (
        "Tulis angka, misalnya 85 cm."
    )


@pytest.mark.parametrize("typed", ["11,5 cm", "11,5 kg/dl", "11,5 gram"])
def test_a_unit_must_be_the_fields_unit(typed: str) -> None:
    assert error_of(lambda: parse_decimal(typed, unit="g/dL")).code == "unit"


@pytest.mark.parametrize("typed", ["-5", "1.234,5", "11,", ",5", "1e3", "11,5,2", "½"])
def test_not_a_plain_decimal(typed: str) -> None:
    assert error_of(lambda: parse_decimal(typed)).code == "number"


def test_range_is_explained() -> None:
    error = error_of(lambda: parse_decimal("300", unit="cm", min_value=40, max_value=200))
    assert (error.code, error.message) == (
        "range", "Angkanya harus antara 40 dan 200 cm. Mohon periksa lagi."
    )
    assert "paling sedikit 0,5" in error_of(lambda: parse_decimal("0,2", min_value=0.5)).message


@given(
    st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([",", "."]),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["kg", "KG", "Kg", "kg."]),
    st.booleans(),
)
def test_decimal_round_trip(
    value: Decimal, mark: str, space: str, unit: str, with_unit: bool
) -> None:
    typed = f"{value:f}".replace(".", mark) + (f"{space}{unit}" if with_unit else "")
    assert parse_decimal(typed, unit="kg") == pytest.approx(float(value))


@given(st.floats(min_value=0, max_value=500, allow_nan=False).map(lambda v: round(v, 1)))
def test_formatted_decimals_parse_back(value: float) -> None:
    assert parse_decimal(format_decimal(value)) == pytest.approx(value)


def test_format_decimal_the_indonesian_way() -> None:
    assert format_decimal(11.5) == "11,5"
    assert format_decimal(85.0) == "85"


# ----------------------------------------------------------------------- integers


def test_integers_with_an_optional_word() -> None:
    assert parse_int("3") == 3
    assert parse_int(" 3 anak ", words=["anak"]) == 3
    assert parse_int("3 Anak", words=["anak"]) == 3
    assert error_of(lambda: parse_int("3 anak")).code == "integer"
    assert error_of(lambda: parse_int("2,5 anak", words=["anak"])).message == (
        "Tulis angka bulat, misalnya 3 anak."
    )
    assert error_of(lambda: parse_int("12", max_value=10)).code == "range"


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["", " anak", "anak"]))
def test_integer_round_trip(value: int, word: str) -> None:
    assert parse_int(f"{value}{word}", words=["anak"]) == value


# -------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "typed",
    [
        "12-03-2024", "12/3/24", "12.3.2024", "12 Maret 2024", "12 mar 24", "2024-03-12",
        "12-Mar-2024", "12 MARET 2024", " 12  maret   2024 ", "12mar24", "12 Mar. 2024",
    ],
)
def test_many_ways_to_write_12_march_2024(typed: str) -> None:
    assert parse_date(typed, on=ON) == date(2024, 3, 12)


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("Agustus", 8), ("Agt", 8), ("Agu", 8), ("Ags", 8), ("Mei", 5), ("Okt", 10),
        ("Des", 12), ("Peb", 2), ("Feb", 2), ("Pebruari", 2), ("Nop", 11), ("Nov", 11),
        ("Nopember", 11), ("Juni", 6), ("Jul", 7), ("Sep", 9), ("Sept", 9),
    ],
)
def test_indonesian_month_names_and_abbreviations(name: str, month: int) -> None:
    assert parse_date(f"12 {name} 2024", on=ON) == date(2024, month, 12)


def test_two_digit_years_are_resolved_relative_to_today() -> None:
    assert parse_date("12/3/25", on=ON) == date(2025, 3, 12)
    assert parse_date("12/7/25", on=ON) == date(1925, 7, 12)  # a birth date: not future
    assert parse_date("12/3/26", on=ON, max_future_days=300) == date(2026, 3, 12)  # an HPL
    assert parse_date("12/3/99", on=ON) == date(1999, 3, 12)


@pytest.mark.parametrize(
    ("typed", "code", "fragment"),
    [
        ("31-02-2024", "date_invalid", "Tanggal 31 Februari 2024 tidak ada"),
        ("29/2/2023", "date_invalid", "29 Februari 2023"),
        ("0-3-2024", "date_invalid", "tidak ada"),
        ("12/13/2024", "date_month", "Bulan harus 1 sampai 12"),
        ("12 Maretan 2024", "date_month", "Nama bulan"),
        ("kemarinan", "date", "12-03-2024"),
        ("12 Maretan", "date_month", "Nama bulan"),
        ("12-03-2026", "date_range", "masa depan"),
        ("1-1-1850", "date_range", "terlalu lama"),
    ],
)
def test_dates_that_are_refused_say_why(typed: str, code: str, fragment: str) -> None:
    error = error_of(lambda: parse_date(typed, on=ON))
    assert error.code == code
    assert fragment in error.message


def test_field_specific_limits() -> None:
    assert "terlalu jauh" in error_of(
        lambda: parse_date("1-1-2027", on=ON, max_future_days=300)
    ).message
    assert error_of(
        lambda: parse_date("1-1-2020", on=ON, earliest=date(2024, 1, 1))
    ).code == "date_range"


_WIDE = dict(enumerate(
    ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
     "September", "Oktober", "November", "Desember"], start=1,
))
_SHORT = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "mei": 5, "jun": 6, "jul": 7, "agt": 8,
          "agu": 8, "ags": 8, "sep": 9, "okt": 10, "nov": 11, "nop": 11, "des": 12, "peb": 2}


def _formats(d: date, two_digit: bool) -> st.SearchStrategy[str]:
    year = f"{d.year % 100:02d}" if two_digit else str(d.year)
    shorts = [name for name, n in _SHORT.items() if n == d.month]
    options = [
        f"{d.day:02d}-{d.month:02d}-{year}",
        f"{d.day}/{d.month}/{year}",
        f"{d.day}.{d.month}.{year}",
        f"{d.day} {_WIDE[d.month]} {year}",
        *(f"{d.day} {short} {year}" for short in shorts),
    ]
    if not two_digit:
        options.append(d.isoformat())
    return st.sampled_from(options).flatmap(
        lambda text: st.sampled_from([text, text.upper(), text.lower(), f" {text} "])
    )


@given(st.data(), st.integers(min_value=0, max_value=400), st.booleans())
def test_date_round_trip(data: st.DataObject, allowance: int, two_digit: bool) -> None:
    latest = ON + timedelta(days=allowance)
    # two-digit years resolve into the 100 years ending at the allowance
    earliest = date(latest.year - 99, 1, 1) if two_digit else date(1900, 1, 1)
    d = data.draw(st.dates(min_value=earliest, max_value=latest))
    typed = data.draw(_formats(d, two_digit))
    assert parse_date(typed, on=ON, max_future_days=allowance) == d


# -------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "81234567890",
        "0812 3456 7890", "(0812) 3456-7890", "+62 0812 3456 7890", "0062 812 3456 7890",
        "0812.3456.7890",
    ],
)
def test_phone_numbers_become_e164(typed: str) -> None:
    assert parse_phone(typed) == "+6281234567890"


def test_shortest_and_longest_mobile_numbers() -> None:
    assert parse_phone("0812-345-678") == "+62812345678"  # 10 digits with the 0
    assert parse_phone("0812-3456-78901") == "+62812345678901"  # 13 digits with the 0


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("021-555-1234", "telepon rumah"),
        ("(0254) 123456", "telepon rumah"),
        ("+1 555 123 4567", "+62"),
        ("0812-345-67", "nomor HP"),
        ("0812-3456-789012", "nomor HP"),
        ("0802-3456-7890", "nomor HP"),
        ("nomor saya 0812", "nomor HP"),
        ("", "nomor HP"),
    ],
)
def test_phone_numbers_refused(typed: str, fragment: str) -> None:
    assert fragment in error_of(lambda: parse_phone(typed)).message


@given(
    st.sampled_from(["1", "2", "3", "5", "7", "8", "9"]),
    st.text(alphabet="0123456789", min_size=7, max_size=10),
    st.sampled_from(["0{n}", "+62{n}", "62{n}", "{n}", "+62 {n}", "0062{n}"]),
    st.sampled_from(["", " ", "-", "."]),
)
def test_phone_round_trip(second: str, rest: str, template: str, sep: str) -> None:
    national = f"8{second}{rest}"
    grouped = sep.join(national[i:i + 4] for i in range(0, len(national), 4))
    assert parse_phone(template.format(n=grouped)) == f"+62{national}"


# -------------------------------------------------------------------------- yes/no


@pytest.mark.parametrize("typed", ["ya", "Ya", "y", "Y", "iya", "iyaaa", "YA!", "sudah"])
def test_yes(typed: str) -> None:
    assert parse_yes_no(typed) is True


@pytest.mark.parametrize(
    "typed", ["tidak", "Tidak.", "tdk", "nggak", "gak", "t", "n", "T", "belum", "enggak"]
)
def test_no(typed: str) -> None:
    assert parse_yes_no(typed) is False


@pytest.mark.parametrize("typed", ["mungkin", "", "ya tidak", "yt"])
def test_neither_yes_nor_no(typed: str) -> None:
    assert error_of(lambda: parse_yes_no(typed)).message == "Jawab ya atau tidak."


# ---------------------------------------------------------------------- NIK and KK


def test_nik_and_kk_fields_raise_parse_errors_with_the_domain_reason() -> None:
    known = {"36", "36.73.01"}.__contains__
    info = parse_nik_number("3673 0152 0395 0002", on=ON, region_listed=known)
    assert isinstance(info, NikInfo) and info.sex == "P"
    error = error_of(lambda: parse_nik_number("1234", on=ON, region_listed=known))
    assert error.code == "nik_length" and "16 angka" in error.message
    assert parse_kk_number("3673011234560009", region_listed=known).kecamatan_code == (
        "36.73.01"
    )
    assert error_of(lambda: parse_kk_number("x", region_listed=known)).code == "nik_format"


# ------------------------------------------------------- any text: value or ParseError

_ANY_TEXT = st.text(max_size=40) | st.from_regex(
    r"[0-9 .,/\-+a-zA-Z%]{0,25}", fullmatch=True
)


def _value_or_parse_error(parse: Callable[[], object]) -> None:
    try:
        parse()
    except ParseError as error:
        assert error.message and error.code


@given(_ANY_TEXT)
def test_any_text_decimal(text: str) -> None:
    _value_or_parse_error(lambda: parse_decimal(text, unit="cm", min_value=1, max_value=300))


@given(_ANY_TEXT)
def test_any_text_int(text: str) -> None:
    _value_or_parse_error(lambda: parse_int(text, words=["anak"], max_value=20))


@given(_ANY_TEXT, st.integers(min_value=0, max_value=400))
def test_any_text_date(text: str, allowance: int) -> None:
    _value_or_parse_error(lambda: parse_date(text, on=ON, max_future_days=allowance))


@given(_ANY_TEXT)
def test_any_text_phone(text: str) -> None:
    _value_or_parse_error(lambda: parse_phone(text))


@given(_ANY_TEXT)
def test_any_text_yes_no(text: str) -> None:
    _value_or_parse_error(lambda: parse_yes_no(text))


@given(_ANY_TEXT | st.text(alphabet="0123456789 .", max_size=25))
def test_any_text_nik(text: str) -> None:
    _value_or_parse_error(
        lambda: parse_nik_number(text, on=ON, region_listed=lambda code: True)
    )


# ------------------------------------------------- issue 16: date words, units as people write them


@pytest.mark.parametrize(
    ("typed", "days_ago"),
    [("hari ini", 0), ("Hari ini", 0), ("sekarang", 0), ("kemarin", 1), ("kmrn", 1), ("2 hari lalu", 2),
     ("2 hari yang lalu", 2), ("minggu lalu", 7), ("3 minggu lalu", 21), ("10 hr lalu", 10)],
)
def test_date_words(typed: str, days_ago: int) -> None:
    assert parse_date(typed, on=ON) == ON - timedelta(days=days_ago)


def test_a_day_and_month_without_a_year_is_the_nearest_in_the_questions_direction() -> None:
    assert parse_date("15 juli", on=ON) == date(2024, 7, 15)  # a past question
    assert parse_date("15 juli", on=ON, max_future_days=300, future=True) == date(2025, 7, 15)  # HPL
    assert parse_date("15 mei", on=ON, max_future_days=365, future=True) == date(2026, 5, 15)
    assert parse_date("1/6", on=ON) == ON
    assert parse_date("29 feb", on=ON) == date(2024, 2, 29)
    assert error_of(lambda: parse_date("31 juni", on=ON)).code == "date_invalid"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), st.integers(0, 999))
def test_days_ago_round_trips(on: date, days: int) -> None:
    assert parse_date(f"{days} hari lalu", on=on, earliest=date(1900, 1, 1)) == on - timedelta(days=days)


@given(st.dates(min_value=date(2000, 3, 1), max_value=date(2040, 12, 31)), st.integers(0, 364), st.booleans())
def test_a_date_without_its_year_round_trips(on: date, offset: int, future: bool) -> None:
    day = on + timedelta(days=offset) if future else on - timedelta(days=offset)
    if (day.month, day.day) == (2, 29):
        return  # the nearest 29 February may be years away
    typed = f"{day.day} {MONTH_NAMES[day.month]}"
    assert parse_date(typed, on=on, max_future_days=400, future=future) == day


@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("199.9"), places=1),
       st.sampled_from(["± ", "±", "sekitar ", "kurang lebih ", "kira-kira ", "+- ", "~"]))
def test_roughly_a_number_is_the_number(value: Decimal, word: str) -> None:
    typed = f"{word}{format_decimal(float(value))} kg"
    assert parse_decimal(typed, unit="kg") == float(value)


@given(st.integers(140, 199))
def test_an_adults_height_in_metres(cm: int) -> None:
    metres = format_decimal(cm / 100, 2)
    assert parse_decimal(f"{metres} m", unit="cm", min_value=40, max_value=200) == cm
    assert parse_decimal(metres, unit="cm", min_value=40, max_value=200) == cm


@pytest.mark.parametrize(("typed", "word", "value"), [("3 org", "anak", 3), ("3 orang", "anak", 3),
                                                      ("30 butir", "tablet", 30), ("± 30", "tablet", 30),
                                                      ("sekitar 30 tablet", "tablet", 30)])
def test_counts_as_people_write_them(typed: str, word: str, value: int) -> None:
    assert parse_int(typed, words=(word,)) == value


def test_a_height_in_metres_is_refused_where_it_makes_no_sense() -> None:
    assert error_of(lambda: parse_decimal("1,5 m", unit="kg")).code == "unit"
