"""A TPK member records a family; the bot says whether it is a KRS family and why."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.growth import Position, assess_growth
from bot.domain.risk import (
    FAMILY_LEVEL_CODES,
    IstriPus,
    Jamban,
    KeluargaFacts,
    MetodeKb,
    RiskCode,
    SasaranFacts,
    SasaranKind,
    SumberAirMinum,
    assess_family,
    child_sasaran,
    family_factors,
    is_pus,
    member_flags,
)
from bot.domain.thresholds import ClinicalThresholds, TerlaluRules

ON = date(2025, 6, 1)


def codes(factors) -> list[str]:
    return [f.code.value for f in factors]


def wife(age: int, **kwargs) -> IstriPus:
    return IstriPus(birth_date=date(ON.year - age, 1, 1), **{"children": 1} | kwargs)


@pytest.mark.parametrize(
    ("source", "layak"),
    [
        (SumberAirMinum.AIR_KEMASAN, True),
        (SumberAirMinum.LEDENG, True),
        (SumberAirMinum.SUMUR_BOR, True),
        (SumberAirMinum.SUMUR_TERLINDUNG, True),
        (SumberAirMinum.MATA_AIR_TERLINDUNG, True),
        (SumberAirMinum.SUMUR_TAK_TERLINDUNG, False),
        (SumberAirMinum.MATA_AIR_TAK_TERLINDUNG, False),
        (SumberAirMinum.AIR_PERMUKAAN, False),
        (SumberAirMinum.AIR_HUJAN, False),
        (SumberAirMinum.LAINNYA, False),
    ],
)
def test_drinking_water_categories(source: SumberAirMinum, layak: bool) -> None:
    assert source.layak is layak
    assert source.label
    assert ("water" in codes(family_factors(KeluargaFacts(water_source=source), ON))) is not layak


@pytest.mark.parametrize(
    ("latrine", "layak"),
    [
        (Jamban.SENDIRI_SEPTIK, True),
        (Jamban.BERSAMA_SEPTIK, True),
        (Jamban.SENDIRI_TANPA_SEPTIK, False),
        (Jamban.BERSAMA_TANPA_SEPTIK, False),
        (Jamban.TIDAK_ADA, False),
    ],
)
def test_latrine_categories(latrine: Jamban, layak: bool) -> None:
    assert latrine.layak is layak
    assert ("latrine" in codes(family_factors(KeluargaFacts(latrine=latrine), ON))) is not layak


def test_no_latrine_is_said_plainly() -> None:
    [factor] = family_factors(KeluargaFacts(latrine=Jamban.TIDAK_ADA), ON)
    assert factor.reason == "Keluarga belum punya jamban."


def test_unknown_facts_raise_no_factor() -> None:
    assert family_factors(KeluargaFacts(), ON) == []


def test_pus_is_a_wife_aged_15_to_49() -> None:
    assert [is_pus(wife(a), ON) for a in (14, 15, 49, 50)] == [False, True, True, False]


def test_young_wife_with_a_baby_born_a_year_ago() -> None:
    istri = wife(18, children=1, last_birth_date=date(2024, 6, 1))
    factors = family_factors(KeluargaFacts(istri=istri), ON)
    assert codes(factors) == ["terlalu_muda", "terlalu_dekat"]
    assert factors[0].reason == (
        "Istri berusia 18 tahun: terlalu muda untuk hamil (di bawah 20 tahun)."
    )
    assert "12 bulan lalu" in factors[1].reason


def test_older_wife_with_many_children() -> None:
    istri = wife(38, children=4, last_birth_date=date(2020, 1, 1))
    assert codes(family_factors(KeluargaFacts(istri=istri), ON)) == [
        "terlalu_tua",
        "terlalu_banyak",
    ]


def test_boundaries_of_the_4_terlalu() -> None:
    assert codes(family_factors(KeluargaFacts(istri=wife(20)), ON)) == []
    assert codes(family_factors(KeluargaFacts(istri=wife(35, children=3)), ON)) == []
    exactly_two_years = wife(30, last_birth_date=date(2023, 6, 1))
    assert codes(family_factors(KeluargaFacts(istri=exactly_two_years), ON)) == []


def test_an_office_reading_terlalu_tua_as_35_to_40() -> None:
    office = ClinicalThresholds(terlalu=TerlaluRules(tua_above_age=34, tua_max_age=40))
    found = [
        "terlalu_tua" in codes(family_factors(KeluargaFacts(istri=wife(age)), ON, office))
        for age in (34, 35, 40, 41)
    ]
    assert found == [False, True, True, False]


def test_no_4_terlalu_outside_pus_age() -> None:
    assert family_factors(KeluargaFacts(istri=wife(52, children=6)), ON) == []


@pytest.mark.parametrize(
    ("method", "pregnant", "factor"),
    [
        (MetodeKb.TIDAK_KB, False, True),
        (MetodeKb.TRADISIONAL, False, True),
        (MetodeKb.SUNTIK, False, False),
        (MetodeKb.MAL, False, False),
        (MetodeKb.TIDAK_KB, True, False),
        (None, False, False),
    ],
)
def test_modern_contraception(method: MetodeKb | None, pregnant: bool, factor: bool) -> None:
    istri = wife(28, kb_method=method, pregnant=pregnant)
    assert ("no_modern_kb" in codes(family_factors(KeluargaFacts(istri=istri), ON))) is factor


def test_pregnant_mother_flags() -> None:
    ibu = SasaranFacts(
        ref="ibu-1", kind=SasaranKind.IBU_HAMIL, sex="P",
        height_cm=143.0, lila_cm=22.5, hb_g_dl=10.8, trimester=2,
    )
    flags = member_flags(ibu)
    assert codes(flags) == ["kek", "anaemia", "short_mother"]
    assert flags[0].reason == "LiLA 22,5 cm, di bawah 23,5 cm: kurang energi kronis (KEK)."
    assert flags[1].reason == "Hb 10,8 g/dL, di bawah 11 g/dL: anemia."
    assert all(f.member_ref == "ibu-1" for f in flags)
    office = ClinicalThresholds(hb_hamil_trimester2_below_g_dl=10.5)
    assert "anaemia" not in codes(member_flags(ibu, office))


def test_catin_flags_for_a_bride_including_low_imt() -> None:
    catin = SasaranFacts(
        ref="c1", kind=SasaranKind.CATIN, sex="P",
        height_cm=155.0, weight_kg=42.0, lila_cm=24.0, hb_g_dl=11.2,
    )
    assert codes(member_flags(catin)) == ["low_imt"]
    office = ClinicalThresholds(hb_catin_below_g_dl=11.5)
    assert codes(member_flags(catin, office)) == ["anaemia", "low_imt"]
    groom = SasaranFacts(ref="c2", kind=SasaranKind.CATIN, sex="L", height_cm=140.0)
    assert member_flags(groom) == []


def test_stunted_child_flag_from_growth() -> None:
    growth = assess_growth("P", 731, 10.0, 79.0, Position.STANDING)
    child = SasaranFacts(ref="a1", kind=SasaranKind.BALITA, sex="P", growth=growth)
    flags = member_flags(child)
    assert "stunted_child" in codes(flags)
    assert flags[0].reason.startswith("Tinggi/panjang badan menurut umur: pendek (z -2,")


def test_implausible_growth_is_not_a_diagnosis() -> None:
    growth = assess_growth("L", 365, 9.0, 50.0, Position.LYING)
    assert growth.stunted and "haz" in growth.implausible
    child = SasaranFacts(ref="a2", kind=SasaranKind.BADUTA, growth=growth)
    assert "stunted_child" not in codes(member_flags(child))


def test_krs_family_needs_a_target_member_and_a_family_factor() -> None:
    bad_water = KeluargaFacts(water_source=SumberAirMinum.AIR_PERMUKAAN)
    baby = SasaranFacts(ref="b", kind=SasaranKind.BADUTA)
    assert assess_family(bad_water, [baby], on=ON).is_berisiko
    no_target = assess_family(bad_water, [], on=ON)
    assert not no_target.is_sasaran and not no_target.is_berisiko
    elderly = KeluargaFacts(water_source=SumberAirMinum.AIR_HUJAN, istri=wife(55))
    assert not assess_family(elderly, [], on=ON).is_berisiko
    pus_only = KeluargaFacts(water_source=SumberAirMinum.AIR_HUJAN, istri=wife(30))
    assert assess_family(pus_only, [], on=ON).is_berisiko


def test_member_flags_alone_do_not_make_a_krs_family() -> None:
    ibu = SasaranFacts(ref="i", kind=SasaranKind.IBU_HAMIL, lila_cm=21.0)
    good = KeluargaFacts(
        water_source=SumberAirMinum.LEDENG, latrine=Jamban.SENDIRI_SEPTIK,
        istri=wife(27, kb_method=MetodeKb.TIDAK_KB, pregnant=True),
    )
    result = assess_family(good, [ibu], on=ON)
    assert result.is_sasaran and not result.is_berisiko
    assert codes(result.member_flags) == ["kek"]
    assert codes(result.all_factors) == ["kek"]


def test_family_and_member_codes_are_kept_apart() -> None:
    assert {c.value for c in FAMILY_LEVEL_CODES} == {
        "water", "latrine", "terlalu_muda", "terlalu_tua", "terlalu_dekat",
        "terlalu_banyak", "no_modern_kb",
    }
    assert RiskCode.WATER.family_level and not RiskCode.KEK.family_level


@pytest.mark.parametrize(
    ("birth", "kind"),
    [
        (date(2025, 5, 1), SasaranKind.BADUTA),
        (date(2023, 6, 2), SasaranKind.BADUTA),
        (date(2023, 6, 1), SasaranKind.BALITA),
        (date(2020, 6, 2), SasaranKind.BALITA),
        (date(2020, 6, 1), None),
    ],
)
def test_children_are_baduta_or_balita_by_completed_months(
    birth: date, kind: SasaranKind | None
) -> None:
    assert child_sasaran(birth, ON) is kind


def test_every_category_has_an_indonesian_label() -> None:
    for enum in (SumberAirMinum, Jamban, MetodeKb):
        assert all(member.label for member in enum)
