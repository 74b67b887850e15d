"""Header recognition: which column of ours a file's header names.

People write the same header many ways ("No. KK", "NO_KK", "Nomor  Kartu Keluarga",
"Tgl. Lahir", "TANGGAL LAHIR"): headers are compared after folding case, accents,
punctuation and spacing, and after replacing the usual Indonesian abbreviations
(tgl, no, jml, …) by the full word. A header nobody recognises is asked about with
buttons; the answer is remembered per header signature (:func:`signature`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

from bot.impor.columns import COLUMNS

#: Abbreviation -> the word it stands for (applied token by token, both sides).
_WORDS = {
    "tgl": "tanggal", "tg": "tanggal", "no": "nomor", "nmr": "nomor", "jml": "jumlah", "jmlh": "jumlah",
    "kel": "kelurahan", "ds": "desa", "kec": "kecamatan", "kab": "kabupaten", "nm": "nama", "thn": "tahun",
    "telp": "telepon", "tlp": "telepon", "wil": "wilayah",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=4096)
def normalise(header: object) -> str:
    """A header folded for comparison: "No. KK" and "nomor_kk" both give "nomor kk"."""
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode("ascii")
    tokens = _NOT_WORD.sub(" ", text.casefold()).split()
    return " ".join(_WORDS.get(t, t) for t in tokens)


def _known() -> dict[str, str]:
    found: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, column.key, *column.aliases):
            found.setdefault(normalise(name), column.key)
    return found


KNOWN: dict[str, str] = _known()


def recognise(header: object) -> str | None:
    """Our column key for a file's header, or None when it is not one we know."""
    return KNOWN.get(normalise(header))


def signature(headers: Sequence[object]) -> str:
    """A stable id of a header row, for remembering how it was mapped."""
    joined = "\x1f".join(normalise(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def auto_mapping(headers: Sequence[object]) -> tuple[dict[int, str], list[int]]:
    """Column index -> key for every recognised header (the first of two headers naming
    the same column wins), and the indexes of non-empty headers left to ask about."""
    mapping: dict[int, str] = {}
    unknown: list[int] = []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        if not normalise(header):
            continue
        key = recognise(header)
        if key is None or key in taken:
            unknown.append(index)
            continue
        mapping[index] = key
        taken.add(key)
    return mapping, unknown
