"""Where record changes meet the reminder plans.

The reporting flows call these after every commit that changes a sasaran; the
reminders package, when present, rebuilds or cancels that sasaran's plan. Keeping the
call sites here means the reporting code does not depend on how reminders work.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

log = logging.getLogger(__name__)


def _reminders() -> Any | None:
    try:
        return importlib.import_module("bot.reminders")
    except ModuleNotFoundError:
        return None


async def record_changed(services: Any, sasaran_id: int) -> None:
    module = _reminders()
    if module is not None and hasattr(module, "refresh_plan"):
        await module.refresh_plan(services, sasaran_id)


async def pregnancy_lost(services: Any, sasaran_id: int) -> None:
    module = _reminders()
    if module is not None and hasattr(module, "cancel_for_loss"):
        await module.cancel_for_loss(services, sasaran_id)
