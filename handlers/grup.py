"""/grup: a coordinator turns the monthly anonymous digest on (or off, ``/grup mati``) for the
TPPS group chat it is typed in (issue 15 §3, optional part).

The one command a coordinator gives in a group (``private_only=False`` in :mod:`bot.commands`):
it shows nothing about anyone, and what the group then receives is the anonymous /rekap of the
coordinator's area (:mod:`bot.rekap.group_digest`).
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler

from bot.access import for_command
from bot.context import TpkContext
from storage import digest_groups

IN_PRIVATE = ("Ketik /grup di grup TPPS yang ingin menerima rekap bulanan tanpa nama untuk wilayah Anda "
              "(dan /grup mati untuk menghentikannya).")


@for_command("grup")
async def grup(update: Update, context: TpkContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await message.reply_text(IN_PRIVATE)
        return
    services = context.services
    if (context.args or [""])[0].lower() in ("mati", "off"):
        stopped = await digest_groups.disable(services.db, chat_id=chat.id)
        await message.reply_text("Rekap bulanan untuk grup ini dihentikan." if stopped else
                                 "Grup ini memang tidak menerima rekap bulanan.")
        return
    scope = context.caller.scope or services.regions.root.code
    await digest_groups.enable(services.db, chat_id=chat.id, owner_id=context.caller.user_id, region_code=scope,
                               now=services.clock.now())
    area = html.escape(services.regions.label(scope)) if scope in services.regions else scope
    await message.reply_text(
        f"✅ Grup ini akan menerima rekap bulanan <b>{area}</b> tiap tanggal 1 — hanya angka, tanpa nama. "
        "Data pribadi tetap hanya di chat pribadi dengan bot. Ketik /grup mati untuk menghentikannya.")


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("grup", grup))
