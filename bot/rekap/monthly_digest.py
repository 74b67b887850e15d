"""The monthly digest: on the 1st, from the configured local hour, every active
koordinator who has not switched it off gets last month's /rekap for their scope.

A row per (coordinator, month) in ``rekap_digest_sent`` is claimed before sending, so
a second tick, a second process or a restart never sends the same digest twice; a
temporary failure releases the claim for the next tick, a refusal (blocked bot) marks
it failed. The job only reads the injectable clock, so tests move a FakeClock and
call :func:`send_monthly_digests` directly.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.rekap import message
from bot.rekap.closing import close_due
from bot.rekap.keyboard import digest_button, summary_keyboard
from bot.rekap.periods import Period, last_month
from bot.rekap.service import build_rekap, ensure_ready, today
from bot.services import Services
from storage import rekap as store

log = logging.getLogger(__name__)

TITLE = "🗓️ Rekap bulanan"


def due_month(services: Services) -> Period | None:
    """Last month, when it is the 1st at or after the digest hour (local); else None."""
    settings = services.settings.rekap
    if not settings.digest_enabled:
        return None
    local = services.clock.now().astimezone(services.settings.wilayah.zone)
    if local.day != 1 or local.hour < settings.digest_hour:
        return None
    return last_month(local.date())


async def send_monthly_digests(services: Services, bot: Bot) -> int:
    """Send every digest due now; returns how many were sent."""
    period = due_month(services)
    if period is None:
        return 0
    await ensure_ready(services)
    await close_due(services)  # the digest reads the closed month, whichever job ticks first
    db = services.db
    month = f"{period.first:%Y-%m}"
    sent = 0
    for recipient in await store.digest_recipients(db, month):
        now = services.clock.now()
        if recipient.region_code not in services.regions:
            continue
        if not await store.claim_digest(db, recipient.user_id, month, now):
            continue
        try:
            await _send_one(services, bot, recipient.user_id, recipient.region_code, period, today(services))
        except (Forbidden, BadRequest) as exc:
            log.warning("digest %s for user %s refused: %s", month, recipient.user_id, type(exc).__name__)
            await store.finish_digest(db, recipient.user_id, month, "failed", services.clock.now())
        except TelegramError as exc:
            log.warning("digest %s for user %s not sent yet (%s); retrying later", month, recipient.user_id,
                        type(exc).__name__)
            await store.release_digest(db, recipient.user_id, month)
        except Exception:
            log.exception("digest %s for user %s failed", month, recipient.user_id)
            await store.finish_digest(db, recipient.user_id, month, "failed", services.clock.now())
        else:
            await store.finish_digest(db, recipient.user_id, month, "sent", services.clock.now())
            sent += 1
    return sent


async def _send_one(services: Services, bot: Bot, user_id: int, scope: str, period: Period, day: date) -> None:
    rekap = await build_rekap(services, scope=scope, area=scope, period=period)
    parts = message.split(message.render_summary(rekap, title=TITLE))
    keyboard = summary_keyboard(services.regions, scope=scope, area=scope, period=period, today=day,
                              extra_rows=[[digest_button(enabled=True)]])
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await bot.send_message(user_id, part, reply_markup=keyboard if last else None)
