"""The audit shortlist criteria, the KMS reading, the round's stages and the follow-up trend."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.audit_criteria import (
    AuditCriteria,
    Family,
    Group,
    Member,
    Point,
    Reason,
    kms_readings,
    shortlist,
)
from bot.domain.audit_round import Semester, Stage, Trend, trend

TODAY = date(2026, 11, 23)
DESA = "36.73.04.1007"
CRITERIA = AuditCriteria()


def child(sid: int, points: tuple[Point, ...], *, birth: date = date(2025, 3, 1), bw: float | None = 3.0) -> Member:
    return Member(sid, sid, DESA, "baduta", birth, bw, points)


def family(*members: Member, factors: frozenset[str] = frozenset(), kid: int | None = None,
           region: str = DESA) -> Family:
    return Family(kid if kid is not None else members[0].keluarga_id, region, factors, members)


def reasons(fam: Family) -> set[Reason]:
    return {r for p in shortlist([fam], CRITERIA, TODAY) for r, _ in p.reasons}


def test_stunted_child_whose_haz_fell_is_a_case_with_the_numbers_in_the_reason() -> None:
    kid = child(1, (Point(date(2026, 7, 1), haz=-2.4, stunted=True), Point(date(2026, 11, 1), haz=-2.6, stunted=True)))
    [proposal] = shortlist([family(kid)], CRITERIA, TODAY)
    assert proposal.group is Group.ANAK
    assert "turun" in proposal.reasons[0][1] and "−2,4 → −2,6" in proposal.reasons[0][1]


def test_stunted_child_whose_haz_rose_or_who_was_measured_once_is_not() -> None:
    now = Point(date(2026, 11, 1), haz=-2.6, stunted=True)
    rising = child(1, (Point(date(2026, 7, 1), haz=-2.8, stunted=True),
                       Point(date(2026, 11, 1), haz=-2.3, stunted=True)))
    once = child(2, (now,))
    old = child(3, (Point(date(2025, 7, 1), haz=-2.4, stunted=True), now))
    assert reasons(family(rising)) == set() and reasons(family(once)) == set() and reasons(family(old)) == set()


def test_kms_letters_and_2t() -> None:
    # Born 1 March 2025: in November 2026 the child is in its 20th month, KBM 200 g.
    points = (Point(date(2026, 8, 5), weight_kg=9.0), Point(date(2026, 9, 5), weight_kg=9.3),
              Point(date(2026, 10, 5), weight_kg=9.4), Point(date(2026, 11, 5), weight_kg=9.5))
    assert [r for _, r in kms_readings(points, date(2025, 3, 1), CRITERIA.kbm_grams)] == ["B", "N", "T", "T"]
    assert reasons(family(child(1, points))) == {Reason.TWO_T}
    gap = (Point(date(2026, 6, 5), weight_kg=9.0), Point(date(2026, 8, 5), weight_kg=9.0))
    assert [r for _, r in kms_readings(gap, date(2025, 3, 1), CRITERIA.kbm_grams)] == ["B", "O"]


def test_young_baby_needs_the_larger_kbm() -> None:
    # In the 2nd month of life 900 g is the minimum: 850 g is T.
    points = (Point(date(2026, 9, 1), weight_kg=4.0), Point(date(2026, 10, 2), weight_kg=4.85))
    assert kms_readings(points, date(2026, 8, 1), CRITERIA.kbm_grams)[-1][1] == "T"


def test_bblr_mothers_catin_and_families() -> None:
    assert reasons(family(child(1, (), bw=2.3))) == {Reason.BBLR}
    assert reasons(family(child(1, (), bw=2.5))) == set()
    ibu = Member(5, 5, DESA, "ibu_hamil", flags=frozenset({"kek"}))
    assert reasons(family(ibu, factors=frozenset({"terlalu_muda"}))) == {Reason.KEK, Reason.TERLALU}
    catin = Member(6, 6, DESA, "catin", flags=frozenset({"anaemia"}))
    assert reasons(family(catin, factors=frozenset({"terlalu_muda"}))) == {Reason.ANAEMIA}
    nifas = Member(7, 7, DESA, "ibu_nifas", flags=frozenset({"kek"}))
    krs = frozenset({"water", "latrine", "no_modern_kb"})
    [proposal] = shortlist([family(nifas, factors=krs)], CRITERIA, TODAY)
    assert proposal.group is Group.KELUARGA and proposal.sasaran_id is None
    assert reasons(family(nifas, factors=frozenset({"water", "latrine"}))) == set()


@given(st.lists(st.tuples(st.sampled_from(["36.73.01.1001", "36.73.02.1001", "36.73.04.1007"]),
                          st.sampled_from(["ibu_hamil", "catin"])), max_size=40),
       st.integers(1, 5), st.integers(1, 5))
def test_caps_per_kecamatan_and_group_hold_and_fill(rows: list[tuple[str, str]], per_kec: int, per_group: int) -> None:
    families = [Family(i, region, frozenset(), (Member(i, i, region, category, flags=frozenset({"kek"})),))
                for i, (region, category) in enumerate(rows, start=1)]
    criteria = AuditCriteria(cap_per_kecamatan=per_kec, cap_per_group=per_group)
    chosen = shortlist(families, criteria, TODAY)
    by_kec, by_group = Counter(p.kecamatan for p in chosen), Counter(p.group for p in chosen)
    assert all(v <= per_kec for v in by_kec.values()) and all(v <= per_group for v in by_group.values())
    # Nothing left out that would still have fitted both caps.
    chosen_ids = {p.keluarga_id for p in chosen}
    for fam in families:
        if fam.keluarga_id not in chosen_ids:
            group = Group(fam.members[0].category)
            assert by_kec[fam.region_code[:8]] >= per_kec or by_group[group] >= per_group


def test_stages_move_forward_one_at_a_time_and_the_semester_label() -> None:
    assert Stage.SELEKSI.next() is Stage.KKA and Stage.DISEMINASI_2.next() is Stage.SELESAI
    assert Stage.SELESAI.next() is None
    assert Semester.of(TODAY).label == "AKS Semester II 2026"
    assert Semester.of(date(2027, 6, 30)) == Semester(2027, 1)


def test_trend() -> None:
    base = Point(date(2026, 12, 1), haz=-2.6, stunted=True)
    assert trend(base, []) is None
    assert trend(base, [Point(date(2027, 3, 1), haz=-1.9, stunted=False)]) is Trend.MEMBAIK
    assert trend(base, [Point(date(2027, 3, 1), haz=-2.3, stunted=True)]) is Trend.MEMBAIK
    assert trend(base, [Point(date(2027, 3, 1), haz=-2.62, stunted=True)]) is Trend.TETAP
    assert trend(base, [Point(date(2027, 3, 1), haz=-3.1, stunted=True)]) is Trend.MEMBURUK
    mother = Point(date(2026, 12, 1), lila_cm=22.0, hb=10.0)
    assert trend(mother, [Point(date(2027, 2, 1), lila_cm=24.0, hb=10.2)]) is Trend.MEMBAIK
    assert trend(Point(date(2026, 12, 1), lila_cm=24.0), [Point(date(2027, 2, 1), lila_cm=23.0)]) is Trend.MEMBURUK


def test_groups_take_turns_so_a_severe_group_does_not_crowd_out_the_others() -> None:
    severe = [family(Member(i, i, DESA, "ibu_hamil", flags=frozenset({"kek", "anaemia"})),
                     factors=frozenset({"terlalu_muda"})) for i in range(1, 5)]
    krs = [family(Member(i, i, DESA, "ibu_nifas"), factors=frozenset({"water", "latrine", "no_modern_kb"}))
           for i in range(10, 12)]
    chosen = shortlist(severe + krs, AuditCriteria(cap_per_kecamatan=2), TODAY)
    assert Counter(p.group for p in chosen) == {Group.IBU_HAMIL: 1, Group.KELUARGA: 1}
