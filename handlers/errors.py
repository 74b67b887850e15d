"""The global error handler: log with ids only, and never leave the user in silence."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application

from bot import texts
from bot.context import TpkContext

log = logging.getLogger(__name__)


def describe(error: BaseException) -> str:
    """Exception type and stack, without the exception's message: messages can carry
    what a user typed (a NIK, a name), and logs must never hold that."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    cause = f" (caused by {type(error.__cause__).__name__})" if error.__cause__ else ""
    return f"{type(error).__name__}{cause}\n{frames}"


async def on_error(update: object, context: TpkContext) -> None:
    error = context.error
    if error is None:
        return
    ids = "no update"
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        user = update.effective_user.id if update.effective_user else None
        ids = f"update {update.update_id} chat {chat} user {user}"
    if isinstance(error, NetworkError):
        log.warning("network problem talking to Telegram (%s): %s", ids, type(error).__name__)
    else:
        log.error("error while handling %s: %s", ids, describe(error))
    if not isinstance(update, Update):
        return
    try:
        # A message, for a button too: handlers answer a press before they edit or send,
        # so when something fails later the press is answered and a second answer (the
        # alert) would be refused, leaving the member with nothing.
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.INTERNAL_ERROR)
        elif update.callback_query is not None:
            await update.callback_query.answer(texts.INTERNAL_ERROR, show_alert=True)
    except TelegramError:
        log.warning("could not send the apology for %s", ids)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_error_handler(on_error)
