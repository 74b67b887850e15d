"""Kemendagri region codes and the region tree a deployment serves.

Codes are dotted: ``PP`` province, ``PP.KK`` kabupaten (01–69) or kota (71–99),
``PP.KK.CC`` kecamatan, ``PP.KK.CC.DDDD`` desa (block starts with 2) or kelurahan
(starts with 1). Names repeat across kecamatan, so everything is matched by code and
names are disambiguated with their kecamatan when shown.

Above the 38 provinces is the nation, :data:`NATIONAL`, the root of a national deployment.
Kemendagri gives it no code; "ID" (ISO 3166) is not digits, so it can be mistaken neither for
a region nor for the start of a NIK.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum

_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
PATH_SEPARATOR = " › "
#: The nation: the parent of every province.
NATIONAL = "ID"


class Level(IntEnum):
    NASIONAL = 0
    PROVINSI = 1
    KABKOTA = 2
    KECAMATAN = 3
    DESAKEL = 4


def is_valid_code(code: str) -> bool:
    return code == NATIONAL or bool(_CODE.match(code))


def level_of(code: str) -> Level:
    if code == NATIONAL:
        return Level.NASIONAL
    if not is_valid_code(code):
        raise ValueError(f"bukan kode wilayah: {code!r}")
    return Level(code.count(".") + 1)


def parent_of(code: str) -> str | None:
    """The code one level up: a province's is the nation, the nation has none."""
    if code == NATIONAL:
        return None
    return code.rsplit(".", 1)[0] if "." in code else NATIONAL


def contains(scope: str, code: str) -> bool:
    """True when ``code`` is ``scope`` itself or lies inside it."""
    return code == scope or code.startswith(scope + ".") or (scope == NATIONAL and is_valid_code(code))


def kind_label(code: str) -> str:
    """Indonesian administrative kind of a code: Provinsi, Kota, Kabupaten, Kecamatan, ..."""
    level = level_of(code)
    if level is Level.NASIONAL:
        return "Nasional"
    if level is Level.PROVINSI:
        return "Provinsi"
    if level is Level.KABKOTA:
        return "Kota" if int(code[3:5]) >= 71 else "Kabupaten"
    if level is Level.KECAMATAN:
        return "Kecamatan"
    return "Kelurahan" if code[9] == "1" else "Desa"


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for name search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@dataclass(frozen=True)
class Region:
    code: str
    name: str

    @property
    def level(self) -> Level:
        return level_of(self.code)

    @property
    def parent_code(self) -> str | None:
        return parent_of(self.code)

    @property
    def kind(self) -> str:
        return kind_label(self.code)


@dataclass
class RegionTree:
    """The subtree under the deployment root, held in memory (at most ~92k rows for all
    of Indonesia, 74 for Kota Serang), so drill-down and search need no query."""

    root: Region
    _by_code: dict[str, Region] = field(default_factory=dict)
    _children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, root_code: str, regions: Iterable[Region]) -> RegionTree:
        by_code = {r.code: r for r in regions if contains(root_code, r.code)}
        if root_code not in by_code:
            raise KeyError(root_code)
        tree = cls(root=by_code[root_code], _by_code=by_code)
        for code in sorted(by_code):
            parent = parent_of(code)
            if code != root_code and parent is not None:
                tree._children.setdefault(parent, []).append(code)
        return tree

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Region:
        return self._by_code[code]

    def children(self, code: str) -> list[Region]:
        return [self._by_code[c] for c in self._children.get(code, [])]

    def parent(self, code: str) -> Region | None:
        if code == self.root.code:
            return None
        parent = parent_of(code)
        return self._by_code.get(parent) if parent else None

    def path(self, code: str) -> list[Region]:
        """Regions from the root down to ``code`` (inclusive)."""
        chain: list[Region] = []
        current: str | None = code
        while current is not None and current in self._by_code:
            chain.append(self._by_code[current])
            if current == self.root.code:
                break
            current = parent_of(current)
        return list(reversed(chain))

    def path_label(self, code: str) -> str:
        """E.g. "Kota Serang › Curug › Sukawana"."""
        return PATH_SEPARATOR.join(r.name for r in self.path(code))

    def label(self, code: str) -> str:
        """Kind and name, e.g. "Kel. Sukawana" / "Kec. Curug" / "Kota Serang"."""
        region = self._by_code[code]
        short = {"Kelurahan": "Kel.", "Desa": "Desa", "Kecamatan": "Kec."}.get(region.kind)
        return f"{short} {region.name}" if short else region.name

    def descendants_at(self, code: str, level: Level) -> list[Region]:
        """All regions of ``level`` inside ``code`` (itself if it is of that level), in code
        order. Walked down the children, so a desa's cost nothing and the nation's cost its
        83,000 desa, not a scan of the whole tree (130 ms per call nationally)."""
        if code not in self._by_code or level < level_of(code):
            return []
        frontier = [code]
        for _ in range(int(level) - int(level_of(code))):
            frontier = [child for parent in frontier for child in self._children.get(parent, ())]
        return [self._by_code[c] for c in frontier]

    def codes_at(self, code: str, level: Level) -> tuple[str, ...]:
        """The codes of :meth:`descendants_at`, kept once listed: every national /rekap lists
        the 83,000 desa (12 ms a time)."""
        known = self._codes_at.get((code, level))
        if known is None:
            known = self._codes_at[(code, level)] = tuple(r.code for r in self.descendants_at(code, level))
        return known

    @functools.cached_property
    def _codes_at(self) -> dict[tuple[str, Level], tuple[str, ...]]:
        return {}

    def search(self, query: str, *, within: str | None = None, limit: int = 10) -> list[Region]:
        """Regions whose name contains ``query`` (case/accent-insensitive), exact names
        first. Duplicated names are told apart by :meth:`disambiguated_name`."""
        needle = _fold(query)
        if not needle:
            return []
        scope = within or self.root.code
        folded = self._folded
        hits = [r for r in self._by_code.values() if contains(scope, r.code) and needle in folded[r.code]]
        hits.sort(key=lambda r: (folded[r.code] != needle, r.level, r.name, r.code))
        return hits[:limit]

    def closest(self, query: str, *, within: str, level: Level, limit: int = 4) -> list[Region]:
        """Regions of ``level`` inside ``within`` whose names are nearest a misspelt ``query``
        ("sukawna" → Sukawana), best first, for buttons instead of "not found"."""
        needle = _fold(query)
        if not needle:
            return []
        candidates = self.descendants_at(within, level)
        names = {self._folded[r.code] for r in candidates}
        near = difflib.get_close_matches(needle, names, n=limit, cutoff=0.6)
        rank = {name: i for i, name in enumerate(near)}
        hits = [r for r in candidates if self._folded[r.code] in rank]
        hits.sort(key=lambda r: (rank[self._folded[r.code]], r.name, r.code))
        return hits[:limit]

    @functools.cached_property
    def _folded(self) -> dict[str, str]:
        """Each region's name folded for comparison, once per tree rather than once per
        search (folding is most of a search's cost: 10 ms in the largest province)."""
        return {code: _fold(r.name) for code, r in self._by_code.items()}

    @functools.cached_property
    def _name_counts(self) -> Counter[tuple[Level, str]]:
        """How many regions of each level share each name: counted once, so naming every
        desa of a province in a /rekap stays linear (a scan per name was quadratic)."""
        return Counter((r.level, self._folded[r.code]) for r in self._by_code.values())

    def disambiguated_name(self, code: str) -> str:
        """Name plus its parent when another region of the same level shares the name,
        e.g. "Sukawana (Kec. Curug)". Kept once made: a national /rekap names its 83,000 desa
        (0.5 s the first time, a lookup each after)."""
        known = self._disambiguated.get(code)
        if known is None:
            region = self._by_code[code]
            parent = self.parent(code)
            known = region.name
            if self._name_counts[(region.level, self._folded[code])] > 1 and parent is not None:
                known = f"{region.name} ({self.label(parent.code)})"
            self._disambiguated[code] = known
        return known

    @functools.cached_property
    def _disambiguated(self) -> dict[str, str]:
        return {}
