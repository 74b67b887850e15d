"""The one place a caller's region scope becomes SQL.

Region codes are hierarchical text (``36.73.04.1007``), so "inside scope" is the
scope itself or anything starting with ``scope + "."``. The prefix is written as a
range — every such code sorts between ``scope + "."`` and ``scope + "/"`` ('/' follows
'.') — because SQLite cannot use an index for a case-insensitive ``LIKE``.
"""

from __future__ import annotations


def within(column: str, scope: str) -> tuple[str, tuple[str, str, str]]:
    """SQL condition and parameters: ``column`` lies inside ``scope``."""
    return f"({column} = ? OR ({column} > ? AND {column} < ?))", (scope, scope + ".", scope + "/")
