"""Whether whoever opened a mother's link is her (issue 15 §11).

Anyone who scans the QR code could become "her", so before her account is linked she
confirms two things her record holds: the first letter of her name and her birth date.
Neither is shown to her first. Letters compare without case or accents ("é" is "e").
"""

from __future__ import annotations

import unicodedata
from datetime import date

#: Wrong answers after which the link is spent and her TPK member told.
TRIES = 3


def initial_of(text: str) -> str | None:
    """The first letter of ``text``, without case or accents; None when there is none."""
    for char in unicodedata.normalize("NFKD", text or ""):
        if char.isalpha():
            return char.casefold()
    return None


def confirms(typed_initial: str, typed_birth: date, name: str, birth_date: date) -> bool:
    theirs = initial_of(name)
    return theirs is not None and initial_of(typed_initial) == theirs and typed_birth == birth_date
