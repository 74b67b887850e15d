"""The monthly anonymous digest for TPPS group chats (issue 15 §3, optional part).

A coordinator types ``/grup`` in a TPPS group (:mod:`handlers.grup`); on the 1st, with the
coordinators' own digest (:mod:`bot.rekap.monthly_digest`), that group gets last month's
/rekap figures of the coordinator's area — the same anonymous text, without buttons (a
button in a group would be refused anyway: personal data only goes to private chats).
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.rekap import message
from bot.rekap.monthly_digest import due_month
from bot.rekap.service import build_rekap, ensure_ready
from bot.services import Services
from storage import digest_groups as store

log = logging.getLogger(__name__)

TITLE = "🗓️ Rekap bulanan (tanpa nama)"


async def send_group_digests(services: Services, bot: Bot) -> int:
    """Send every group digest due now; returns how many were sent."""
    period = due_month(services)
    if period is None:
        return 0
    await ensure_ready(services)
    month, sent = f"{period.first:%Y-%m}", 0
    for group in await store.due(services.db, month):
        if group.region_code not in services.regions:
            continue
        if not await store.claim(services.db, group.chat_id, month, services.clock.now()):
            continue
        status = "failed"
        try:
            rekap = await build_rekap(services, scope=group.region_code, area=group.region_code, period=period)
            for part in message.split(message.render(rekap, title=TITLE)):
                await bot.send_message(group.chat_id, part)
            status, sent = "sent", sent + 1
        except (Forbidden, BadRequest) as exc:  # the bot left the group, or the group is gone
            log.warning("group digest %s for chat %s refused: %s", month, group.chat_id, type(exc).__name__)
        except TelegramError as exc:
            log.warning("group digest %s for chat %s not sent yet (%s)", month, group.chat_id, type(exc).__name__)
            await store.release(services.db, group.chat_id, month)
            continue
        await store.finish(services.db, group.chat_id, month, status, services.clock.now())
    return sent
