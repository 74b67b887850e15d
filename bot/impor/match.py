"""Which stored record a file's row is: by NIK (keyed hash), else No. KK + name, else
name + birth date + desa — the rule that matched is shown per row in the preview.

The records a chunk may match are fetched once per chunk in a few batched queries
(:func:`Matcher.lookups`); what the same file creates is remembered too, so a member
row finds the family row above it, and a row seen before in the file is a duplicate.
Those digests (one or two per row) are kept on disk (:class:`storage.scratch.DigestSets`),
asked about once per chunk, so memory stays bounded by the chunk whatever the file's size:
as Python sets of ints they grew by ~70 bytes a row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from bot.impor.rows import ParsedRow
from storage import impor as store
from storage.crypto import IdentityCipher
from storage.scratch import DigestSets

RULE_NIK, RULE_KK_NAME, RULE_PERSON = "NIK", "No. KK + nama", "nama + tanggal lahir + desa"
RULE_KK, RULE_HEAD, RULE_FILE = "No. KK", "nama kepala + desa", "keluarga baru di file ini"


def digest(*parts: object) -> int:
    """64 bits of the parts, case-blind; signed, so SQLite's INTEGER holds it (:class:`DigestSets`)."""
    text = "\x1f".join("" if p is None else str(p).casefold() for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def family_digest(row: ParsedRow) -> int:
    family = row.family
    assert family is not None
    if family.get("no_kk"):
        return digest("k", family["no_kk"])
    return digest("k", family.get("kepala"), row.region_code)


def person_digests(nik_hash: str | None, answers: dict[str, Any], region_code: str | None) -> list[int]:
    """How a measurement row may name a sasaran the same file creates."""
    found = [digest("p", answers.get("nama"), answers.get("lahir"), region_code)]
    if nik_hash:
        found.append(digest("n", nik_hash))
    return found


def record_key(row: ParsedRow) -> int:
    """The identity of the record a row describes: a second row with it is a duplicate."""
    if row.member is not None:
        m = row.member
        nik = m.get("nik") or m.get("nik_anak")
        return digest("s", nik) if nik and nik != "-" else digest("s", m.get("nama"), m.get("lahir"),
                                                                   row.region_code)
    if row.measure is not None and row.family is None:
        m = row.measure
        return digest("m", m.get("nik") or (m.get("nama"), m.get("lahir"), row.region_code), m.get("tanggal_ukur"))
    assert row.family is not None
    return family_digest(row)


@dataclass
class Lookups:
    """Lookups made once per chunk, and what this chunk created (not yet visible to them)."""

    sasaran_by_nik: dict[str, Any]
    keluarga_by_kk: dict[str, Any]
    heads: dict[tuple[str, str], Any] = field(default_factory=dict)
    persons: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    in_family: dict[tuple[int, str], Any] = field(default_factory=dict)
    measured: dict[tuple[int, str], list[Any]] = field(default_factory=dict)
    new_families: dict[int, int] = field(default_factory=dict)  # family digest -> keluarga id
    new_members: dict[str, int] = field(default_factory=dict)  # nik hash -> sasaran id


#: The kinds of digest a walk remembers (:class:`DigestSets` kinds).
SEEN, FILE_FAMILIES, FILE_MEMBERS = 0, 1, 2


class Matcher:
    """Matching for one walk over a file (the preview's or the write's); :meth:`close` it.

    The file's digests of the chunks before are on disk; those of the current chunk are in
    ``_new`` until the next chunk's :meth:`lookups` writes them, and ``_known`` holds which
    of the keys the current chunk asks about an earlier chunk had (one query per kind)."""

    def __init__(self, cipher: IdentityCipher) -> None:
        self.cipher = cipher
        # SEEN: records named so far; preview: FILE_FAMILIES / FILE_MEMBERS this file will create
        self._digests = DigestSets()
        self._new: dict[int, set[int]] = {SEEN: set(), FILE_FAMILIES: set(), FILE_MEMBERS: set()}
        self._known: dict[int, set[int]] = {kind: set() for kind in self._new}
        self._asked: dict[int, set[int]] = {kind: set() for kind in self._new}

    def close(self) -> None:
        self._digests.close()

    def _has(self, kind: int, key: int) -> bool:
        if key in self._new[kind] or key in self._known[kind]:
            return True
        if key in self._asked[kind]:
            return False
        return bool(self._digests.known(kind, (key,)))  # a key :meth:`_ask` did not foresee

    def _ask(self, rows: list[ParsedRow]) -> None:
        """Write the previous chunk's digests; fetch which of this chunk's keys are known."""
        for kind, keys in self._new.items():
            if keys:
                self._digests.add(kind, keys)
                keys.clear()
        asked: dict[int, set[int]] = {SEEN: set(), FILE_FAMILIES: set(), FILE_MEMBERS: set()}
        for row in rows:
            if not row.ok:  # :meth:`seen_before` is asked only of rows without problems, in scope
                continue
            asked[SEEN].add(record_key(row))
            if row.family is not None:
                asked[FILE_FAMILIES].add(family_digest(row))
            if row.member is None and row.measure is not None:
                asked[FILE_MEMBERS].update(person_digests(self._measure_nik_hash(row), row.measure, row.region_code))
        self._asked = asked
        self._known = {kind: self._digests.known(kind, keys) for kind, keys in asked.items()}

    def nik_hash(self, row: ParsedRow) -> str | None:
        nik = None
        if row.member:
            nik = row.member.get("nik") or row.member.get("nik_anak")
        elif row.measure:
            nik = row.measure.get("nik")
        return self.cipher.lookup_hash(nik) if nik and nik != "-" else None

    def seen_before(self, row: ParsedRow) -> bool:
        """True for the second row naming the same record (a duplicate inside the file)."""
        key = record_key(row)
        if self._has(SEEN, key):
            return True
        self._new[SEEN].add(key)
        return False

    async def lookups(self, db: Any, rows: list[ParsedRow]) -> Lookups:
        """Every stored record the rows of a chunk may match, in a few queries."""
        self._ask(rows)
        cipher = self.cipher
        niks = sorted({h for r in rows if (h := self.nik_hash(r))})
        kks = sorted({cipher.lookup_hash(r.family["no_kk"]) for r in rows if r.family and r.family.get("no_kk")})
        found = Lookups(await store.sasaran_by_nik(db, niks), await store.keluarga_by_kk(db, kks))
        found.heads = await store.keluarga_by_head(db, sorted(
            {(r.region_code, r.family["kepala"]) for r in rows
             if r.family and r.family.get("kepala") and r.region_code}))
        found.persons = await store.sasaran_by_person(db, sorted(
            {(r.region_code, a["nama"], a["lahir"]) for r in rows for a in (r.member, r.measure)
             if a and a.get("nama") and a.get("lahir") and r.region_code}))
        pairs = set()
        for r in rows:
            if r.member and r.family and r.family.get("no_kk"):
                stored = found.keluarga_by_kk.get(cipher.lookup_hash(r.family["no_kk"]))
                if stored is not None:
                    pairs.add((stored["id"], r.member["nama"]))
        found.in_family = await store.sasaran_in_families(db, sorted(pairs))
        known = {s["id"] for s in (*found.sasaran_by_nik.values(), *found.persons.values(), *found.in_family.values())}
        found.measured = await store.measured(db, sorted(known)) if any(r.measure for r in rows) else {}
        return found

    def family(self, row: ParsedRow, found: Lookups) -> tuple[int | None, str | None, Any]:
        """(keluarga id, rule, stored row) of the row's family; (None, None, None) when new."""
        family = row.family
        assert family is not None
        key = family_digest(row)
        if key in found.new_families:
            return found.new_families[key], RULE_FILE, None
        if family.get("no_kk"):
            stored = found.keluarga_by_kk.get(self.cipher.lookup_hash(family["no_kk"]))
            if stored is not None:
                return stored["id"], RULE_KK, stored
        if family.get("kepala") and row.region_code:
            stored = found.heads.get((row.region_code, family["kepala"].casefold()))
            # Another No. KK is another family, whatever the head's name.
            if stored is not None and not (family.get("no_kk") and stored["no_kk_hash"]):
                return stored["id"], RULE_HEAD, stored
        if self._has(FILE_FAMILIES, key):
            return None, RULE_FILE, None
        return None, None, None

    def member(self, row: ParsedRow, keluarga_id: int | None, family_rule: str | None,
               found: Lookups) -> tuple[int | None, str | None, Any]:
        """(sasaran id, rule, stored row) of the row's member; (None, None, None) when new."""
        member = row.member
        assert member is not None
        nik_hash = self.nik_hash(row)
        if nik_hash:
            if nik_hash in found.new_members:
                return found.new_members[nik_hash], RULE_NIK, None
            stored = found.sasaran_by_nik.get(nik_hash)
            if stored is not None:
                return stored["id"], RULE_NIK, stored
        if keluarga_id is not None and family_rule == RULE_KK:
            stored = found.in_family.get((keluarga_id, member["nama"].casefold()))
            if stored is not None:
                return stored["id"], RULE_KK_NAME, stored
        if member.get("lahir") and row.region_code:
            stored = found.persons.get((row.region_code, member["nama"].casefold(), member["lahir"]))
            if stored is not None:
                return stored["id"], RULE_PERSON, stored
        return None, None, None

    def measured_person(self, row: ParsedRow, found: Lookups) -> tuple[int | None, str | None, Any, bool]:
        """For a measurement row without a member: (sasaran id, rule, stored row, named by
        a member row of this file)."""
        m = row.measure
        assert m is not None
        nik_hash = self._measure_nik_hash(row)
        if nik_hash and nik_hash in found.new_members:
            return found.new_members[nik_hash], None, None, True
        if nik_hash and (stored := found.sasaran_by_nik.get(nik_hash)) is not None:
            return stored["id"], RULE_NIK, stored, False
        if m.get("nama") and m.get("lahir") and row.region_code:
            stored = found.persons.get((row.region_code, m["nama"].casefold(), m["lahir"]))
            if stored is not None:
                return stored["id"], RULE_PERSON, stored, False
        planned = any(self._has(FILE_MEMBERS, key) for key in person_digests(nik_hash, m, row.region_code))
        return None, None, None, planned

    def _measure_nik_hash(self, row: ParsedRow) -> str | None:
        assert row.measure is not None
        return self.cipher.lookup_hash(row.measure["nik"]) if row.measure.get("nik") else None

    def plan_family(self, row: ParsedRow) -> None:
        """Preview: the file will create this family (a later row of it matches it)."""
        self._new[FILE_FAMILIES].add(family_digest(row))

    def plan_member(self, row: ParsedRow) -> None:
        """Preview: the file will create this sasaran (a later measurement row names it)."""
        assert row.member is not None
        self._new[FILE_MEMBERS].update(person_digests(self.nik_hash(row), row.member, row.region_code))
