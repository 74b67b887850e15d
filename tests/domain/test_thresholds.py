"""Cut-offs come from domain.md and can be overridden where sources disagree."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from bot.domain.thresholds import ClinicalThresholds, TerlaluRules


def test_defaults_follow_the_domain_brief() -> None:
    t = ClinicalThresholds()
    assert t.lila_kek_below_cm == 23.5
    assert t.hb_hamil_cutoff(1) == t.hb_hamil_cutoff(2) == t.hb_hamil_cutoff(None) == 11.0
    assert t.hb_catin_below_g_dl == 11.0
    assert t.tinggi_ibu_below_cm == 145.0
    assert (t.pus_min_age, t.pus_max_age) == (15, 49)
    assert (t.terlalu.muda_below_age, t.terlalu.tua_above_age) == (20, 35)
    assert (t.terlalu.dekat_below_months, t.terlalu.banyak_above_children) == (24, 3)
    assert (t.imt.kurus_berat_below, t.imt.normal_from) == (17.0, 18.5)
    assert (t.imt.normal_to, t.imt.gemuk_ringan_to) == (25.0, 27.0)


def test_an_office_overrides_values_from_a_toml_section() -> None:
    section = tomllib.loads(
        """
        hb_catin_below_g_dl = 11.5
        hb_hamil_trimester2_below_g_dl = 10.5
        [terlalu]
        tua_above_age = 34
        tua_max_age = 40
        """
    )
    t = ClinicalThresholds.model_validate(section)
    assert t.hb_catin_below_g_dl == 11.5
    assert t.hb_hamil_cutoff(2) == 10.5
    assert t.hb_hamil_cutoff(3) == 11.0
    assert [t.terlalu.is_tua(age) for age in (34, 35, 40, 41)] == [False, True, True, False]


def test_unknown_keys_and_changes_are_refused() -> None:
    with pytest.raises(ValidationError):
        ClinicalThresholds.model_validate({"lila_kek": 23.5})
    with pytest.raises(ValidationError):
        ClinicalThresholds().lila_kek_below_cm = 24  # type: ignore[misc]


@pytest.mark.parametrize(
    "bad",
    [
        {"terlalu": {"tua_above_age": 40, "tua_max_age": 38}},
        {"imt": {"normal_from": 26.0}},
        {"lila_kek_below_cm": -1},
    ],
)
def test_inconsistent_overrides_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        ClinicalThresholds.model_validate(bad)


def test_terlalu_rules() -> None:
    rules = TerlaluRules()
    assert [rules.is_muda(a) for a in (19, 20)] == [True, False]
    assert [rules.is_tua(a) for a in (35, 36, 49)] == [False, True, True]
    assert [rules.is_dekat(m) for m in (23, 24)] == [True, False]
    assert [rules.is_banyak(n) for n in (3, 4)] == [False, True]
