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


#: "± 30", "sekitar 30", "kurang lebih 30", "kira-kira 30", "kl. 30", "~30" are 30: people round,
#: and the field takes the number they give.
_ROUGHLY = re.compile(
    r"^(?:±|\+/?-|~|(?:sekitar|kurang\s*lebih|lebih\s*kurang|kira[\s-]*kira|kira2|kurleb|kl|kr)\b\.?)\s*",
    re.IGNORECASE,
)


def strip_roughly(text: str) -> str:
    """The number part of an approximate answer ("± 30" → "30"); other text unchanged."""
    return _ROUGHLY.sub("", text.strip(), count=1)


def _split_number(text: str, what: str) -> tuple[str, str | None, str | None]:
    """(integer digits, fraction digits, unit text) or ParseError."""
    match = _NUMBER_WITH_UNIT.fullmatch(strip_roughly(text))
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
    if unit == "cm" and (metres := _metres(whole, fraction, typed_unit, min_value)) is not None:
        _check_range(metres, min_value, max_value, unit)
        return metres
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


_METRE_SPELLINGS = frozenset({"m", "meter", "mtr", "metre"})


def _metres(whole: str, fraction: str | None, typed_unit: str | None, min_value: float | None) -> float | None:
    """An adult's height written in metres ("1,52 m", "1.52 meter", or a bare "1,52" where
    centimetres start far above 3) → centimetres; None when the answer is not in metres."""
    value = float(f"{whole}.{fraction}" if fraction else whole)
    if typed_unit is not None:
        return round(value * 100, 1) if _normalise_unit(typed_unit) in _METRE_SPELLINGS else None
    if fraction is not None and value < 3 and (min_value or 0) >= 10:
        return round(value * 100, 1)
    return None


#: Words people put after a count, by the field's own word: "3 org" and "3 orang" are 3 anak.
_COUNT_WORDS: dict[str, frozenset[str]] = {
    "anak": frozenset({"anak", "ank", "orang", "org"}),
    "tablet": frozenset({"tablet", "tab", "tbl", "butir", "btr", "biji"}),
    "bulan": frozenset({"bulan", "bln"}),
    "minggu": frozenset({"minggu", "mgg"}),
}


def parse_int(
    text: str,
    *,
    words: Iterable[str] = (),
    min_value: int | None = None,
    max_value: int | None = None,
    example: str = "3",
) -> int:
    """A whole number, optionally followed by one of ``words`` ("3 anak")."""
    named = sorted(w.lower() for w in words)
    what = f"{example} {named[0]}" if named else example
    allowed = {spelling for w in named for spelling in _COUNT_WORDS.get(w, frozenset({w}))}
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
MONTH_NAMES = {n: name for n, name in get_month_names("wide", locale="id").items()}

_ISO = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})", re.ASCII)
_NUMERIC = re.compile(
    r"(?P<d>[0-9]{1,2})\s*[-/.]\s*(?P<m>[0-9]{1,2})\s*[-/.]\s*(?P<y>[0-9]{4}|[0-9]{2})", re.ASCII
)
_NAMED = re.compile(
    r"(?P<d>[0-9]{1,2})[\s\-/.]*(?P<name>[a-z]+)\.?[\s\-/.,]*(?P<y>[0-9]{4}|[0-9]{2})",
    re.ASCII,
)
_NO_YEAR = re.compile(
    r"(?P<d>[0-9]{1,2})(?:[\s\-/.]*(?P<name>[a-z]+)\.?|\s*[-/.]\s*(?P<m>[0-9]{1,2}))", re.ASCII
)
_DATE_HELP = "Tulis tanggal seperti 12-03-2024 atau 12 Maret 2024."

#: Days before today, as people say them ("kemarin", "2 hari lalu", "minggu lalu").
_TODAY_WORDS = {"hari ini": 0, "hr ini": 0, "sekarang": 0, "skrg": 0, "skrang": 0, "tadi": 0,
                "kemarin": 1, "kemaren": 1, "kmrn": 1, "kmarin": 1, "kemarin lusa": 2,
                "minggu lalu": 7, "seminggu lalu": 7, "seminggu yang lalu": 7, "minggu kemarin": 7,
                "besok": -1, "bsk": -1, "lusa": -2}
_AGO = re.compile(r"(?P<n>[0-9]{1,3})\s*(?P<unit>hari|hr|minggu|mgg)\s*(?:yang\s*|yg\s*)?lalu", re.ASCII)
_AGO_DAYS = {"hari": 1, "hr": 1, "minggu": 7, "mgg": 7}


def _relative_day(cleaned: str, on: date) -> date | None:
    """"hari ini", "kemarin", "3 hari lalu", "2 minggu yang lalu", "besok" → the date; else None."""
    phrase = cleaned.strip(".!")
    if phrase in _TODAY_WORDS:
        return on - timedelta(days=_TODAY_WORDS[phrase])
    if match := _AGO.fullmatch(phrase):
        return on - timedelta(days=int(match["n"]) * _AGO_DAYS[match["unit"]])
    return None


def _without_year(cleaned: str, on: date, future: bool) -> date | None:
    """"15 juli" or "15/7": the nearest such date on or before ``on`` (a past question),
    or on or after it (a future question: HPL, wedding); None when the text is not that."""
    match = _NO_YEAR.fullmatch(cleaned)
    if match is None:
        return None
    month = MONTHS.get(match["name"]) if match["name"] else int(match["m"])
    if month is None:
        raise ParseError(f"Nama bulan tidak dikenal. {_DATE_HELP}", "date_month")
    if not 1 <= month <= 12:
        raise ParseError(f"Bulan harus 1 sampai 12. {_DATE_HELP}", "date_month")
    day = int(match["d"])
    step = 1 if future else -1
    for year in (on.year, on.year + step, on.year + 2 * step, on.year + 3 * step, on.year + 4 * step):
        try:
            value = date(year, month, day)
        except ValueError:
            continue  # 29 Februari outside a leap year: the next leap year
        if (value >= on) if future else (value <= on):
            return value
    raise ParseError(f"Tanggal {day} {MONTH_NAMES[month]} tidak ada. Mohon periksa lagi.", "date_invalid")


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
    future: bool = False,
) -> date:
    """A date as people write it: 12-03-2024, 12/3/24, 12.3.2024, 2024-03-12,
    12 Maret 2024, 12 mar 24, 12 Agt 2024.

    ``max_future_days`` is how far after ``on`` the field allows (0 for a birth
    date, about 300 for an HPL). A two-digit year is put in the latest century that
    keeps the date within that allowance: on 2025-06-01, "12/3/24" is 2024 and
    "12/3/30" is 1930 for a birth date.

    Also "hari ini", "kemarin", "2 hari lalu", "minggu lalu", and a day and month without
    a year ("15 juli", "15/7"): the nearest past date, or the nearest future one when
    ``future`` (a question about what is coming: HPL, wedding).
    """
    cleaned = " ".join(text.lower().split())
    relative = _relative_day(cleaned, on) or _without_year(cleaned, on, future)
    if relative is not None:
        return _within(relative, on, max_future_days, earliest)
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
            f"Tanggal {day} {MONTH_NAMES[month]} {year} tidak ada. Mohon periksa lagi.",
            "date_invalid",
        ) from None
    return _within(value, on, max_future_days, earliest)


def _within(value: date, on: date, max_future_days: int, earliest: date | None) -> date:
    latest = on + timedelta(days=max_future_days)
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
