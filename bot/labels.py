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


def sasaran_label(sasaran: Sasaran, today: date, regions: Any) -> str:
    """"Siti Aminah — Ibu hamil, 23 mg (Sukawana)" for lists and buttons."""
    detail = CATEGORY_LABELS_BY_VALUE[sasaran.category].split(" (")[0]
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
