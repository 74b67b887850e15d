"""Refused attempts are logged with ids and counted (issue 15 §8), in one place.

Every refusal the bot gives for a reason worth watching — out of scope, wrong role, a
forged or malformed button, a command in a group chat, a number registered in another
area — passes through :func:`record`, which logs it (ids only) and counts it in
``refusals`` (:mod:`storage.access_log`).
"""

from __future__ import annotations

import logging

from bot.services import Services
from storage import access_log
from storage.access_log import Refusal

log = logging.getLogger(__name__)


async def record(services: Services, user_id: int, kind: Refusal, what: str, target: object = None) -> None:
    log.info("refused %s: user %s, %s, target %s", kind.value, user_id, what, target)
    await access_log.refused(services.db, user_id=user_id, kind=kind, what=what, target=target,
                             now=services.clock.now())
