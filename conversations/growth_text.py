"""How a child's measurement reads in chat: statuses with z-scores, and the re-measure notice."""

from __future__ import annotations

from bot.domain.growth import GrowthAssessment
from conversations.forms.fields import Notice
from conversations.parsers import format_decimal


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


def recheck_notice(growth: GrowthAssessment | None) -> Notice | None:
    """Values outside WHO's plausibility limits: ask for a re-measurement, allow "it is right"."""
    if growth is None or not growth.implausible:
        return None
    return Notice("Hasil ukur ini tidak wajar untuk usia anak:\n" + "\n".join(growth.recheck_messages)
                  + "\nMohon ukur ulang. Bila angkanya memang benar, tekan «Ya, sudah benar».")
