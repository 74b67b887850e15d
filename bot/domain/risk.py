"""Keluarga berisiko stunting (KRS): BKKBN family risk factors and member health flags.

Two different things are kept apart on purpose:

* **Family-level KRS factors** (BKKBN Pendataan Keluarga): drinking water and
  latrine not decent, the 4 Terlalu of the wife of a PUS, and (since 2024) a PUS not
  using modern contraception. A target family (sasaran) with at least one of these
  *is* a KRS family; this is what BKKBN counts and what /rekap reports as KRS.
* **Member-level health flags**: KEK, anaemia, short stature, low IMT, a stunted,
  wasted or underweight child. They guide pendampingan and referral but do not by
  themselves make a family "berisiko" in the BKKBN sense.

Each factor has a stable English ``code`` for storage and aggregates and a short
Indonesian ``reason`` for the TPK member. Unknown facts (``None``) never raise a
factor: the bot only says what it knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from bot.domain.age import age_in_years, completed_months
from bot.domain.anthropometry import (
    anaemia_cutoff_catin,
    anaemia_cutoff_hamil,
    format_decimal,
    imt,
    imt_category,
    is_anaemic,
    is_kek,
    is_short_mother,
)
from bot.domain.growth import GrowthAssessment
from bot.domain.thresholds import DEFAULT_THRESHOLDS, ClinicalThresholds

Sex = Literal["L", "P"]

#: Baduta is 0-23 completed months, balita 24-59.
BADUTA_MONTHS = 24
BALITA_MONTHS = 60


class SumberAirMinum(StrEnum):
    """Main drinking-water source, as in BKKBN Pendataan Keluarga."""

    AIR_KEMASAN = "air_kemasan"
    LEDENG = "ledeng"
    SUMUR_BOR = "sumur_bor"
    SUMUR_TERLINDUNG = "sumur_terlindung"
    MATA_AIR_TERLINDUNG = "mata_air_terlindung"
    SUMUR_TAK_TERLINDUNG = "sumur_tak_terlindung"
    MATA_AIR_TAK_TERLINDUNG = "mata_air_tak_terlindung"
    AIR_PERMUKAAN = "air_permukaan"
    AIR_HUJAN = "air_hujan"
    LAINNYA = "lainnya"

    @property
    def label(self) -> str:
        return _WATER_LABELS[self]

    @property
    def layak(self) -> bool:
        return self in _WATER_LAYAK


_WATER_LABELS = {
    SumberAirMinum.AIR_KEMASAN: "air kemasan / isi ulang",
    SumberAirMinum.LEDENG: "ledeng / PAM",
    SumberAirMinum.SUMUR_BOR: "sumur bor / pompa",
    SumberAirMinum.SUMUR_TERLINDUNG: "sumur terlindung",
    SumberAirMinum.MATA_AIR_TERLINDUNG: "mata air terlindung",
    SumberAirMinum.SUMUR_TAK_TERLINDUNG: "sumur tak terlindung",
    SumberAirMinum.MATA_AIR_TAK_TERLINDUNG: "mata air tak terlindung",
    SumberAirMinum.AIR_PERMUKAAN: "air sungai / danau / kolam",
    SumberAirMinum.AIR_HUJAN: "air hujan",
    SumberAirMinum.LAINNYA: "lainnya",
}
_WATER_LAYAK = frozenset(
    {
        SumberAirMinum.AIR_KEMASAN,
        SumberAirMinum.LEDENG,
        SumberAirMinum.SUMUR_BOR,
        SumberAirMinum.SUMUR_TERLINDUNG,
        SumberAirMinum.MATA_AIR_TERLINDUNG,
    }
)


class Jamban(StrEnum):
    """Latrine, by the two facts that decide decency: own or shared, and whether the
    waste goes to a septic tank (or sewer/IPAL). A shared latrine *with* a septic
    tank counts as layak, because the BKKBN factor is "without septic tank, or none"."""

    SENDIRI_SEPTIK = "sendiri_septik"
    BERSAMA_SEPTIK = "bersama_septik"
    SENDIRI_TANPA_SEPTIK = "sendiri_tanpa_septik"
    BERSAMA_TANPA_SEPTIK = "bersama_tanpa_septik"
    TIDAK_ADA = "tidak_ada"

    @property
    def label(self) -> str:
        return _LATRINE_LABELS[self]

    @property
    def layak(self) -> bool:
        return self in (Jamban.SENDIRI_SEPTIK, Jamban.BERSAMA_SEPTIK)


_LATRINE_LABELS = {
    Jamban.SENDIRI_SEPTIK: "jamban sendiri (leher angsa) dengan tangki septik",
    Jamban.BERSAMA_SEPTIK: "jamban bersama / umum dengan tangki septik",
    Jamban.SENDIRI_TANPA_SEPTIK: "jamban sendiri tanpa tangki septik",
    Jamban.BERSAMA_TANPA_SEPTIK: "jamban bersama / umum tanpa tangki septik",
    Jamban.TIDAK_ADA: "tidak ada jamban",
}


class MetodeKb(StrEnum):
    """Contraception in use (BKKBN list). MAL (lactational amenorrhoea) is counted
    as modern, as in the BKKBN/SDKI lists; calendar and withdrawal are traditional."""

    MOW = "mow"
    MOP = "mop"
    IUD = "iud"
    IMPLAN = "implan"
    SUNTIK = "suntik"
    PIL = "pil"
    KONDOM = "kondom"
    MAL = "mal"
    TRADISIONAL = "tradisional"
    TIDAK_KB = "tidak_kb"

    @property
    def label(self) -> str:
        return _KB_LABELS[self]

    @property
    def modern(self) -> bool:
        return self not in (MetodeKb.TRADISIONAL, MetodeKb.TIDAK_KB)


_KB_LABELS = {
    MetodeKb.MOW: "MOW (steril wanita)",
    MetodeKb.MOP: "MOP (steril pria)",
    MetodeKb.IUD: "IUD / spiral",
    MetodeKb.IMPLAN: "implan / susuk",
    MetodeKb.SUNTIK: "suntik",
    MetodeKb.PIL: "pil",
    MetodeKb.KONDOM: "kondom",
    MetodeKb.MAL: "MAL (menyusui eksklusif)",
    MetodeKb.TRADISIONAL: "cara tradisional",
    MetodeKb.TIDAK_KB: "tidak ber-KB",
}


class SasaranKind(StrEnum):
    """Target groups of pendampingan."""

    CATIN = "catin"
    IBU_HAMIL = "ibu_hamil"
    IBU_NIFAS = "ibu_nifas"
    BADUTA = "baduta"
    BALITA = "balita"


class RiskCode(StrEnum):
    """Stable codes used in storage and aggregates."""

    # family level (BKKBN KRS)
    WATER = "water"
    LATRINE = "latrine"
    TERLALU_MUDA = "terlalu_muda"
    TERLALU_TUA = "terlalu_tua"
    TERLALU_DEKAT = "terlalu_dekat"
    TERLALU_BANYAK = "terlalu_banyak"
    NO_MODERN_KB = "no_modern_kb"
    # member level (health flags)
    KEK = "kek"
    ANAEMIA = "anaemia"
    SHORT_MOTHER = "short_mother"
    LOW_IMT = "low_imt"
    STUNTED_CHILD = "stunted_child"
    WASTED_CHILD = "wasted_child"
    UNDERWEIGHT_CHILD = "underweight_child"
    BBLR = "bblr"
    SHORT_BIRTH_LENGTH = "short_birth_length"
    KMS_2T = "kms_2t"

    @property
    def family_level(self) -> bool:
        return self in FAMILY_LEVEL_CODES


FAMILY_LEVEL_CODES = frozenset(
    {
        RiskCode.WATER,
        RiskCode.LATRINE,
        RiskCode.TERLALU_MUDA,
        RiskCode.TERLALU_TUA,
        RiskCode.TERLALU_DEKAT,
        RiskCode.TERLALU_BANYAK,
        RiskCode.NO_MODERN_KB,
    }
)


@dataclass(frozen=True)
class RiskFactor:
    code: RiskCode
    reason: str
    member_ref: str | None = None
    """Which member a health flag is about (the caller's own id); None for the family."""


@dataclass(frozen=True)
class IstriPus:
    """The wife of the family's married couple: the facts the 4 Terlalu and KB need."""

    birth_date: date
    children: int
    """Number of living children."""
    last_birth_date: date | None = None
    kb_method: MetodeKb | None = None
    """None when not asked yet; ``MetodeKb.TIDAK_KB`` when she said none."""
    pregnant: bool = False


@dataclass(frozen=True)
class KeluargaFacts:
    water_source: SumberAirMinum | None = None
    latrine: Jamban | None = None
    istri: IstriPus | None = None
    """The wife, when the family has a married couple (any age; PUS is decided here)."""


@dataclass(frozen=True)
class SasaranFacts:
    """The latest recorded facts about one target member."""

    ref: str
    kind: SasaranKind
    sex: Sex | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    lila_cm: float | None = None
    hb_g_dl: float | None = None
    trimester: int | None = None
    """Pregnancy trimester when the Hb was measured (see ``pregnancy``)."""
    growth: GrowthAssessment | None = None
    """A child's latest measurement, scored by ``growth.assess_growth``."""
    birth_weight_kg: float | None = None
    birth_length_cm: float | None = None
    kms_2t: bool = False
    """A child whose two latest monthly KMS readings are T (see ``kms``)."""


@dataclass(frozen=True)
class KrsAssessment:
    is_sasaran: bool
    """The family has a catin, a PUS, a pregnant or postpartum mother, or a child < 5."""
    family_factors: tuple[RiskFactor, ...]
    member_flags: tuple[RiskFactor, ...]

    @property
    def is_berisiko(self) -> bool:
        """BKKBN: a target family with at least one family-level factor."""
        return self.is_sasaran and bool(self.family_factors)

    @property
    def all_factors(self) -> tuple[RiskFactor, ...]:
        return self.family_factors + self.member_flags


def child_sasaran(birth_date: date, on: date) -> SasaranKind | None:
    """Baduta (0-23 months), balita (24-59 months), or None for older children."""
    months = completed_months(birth_date, on)
    if months < BADUTA_MONTHS:
        return SasaranKind.BADUTA
    if months < BALITA_MONTHS:
        return SasaranKind.BALITA
    return None


def is_pus(istri: IstriPus, on: date, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> bool:
    """A married couple whose wife is 15-49 years old (pasangan usia subur)."""
    return thresholds.is_pus_age(age_in_years(istri.birth_date, on))


def _num(value: float, decimals: int = 1) -> str:
    return format_decimal(value, decimals)


def environment_factors(keluarga: KeluargaFacts) -> list[RiskFactor]:
    """Drinking water and latrine."""
    factors = []
    water = keluarga.water_source
    if water is not None and not water.layak:
        factors.append(
            RiskFactor(RiskCode.WATER, f"Sumber air minum utama belum layak: {water.label}.")
        )
    latrine = keluarga.latrine
    if latrine is Jamban.TIDAK_ADA:
        factors.append(RiskFactor(RiskCode.LATRINE, "Keluarga belum punya jamban."))
    elif latrine is not None and not latrine.layak:
        factors.append(RiskFactor(RiskCode.LATRINE, f"Jamban belum layak: {latrine.label}."))
    return factors


def terlalu_factors(
    istri: IstriPus, on: date, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS
) -> list[RiskFactor]:
    """The 4 Terlalu of the wife of a PUS (none when the couple is not a PUS)."""
    if not is_pus(istri, on, thresholds):
        return []
    rules = thresholds.terlalu
    age = age_in_years(istri.birth_date, on)
    factors = []
    if rules.is_muda(age):
        factors.append(RiskFactor(
            RiskCode.TERLALU_MUDA,
            f"Istri berusia {age} tahun: terlalu muda untuk hamil "
            f"(di bawah {rules.muda_below_age} tahun).",
        ))
    if rules.is_tua(age):
        factors.append(RiskFactor(
            RiskCode.TERLALU_TUA,
            f"Istri berusia {age} tahun: terlalu tua untuk hamil "
            f"(lebih dari {rules.tua_above_age} tahun).",
        ))
    if istri.last_birth_date is not None:
        months = completed_months(istri.last_birth_date, on)
        if rules.is_dekat(months):
            factors.append(RiskFactor(
                RiskCode.TERLALU_DEKAT,
                f"Kelahiran terakhir {months} bulan lalu: jarak terlalu dekat "
                f"(kurang dari {rules.dekat_below_months} bulan).",
            ))
    if rules.is_banyak(istri.children):
        factors.append(RiskFactor(
            RiskCode.TERLALU_BANYAK,
            f"Sudah punya {istri.children} anak: terlalu banyak "
            f"(lebih dari {rules.banyak_above_children}).",
        ))
    return factors


def kb_factor(
    istri: IstriPus, on: date, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS
) -> RiskFactor | None:
    """A PUS not using modern contraception. A pregnant wife is not counted: she
    cannot use contraception now, and counting her would only repeat the pregnancy."""
    method = istri.kb_method
    if method is None or method.modern or istri.pregnant or not is_pus(istri, on, thresholds):
        return None
    reason = (
        "Pasangan usia subur memakai KB cara tradisional, belum KB modern."
        if method is MetodeKb.TRADISIONAL
        else "Pasangan usia subur belum memakai KB modern."
    )
    return RiskFactor(RiskCode.NO_MODERN_KB, reason)


def family_factors(
    keluarga: KeluargaFacts, on: date, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS
) -> list[RiskFactor]:
    """All BKKBN family-level KRS factors of a family."""
    factors = environment_factors(keluarga)
    istri = keluarga.istri
    if istri is not None:
        factors.extend(terlalu_factors(istri, on, thresholds))
        kb = kb_factor(istri, on, thresholds)
        if kb is not None:
            factors.append(kb)
    return factors


def _mother_flags(member: SasaranFacts, hb_cutoff: float,
                  thresholds: ClinicalThresholds) -> list[RiskFactor]:
    """KEK, anaemia and short stature of a (future) mother."""
    flags = []
    if member.lila_cm is not None and is_kek(member.lila_cm, thresholds):
        flags.append(RiskFactor(
            RiskCode.KEK,
            f"LiLA {_num(member.lila_cm)} cm, di bawah {_num(thresholds.lila_kek_below_cm)} cm: "
            "kurang energi kronis (KEK).",
            member.ref,
        ))
    if member.hb_g_dl is not None and is_anaemic(member.hb_g_dl, hb_cutoff):
        flags.append(RiskFactor(
            RiskCode.ANAEMIA,
            f"Hb {_num(member.hb_g_dl)} g/dL, di bawah {_num(hb_cutoff)} g/dL: anemia.",
            member.ref,
        ))
    if member.height_cm is not None and is_short_mother(member.height_cm, thresholds):
        flags.append(RiskFactor(
            RiskCode.SHORT_MOTHER,
            f"Tinggi badan {_num(member.height_cm)} cm, di bawah "
            f"{_num(thresholds.tinggi_ibu_below_cm)} cm: berisiko saat persalinan.",
            member.ref,
        ))
    return flags


def _catin_flags(member: SasaranFacts, thresholds: ClinicalThresholds) -> list[RiskFactor]:
    """A bride-to-be: the mother flags plus low IMT. Cut-offs are for women only."""
    if member.sex != "P":
        return []
    flags = _mother_flags(member, anaemia_cutoff_catin(thresholds), thresholds)
    if member.weight_kg and member.height_cm:
        value = imt(member.weight_kg, member.height_cm)
        category = imt_category(value, thresholds.imt)
        if category.is_kurus:
            flags.append(RiskFactor(
                RiskCode.LOW_IMT,
                f"IMT {_num(value)} ({category.label}): berat badan kurang.",
                member.ref,
            ))
    return flags


def birth_flags(member: SasaranFacts, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> list[RiskFactor]:
    """BBLR (birth weight < 2,500 g) and a short birth length (< 48 cm): stunting risk
    markers that stay with the child, whatever it weighs now."""
    flags = []
    weight = member.birth_weight_kg
    if weight is not None and round(weight * 1000) < thresholds.bblr_below_g:
        flags.append(RiskFactor(
            RiskCode.BBLR,
            f"Berat lahir {_num(round(weight * 1000), 0)} g, di bawah {_num(thresholds.bblr_below_g, 0)} g: "
            "BBLR (berat badan lahir rendah).",
            member.ref,
        ))
    length = member.birth_length_cm
    if length is not None and length < thresholds.panjang_lahir_below_cm:
        flags.append(RiskFactor(
            RiskCode.SHORT_BIRTH_LENGTH,
            f"Panjang lahir {_num(length)} cm, di bawah {_num(thresholds.panjang_lahir_below_cm)} cm: "
            "lahir pendek.",
            member.ref,
        ))
    return flags


def _child_flags(member: SasaranFacts, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS) -> list[RiskFactor]:
    """Birth markers and 2T, then stunted, wasted, underweight from plausible z-scores
    only (an implausible value is a measuring or typing error to re-check, not a diagnosis)."""
    flags = birth_flags(member, thresholds)
    if member.kms_2t:
        flags.append(RiskFactor(RiskCode.KMS_2T, "Berat badan tidak naik dua bulan berturut-turut (2T).",
                                member.ref))
    growth = member.growth
    if growth is None:
        return flags
    checks = (
        ("haz", growth.stunted, RiskCode.STUNTED_CHILD, "Tinggi/panjang badan menurut umur",
         growth.height_status, growth.haz),
        ("whz", growth.wasted, RiskCode.WASTED_CHILD, "Berat menurut tinggi/panjang badan",
         growth.nutrition_status, growth.whz),
        ("waz", growth.underweight, RiskCode.UNDERWEIGHT_CHILD, "Berat badan menurut umur",
         growth.weight_for_age_status, growth.waz),
    )
    return flags + [
        RiskFactor(code, f"{what}: {status.label} (z {_num(z, 2)}).", member.ref)
        for indicator, flagged, code, what, status, z in checks
        if flagged and indicator not in growth.implausible and status is not None
        and z is not None
    ]


def member_flags(
    member: SasaranFacts, thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS
) -> list[RiskFactor]:
    """Health flags of one target member."""
    if member.kind is SasaranKind.CATIN:
        return _catin_flags(member, thresholds)
    if member.kind is SasaranKind.IBU_HAMIL:
        return _mother_flags(member, anaemia_cutoff_hamil(member.trimester, thresholds),
                             thresholds)
    if member.kind in (SasaranKind.BADUTA, SasaranKind.BALITA):
        return _child_flags(member, thresholds)
    return []


def assess_family(
    keluarga: KeluargaFacts,
    members: Sequence[SasaranFacts],
    *,
    on: date,
    thresholds: ClinicalThresholds = DEFAULT_THRESHOLDS,
) -> KrsAssessment:
    """Is this a target family, is it a KRS family, and why."""
    has_pus = keluarga.istri is not None and is_pus(keluarga.istri, on, thresholds)
    return KrsAssessment(
        is_sasaran=has_pus or bool(members),
        family_factors=tuple(family_factors(keluarga, on, thresholds)),
        member_flags=tuple(flag for m in members for flag in member_flags(m, thresholds)),
    )
