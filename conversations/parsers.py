"""Indonesian answers as people type them, turned into values.

TPK members type on small phones in a hurry: "11,5", "9,2kg", "12/3/24",
"12 Agt 2024", "0812-3456-7890", "gak". Every parser here either returns the value
or raises ``ParseError`` whose ``message`` is a short, kind Indonesian sentence
saying what is expected, which the form engine shows before asking again. They are
pure: "today" is the ``on`` argument, never the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypeVar

from babel.dates import get_month_names

from bot.domain.anthropometry import format_decimal
from bot.domain.nik import KkInfo, NikInfo, RegionListed, Rejected, parse_kk, parse_nik

__all__ = [
    "ParseError",
    "format_decimal",
    "parse_birth_weight",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_kk_number",
    "parse_nik_number",
    "parse_phone",
    "parse_yes_no",
]

#: Longest digit run accepted before or after the decimal mark; longer is a typo.
_MAX_DIGITS = 7
_EARLIEST_YEAR = 1900


class ParseError(ValueError):
    """An answer that could not be read. ``message`` is for the user (Indonesian),
    ``code`` a stable identifier for logs and tests."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --------------------------------------------------------------------------- numbers

#: Field unit → spellings accepted after the number (compared without spaces,
#: lower case, trailing dot removed). "g%" is how older KIA books write Hb.
_UNIT_SPELLINGS: dict[str, frozenset[str]] = {
    "cm": frozenset({"cm", "senti"}),
    "mm": frozenset({"mm"}),
    "kg": frozenset({"kg", "kilo", "kgs"}),
    "g/dL": frozenset({"g/dl", "gr/dl", "gram/dl", "grdl", "gdl", "g%", "gr%"}),
}
_NUMBER_WITH_UNIT = re.compile(
    r"(?P<int>[0-9]+)(?:[.,](?P<frac>[0-9]+))?\s*(?P<unit>[a-zA-Z%][^0-9]*)?", re.ASCII
)


def _normalise_unit(text: str) -> str:
    return re.sub(r"\s+", "", text.lower()).rstrip(".")


def _split_number(text: str, what: str) -> tuple[str, str | None, str | None]:
    """(integer digits, fraction digits, unit text) or ParseError."""
    match = _NUMBER_WITH_UNIT.fullmatch(text.strip())
    if match is None:
        raise ParseError(f"Tulis angka, misalnya {what}.", "number")
    if len(match["int"]) > _MAX_DIGITS or len(match["frac"] or "") > _MAX_DIGITS:
        raise ParseError(f"Angkanya terlalu panjang. Tulis misalnya {what}.", "number")
    return match["int"], match["frac"], match["unit"]


def _check_range(
    value: float, min_value: float | None, max_value: float | None, unit: str
) -> None:
    suffix = f" {unit}" if unit else ""
    if (min_value is not None and value < min_value) or (
        max_value is not None and value > max_value
    ):
        if min_value is not None and max_value is not None:
            expected = f"antara {format_decimal(min_value, 2)} dan {format_decimal(max_value, 2)}"
        elif min_value is not None:
            expected = f"paling sedikit {format_decimal(min_value, 2)}"
        else:
            expected = f"paling banyak {format_decimal(max_value, 2)}"  # type: ignore[arg-type]
        raise ParseError(f"Angkanya harus {expected}{suffix}. Mohon periksa lagi.", "range")


def parse_decimal(
    text: str,
    *,
    unit: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    example: str = "11,5",
) -> float:
    """A decimal with comma or dot ("11,5", "11.5", "85 cm", "9,2kg").

    A unit after the number is optional but, if typed, must be the field's ``unit``
    (one of "cm", "mm", "kg", "g/dL"). Thousands separators are not expected for
    measurements, so "1.234" reads as 1,234.
    """
    unit_text = f" {unit}" if unit else ""
    what = f"{example}{unit_text}"
    whole, fraction, typed_unit = _split_number(text, what)
    if typed_unit is not None:
        accepted = _UNIT_SPELLINGS.get(unit or "", frozenset())
        if _normalise_unit(typed_unit) not in accepted:
            message = (
                f"Satuannya {unit}. Tulis misalnya {what}."
                if unit
                else f"Tulis angkanya saja, misalnya {example}."
            )
            raise ParseError(message, "unit")
    value = float(f"{whole}.{fraction}" if fraction else whole)
    _check_range(value, min_value, max_value, unit or "")
    return value


def parse_int(
    text: str,
    *,
    words: Iterable[str] = (),
    min_value: int | None = None,
    max_value: int | None = None,
    example: str = "3",
) -> int:
    """A whole number, optionally followed by one of ``words`` ("3 anak")."""
    allowed = {w.lower() for w in words}
    what = f"{example} {next(iter(sorted(allowed)))}" if allowed else example
    whole, fraction, word = _split_number(text, what)
    if fraction is not None:
        raise ParseError(f"Tulis angka bulat, misalnya {what}.", "integer")
    if word is not None and _normalise_unit(word) not in allowed:
        raise ParseError(f"Tulis angka bulat, misalnya {what}.", "integer")
    value = int(whole)
    _check_range(value, min_value, max_value, "")
    return value


_GRAM_SPELLINGS = frozenset({"g", "gr", "gram", "grm", "grams"})
#: A number above this with no unit is grams ("2800"), as the KIA book writes it.
_GRAMS_ABOVE = 100
_THOUSANDS = re.compile(r"(?P<int>[0-9]{1,2})[.,](?P<frac>[0-9]{3})", re.ASCII)


def parse_birth_weight(text: str, *, min_kg: float = 0.5, max_kg: float = 6.0) -> float:
    """A birth weight in kg, typed the way the KIA book writes it: "2800", "2800 gr",
    "2.800 gram", "2,8 kg" and "2,8" are all 2.8 kg. A number above 100 with no unit is
    grams; with grams, "2.800" / "2,800" is two thousand eight hundred (a thousands mark)."""
    what = "2800 gram atau 2,8 kg"
    whole, fraction, typed_unit = _split_number(text, what)
    unit = _normalise_unit(typed_unit) if typed_unit is not None else None
    if unit is not None and unit not in _GRAM_SPELLINGS and unit not in _UNIT_SPELLINGS["kg"]:
        raise ParseError(f"Tulis beratnya dalam gram atau kg, misalnya {what}.", "unit")
    number = f"{whole}.{fraction}" if fraction else whole
    grams_typed = unit in _GRAM_SPELLINGS or (unit is None and float(number) > _GRAMS_ABOVE)
    if grams_typed and fraction is not None and _THOUSANDS.fullmatch(f"{whole}.{fraction}"):
        number = whole + fraction
    value = round(float(number) / 1000, 3) if grams_typed else float(number)
    if not min_kg <= value <= max_kg:
        raise ParseError(f"Berat lahir harus antara {format_decimal(min_kg * 1000, 0)} dan "
                         f"{format_decimal(max_kg * 1000, 0)} gram. Mohon periksa lagi.", "range")
    return value


# ----------------------------------------------------------------------------- dates

def _month_lookup() -> dict[str, int]:
    """Indonesian month names and abbreviations (Babel) plus the spellings people
    still use: Peb/Pebruari, Agt/Ags/Agust, Nop/Nopember, Sept."""
    months: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale="id").items():
            months[name.lower()] = number
    months.update(
        {"peb": 2, "pebruari": 2, "agt": 8, "ags": 8, "agust": 8, "agus": 8,
         "sept": 9, "nop": 11, "nopember": 11}
    )
    return months


MONTHS = _month_lookup()
_MONTH_NAMES = {n: name for n, name in get_month_names("wide", locale="id").items()}

_ISO = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})", re.ASCII)
_NUMERIC = re.compile(
    r"(?P<d>[0-9]{1,2})\s*[-/.]\s*(?P<m>[0-9]{1,2})\s*[-/.]\s*(?P<y>[0-9]{4}|[0-9]{2})", re.ASCII
)
_NAMED = re.compile(
    r"(?P<d>[0-9]{1,2})[\s\-/.]*(?P<name>[a-z]+)\.?[\s\-/.,]*(?P<y>[0-9]{4}|[0-9]{2})",
    re.ASCII,
)
_DATE_HELP = "Tulis tanggal seperti 12-03-2024 atau 12 Maret 2024."


def _date_parts(text: str) -> tuple[int, int, str]:
    """(day, month, year digits as typed) or ParseError."""
    cleaned = " ".join(text.lower().split())
    if match := _ISO.fullmatch(cleaned) or _NUMERIC.fullmatch(cleaned):
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise ParseError(f"Bulan harus 1 sampai 12. {_DATE_HELP}", "date_month")
        return int(match["d"]), month, match["y"]
    if match := _NAMED.fullmatch(cleaned):
        month = MONTHS.get(match["name"])
        if month is None:
            raise ParseError(f"Nama bulan tidak dikenal. {_DATE_HELP}", "date_month")
        return int(match["d"]), month, match["y"]
    raise ParseError(_DATE_HELP, "date")


def parse_date(
    text: str,
    *,
    on: date,
    max_future_days: int = 0,
    earliest: date | None = None,
) -> date:
    """A date as people write it: 12-03-2024, 12/3/24, 12.3.2024, 2024-03-12,
    12 Maret 2024, 12 mar 24, 12 Agt 2024.

    ``max_future_days`` is how far after ``on`` the field allows (0 for a birth
    date, about 300 for an HPL). A two-digit year is put in the latest century that
    keeps the date within that allowance: on 2025-06-01, "12/3/24" is 2024 and
    "12/3/30" is 1930 for a birth date.
    """
    day, month, year_text = _date_parts(text)
    latest = on + timedelta(days=max_future_days)
    year = int(year_text)
    if len(year_text) == 2:
        year += latest.year - latest.year % 100
        if (year, month, day) > (latest.year, latest.month, latest.day):
            year -= 100
    if year < _EARLIEST_YEAR:
        raise ParseError(f"Tahunnya terlalu lama. {_DATE_HELP}", "date_range")
    try:
        value = date(year, month, day)
    except ValueError:
        raise ParseError(
            f"Tanggal {day} {_MONTH_NAMES[month]} {year} tidak ada. Mohon periksa lagi.",
            "date_invalid",
        ) from None
    if value > latest:
        message = (
            "Tanggal ini masih di masa depan. Mohon periksa lagi."
            if max_future_days == 0
            else "Tanggal ini terlalu jauh ke depan. Mohon periksa lagi."
        )
        raise ParseError(message, "date_range")
    if earliest is not None and value < earliest:
        raise ParseError("Tanggal ini terlalu lama. Mohon periksa lagi.", "date_range")
    return value


# ----------------------------------------------------------------------------- phone

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]+")
_MOBILE = re.compile(r"8[1-9][0-9]{7,10}", re.ASCII)
_LANDLINE = re.compile(r"[2-7][0-9]{6,10}", re.ASCII)
_PHONE_HELP = "Tulis nomor HP, misalnya 0812-3456-7890."


def parse_phone(text: str) -> str:
    """An Indonesian mobile number in any common spelling → E.164 "+628…".

    Accepts 0812-3456-7890, +62 812 3456 7890, 62812…, 0062812…, 812… and the
    common slip "+62 0812…". Mobile numbers have 10-13 digits with the leading 0
    (9-12 after it). Landlines are refused: the number is for reaching the mother
    by SMS/WhatsApp and Telegram, which need a mobile number.
    """
    compact = _PHONE_SEPARATORS.sub("", text.strip())
    for prefix in ("+62", "0062", "62", "0"):
        if compact.startswith(prefix):
            compact = compact[len(prefix):]
            break
    else:
        if compact.startswith("+"):
            raise ParseError(f"Nomor harus nomor Indonesia (+62). {_PHONE_HELP}", "phone")
    if compact.startswith("0"):
        compact = compact[1:]
    if _MOBILE.fullmatch(compact):
        return f"+62{compact}"
    if _LANDLINE.fullmatch(compact):
        raise ParseError(f"Ini seperti nomor telepon rumah/kantor. {_PHONE_HELP}", "phone")
    raise ParseError(_PHONE_HELP, "phone")


# ---------------------------------------------------------------------------- yes/no

_YES = frozenset({"ya", "y", "iya", "iy", "yes", "yup", "ok", "oke", "benar", "betul",
                  "sudah", "udah", "sdh", "ada"})
_NO = frozenset({"tidak", "tdk", "tak", "gak", "ga", "gk", "g", "nggak", "ngga", "nggk",
                 "enggak", "engga", "t", "n", "no", "bukan", "belum", "blm",
                 "tidak ada", "tdk ada", "gak ada", "ga ada", "nggak ada", "belum ada"})


def parse_yes_no(text: str) -> bool:
    """"ya", "iya", "y", "sudah" → True; "tidak", "tdk", "nggak", "gak", "t", "n",
    "belum" → False. Case, punctuation and stretched letters ("iyaaa") are ignored."""
    cleaned = " ".join(text.lower().split()).strip(".!?,")
    cleaned = re.sub(r"(\w)\1+$", r"\1", cleaned)
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    raise ParseError("Jawab ya atau tidak.", "yes_no")


# ------------------------------------------------------------------------ NIK and KK

_T = TypeVar("_T", NikInfo, KkInfo)


def _accepted(result: _T | Rejected) -> _T:
    if isinstance(result, Rejected):
        raise ParseError(result.reason, f"nik_{result.code}")
    return result


def parse_nik_number(text: str, *, on: date, region_listed: RegionListed) -> NikInfo:
    """A typed NIK, decoded (see ``bot.domain.nik``); ParseError with the reason."""
    return _accepted(parse_nik(text, on=on, region_listed=region_listed))


def parse_kk_number(text: str, *, region_listed: RegionListed) -> KkInfo:
    """A typed Nomor Kartu Keluarga; ParseError with the reason."""
    return _accepted(parse_kk(text, region_listed=region_listed))
