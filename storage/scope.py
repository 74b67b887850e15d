"""The one place a caller's region scope becomes SQL.

Region codes are hierarchical text (``36.73.04.1007``), so "inside scope" is the
scope itself or anything starting with ``scope + "."``. The prefix is written as a
range — every such code sorts between ``scope + "."`` and ``scope + "/"`` ('/' follows
'.') — because SQLite cannot use an index for a case-insensitive ``LIKE``.

The condition comes with positional (``?``) parameters for queries written that way,
or with named ones (``:area_eq``…) to compose into a query with named parameters
(:func:`within_named`): both are the same condition, never edited as text afterwards.

The nation (:data:`~bot.domain.regions.NATIONAL`, a national deployment's root) holds every
code, and its condition says so without a parameter (``column IS NOT NULL``; region codes are
never NULL): a range would look selective to PostgreSQL's planner, which then chose index
probes per row over a whole-table join (1.0 s against 0.25 s for the nation's TPK members).
"""

from __future__ import annotations

from bot.domain.regions import NATIONAL

_CONDITION = "({column} = {eq} OR ({column} > {low} AND {column} < {high}))"
_EVERYWHERE = "({column} IS NOT NULL)"


def _bounds(scope: str) -> tuple[str, str, str]:
    return scope, scope + ".", scope + "/"


def within(column: str, scope: str) -> tuple[str, tuple[str, ...]]:
    """SQL condition and parameters: ``column`` lies inside ``scope``."""
    if scope == NATIONAL:
        return _EVERYWHERE.format(column=column), ()
    return _CONDITION.format(column=column, eq="?", low="?", high="?"), _bounds(scope)


def within_named(column: str, scope: str, *, name: str = "area") -> tuple[str, dict[str, str]]:
    """The same condition with named parameters ``:<name>_eq``, ``:<name>_low``,
    ``:<name>_high``, for a query whose other parameters are named too (two areas in one
    query take two names)."""
    if scope == NATIONAL:
        return _EVERYWHERE.format(column=column), {}
    keys = (f"{name}_eq", f"{name}_low", f"{name}_high")
    sql = _CONDITION.format(column=column, **{part: f":{key}" for part, key in zip(("eq", "low", "high"), keys,
                                                                                    strict=True)})
    return sql, dict(zip(keys, _bounds(scope), strict=True))
