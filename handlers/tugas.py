"""/tugas: the TPK member's visits due today, soon or late, any time of day.

The same list the member gets each morning (:mod:`bot.reminders.visit_digest`), grouped by
family, with one button per person to record the visit.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler

from bot.access import for_command
from bot.context import TpkContext
from bot.domain.daytime import local_date, zone_for_region
from bot.reminders import visit_digest as digest_mod
from bot.reminders.limits import DispatchLimits


@for_command("tugas")
async def tugas(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None and context.caller.scope is not None
    services, limits = context.services, DispatchLimits()
    today = local_date(services.clock.now(), zone_for_region(context.caller.scope))
    digest = await digest_mod.build(services, context.caller.user_id, context.caller.scope, today, limits)
    if not digest.items:
        await message.reply_text(
            f"👍 Tidak ada kunjungan yang jatuh tempo sampai {limits.digest_lookahead_days} hari ke depan."
        )
        return
    buttons = [[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
               for row in digest.markup]
    await message.reply_text(digest.text, reply_markup=InlineKeyboardMarkup(buttons))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("tugas", tugas))
