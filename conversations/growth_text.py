"""The re-measure notice a form shows for an implausible child measurement (the statuses
themselves read through :func:`bot.labels.growth_summary`)."""

from __future__ import annotations

from bot.domain.growth import GrowthAssessment
from conversations.forms.fields import Notice


def recheck_notice(growth: GrowthAssessment | None) -> Notice | None:
    """Values outside WHO's plausibility limits: ask for a re-measurement, allow "it is right"."""
    if growth is None or not growth.implausible:
        return None
    return Notice("Hasil ukur ini tidak wajar untuk usia anak:\n" + "\n".join(growth.recheck_messages)
                  + "\nMohon ukur ulang. Bila angkanya memang benar, tekan «Ya, sudah benar».")
