"""/start without a token, /bantuan and the /batal that ends whatever flow is open."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.commands import commands_for
from bot.context import TpkContext
from bot.domain.roles import Role
from bot.menu import show_menu


def greeting(context: TpkContext) -> str:
    caller = context.caller
    if caller.deactivated:
        return texts.DEACTIVATED
    if caller.role is None:
        return texts.GREETING_UNKNOWN
    regions = context.services.regions
    area = regions.path_label(caller.scope) if caller.scope in regions else caller.scope
    role = caller.role.label
    if caller.role is Role.TPK and caller.team_position is not None:
        role = f"{role} ({caller.team_position.label})"
    return (
        f"Halo, {html.escape(caller.name)}! Anda terdaftar sebagai <b>{role}</b> "
        f"untuk <b>{html.escape(area or '')}</b>.\n\nKetik /bantuan untuk melihat perintah Anda."
    )


async def start(update: Update, context: TpkContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(greeting(context))
    if context.caller.role is not None:  # admins never join by link: their menu is set here
        await show_menu(context.bot, context.caller.user_id, context.caller.role)


async def bantuan(update: Update, context: TpkContext) -> None:
    assert update.effective_message is not None
    lines = [f"/{c.name} — {c.description}" for c in commands_for(context.caller.role)]
    await update.effective_message.reply_text(
        "<b>Perintah yang bisa Anda pakai:</b>\n" + "\n".join(lines)
    )


#: Pauses the caller's open form, True when there was one (``conversations.forms.runner.pause``).
#: :mod:`bot.app` passes it in: handlers and conversations do not import each other.
FormPause = Callable[[Update, TpkContext], Awaitable[bool]]


async def batal(update: Update, context: TpkContext, pause_form: FormPause) -> None:
    """Leave whatever is open: a form is paused with its draft kept (see the runner)."""
    if await pause_form(update, context):
        return
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.NOTHING_TO_CANCEL, reply_markup=ReplyKeyboardRemove())


def register(app: Application, pause_form: FormPause) -> None:  # type: ignore[type-arg]
    """Register after the conversations: in one group the first match wins, so a
    flow's own /batal takes precedence over this one."""
    # /start with a payload is the invitation flow's entry point (conversations.join).
    app.add_handler(CommandHandler("start", start, filters=~filters.Regex(r"^/start\s+\S")))
    app.add_handler(CommandHandler("bantuan", bantuan))
    app.add_handler(CommandHandler("batal", partial(batal, pause_form=pause_form)))


async def stale_button(update: Update, context: TpkContext) -> None:
    """Any button no handler claimed: from a finished flow or an old message."""
    assert update.callback_query is not None
    await update.callback_query.answer(texts.EXPIRED_BUTTON, show_alert=True)


async def unknown_command(update: Update, context: TpkContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Perintah itu tidak dikenal. Ketik /bantuan untuk melihat daftarnya.")


def register_last(app: Application) -> None:  # type: ignore[type-arg]
    """Catch-alls, registered after every other handler of group 0."""
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
