"""One table of examples per field: what "misalnya …" says in a question's error message, fitting
its subject (an adult's height is "152", not a toddler's "85,5"). Keyed by field key and the
record's category; a field without an entry keeps its own ``example``."""

from __future__ import annotations

from typing import Any

_ADULTS = ("catin", "ibu_hamil", "ibu_nifas")

EXAMPLES: dict[tuple[str, str], str] = {
    **{("tinggi", kind): "152" for kind in _ADULTS},
    ("tinggi", "baduta"): "68,5",
    ("tinggi", "balita"): "92",
    **{("berat", kind): "52,5" for kind in _ADULTS},
    ("berat", "baduta"): "8,2",
    ("berat", "balita"): "13,5",
}


def example_for(key: str, answers: dict[str, Any], default: str) -> str:
    return EXAMPLES.get((key, str(answers.get("kategori"))), default)
