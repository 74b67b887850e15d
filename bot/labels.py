"""How records read in chat, shared by handlers and conversations: the categories' names,
a sasaran's one-line label and a child's growth statuses.

It sits below both (handlers and conversations do not import each other), so /keluarga's
card and the visit form's list say the same thing the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.age import age_label
from bot.domain.anthropometry import format_decimal
from bot.domain.categories import Group, group_on
from bot.domain.growth import GrowthAssessment
from bot.domain.pregnancy import gestational_age
from bot.domain.risk import SasaranKind
from storage.keluarga import Sasaran

CATEGORY_LABELS = {
    SasaranKind.CATIN: "Calon pengantin (catin)",
    SasaranKind.IBU_HAMIL: "Ibu hamil",
    SasaranKind.IBU_NIFAS: "Ibu nifas (0–42 hari)",
    SasaranKind.BADUTA: "Anak 0–23 bulan (baduta)",
    SasaranKind.BALITA: "Anak 24–59 bulan (balita)",
}
CATEGORY_LABELS_BY_VALUE = {kind.value: label for kind, label in CATEGORY_LABELS.items()}
CHILDREN = frozenset({SasaranKind.BADUTA.value, SasaranKind.BALITA.value})


#: Labels of the groups a member moves into with time (``bot.domain.categories``).
GROUP_LABELS = {**CATEGORY_LABELS_BY_VALUE, Group.PUS.value: "PUS (masa nifas selesai)",
                Group.ANAK_LEWAT.value: "Anak 5 tahun ke atas (bukan sasaran lagi)"}


def sasaran_label(sasaran: Sasaran, today: date, regions: Any) -> str:
    """"Siti Aminah — Ibu hamil, 23 mg (Sukawana)" for lists and buttons; a child by its age
    today (a baduta of 25 months reads as balita), an ibu nifas past day 42 as PUS."""
    group = group_on(sasaran.category, sasaran.birth_date, sasaran.delivery_date, today)
    detail = GROUP_LABELS[group.value].split(" (")[0]
    if sasaran.category == "ibu_hamil" and sasaran.hpht:
        detail += f", {gestational_age(sasaran.hpht, today).weeks} mg"
    elif sasaran.birth_date and sasaran.category in CHILDREN:
        detail += f", {age_label(sasaran.birth_date, today)}"
    area = regions.get(sasaran.region_code)
    return f"{sasaran.name} — {detail}" + (f" ({area.name})" if area else "")


def growth_summary(growth: GrowthAssessment | None) -> str | None:
    """"TB/U pendek (-2,31); BB/U normal (-1,02); BB/TB gizi baik (0,12)"."""
    if growth is None:
        return None
    parts = []
    if growth.height_status is not None and growth.haz is not None:
        parts.append(f"TB/U {growth.height_status.label} ({format_decimal(growth.haz, 2)})")
    if growth.weight_for_age_status is not None and growth.waz is not None:
        parts.append(f"BB/U {growth.weight_for_age_status.label} ({format_decimal(growth.waz, 2)})")
    if growth.nutrition_status is not None and growth.whz is not None:
        parts.append(f"BB/TB {growth.nutrition_status.label} ({format_decimal(growth.whz, 2)})")
    return "; ".join(parts) or None
