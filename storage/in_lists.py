"""Long id lists in ``IN (…)`` clauses, a statement at a time.

Both engines take far longer lists (SQLite 32,766 parameters, PostgreSQL 65,535); chunks keep
each statement small and its plan cheap, and one place says how big they are.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Values per ``IN (…)`` list.
SIZE = 500


def in_lists(values: Iterable[T], size: int = SIZE) -> Iterator[tuple[str, list[T]]]:
    """The values in chunks, each with its placeholders (``"?,?,?"``) for ``IN ({})``."""
    it = iter(values)
    while chunk := list(itertools.islice(it, size)):
        yield ",".join("?" * len(chunk)), chunk
