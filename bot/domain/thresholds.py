"""Clinical and programme cut-offs, all in one settings model.

Sources disagree on several of these values (anaemia in trimester II, catin Hb, the
"terlalu tua" age), and a kabupaten office may be told to follow its own circular.
Keeping every number here, as a pydantic model that the application's TOML settings
embed as a section, lets an office override one value without touching code, and
lets the rules in ``anthropometry`` and ``risk`` stay free of literals.

Defaults follow ``docs/domain.md``. WHO growth-standard categories are *not* here:
they are the definition of the Permenkes 2/2020 status labels, not a setting (see
``growth``). Trimester week boundaries live in ``pregnancy.TrimesterBoundaries``.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, model_validator


class ImtBands(BaseModel, extra="forbid", frozen=True):
    """Kemenkes adult IMT (BMI) bands, on IMT rounded to one decimal.

    < 17.0 kurus berat; 17.0-18.4 kurus ringan; 18.5-25.0 normal;
    25.1-27.0 gemuk ringan; > 27.0 gemuk berat.
    """

    kurus_berat_below: float = 17.0
    normal_from: float = 18.5
    normal_to: float = 25.0
    gemuk_ringan_to: float = 27.0

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not (self.kurus_berat_below <= self.normal_from < self.normal_to
                < self.gemuk_ringan_to):
            raise ValueError("IMT bands must increase: kurus berat < normal < gemuk ringan")
        return self


class TerlaluRules(BaseModel, extra="forbid", frozen=True):
    """The "4 Terlalu" for the wife of a couple of childbearing age (PUS).

    ``tua_above_age`` is exclusive: the default 35 means "older than 35". An office
    that reads terlalu tua as "35-40" sets ``tua_above_age = 34`` and
    ``tua_max_age = 40``. ``banyak_above_children = 2`` gives the "3 or more" reading.
    """

    muda_below_age: int = Field(default=20, ge=10, le=30)
    tua_above_age: int = Field(default=35, ge=25, le=49)
    tua_max_age: int | None = Field(default=None, ge=25, le=49)
    dekat_below_months: int = Field(default=24, ge=1, le=60)
    banyak_above_children: int = Field(default=3, ge=1, le=10)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.tua_max_age is not None and self.tua_max_age <= self.tua_above_age:
            raise ValueError("tua_max_age must be above tua_above_age")
        if self.muda_below_age > self.tua_above_age:
            raise ValueError("terlalu muda must end before terlalu tua starts")
        return self

    def is_muda(self, age_years: int) -> bool:
        return age_years < self.muda_below_age

    def is_tua(self, age_years: int) -> bool:
        if age_years <= self.tua_above_age:
            return False
        return self.tua_max_age is None or age_years <= self.tua_max_age

    def is_dekat(self, months_since_last_birth: int) -> bool:
        return months_since_last_birth < self.dekat_below_months

    def is_banyak(self, children: int) -> bool:
        return children > self.banyak_above_children


class ClinicalThresholds(BaseModel, extra="forbid", frozen=True):
    """Every configurable cut-off used by the domain rules (units in the names)."""

    lila_kek_below_cm: float = Field(default=23.5, gt=0, le=40)
    """KEK (kurang energi kronis): LiLA below this."""

    hb_hamil_below_g_dl: float = Field(default=11.0, gt=0, le=20)
    """Anaemia in pregnancy: Hb below this."""

    hb_hamil_trimester2_below_g_dl: float | None = Field(default=None, gt=0, le=20)
    """Trimester II cut-off; ``None`` means the same as ``hb_hamil_below_g_dl`` (11.0).
    Some texts use 10.5 because of haemodilution in mid-pregnancy."""

    hb_catin_below_g_dl: float = Field(default=11.0, gt=0, le=20)
    """Anaemia for a bride-to-be (catin perempuan); one office uses 11.5."""

    tinggi_ibu_below_cm: float = Field(default=145.0, gt=0, le=200)
    """Mother's height below this is a delivery risk flag."""

    pus_min_age: int = Field(default=15, ge=10, le=20)
    pus_max_age: int = Field(default=49, ge=40, le=60)
    """Wife's age range (inclusive) that makes a married couple a PUS."""

    terlalu: TerlaluRules = TerlaluRules()
    imt: ImtBands = ImtBands()

    bblr_below_g: int = Field(default=2500, ge=1000, le=4000)
    """Birth weight below this is BBLR (berat badan lahir rendah)."""

    panjang_lahir_below_cm: float = Field(default=48.0, ge=40, le=55)
    """Birth length below this is short at birth."""

    kbm_gram: tuple[int, ...] = Field(default=(800, 900, 800, 600, 500, 400, 400, 300, 300, 300, 300, 200),
                                      min_length=12, max_length=12)
    """KMS kenaikan berat badan minimal (grams) for the 1st..12th month of life; the
    12th value holds from 12 months on. As printed on the KMS: 800 g in the 1st month,
    900 g 2nd, 800 g 3rd, 600 g 4th, 500 g 5th, 400 g 6th-7th, 300 g 8th-11th, 200 g after."""

    def hb_hamil_cutoff(self, trimester: int | None) -> float:
        """The Hb cut-off that applies in ``trimester`` (1-3, or unknown)."""
        if trimester == 2 and self.hb_hamil_trimester2_below_g_dl is not None:
            return self.hb_hamil_trimester2_below_g_dl
        return self.hb_hamil_below_g_dl

    def is_pus_age(self, wife_age_years: int) -> bool:
        return self.pus_min_age <= wife_age_years <= self.pus_max_age


DEFAULT_THRESHOLDS = ClinicalThresholds()
