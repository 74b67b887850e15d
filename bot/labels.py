"""How records read in chat, shared by handlers and conversations: the categories' names,
a sasaran's one-line label and a child's growth statuses.

It sits below both (handlers and conversations do not import each other), so /keluarga's
card and the visit form's list say the same thing the same way.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from bot.domain.age import age_in_days, age_label
from bot.domain.anthropometry import format_decimal
from bot.domain.categories import Group, group_on
from bot.domain.growth import LENGTH_AGE_LIMIT_DAYS, GrowthAssessment
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
    """"Siti Aminah — Ibu hamil, 23 minggu (Sukawana)" for lists and buttons; a child by its age
    today (a baduta of 25 months reads as balita), an ibu nifas past day 42 as PUS."""
    group = group_on(sasaran.category, sasaran.birth_date, sasaran.delivery_date, today)
    detail = GROUP_LABELS[group.value].split(" (")[0]
    if sasaran.category == "ibu_hamil" and sasaran.hpht:
        detail += f", {gestational_age(sasaran.hpht, today).weeks} minggu"
    elif sasaran.birth_date and sasaran.category in CHILDREN:
        detail += f", {age_label(sasaran.birth_date, today)}"
    area = regions.get(sasaran.region_code)
    return f"{sasaran.name} — {detail}" + (f" ({area.name})" if area else "")


#: The longest label the bot gives a button of a list (names and areas); longer ones are cut here, at
#: a word, rather than by Telegram in the middle of one.
BUTTON_WIDTH = 60


def fit_button(text: str, width: int = BUTTON_WIDTH) -> str:
    """``text`` as a button label: whole when it fits, else cut at a word boundary with "…"
    (a single word longer than the button is cut inside it, as nothing else fits). Callers put
    the whole text in the message when a label was shortened."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    if text[width - 1] != " " and " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:—–-·(") + "…"


def whole_labels(labels: list[str], width: int = BUTTON_WIDTH) -> str:
    """The whole labels as message lines ("\n• …") when any button had to shorten one, else "":
    what a button cuts, the message above it still says in full."""
    if all(fit_button(label, width) == label for label in labels):
        return ""
    return "\n" + "\n".join(f"• {html.escape(label)}" for label in labels)


def under_two(born: date, on: date) -> bool:
    """Whether a child measured on ``on`` is under 24 months: WHO's length (PB) indices apply."""
    return age_in_days(born, on) < LENGTH_AGE_LIMIT_DAYS


def _index_names(young: bool) -> tuple[str, str]:
    return ("PB/U", "BB/PB") if young else ("TB/U", "BB/TB")


def _z(value: float) -> str:
    """A z-score with two decimals; a value that rounds to zero reads "0", never "-0"."""
    rounded = round(value, 2)
    return format_decimal(rounded if rounded != 0 else 0.0, 2)


def growth_summary(growth: GrowthAssessment | None, young: bool) -> str | None:
    """"PB/U pendek (-2,31) · BB/U normal (-1,02) · BB/PB gizi baik (0,12)". The one place
    the indices are named: PB (lying length) under 24 months, TB (standing height) from 24
    months, as WHO and the KIA book name them (``young`` from :func:`under_two`)."""
    if growth is None:
        return None
    length, ratio = _index_names(young)
    parts = [f"{name} {status.label} ({_z(z)})"
             for name, status, z in ((length, growth.height_status, growth.haz),
                                     ("BB/U", growth.weight_for_age_status, growth.waz),
                                     (ratio, growth.nutrition_status, growth.whz))
             if status is not None and z is not None]
    return " · ".join(parts) or None


def growth_abbreviations(young: bool) -> str:
    """What the indices' short names mean, said once on a review screen."""
    if young:
        return ("PB/U = panjang badan menurut umur, BB/U = berat badan menurut umur, "
                "BB/PB = berat badan menurut panjang badan")
    return ("TB/U = tinggi badan menurut umur, BB/U = berat badan menurut umur, "
            "BB/TB = berat badan menurut tinggi badan")
