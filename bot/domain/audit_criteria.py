"""Which records the Audit Kasus Stunting proposes as cases, and why (domain.md, *The stunting case audit*).

Pure functions over plain data: storage hands over each target member with its measurement
history, flags and family factors; :func:`shortlist` returns the proposed cases, each with the
reasons a coordinator reads before keeping or dropping it. The cut-offs are the ``[audit]``
settings (:class:`AuditCriteria`), stored with every shortlist so it can be explained later.

The 2T reading follows the KMS: each monthly weighing is N (gained at least the KBM for the
age), T (did not), O (not weighed the month before) or B (first weighing); two T in a row is 2T.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import pairwise

from pydantic import BaseModel, Field

from bot.domain.age import completed_months
from bot.domain.risk import FAMILY_LEVEL_CODES, RiskCode

TERLALU = frozenset({RiskCode.TERLALU_MUDA, RiskCode.TERLALU_TUA, RiskCode.TERLALU_DEKAT, RiskCode.TERLALU_BANYAK})
CHILD_CATEGORIES = frozenset({"baduta", "balita"})

#: KBM as printed on the KMS, grams by month of life (domain.md); from 12 months on the last value.
DEFAULT_KBM_GRAMS = (800, 900, 800, 600, 500, 400, 400, 300, 300, 300, 300, 200)


class AuditCriteria(BaseModel, extra="forbid", frozen=True):
    """``[audit]``: the shortlist criteria and the follow-up window, defaults from domain.md."""

    haz_months: int = Field(6, ge=1, le=24)  # stunted and HAZ not improved over this many months
    family_min_factors: int = Field(3, ge=1, le=7)  # "several" KRS factors
    bblr_kg: float = Field(2.5, gt=0, le=5)  # birth weight below this is BBLR
    kbm_grams: tuple[int, ...] = Field(DEFAULT_KBM_GRAMS, min_length=1)
    cap_per_kecamatan: int = Field(10, ge=1)  # proposed cases per kecamatan
    cap_per_group: int = Field(20, ge=1)  # proposed cases per target group
    follow_up_months: int = Field(3, ge=1, le=12)  # pemantauan after Diseminasi I
    trend_haz_margin: float = Field(0.1, ge=0, le=1)  # a HAZ change smaller than this is "tetap"
    opd: tuple[str, ...] = ("Dinas Kesehatan", "DP3AKB", "Dinas Sosial", "Dinas PUPR", "Bappeda")


class Group(StrEnum):
    """The case's target group: one KKA template each."""

    CATIN = "catin"
    IBU_HAMIL = "ibu_hamil"
    IBU_NIFAS = "ibu_nifas"
    ANAK = "anak"  # baduta and balita
    KELUARGA = "keluarga"  # a family with several KRS factors

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    Group.CATIN: "Catin", Group.IBU_HAMIL: "Ibu hamil", Group.IBU_NIFAS: "Ibu nifas",
    Group.ANAK: "Baduta/balita", Group.KELUARGA: "Keluarga berisiko",
}


class Reason(StrEnum):
    STUNTED_NOT_IMPROVED = "stunting_tidak_membaik"
    TWO_T = "2t"
    BBLR = "bblr"
    KEK = "kek"
    ANAEMIA = "anemia"
    TERLALU = "4_terlalu"
    KRS_FACTORS = "krs"


@dataclass(frozen=True)
class Point:
    """One measurement of a member (a registration or a visit)."""

    on: date
    weight_kg: float | None = None
    haz: float | None = None
    stunted: bool | None = None
    lila_cm: float | None = None
    hb: float | None = None


@dataclass(frozen=True)
class Member:
    """A target member as the selector sees it."""

    sasaran_id: int
    keluarga_id: int
    region_code: str  # desa/kelurahan
    category: str
    birth_date: date | None = None
    birth_weight_kg: float | None = None
    points: tuple[Point, ...] = ()  # oldest first
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Family:
    keluarga_id: int
    region_code: str
    factors: frozenset[str] = frozenset()
    members: tuple[Member, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """A proposed case and why it was picked."""

    group: Group
    keluarga_id: int
    sasaran_id: int | None
    region_code: str
    reasons: tuple[tuple[Reason, str], ...]
    severity: float = field(default=0.0, compare=False)

    @property
    def kecamatan(self) -> str:
        return self.region_code[:8]


def _num(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").replace("-", "−")


def kms_readings(points: tuple[Point, ...], birth_date: date, kbm_grams: tuple[int, ...]) -> list[tuple[date, str]]:
    """The KMS letter of each monthly weighing: the last weight of each calendar month, read
    against the month before (N/T), a gap (O) or nothing before it (B)."""
    by_month: dict[tuple[int, int], Point] = {}
    for point in points:
        if point.weight_kg is not None:
            by_month[(point.on.year, point.on.month)] = point
    readings: list[tuple[date, str]] = []
    previous: tuple[tuple[int, int], Point] | None = None
    for month in sorted(by_month):
        point = by_month[month]
        if previous is None:
            readings.append((point.on, "B"))
        else:
            (py, pm), before = previous
            if (month[0] * 12 + month[1]) - (py * 12 + pm) != 1:
                readings.append((point.on, "O"))
            else:
                life_month = max(1, completed_months(birth_date, point.on))
                minimum = kbm_grams[min(life_month, len(kbm_grams)) - 1]
                gained = round((point.weight_kg or 0) * 1000 - (before.weight_kg or 0) * 1000)
                readings.append((point.on, "N" if gained >= minimum else "T"))
        previous = (month, point)
    return readings


def has_2t(member: Member, criteria: AuditCriteria, since: date) -> bool:
    """Two T in a row, the second one on or after ``since``."""
    if member.birth_date is None:
        return False
    readings = kms_readings(member.points, member.birth_date, criteria.kbm_grams)
    return any(a[1] == "T" and b[1] == "T" and b[0] >= since for a, b in pairwise(readings))


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (negative: earlier), on the month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _months_before(day: date, months: int) -> date:
    return shift_months(day, -months)


def _stunting_reason(member: Member, criteria: AuditCriteria, today: date) -> str | None:
    """Stunted now, and the HAZ did not rise over the last ``haz_months`` (needs two measurements in them)."""
    since = _months_before(today, criteria.haz_months)
    window = [p for p in member.points if p.haz is not None and since <= p.on <= today]
    if len(window) < 2 or not window[-1].stunted:
        return None
    first, last = window[0].haz, window[-1].haz
    assert first is not None and last is not None
    if last > first:
        return None
    verb = "turun" if last < first else "tidak naik"
    return f"Stunting, TB/U {verb} dalam {criteria.haz_months} bulan ({_num(first)} → {_num(last)} SD)"


def member_reasons(member: Member, family: Family, criteria: AuditCriteria, today: date) -> list[tuple[Reason, str]]:
    """Why this member would be an audit case (empty: not a case)."""
    reasons: list[tuple[Reason, str]] = []
    if member.category in CHILD_CATEGORIES:
        if (text := _stunting_reason(member, criteria, today)) is not None:
            reasons.append((Reason.STUNTED_NOT_IMPROVED, text))
        if has_2t(member, criteria, _months_before(today, criteria.haz_months)):
            reasons.append((Reason.TWO_T, "2T: berat badan dua kali berturut-turut tidak naik"))
        if member.birth_weight_kg is not None and member.birth_weight_kg < criteria.bblr_kg:
            reasons.append((Reason.BBLR, f"BBLR: berat lahir {_num(member.birth_weight_kg)} kg"))
    elif member.category in ("ibu_hamil", "catin"):
        if RiskCode.KEK in member.flags:
            reasons.append((Reason.KEK, "KEK (LiLA < 23,5 cm)"))
        if RiskCode.ANAEMIA in member.flags:
            reasons.append((Reason.ANAEMIA, "Anemia (Hb rendah)"))
        if member.category == "ibu_hamil":
            terlalu = sorted(TERLALU & family.factors)
            if terlalu:
                names = ", ".join(code.replace("_", " ") for code in terlalu)
                reasons.append((Reason.TERLALU, f"4 Terlalu: {names}"))
    return reasons


def _group_of(category: str) -> Group:
    return Group.ANAK if category in CHILD_CATEGORIES else Group(category)


def _severity(member: Member, reasons: list[tuple[Reason, str]]) -> float:
    hazs = [p.haz for p in member.points if p.haz is not None]
    return len(reasons) * 10 - (hazs[-1] if hazs else 0.0)


def candidates(families: list[Family], criteria: AuditCriteria, today: date) -> list[Proposal]:
    """Every record meeting a criterion, before the caps."""
    found: list[Proposal] = []
    for family in families:
        for member in family.members:
            reasons = member_reasons(member, family, criteria, today)
            if reasons:
                found.append(Proposal(_group_of(member.category), family.keluarga_id, member.sasaran_id,
                                      family.region_code, tuple(reasons), _severity(member, reasons)))
        krs = sorted(FAMILY_LEVEL_CODES & family.factors)
        if len(krs) >= criteria.family_min_factors:
            text = f"{len(krs)} faktor risiko keluarga: " + ", ".join(code.replace("_", " ") for code in krs)
            found.append(Proposal(Group.KELUARGA, family.keluarga_id, None, family.region_code,
                                  ((Reason.KRS_FACTORS, text),), float(len(krs))))
    return found


def shortlist(families: list[Family], criteria: AuditCriteria, today: date) -> list[Proposal]:
    """The proposed cases: at most ``cap_per_kecamatan`` per kecamatan and ``cap_per_group`` per
    target group, the most severe of each group first, the groups taking turns so that no group
    crowds the others out of a kecamatan; ordered by group, area and record for numbering."""
    queues: dict[Group, list[Proposal]] = {}
    for proposal in sorted(candidates(families, criteria, today),
                           key=lambda p: (-p.severity, p.keluarga_id, p.sasaran_id or 0)):
        queues.setdefault(proposal.group, []).append(proposal)
    per_kecamatan: Counter[str] = Counter()
    per_group: Counter[Group] = Counter()
    kept: list[Proposal] = []
    turns = [queues[g] for g in Group if g in queues]
    while any(turns):
        for queue in turns:
            while queue:
                proposal = queue.pop(0)
                if (per_kecamatan[proposal.kecamatan] < criteria.cap_per_kecamatan
                        and per_group[proposal.group] < criteria.cap_per_group):
                    per_kecamatan[proposal.kecamatan] += 1
                    per_group[proposal.group] += 1
                    kept.append(proposal)
                    break
    order = list(Group)
    return sorted(kept, key=lambda p: (order.index(p.group), p.region_code, p.keluarga_id, p.sasaran_id or 0))
