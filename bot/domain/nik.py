"""NIK (Nomor Induk Kependudukan) and No. KK: validation, decoding and masking.

A NIK carries facts we can check against what the member typed: the first six
digits are the kecamatan of registration (PP.KK.CC), digits 7-12 the birth date
DDMMYY with 40 added to the day for women, and the last four a serial that is never
0000. Decoding it catches typing errors early and lets the form ask "NIK ini
menunjukkan perempuan, lahir 12 Maret 1995 - benar?" instead of storing a wrong
identity. Whether a province or kecamatan code is listed is asked through a
predicate so this module stays pure (the region list lives in storage).

A NIK keeps the kecamatan of its first registration for life, and the official list
only has today's regions: after a split (pemekaran: Papua's new provinces in 2022,
Kalimantan Utara in 2012, new kabupaten every few years) millions of valid NIKs carry
a code the list no longer has. So only an unknown *province* (or a 00 block) is a
typing error; an unlisted kecamatan is reported (``listed=False``) for the form to ask
about, never refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from babel.dates import format_date

from bot.domain.age import age_in_years

Sex = Literal["L", "P"]
#: Whether a code is in the official region list: a province ("36") or a kecamatan ("36.73.01").
RegionListed = Callable[[str], bool]

NIK_LENGTH = 16
#: People older than this are taken as a wrong century rather than a real age.
MAX_AGE_YEARS = 100
_WOMAN_DAY_OFFSET = 40
#: Digits a mask shows: the province and kabupaten/kota code, nothing a person is told apart by.
MASK_SHOWN = 4
_SEPARATORS = re.compile(r"[\s.]+")
_DIGITS = re.compile(r"[0-9]+")

_SEX_LABEL = {"L": "laki-laki", "P": "perempuan"}


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says about its holder."""

    nik: str
    kecamatan_code: str  # "36.73.01"
    sex: Sex
    birth_date: date
    serial: str
    listed: bool = True  # the kecamatan is in today's region list (see the module docstring)

    @property
    def province_code(self) -> str:
        return self.kecamatan_code[:2]

    @property
    def kabupaten_code(self) -> str:
        return self.kecamatan_code[:5]

    @property
    def masked(self) -> str:
        return mask_nik(self.nik)


@dataclass(frozen=True)
class KkInfo:
    """A valid Nomor Kartu Keluarga and the kecamatan that issued it."""

    number: str
    kecamatan_code: str
    listed: bool = True  # the kecamatan is in today's region list

    @property
    def masked(self) -> str:
        return mask_nik(self.number)


@dataclass(frozen=True)
class Rejected:
    """Why a number was not accepted: a stable ``code`` and a kind Indonesian ``reason``."""

    code: Literal["format", "length", "region", "birth_date", "serial"]
    reason: str


def clean_number(text: str) -> str:
    """Drop the spaces and dots people type between digit groups."""
    return _SEPARATORS.sub("", text.strip())


def kecamatan_code_of(digits: str) -> str:
    """"367301..." → "36.73.01"."""
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"


def _check_digits(text: str, label: str) -> str | Rejected:
    digits = clean_number(text)
    if not _DIGITS.fullmatch(digits):
        return Rejected("format", f"{label} hanya berisi angka, 16 digit.")
    if len(digits) != NIK_LENGTH:
        return Rejected(
            "length", f"{label} harus 16 angka; yang tertulis {len(digits)} angka."
        )
    return digits


def _check_region(digits: str, label: str, region_listed: RegionListed) -> Rejected | None:
    code = kecamatan_code_of(digits)
    if "00" in (digits[0:2], digits[2:4], digits[4:6]) or not region_listed(digits[0:2]):
        return Rejected(
            "region",
            f"Kode wilayah di awal {label} ({code}) tidak dikenal. Periksa 6 angka pertama.",
        )
    return None


def unlisted_region_notice(code: str, label: str) -> str:
    """What the form says about a number whose kecamatan is not in today's list."""
    return (f"Kode wilayah {label} ini ({code}) tidak ada di daftar wilayah sekarang. Bisa jadi {label} lama dari "
            f"sebelum pemekaran wilayah. Periksa 6 angka pertama; bila sudah sama dengan KTP/KK, lanjutkan.")


def _birth_date(day: int, month: int, yy: int, on: date) -> date | None:
    """The most recent valid date with these digits that is not after ``on`` and
    gives an age of at most 100 years."""
    century = on.year - on.year % 100
    for year in (century + yy, century + yy - 100):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= on and age_in_years(candidate, on) <= MAX_AGE_YEARS:
            return candidate
    return None


def parse_nik(text: str, *, on: date, region_listed: RegionListed) -> NikInfo | Rejected:
    """Validate a typed NIK and decode it, or say in Indonesian what is wrong."""
    digits = _check_digits(text, "NIK")
    if isinstance(digits, Rejected):
        return digits
    region_problem = _check_region(digits, "NIK", region_listed)
    if region_problem:
        return region_problem
    day_code, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex: Sex = "P" if day_code > _WOMAN_DAY_OFFSET else "L"
    day = day_code - _WOMAN_DAY_OFFSET if sex == "P" else day_code
    birth = _birth_date(day, month, yy, on) if 1 <= day <= 31 and 1 <= month <= 12 else None
    if birth is None:
        return Rejected(
            "birth_date",
            "Angka ke-7 sampai ke-12 NIK adalah tanggal lahir, tetapi di sini bukan tanggal "
            "yang mungkin. Periksa lagi NIK-nya.",
        )
    if digits[12:] == "0000":
        return Rejected("serial", "Empat angka terakhir NIK tidak boleh 0000.")
    return NikInfo(
        nik=digits,
        kecamatan_code=kecamatan_code_of(digits),
        sex=sex,
        birth_date=birth,
        serial=digits[12:],
        listed=region_listed(kecamatan_code_of(digits)),
    )


def parse_kk(text: str, *, region_listed: RegionListed) -> KkInfo | Rejected:
    """Validate a typed Nomor Kartu Keluarga (16 digits, known province)."""
    digits = _check_digits(text, "Nomor KK")
    if isinstance(digits, Rejected):
        return digits
    region_problem = _check_region(digits, "Nomor KK", region_listed)
    if region_problem:
        return region_problem
    code = kecamatan_code_of(digits)
    return KkInfo(number=digits, kecamatan_code=code, listed=region_listed(code))


def mask_nik(number: str) -> str:
    """Show only the province and kabupaten/kota of a NIK or No. KK: "3673012345670001" →
    "3673************".

    Why so little: what is stored in plain text already gives most of a NIK away — the
    birth date and sex (digits 7-12) and the kecamatan (digits 5-6, usually the one of the
    stored region). The 4-digit serial is the only part that cannot be derived, so a mask
    that shows any of it (the old "3673********0001" showed all of it) lets anyone with
    the database rebuild the whole number. With digits 5-16 hidden, a NIK is one of at
    least 2 kecamatan (the fewest any kabupaten/kota has) × 9,999 serials = 19,998
    candidates, or 9,999 for someone who also assumes the kecamatan of the stored region
    (README, "Keamanan dan data pribadi"). A No. KK hides its kecamatan, issue date and
    serial the same way.

    Anything that is not a clean 16-digit number shows no digit at all.
    """
    digits = clean_number(number)
    if len(digits) == NIK_LENGTH and digits.isdigit():
        return digits[:MASK_SHOWN] + "*" * (NIK_LENGTH - MASK_SHOWN)
    return "*" * len(digits)


#: A phone number shows "+62" and the operator's prefix ("812": Telkomsel) and nothing of
#: the subscriber's own digits.
PHONE_SHOWN = len("+62812")


def mask_phone(number: str) -> str:
    """A mobile number as the review screen and cards show it: "+6281234567890" →
    "+62812********".

    The same rule as :func:`mask_nik`: show only the part shared by millions (the country
    code and the operator prefix), hide every digit that tells one person from another.
    The old "+62812•••890" showed the subscriber's last three digits as well, leaving only
    a few digits to guess. Anything that is not a "+62…" number of the usual length shows
    no digit at all.
    """
    compact = number.strip()
    if compact.startswith("+62") and compact[1:].isdigit() and 12 <= len(compact) <= 15:
        return compact[:PHONE_SHOWN] + "*" * (len(compact) - PHONE_SHOWN)
    return "*" * len(clean_number(compact))


def _tanggal(value: date) -> str:
    return format_date(value, "d MMMM y", locale="id")


def nik_conflicts(
    info: NikInfo, birth_date: date | None = None, sex: Sex | None = None
) -> list[str]:
    """Differences between what the NIK says and what was typed, in Indonesian,
    for the "mohon dicek" step. An empty list means they agree."""
    conflicts: list[str] = []
    if birth_date is not None and birth_date != info.birth_date:
        conflicts.append(
            f"Tanggal lahir di NIK {_tanggal(info.birth_date)}, "
            f"tetapi yang diisi {_tanggal(birth_date)}."
        )
    if sex is not None and sex != info.sex:
        conflicts.append(
            f"NIK ini milik {_SEX_LABEL[info.sex]}, "
            f"tetapi jenis kelamin yang diisi {_SEX_LABEL[sex]}."
        )
    return conflicts
