"""Closed-choice options shared by the forms, built from the domain enums."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from bot.domain.age import age_in_days, completed_months
from bot.domain.risk import Jamban, MetodeKb, SasaranKind, SumberAirMinum
from bot.domain.schedule_config import ImmunisationDose
from bot.labels import CATEGORY_LABELS as CATEGORY_LABELS  # the names live with the labels, for /keluarga too
from bot.labels import CATEGORY_LABELS_BY_VALUE as CATEGORY_LABELS_BY_VALUE
from bot.labels import CHILDREN as CHILDREN
from bot.labels import GROUP_LABELS as GROUP_LABELS
from conversations.forms.fields import Option

ADULTS = frozenset({SasaranKind.CATIN.value, SasaranKind.IBU_HAMIL.value, SasaranKind.IBU_NIFAS.value})
MOTHERS = frozenset({SasaranKind.IBU_HAMIL.value, SasaranKind.IBU_NIFAS.value})


def _labelled(enum: type[StrEnum]) -> tuple[Option, ...]:
    return tuple(Option(m.value, m.label[:1].upper() + m.label[1:]) for m in enum)  # type: ignore[attr-defined]


CATEGORIES = tuple(Option(kind.value, label) for kind, label in CATEGORY_LABELS.items())
WATER = _labelled(SumberAirMinum)
LATRINE = _labelled(Jamban)
KB_ANY = _labelled(MetodeKb)
KB_MODERN = tuple(o for o in KB_ANY if MetodeKb(o.value).modern)
SEX = (Option("L", "Laki-laki"), Option("P", "Perempuan"))
POSITION = (Option("lying", "Berbaring (panjang badan)"), Option("standing", "Berdiri (tinggi badan)"))
PREGNANCY_DATING = (
    Option("hpht", "Tahu HPHT (hari pertama haid terakhir)"),
    Option("minggu", "Tahu usia kehamilan (minggu)"),
    Option("bulan", "Tahu usia kehamilan (bulan)"),
    Option("hpl", "Tahu taksiran persalinan (HPL)"),
    Option("tidak_tahu", "Tidak tahu"),
)
BIRTH_PLACE = (Option("faskes", "Fasilitas kesehatan"), Option("rumah", "Rumah"), Option("lainnya", "Lainnya"))
BIRTH_HELPER = (Option("bidan", "Bidan"), Option("dokter", "Dokter"), Option("dukun", "Dukun bayi"),
                Option("lainnya", "Lainnya"))
COMPLICATIONS = (Option("perdarahan", "Perdarahan"), Option("infeksi", "Demam / infeksi"),
                 Option("hipertensi", "Tekanan darah tinggi / kejang"), Option("lainnya", "Lainnya"))
SMOKE = (Option("tidak", "Tidak merokok"), Option("merokok", "Merokok"),
         Option("terpapar", "Tidak merokok, tapi terpapar asap"))
IMMUNISATIONS = (Option("hb0", "HB-0"), Option("bcg", "BCG"), Option("polio", "Polio"),
                 Option("dpt", "DPT-HB-Hib"), Option("ipv", "IPV"), Option("pcv", "PCV"),
                 Option("rota", "Rotavirus"), Option("mr", "Campak-Rubela (MR)"))


#: The schedule's vaccine names (``[pengingat.immunisation]``) → the form's immunisation options.
_VACCINE_OPTION = (("HB-0", "hb0"), ("BCG", "bcg"), ("IPV", "ipv"), ("Polio", "polio"), ("DPT", "dpt"),
                   ("PCV", "pcv"), ("Rota", "rota"), ("MR", "mr"))


def due_for_age(born: str | None, on: date | None, ctx: Any) -> list[str]:
    """«Lengkap sesuai usia» of a form (the registration's and the visit's): the immunisations due
    by ``on`` for a child born on ``born`` (ISO), from the configured schedule; none when unknown."""
    if not born or on is None or date.fromisoformat(born) > on:
        return []
    return due_immunisations(date.fromisoformat(born), on, ctx.services.settings.pengingat.immunisation.doses)


def due_immunisations(born: date, on: date, doses: Sequence[ImmunisationDose]) -> list[str]:
    """The immunisation options a child of this age has had if complete for age (the configured
    2024 schedule): the «Lengkap sesuai usia» answer, so only the exceptions need a tap."""
    days, months = age_in_days(born, on), completed_months(born, on)
    due = set()
    for dose in doses:
        if (dose.age_days is not None and dose.age_days <= days) or (
                dose.age_months is not None and dose.age_months <= months):
            for vaccine in dose.vaccines:
                due.update(value for name, value in _VACCINE_OPTION
                           if name in vaccine and not (name == "Polio" and "IPV" in vaccine))
    return [o.value for o in IMMUNISATIONS if o.value in due]
