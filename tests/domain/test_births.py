"""At birth and after: BBLR and short birth length, the family's wife after a birth, ages that move."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.categories import Group, group_on
from bot.domain.risk import (
    KeluargaFacts,
    MetodeKb,
    RiskCode,
    SasaranFacts,
    SasaranKind,
    assess_family,
    birth_flags,
    member_flags,
)
from bot.domain.thresholds import ClinicalThresholds
from bot.next_steps import NEXT_STEPS, next_steps
from bot.reporting import istri_now
from storage.keluarga import Kunjungan, Measurement, Sasaran


def baby(weight: float | None = None, length: float | None = None, **kwargs) -> SasaranFacts:
    return SasaranFacts(ref="1", kind=SasaranKind.BADUTA, birth_weight_kg=weight, birth_length_cm=length, **kwargs)


@pytest.mark.parametrize(("weight", "length", "expected"), [
    (2.5, 48.0, []),
    (2.499, 48.0, ["bblr"]),
    (2.5, 47.9, ["short_birth_length"]),
    (1.9, 44.0, ["bblr", "short_birth_length"]),
    (None, None, []),
])
def test_bblr_below_2500_g_and_short_below_48_cm(weight, length, expected) -> None:
    assert [f.code.value for f in birth_flags(baby(weight, length))] == expected


def test_birth_flags_read_as_people_write_them_and_follow_the_settings() -> None:
    (flag,) = birth_flags(baby(2.4))
    assert flag.reason == "Berat lahir 2.400 g, di bawah 2.500 g: BBLR (berat badan lahir rendah)."
    assert birth_flags(baby(2.6), ClinicalThresholds(bblr_below_g=3000))[0].code is RiskCode.BBLR


def test_a_child_keeps_its_birth_flags_and_2t_among_its_member_flags() -> None:
    codes = [f.code.value for f in member_flags(baby(2.3, 47, kms_2t=True))]
    assert codes == ["bblr", "short_birth_length", "kms_2t"]
    assert member_flags(replace(baby(2.3), kind=SasaranKind.IBU_NIFAS)) == []


def test_every_member_flag_has_one_next_step() -> None:
    member_codes = {c.value for c in RiskCode if not c.family_level}
    assert member_codes <= set(NEXT_STEPS) and "post_term" in NEXT_STEPS
    assert next_steps(["kek", "water", "kek", "bblr"]) == [
        "KEK → beri PMT ibu dan ajak periksa ke puskesmas.",
        "BBLR → pastikan kunjungan neonatal (KN1–KN3) dan timbang berat tiap bulan."]


# -- the wife of the PUS after a birth --------------------------------------------------------

FAMILY = {"pus": True, "istri_lahir": "1996-03-12", "anak": 1, "anak_terakhir": "2025-01-01", "hamil": True,
          "kb": None}


def member(id_: int, category: str, **kwargs) -> Sasaran:
    values = dict(id=id_, keluarga_id=1, region_code="36.73.04.1007", category=category, name="x", nik_masked=None,
                  sex="P", birth_date=None, hpht=None, hpl=None, delivery_date=None, mother_id=None, status="aktif",
                  ended_reason=None, ended_on=None, answers={}, reporter_id=1, created_at="2026-11-01")
    return Sasaran(**(values | kwargs))


def visit(sasaran_id: int, on: date, **answers) -> Kunjungan:
    return Kunjungan(id=1, sasaran_id=sasaran_id, visited_on=on, kind="kunjungan", outcome=None,
                     measurement=Measurement(visited_on=on), answers=answers, reporter_id=1)


def test_before_the_birth_the_form_answers_stand() -> None:
    istri = istri_now(FAMILY, [member(1, "ibu_hamil")])
    assert istri is not None and istri.pregnant and istri.children == 1 and istri.last_birth_date == date(2025, 1, 1)


def test_a_birth_adds_the_child_moves_the_last_birth_and_ends_the_pregnancy() -> None:
    mother = member(1, "ibu_nifas", delivery_date=date(2026, 11, 20))
    newborn = member(2, "baduta", birth_date=date(2026, 11, 20), mother_id=1)
    istri = istri_now(FAMILY, [mother, newborn])
    assert istri is not None
    assert (istri.children, istri.last_birth_date, istri.pregnant) == (2, date(2026, 11, 20), False)
    on = date(2027, 2, 20)  # 26 months after the older child: only the new birth keeps terlalu dekat
    stale = assess_family(KeluargaFacts(istri=istri_now(FAMILY, [])), [], on=on)
    kept = assess_family(KeluargaFacts(istri=istri), [], on=on)
    assert not stale.is_berisiko
    assert kept.is_berisiko and [f.code for f in kept.family_factors] == [RiskCode.TERLALU_DEKAT]


def test_kb_after_the_birth_counts_the_latest_answer_wins() -> None:
    mother = member(1, "ibu_nifas", delivery_date=date(2026, 11, 20), answers={"kb_pasca": False})
    none_yet = istri_now(FAMILY, [mother])
    assert none_yet is not None and none_yet.kb_method is MetodeKb.TIDAK_KB
    on_iud = istri_now(FAMILY, [mother], {1: [visit(1, date(2026, 12, 1), kb_pasca=True, kb_metode="iud")]})
    assert on_iud is not None and on_iud.kb_method is MetodeKb.IUD
    factors = assess_family(KeluargaFacts(istri=none_yet), [], on=date(2026, 12, 1)).family_factors
    assert RiskCode.NO_MODERN_KB in [f.code for f in factors]


def test_no_couple_stays_no_couple() -> None:
    assert istri_now({"pus": False}, [member(1, "ibu_nifas", delivery_date=date(2026, 11, 20))]) is None


# -- ages move --------------------------------------------------------------------------------


@pytest.mark.parametrize(("on", "group"), [
    (date(2026, 12, 14), Group.BADUTA),
    (date(2026, 12, 15), Group.BALITA),   # 24 months to the day
    (date(2029, 12, 14), Group.BALITA),
    (date(2029, 12, 15), Group.ANAK_LEWAT),  # 60 months
])
def test_a_child_moves_from_baduta_to_balita_and_out(on: date, group: Group) -> None:
    assert group_on("baduta", date(2024, 12, 15), None, on) is group
    assert group_on("balita", date(2024, 12, 15), None, on) is group


def test_nifas_ends_after_day_42() -> None:
    delivered = date(2026, 11, 10)
    assert group_on("ibu_nifas", None, delivered, date(2026, 12, 22)) is Group.IBU_NIFAS  # day 42
    assert group_on("ibu_nifas", None, delivered, date(2026, 12, 23)) is Group.PUS
    assert group_on("ibu_hamil", None, None, date(2030, 1, 1)) is Group.IBU_HAMIL
